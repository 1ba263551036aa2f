"""The reading path at national scale, on SQLite and PostgreSQL in one run; writes RESULTS.md.

    make bench-national                                        # scale 1.0, both databases
    .venv/bin/python bench/national.py --scale 0.05 --databases sqlite --out /tmp/r.md

For each database (SQLite in a temporary file; PostgreSQL in a fresh database dropped after)
a child process generates the data set (``duan8 generate``) and measures:

a. every phase-I indicator for the nation, a province and a commune through
   ``reading.read`` — 2024 on its own tree (legacy units) and 2021-2025 on today's tree (new
   units) — cold (first read after an audited write) and warm;
b. the pages and the API for the same units (Django test client, server time and queries),
   after the warm-up ``duan8 serve`` does before it forks its workers (timed);
c. from saving a record through the audited path to seeing it in the national figure;
d. DuckDB computing the same national and provincial roll-ups from exported facts, checked
   equal to ``reading.totals``;
e. 20 concurrent clients against ``duan8 serve`` (gunicorn on 127.0.0.1) mixing figure pages
   and API writes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness

# Parent: one child per database, then the markdown ---------------------------------------


def _run_child(vendor: str, database_url: str, args) -> dict:
    with harness.data_dir(f"national-{vendor}") as data_dir:
        out = Path(data_dir) / "results.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--json", str(out)]
        command += ["--scale", str(args.scale), "--seed", str(args.seed)]
        command += ["--clients", str(args.clients), "--seconds", str(args.seconds)]
        environment = harness.env(database_url, data_dir)
        subprocess.run(command, env=environment, check=True, cwd=harness.ROOT)
        return json.loads(out.read_text())


def main_parent(args) -> None:
    results = {}
    for vendor in args.databases.split(","):
        began = time.perf_counter()
        print(f"== {vendor} ==", flush=True)
        with harness.database(vendor, "national") as url:
            results[vendor] = _run_child(vendor, url, args)
        results[vendor]["wall_s"] = time.perf_counter() - began
    text = markdown(results, harness.machine(), " ".join(sys.argv), args)
    Path(args.out).write_text(text + harness.kept_sections(Path(args.out)))
    print(f"wrote {args.out}")


# Child: generate, then measure (Django is set up here only) -------------------------------

TODAY_TREE_NOTE = "today's tree"
WARM = 12  # warm requests per page


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index], 1)


class Bench:
    """The units, indicators, user and writes every measurement shares."""

    def __init__(self, scale: float, seed: int) -> None:
        import datetime

        from django.core.management import call_command
        from django.utils import timezone

        from duan8.accounts.models import ApiToken, User
        from duan8.core import generate
        from duan8.framework.models import Phase
        from duan8.framework.periods import parse
        from duan8.geo.models import AdminUnit, Succession, UnitKind

        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        self.migrate_s = time.perf_counter() - began
        began = time.perf_counter()
        report = generate.generate(scale=scale, seed=seed, log=lambda line: print(line))
        self.generate_s = time.perf_counter() - began
        self.generated = {"counts": report.counts, "seconds": report.seconds}
        self.user = User.objects.create(
            username="bench.admin", full_name="Quản trị toàn quốc", is_national_admin=True
        )
        _token, self.token = ApiToken.issue(self.user, "bench")
        self.phase = Phase.objects.order_by("start").first()
        self.indicators = list(self.phase.indicators().order_by("content_area__order", "order"))
        self.by_code = {i.code: i for i in self.indicators}
        self.today = timezone.localdate()
        self.nation = AdminUnit.objects.get(kind=UnitKind.NATION)
        reform = datetime.date(2025, 7, 1)
        self.old_province = AdminUnit.objects.get(
            kind=UnitKind.PROVINCE, code="12", valid_until=reform
        )
        self.new_province = AdminUnit.objects.get(
            kind=UnitKind.PROVINCE, code="12", valid_from=reform
        )
        self.old_commune = (
            AdminUnit.objects.subtree(self.old_province)
            .filter(kind=UnitKind.COMMUNE, children__isnull=False)
            .order_by("pk")
            .first()
        )
        link = Succession.objects.filter(predecessor=self.old_commune, is_default=True).first()
        self.new_commune = (
            link.successor
            if link
            else (
                AdminUnit.objects.subtree(self.new_province).filter(kind=UnitKind.COMMUNE).first()
            )
        )
        self.cases = [
            # (label, period, tree date or None for the default, nation, province, commune)
            ("2024 on its own tree", parse("2024"), None, self.old_province, self.old_commune),
            (
                f"2021-2025 on {TODAY_TREE_NOTE} ({self.today:%d/%m/%Y})",
                self.phase.period,
                self.today,
                self.new_province,
                self.new_commune,
            ),
        ]
        self.writes = 0

    def write(self) -> None:
        """One community model and one activity saved through the audited path."""
        import datetime

        from duan8.activities.models import Activity
        from duan8.community import actions
        from duan8.community.models import CommunityModel

        self.writes += 1
        actions.save(
            CommunityModel(
                kind="savings_group",
                unit=self.new_commune,
                name=f"Tổ tiết kiệm ghi thử {self.writes}",
                established_on=datetime.date(2025, 8, 1),
            )
        )
        activity = Activity(
            kind="supervision",
            title=f"Giám sát ghi thử {self.writes}",
            unit=self.new_commune,
            start_on=datetime.date(2025, 9, 1),
            end_on=datetime.date(2025, 9, 1),
            organiser="Hội LHPN",
        )
        activity.full_clean()
        activity.save()


def _timed(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # the log keeps 9,000 queries; counting needs room
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - began
    return result, _ms(elapsed), len(queries)


def measure_reading(b: Bench) -> dict:
    """a. Every phase-I indicator per unit and case: cold after a write, cold with an empty
    cache, warm; and what a cold read is made of."""
    from duan8.analytics import reading

    rows, values = [], {}
    for label, period, on, province, commune in b.cases:
        for scope, unit in (("nation", b.nation), ("province", province), ("commune", commune)):

            def read_all(unit=unit, period=period, on=on):
                return {i.code: reading.read(i, unit, period, on) for i in b.indicators}

            b.write()
            _found, cold_ms, cold_q = _timed(read_all)
            reading.forget()
            _found, empty_ms, empty_q = _timed(read_all)
            warm = [_timed(read_all) for _ in range(5)]
            found = warm[-1][0]
            values[f"{label}|{scope}"] = {
                code: (str(r.value) if r.value is not None else None) for code, r in found.items()
            }
            rows.append(
                {
                    "case": label,
                    "scope": f"{scope}: {unit.name}",
                    "cold_after_write_ms": cold_ms,
                    "cold_after_write_queries": cold_q,
                    "cold_empty_cache_ms": empty_ms,
                    "cold_empty_cache_queries": empty_q,
                    "warm_ms": _pct([w[1] for w in warm], 0.5),
                    "warm_queries": warm[-1][2],
                    "tree_date": str(next(iter(found.values())).on),
                }
            )
    return {"rows": rows, "values": values, "parts": _cold_parts(b)}


def _cold_parts(b: Bench) -> list[dict]:
    """The pieces of a cold national read, timed apart (no cache involved)."""
    from duan8.activities import measures as activity_measures
    from duan8.analytics import reading
    from duan8.community import measures as community_measures
    from duan8.geo import treemap

    parts = []
    for _label, period, on, _province, _commune in b.cases:
        day = reading.tree_date(b.nation, period, on)
        began = time.perf_counter()
        units = treemap.Units()
        loaded = time.perf_counter()
        units.on(day)
        built = time.perf_counter()
        parts.append(
            {"part": "geography: every unit and succession loaded", "ms": _ms(loaded - began)}
        )
        parts.append({"part": f"tree of {day:%d/%m/%Y} mapped", "ms": _ms(built - loaded)})
        for name, source in (
            ("community models", community_measures.SOURCE),
            ("activities", activity_measures.SOURCE),
            ("targets", reading.TARGETS),
        ):
            _facts, ms, queries = _timed(lambda source=source, period=period: source.fetch(period))
            parts.append(
                {"part": f"{name}: facts of {period.code} fetched ({queries} query)", "ms": ms}
            )
    return parts


def measure_warm_up(b: Bench) -> dict:
    """What ``duan8 serve`` reads before it forks its workers, timed from an empty cache; the
    pages below are then measured as a served worker finds them."""
    from duan8.analytics import reading
    from duan8.analytics.warmup import warm_up

    reading.forget()
    done = warm_up(b.today)
    return {"seconds": round(done["seconds"], 1), "read": done["read"]}


def measure_pages(b: Bench) -> list[dict]:
    """b. Pages and API through the test client: cold (after a write) and 20 warm requests."""
    from django.test import Client

    client = Client()
    client.force_login(b.user)
    api = {"HTTP_AUTHORIZATION": f"Bearer {b.token}"}
    ttcd = b.by_code["TTCĐ"]
    rows = []
    for label, period, on, province, commune in b.cases:
        when = f"&on={on.isoformat()}" if on else ""
        for scope, unit in (("nation", b.nation), ("province", province), ("commune", commune)):
            urls = [
                ("targets page", f"/units/{unit.pk}/targets/?period={period.code}", {}),
                ("dashboard", f"/units/{unit.pk}/dashboard/?period={period.code}{when}", {}),
                ("unit page", f"/units/{unit.pk}/", {}),
                (
                    "models list",
                    f"/units/{unit.pk}/models/?kind=communication_team&period={period.code}"
                    f"&count=maintained{when}",
                    {},
                ),
                (
                    "API figure",
                    f"/api/v1/figures?indicator={ttcd.pk}&unit={unit.pk}&period={period.code}{when}",
                    api,
                ),
            ]
            if scope != "commune":
                urls.append(
                    (
                        "API figure + children",
                        f"/api/v1/figures?indicator={ttcd.pk}&unit={unit.pk}"
                        f"&period={period.code}{when}&children=true",
                        api,
                    )
                )
            for name, url, headers in urls:
                b.write()
                response, cold_ms, cold_q = _timed(
                    lambda url=url, headers=headers: client.get(url, **headers)
                )
                warm = [
                    _timed(lambda url=url, headers=headers: client.get(url, **headers))
                    for _ in range(WARM)
                ]
                statuses = {response.status_code, *(w[0].status_code for w in warm)}
                rows.append(
                    {
                        "case": label,
                        "scope": scope,
                        "page": name,
                        "url": url,
                        "status": ",".join(str(s) for s in sorted(statuses)),
                        "cold_ms": cold_ms,
                        "cold_queries": cold_q,
                        "warm_p50_ms": _pct([w[1] for w in warm], 0.5),
                        "warm_p95_ms": _pct([w[1] for w in warm], 0.95),
                        "warm_queries": max(w[2] for w in warm),
                    }
                )
    return rows


def measure_freshness(b: Bench) -> list[dict]:
    """c. Saving a record through the audited path, then reading the national figure."""
    import datetime

    from django.test import Client

    from duan8.analytics import reading
    from duan8.community import actions
    from duan8.community.models import CommunityModel

    ttcd = b.by_code["TTCĐ"]
    period = b.phase.period
    rows = []
    for attempt in range(3):
        before = reading.read(ttcd, b.nation, period, b.today).value
        began = time.perf_counter()
        actions.save(
            CommunityModel(
                kind="communication_team",
                unit=b.new_commune,
                name=f"Tổ truyền thông mới {attempt}",
                established_on=datetime.date(2025, 10, 1),
            )
        )
        saved = time.perf_counter()
        after = reading.read(ttcd, b.nation, period, b.today).value
        seen = time.perf_counter()
        rows.append(
            {
                "path": "actions.save → reading.read (nation, 2021-2025, today)",
                "save_ms": _ms(saved - began),
                "read_ms": _ms(seen - saved),
                "visible": after == before + 1,
            }
        )
    client = Client()
    api = {"HTTP_AUTHORIZATION": f"Bearer {b.token}"}
    url = f"/api/v1/figures?indicator={ttcd.pk}&unit={b.nation.pk}&period={period.code}"
    for attempt in range(3):
        before = Decimal_(client.get(url, **api).json()["figure"]["value"])
        began = time.perf_counter()
        created = client.post(
            "/api/v1/models",
            json.dumps(
                {
                    "kind": "communication_team",
                    "unit": b.new_commune.pk,
                    "name": f"Tổ truyền thông API {attempt}",
                    "established_on": "2025-10-02",
                }
            ),
            content_type="application/json",
            **api,
        )
        saved = time.perf_counter()
        after = Decimal_(client.get(url, **api).json()["figure"]["value"])
        seen = time.perf_counter()
        rows.append(
            {
                "path": f"POST /api/v1/models ({created.status_code})"
                " → GET /api/v1/figures (nation)",
                "save_ms": _ms(saved - began),
                "read_ms": _ms(seen - saved),
                "visible": after == before + 1,
            }
        )
    return rows


def Decimal_(value):
    from decimal import Decimal

    return Decimal(str(value)) if value is not None else Decimal(0)


def _stand_ins(day) -> dict[int, dict[int, float]]:
    """Each unit → the units standing for it on ``day`` with weights, computed here from the
    units and successions (not through duan8's tree map), to check the reading path."""
    from collections import defaultdict

    from duan8.geo.models import AdminUnit, Succession

    span = {
        pk: (kind, start, until)
        for pk, kind, start, until in AdminUnit.objects.values_list(
            "pk", "kind", "valid_from", "valid_until"
        )
    }
    forward, backward = defaultdict(list), defaultdict(list)
    for before, after, is_default, share in Succession.objects.values_list(
        "predecessor_id", "successor_id", "is_default", "share"
    ):
        forward[before].append((after, is_default, share))
        if is_default:
            backward[after].append(before)
    memo: dict[int, dict[int, float]] = {}

    def targets(pk: int, depth: int = 0) -> dict[int, float]:
        if pk in memo:
            return memo[pk]
        kind, start, until = span[pk]
        if start <= day and (until is None or day < until):
            return {pk: 1.0}
        steps = []
        if until is not None and until <= day:
            links = forward.get(pk, [])
            if links and all(share is not None for _s, _d, share in links):
                steps = [(after, float(share)) for after, _d, share in links]
            elif links:
                default = next((a for a, d, _s in links if d), links[0][0])
                steps = [(default, 1.0)]
        else:
            before = backward.get(pk, [])
            same = [p for p in before if span[p][0] == kind]
            before = same or before
            steps = [(p, 1.0 / len(before)) for p in before]
        result: dict[int, float] = defaultdict(float)
        if depth < 10:
            for nxt, weight in steps:
                for target, w in targets(nxt, depth + 1).items():
                    result[target] += weight * w
        memo[pk] = dict(result)
        return memo[pk]

    return {pk: targets(pk) for pk in span}


def _duck_filters(b: Bench, period) -> dict[str, tuple[str, str, str]]:
    """indicator code → (table, SQL condition, value expression) from its measure key."""
    from duan8.framework.defaults import MEASURES

    start, end = f"DATE '{period.start}'", f"DATE '{period.end}'"
    found = {}
    for code, key in MEASURES.items():
        parts = key.split(".")
        if parts[0] == "community":
            kind, count = parts[1], parts[2]
            if count == "maintained":
                cond = f"established_on < {end} AND (ended_on IS NULL OR ended_on >= {end})"
            else:
                cond = f"established_on >= {start} AND established_on < {end}"
            found[code] = ("models", f"kind = '{kind}' AND {cond}", "1")
        elif parts[0] == "activities":
            held = f"start_on >= {start} AND start_on < {end}"
            if parts[1] == "training" and len(parts) == 4:
                cond = f"kind = 'training' AND programme = '{parts[2]}' AND NOT tot AND {held}"
                value = "participants_women" if parts[3] == "women" else "1"
                found[code] = ("activities", cond, value)
            else:
                found[code] = ("activities", f"kind = '{parts[1]}' AND {held}", "1")
    return found


def measure_duckdb(b: Bench) -> dict:
    """d. The national and provincial roll-ups in DuckDB from the same facts, checked equal."""
    import csv

    import duckdb

    from duan8.activities.models import Activity
    from duan8.analytics import reading
    from duan8.community.models import CommunityModel
    from duan8.geo import paths
    from duan8.geo.models import AdminUnit, UnitKind

    folder = Path(tempfile.mkdtemp(prefix="duan8-duck-"))
    result = {"rows": [], "mismatches": []}
    try:
        began = time.perf_counter()
        with open(folder / "models.csv", "w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["unit_id", "kind", "established_on", "ended_on"])
            out.writerows(
                CommunityModel.objects.values_list(
                    "unit_id", "kind", "established_on", "ended_on"
                ).iterator(chunk_size=20000)
            )
        with open(folder / "activities.csv", "w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["unit_id", "kind", "programme", "tot", "start_on", "participants_women"])
            out.writerows(
                Activity.objects.values_list(
                    "unit_id",
                    "kind",
                    "programme",
                    "is_training_of_trainers",
                    "start_on",
                    "participants_women",
                ).iterator(chunk_size=20000)
            )
        exported = time.perf_counter()
        duck = duckdb.connect()
        duck.execute(
            f"CREATE TABLE models AS SELECT * FROM read_csv('{folder}/models.csv', header=true,"
            " nullstr='')"
        )
        duck.execute(
            f"CREATE TABLE activities AS SELECT * FROM read_csv('{folder}/activities.csv',"
            " header=true, nullstr='')"
        )
        loaded = time.perf_counter()
        result["export_s"] = round(exported - began, 2)
        result["load_s"] = round(loaded - exported, 2)
        path = dict(AdminUnit.objects.values_list("pk", "path"))
        for label, period, on, _province, _commune in b.cases:
            day = reading.tree_date(b.nation, period, on)
            began = time.perf_counter()
            stand = _stand_ins(day)
            rows = []
            for pk, parts in stand.items():
                weights: dict[int, float] = {}
                for target, weight in parts.items():
                    for ancestor in paths.ids_in(path[target]):
                        weights[ancestor] = weights.get(ancestor, 0.0) + weight
                rows += [(pk, a, w) for a, w in weights.items()]
            tops = list(
                AdminUnit.objects.valid_on(day)
                .filter(kind__in=[UnitKind.NATION, UnitKind.PROVINCE])
                .values_list("pk", flat=True)
            )
            mapped = time.perf_counter()
            duck.execute("DROP TABLE IF EXISTS map")
            duck.execute("CREATE TABLE map (unit_id BIGINT, ancestor BIGINT, weight DOUBLE)")
            with open(folder / "map.csv", "w", newline="") as handle:
                csv.writer(handle).writerows(rows)
            duck.execute(
                f"INSERT INTO map SELECT * FROM read_csv('{folder}/map.csv', header=false)"
            )
            duck.execute("DROP TABLE IF EXISTS tops")
            duck.execute("CREATE TABLE tops AS SELECT unnest($1::BIGINT[]) AS pk", [tops])
            map_loaded = time.perf_counter()
            filters = _duck_filters(b, period)
            answers: dict[str, dict[int, float]] = {}
            began_q = time.perf_counter()
            for table in ("models", "activities"):
                codes = [c for c, (t, _c, _v) in filters.items() if t == table]
                columns = ", ".join(
                    f'SUM(({filters[c][2]}) * m.weight) FILTER (WHERE {filters[c][1]}) AS "{c}"'
                    for c in codes
                )
                found = duck.execute(
                    f"SELECT m.ancestor, {columns} FROM {table} f JOIN map m USING (unit_id)"
                    " WHERE m.ancestor IN (SELECT pk FROM tops) GROUP BY m.ancestor"
                ).fetchall()
                for row in found:
                    for code, value in zip(codes, row[1:], strict=True):
                        answers.setdefault(code, {})[row[0]] = value or 0.0
            queried = time.perf_counter()
            reading.forget()
            duan8_cold, duan8_warm, duan8_memory, checked = 0.0, 0.0, 0.0, 0
            for code in filters:
                indicator = b.by_code[code]
                t0 = time.perf_counter()
                totals = reading.totals(indicator, period, day)
                t1 = time.perf_counter()
                reading.totals(indicator, period, day)
                t2 = time.perf_counter()
                duan8_cold += t1 - t0
                duan8_warm += t2 - t1
                duan8_memory += _roll_up_in_memory(indicator, period, day)
                for pk in tops:
                    mine = float(totals.get(pk, 0))
                    theirs = answers.get(code, {}).get(pk, 0.0)
                    checked += 1
                    if abs(mine - theirs) > 1e-6 * max(1.0, abs(theirs)):
                        result["mismatches"].append(
                            {
                                "case": label,
                                "indicator": code,
                                "unit": pk,
                                "duan8": mine,
                                "duckdb": theirs,
                            }
                        )
            result["rows"].append(
                {
                    "case": label,
                    "tree_date": str(day),
                    "indicators": len(filters),
                    "units_compared": len(tops),
                    "values_compared": checked,
                    "mapping_python_ms": _ms(mapped - began),
                    "mapping_to_duckdb_ms": _ms(map_loaded - mapped),
                    "duckdb_query_ms": _ms(queried - began_q),
                    "duan8_totals_cold_ms": _ms(duan8_cold),
                    "duan8_totals_warm_ms": _ms(duan8_warm),
                    "duan8_rollup_memory_ms": _ms(duan8_memory),
                }
            )
        duck.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result["mismatches"] = result["mismatches"][:20]
    return result


def _roll_up_in_memory(indicator, period, day) -> float:
    """Seconds duan8 takes for the work DuckDB's query does: the facts already in memory
    (as DuckDB's tables are), carried and summed up the tree into every unit's total."""
    from duan8.analytics import reading

    ctx = reading._Context()
    definition = reading._definitions(ctx, period.start)[indicator.pk]
    measure = definition.measure
    parts = ctx.facts(measure.source, period).parts.get(measure.part_for(indicator.pk), {})
    tree = ctx.tree(day)
    began = time.perf_counter()
    reading._roll_up(parts, tree)
    return time.perf_counter() - began


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_up(port: int, limit: float = 60) -> None:
    import http.client

    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("duan8 serve did not answer")


def _load(port: int, mix, clients: int, seconds: float, cookie: str, token: str) -> list:
    """``clients`` threads, each its own connection, for ``seconds``: (name, ms, ok)."""
    import http.client
    import random
    import threading

    samples: list = []
    lock = threading.Lock()
    deadline = time.time() + seconds
    names = [m[0] for m in mix]
    weights = [m[1] for m in mix]
    by_name = {m[0]: m for m in mix}

    def client(number: int) -> None:
        rng = random.Random(number)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        sequence = 0
        while time.time() < deadline:
            name, _w, method, url, body = by_name[rng.choices(names, weights)[0]]
            headers = {"Cookie": f"sessionid={cookie}"}
            if url.startswith("/api/"):
                headers = {"Authorization": f"Bearer {token}"}
            if body is not None:
                sequence += 1
                payload = dict(body, name=f"{body['name']} {number}.{sequence}")
                data = json.dumps(payload).encode()
                headers["Content-Type"] = "application/json"
            else:
                data = None
            began = time.perf_counter()
            try:
                connection.request(method, url, body=data, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status < 400
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((name, (time.perf_counter() - began) * 1000, ok))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def measure_concurrency(b: Bench, clients: int, seconds: float) -> list[dict]:
    """e. ``clients`` concurrent clients against ``duan8 serve`` on 127.0.0.1."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(b.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    ttcd = b.by_code["TTCĐ"]
    phase = b.phase.period.code
    today = b.today.isoformat()
    mix = [
        (
            "targets page (nation, 2024)",
            15,
            "GET",
            f"/units/{b.nation.pk}/targets/?period=2024",
            None,
        ),
        (
            "targets page (province, phase)",
            15,
            "GET",
            f"/units/{b.new_province.pk}/targets/?period={phase}",
            None,
        ),
        ("unit page (commune)", 15, "GET", f"/units/{b.new_commune.pk}/", None),
        (
            "dashboard (province, 2024)",
            10,
            "GET",
            f"/units/{b.new_province.pk}/dashboard/?period=2024",
            None,
        ),
        ("home: national dashboard and reminders", 5, "GET", "/", None),
        ("unit page (nation)", 10, "GET", f"/units/{b.nation.pk}/", None),
        (
            "models list (province)",
            10,
            "GET",
            f"/units/{b.new_province.pk}/models/?kind=communication_team&period={phase}&count=maintained",
            None,
        ),
        (
            "API figure (nation + children)",
            15,
            "GET",
            f"/api/v1/figures?indicator={ttcd.pk}&unit={b.nation.pk}&period={phase}&on={today}&children=true",
            None,
        ),
        (
            "API write (POST /api/v1/models)",
            20,
            "POST",
            "/api/v1/models",
            {
                "kind": "communication_team",
                "unit": b.new_commune.pk,
                "name": "Tổ tải",
                "established_on": "2025-11-03",
            },
        ),
    ]
    rows = []
    for workers, threads in ((2, 1), (3, 1), (4, 1), (2, 4)):
        port = _free_port()
        command = [sys.executable, "-m", "duan8.cli", "serve", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(workers), "--threads", str(threads)]
        server = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=harness.ROOT
        )
        try:
            _wait_up(port)
            _load(port, mix, clients, min(5.0, seconds), cookie, b.token)  # warm-up, not counted
            began = time.perf_counter()
            samples = _load(port, mix, clients, seconds, cookie, b.token)
            elapsed = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(timeout=30)
        every = [ms for _n, ms, _ok in samples]
        row = {
            "server": f"{workers} workers × {threads} thread{'s' if threads > 1 else ''}",
            "clients": clients,
            "seconds": round(elapsed, 1),
            "requests": len(samples),
            "rps": round(len(samples) / elapsed, 1),
            "p50_ms": _pct(every, 0.5),
            "p95_ms": _pct(every, 0.95),
            "errors": sum(1 for *_x, ok in samples if not ok),
            "by_request": {},
        }
        for name, *_rest in mix:
            mine = [ms for n, ms, _ok in samples if n == name]
            row["by_request"][name] = {
                "n": len(mine),
                "p50_ms": _pct(mine, 0.5),
                "p95_ms": _pct(mine, 0.95),
                "errors": sum(1 for n, _ms, ok in samples if n == name and not ok),
            }
        rows.append(row)
        print(
            f"concurrency {row['server']}: {row['rps']} req/s, p95 {row['p95_ms']} ms, "
            f"{row['errors']} errors",
            flush=True,
        )
    return rows


def run_child(args) -> None:
    import traceback

    import django

    django.setup()
    from django.db import connection

    out: dict = {"vendor": connection.vendor}
    b = Bench(args.scale, args.seed)
    out["generate"] = {"total_s": round(b.generate_s, 1), **b.generated}
    steps = [
        ("reading", lambda: measure_reading(b)),
        ("warm_up", lambda: measure_warm_up(b)),
        ("pages", lambda: measure_pages(b)),
        ("freshness", lambda: measure_freshness(b)),
        ("duckdb", lambda: measure_duckdb(b)),
        ("concurrency", lambda: measure_concurrency(b, args.clients, args.seconds)),
    ]
    for name, fn in steps:
        began = time.perf_counter()
        try:
            out[name] = fn()
        except Exception:  # a failed step is reported, the others still run
            out[name] = {"error": traceback.format_exc()}
            print(out[name]["error"], flush=True)
        print(
            f"{connection.vendor}: {name} measured in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
        Path(args.json).write_text(json.dumps(out, default=str, indent=1))


# The markdown ----------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def _summary(r: dict) -> dict:
    """The four targets for one database: (text, met?)."""
    found = {}
    pages = r.get("pages")
    if isinstance(pages, list) and pages:
        worst_warm = max(pages, key=lambda p: p["warm_p95_ms"])
        worst_cold = max(pages, key=lambda p: p["cold_ms"])
        most = max(max(p["warm_queries"], p["cold_queries"]) for p in pages)
        found["pages"] = (
            f"warm p95 ≤ {worst_warm['warm_p95_ms']} ms ({worst_warm['page']}, "
            f"{worst_warm['scope']}); cold ≤ {worst_cold['cold_ms']} ms ({worst_cold['page']}, "
            f"{worst_cold['scope']}, {worst_cold['case'][:9]}); ≤ {most} queries",
            worst_warm["warm_p95_ms"] <= 150 and worst_cold["cold_ms"] <= 150 and most <= 20,
        )
    duck = r.get("duckdb")
    if isinstance(duck, dict) and duck.get("rows"):
        # Like with like: DuckDB's query runs on facts and a map already loaded; duan8's roll-up
        # from the facts it holds in memory does the same work. The cold read (facts fetched
        # from the database) is shown beside it.
        ratios = [
            row["duan8_rollup_memory_ms"] / max(row["duckdb_query_ms"], 0.1) for row in duck["rows"]
        ]
        cold = [
            row["duan8_totals_cold_ms"] / max(row["duckdb_query_ms"], 0.1) for row in duck["rows"]
        ]
        found["duckdb"] = (
            f"duan8's roll-up from facts in memory {max(ratios):.2f}× DuckDB's query; a cold "
            f"read (facts fetched) {max(cold):.1f}× ({len(duck['mismatches'])} mismatches)",
            max(ratios) <= 2 and not duck["mismatches"],
        )
    fresh = r.get("freshness")
    if isinstance(fresh, list) and fresh:
        found["freshness"] = (
            f"{sum(f['visible'] for f in fresh)}/{len(fresh)} visible on the next read; "
            f"save + read ≤ {max(f['save_ms'] + f['read_ms'] for f in fresh):.0f} ms",
            all(f["visible"] for f in fresh),
        )
    conc = r.get("concurrency")
    if isinstance(conc, list) and conc:
        best = min(conc, key=lambda c: (c["errors"] > 0, c["p95_ms"]))
        found["concurrency"] = (
            f"best {best['server']}: p95 {best['p95_ms']} ms, {best['rps']} req/s, "
            f"{best['errors']} errors",
            best["p95_ms"] <= 300 and best["errors"] == 0,
        )
    return found


def markdown(results: dict, machine: dict, command: str, args) -> str:
    out = ["# National-scale benchmark of the reading path\n"]
    out.append(
        "Written by `bench/national.py` (see its docstring for what each part measures). "
        "Server times are measured in-process around Django's test client (no network); "
        "the concurrency runs go over TCP to `duan8 serve` on 127.0.0.1.\n"
    )
    out.append(
        f"Command: `{command}` (scale {args.scale}, seed {args.seed}), "
        f"{time.strftime('%Y-%m-%d %H:%M')}.\n"
    )
    out.append("## Machine\n")
    out.append(
        f"- CPU: {machine['cpu']}; `nproc`: {machine['nproc']}\n"
        f"- Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql']}\n"
        f"- `free -h`:\n\n```\n{machine['memory']}\n```\n"
    )
    vendors = list(results)
    out.append("## Targets\n")
    summaries = {v: _summary(results[v]) for v in vendors}
    rows = []
    for key, label in (
        ("pages", "every figure page p95 ≤ 150 ms server time, ≤ 20 queries"),
        ("duckdb", "roll-up within 2× of DuckDB"),
        ("freshness", "the saved value visible on the next request"),
        ("concurrency", f"{args.clients} clients: p95 ≤ 300 ms, 0 errors"),
    ):
        row = [label]
        for v in vendors:
            text, ok = summaries[v].get(key, ("not measured", None))
            row.append(f"{_verdict(ok)}: {text}")
        rows.append(row)
    out.append(_table(["target", *vendors], rows))
    for v in vendors:
        r = results[v]
        out.append(f"## {v}\n")
        gen = r.get("generate", {})
        counts = ", ".join(f"{n:,} {k}" for k, n in gen.get("counts", {}).items())
        out.append(
            f"`duan8 generate` took {gen.get('total_s')} s (load_units and load_framework "
            f"included): {counts}. "
            f"Whole run {r.get('wall_s', 0):.0f} s.\n"
        )
        reading = r.get("reading", {})
        if "rows" in reading:
            out.append("### a. Every phase-I indicator through `reading.read` (14 reads)\n")
            out.append(
                _table(
                    [
                        "case",
                        "unit",
                        "tree date",
                        "cold after a write",
                        "cold, empty cache",
                        "warm (median of 5)",
                    ],
                    [
                        [
                            x["case"],
                            x["scope"],
                            x["tree_date"],
                            f"{x['cold_after_write_ms']} ms / {x['cold_after_write_queries']} q",
                            f"{x['cold_empty_cache_ms']} ms / {x['cold_empty_cache_queries']} q",
                            f"{x['warm_ms']} ms / {x['warm_queries']} q",
                        ]
                        for x in reading["rows"]
                    ],
                )
            )
            out.append("What a cold national read is made of (each part timed alone):\n")
            out.append(_table(["part", "ms"], [[p["part"], p["ms"]] for p in reading["parts"]]))
        elif reading:
            out.append(f"### a. reading failed\n\n```\n{reading.get('error')}\n```\n")
        pages = r.get("pages")
        warmed = r.get("warm_up") or {}
        if isinstance(pages, list):
            out.append(
                "### b. Pages and API (test client; cold = first request after a write, "
                f"then {WARM} warm)\n"
            )
            if "seconds" in warmed:
                out.append(
                    f"Measured as a worker of `duan8 serve` finds them: its master warmed up "
                    f"first (`analytics.warmup`, {warmed['seconds']} s from an empty cache: "
                    f"the national dashboard of {', '.join(warmed['read']) or 'nothing'}).\n"
                )
            out.append(
                _table(
                    [
                        "case",
                        "unit",
                        "request",
                        "status",
                        "cold",
                        "warm p50",
                        "warm p95",
                        "queries (cold/warm)",
                    ],
                    [
                        [
                            p["case"][:9],
                            p["scope"],
                            f"{p['page']}",
                            p["status"],
                            f"{p['cold_ms']} ms",
                            f"{p['warm_p50_ms']} ms",
                            f"{p['warm_p95_ms']} ms",
                            f"{p['cold_queries']}/{p['warm_queries']}",
                        ]
                        for p in pages
                    ],
                )
            )
        elif pages:
            out.append(f"### b. pages failed\n\n```\n{pages.get('error')}\n```\n")
        fresh = r.get("freshness")
        if isinstance(fresh, list):
            out.append("### c. From saving a record to seeing it in the national figure\n")
            out.append(
                _table(
                    ["path", "save", "next read", "visible"],
                    [
                        [
                            f["path"],
                            f"{f['save_ms']} ms",
                            f"{f['read_ms']} ms",
                            "yes" if f["visible"] else "**no**",
                        ]
                        for f in fresh
                    ],
                )
            )
        elif fresh:
            out.append(f"### c. freshness failed\n\n```\n{fresh.get('error')}\n```\n")
        duck = r.get("duckdb")
        if isinstance(duck, dict) and "rows" in duck:
            out.append(
                "### d. DuckDB on the same facts (nation and provinces, every counted indicator)\n"
            )
            out.append(
                f"Facts exported to CSV in {duck['export_s']} s, loaded into DuckDB in "
                f"{duck['load_s']} s. Stand-ins computed here from units and successions "
                "(independently of `geo.treemap`).\n"
            )
            out.append(
                _table(
                    [
                        "case",
                        "tree date",
                        "values compared",
                        "unit→ancestors map (Python)",
                        "map into DuckDB",
                        "DuckDB roll-up",
                        "duan8 roll-up, facts in memory",
                        "duan8 `totals` cold",
                        "duan8 `totals` warm",
                    ],
                    [
                        [
                            x["case"],
                            x["tree_date"],
                            x["values_compared"],
                            f"{x['mapping_python_ms']} ms",
                            f"{x['mapping_to_duckdb_ms']} ms",
                            f"{x['duckdb_query_ms']} ms",
                            f"{x['duan8_rollup_memory_ms']} ms",
                            f"{x['duan8_totals_cold_ms']} ms",
                            f"{x['duan8_totals_warm_ms']} ms",
                        ]
                        for x in duck["rows"]
                    ],
                )
            )
            if duck["mismatches"]:
                out.append(f"Mismatches (first 20): `{json.dumps(duck['mismatches'])}`\n")
            else:
                out.append("Every value equal.\n")
        elif duck:
            out.append(f"### d. DuckDB failed\n\n```\n{duck.get('error')}\n```\n")
        conc = r.get("concurrency")
        if isinstance(conc, list):
            out.append(f"### e. {args.clients} concurrent clients against `duan8 serve`\n")
            out.append(
                _table(
                    ["server", "requests", "req/s", "p50", "p95", "errors"],
                    [
                        [
                            c["server"],
                            c["requests"],
                            c["rps"],
                            f"{c['p50_ms']} ms",
                            f"{c['p95_ms']} ms",
                            c["errors"],
                        ]
                        for c in conc
                    ],
                )
            )
            names = list(conc[0]["by_request"])
            out.append(
                _table(
                    ["request", *[c["server"] + " p50/p95" for c in conc]],
                    [
                        [
                            n,
                            *[
                                f"{c['by_request'][n]['p50_ms']}/{c['by_request'][n]['p95_ms']} ms"
                                + (
                                    f" ({c['by_request'][n]['errors']} err)"
                                    if c["by_request"][n]["errors"]
                                    else ""
                                )
                                for c in conc
                            ],
                        ]
                        for n in names
                    ],
                )
            )
        elif conc:
            out.append(f"### e. concurrency failed\n\n```\n{conc.get('error')}\n```\n")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="per concurrency run")
    parser.add_argument("--out", default=str(harness.RESULTS))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.clients > 50 or args.seconds > 300:
        parser.error("at most 50 clients and 300 seconds")
    if args.child:
        run_child(args)
    else:
        main_parent(args)


if __name__ == "__main__":
    main()
