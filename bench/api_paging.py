"""A national list paged through the API by cursor, on SQLite and PostgreSQL; writes its part
of RESULTS.md.

    .venv/bin/python bench/api_paging.py                          # 100.000 models, both databases
    .venv/bin/python bench/api_paging.py --scale 0.05 --databases sqlite --out /tmp/r.md

For each database a process (not timed) migrates a temporary database (a SQLite file, or
a PostgreSQL database created for the run and dropped after) and fills it with
``duan8 generate``'s national data set: at scale 1.0, 100.000 community models spread over the
villages and communes of the whole country (with its villages, activities, figures and
targets). A national administrator gets an API token.

Then, timed, in a fresh process (as a server's, it holds none of the generated rows): the
national list of models, ``GET /api/v1/models?unit=<nation>&limit=100``, paged from its first
page to its last by ``next_cursor`` through Django's test client in the same process (no
network), each request timed from the call to the parsed answer; then the same list at the
API's largest page (``limit=1000``). Beside the wall time: the app process's CPU time per page
(``time.process_time``: the app's own work, without time spent waiting for the CPU on a busy
machine or, on PostgreSQL, for the database server), and the time Python's full (generation 2)
garbage collections took during it. Before the walk one request (``/me``) loads the API's
code, so the first page measures the list, not the imports. For comparison, the last page
asked by offset (``offset=`` the count less one page), which makes the database read and drop
every row before it. Last, both walks again after ``gc.freeze()``: what the process holds by
then (the code, the geography the list reads) moved out of the garbage collector's sight.

Target (issue 15): every page under 100 ms server time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

import harness

SECTION = "api_paging"
TARGET_MS = 100


# Parent: one child per database, then the markdown ----------------------------------------------


def _child(database_url: str, args) -> dict:
    """Set-up in one process, the walk in a fresh one (a server's process holds no generated
    rows: its garbage collector walks only what a server holds)."""
    with harness.data_dir("api-paging") as folder:
        environment = harness.env(database_url, folder)
        found = {}
        for name in ("setup", "walk"):
            environment["BENCH_TOKEN"] = found.get("token", "")
            extra = ["--scale", str(args.scale), "--seed", str(args.seed)]
            found.update(harness.step(__file__, name, environment, *extra))
        return found


def run(vendor: str, args) -> dict:
    with harness.database(vendor, "api-paging") as url:
        return _child(url, args)


# Child: generate (not timed), then page -----------------------------------------------------


def _walk(client, url: str, headers: dict) -> dict:
    """Every page of ``url`` by cursor: each request's time, the items, the pages."""
    import gc

    times: list[float] = []
    cpu: list[float] = []
    collected: list[float] = []  # time spent in full garbage collections during each page
    pause = {"began": 0.0, "total": 0.0}

    def watch(phase, info):
        if info["generation"] == 2:
            if phase == "start":
                pause["began"] = time.perf_counter()
            else:
                pause["total"] += time.perf_counter() - pause["began"]

    gc.callbacks.append(watch)
    items = 0
    cursor = ""
    while True:
        pause["total"] = 0.0
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(f"{url}&cursor={quote(cursor)}", **headers)
        answer = response.json()
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        collected.append(pause["total"])
        assert response.status_code == 200, answer
        items += len(answer["items"])
        cursor = answer["next_cursor"]
        if not cursor:
            break
    gc.callbacks.remove(watch)
    return {"times": times, "cpu": cpu, "gc": collected, "items": items}


def child_setup(args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from duan8.accounts.models import ApiToken, User
    from duan8.core import generate

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    report = generate.generate(scale=args.scale, seed=args.seed, log=lambda _text: None)
    generate_s = time.perf_counter() - began
    admin = User.objects.create_user("bench.admin", password="x" * 20, is_national_admin=True)
    return {
        "generate_s": generate_s,
        "models": report.counts.get("community models", 0),
        "token": ApiToken.issue(admin, "bench")[1],
    }


def child_walk(args) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from duan8.geo.models import AdminUnit, UnitKind

    nation = AdminUnit.objects.get(kind=UnitKind.NATION)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {os.environ['BENCH_TOKEN']}"}
    assert client.get("/api/v1/me", **headers).status_code == 200  # the API's code loaded
    url = f"/api/v1/models?unit={nation.pk}"
    first = client.get(f"{url}&limit=1", **headers).json()
    assert "count" in first, first
    count = first["count"]
    import gc

    walks = {}
    for limit in (100, 1000):
        walks[str(limit)] = _walk(client, f"{url}&limit={limit}", headers)
    objects = len(gc.get_objects())
    # What the process holds by now (the geography the list reads, the code) moved out of the
    # collector's sight, as a server may do once it has started: the same walks again.
    gc.freeze()
    for limit in (100, 1000):
        walks[f"{limit}, gc.freeze()"] = _walk(client, f"{url}&limit={limit}", headers)
    offsets = []
    last_offset = max(count - 100, 0)
    for _ in range(3):
        began = time.perf_counter()
        answer = client.get(f"{url}&limit=100&offset={last_offset}", **headers)
        offsets.append(time.perf_counter() - began)
        assert answer.status_code == 200
    return {
        "vendor": connection.vendor,
        "server_version": harness.server_version(connection),
        "count": count,
        "objects": objects,
        "walks": walks,
        "offset_last": {"offset": last_offset, "times": offsets},
    }


# Report ---------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "pages": len(times),
        "first": times[0],
        "median": statistics.median(times),
        "p95": p95,
        "max": ordered[-1],
        "max_page": times.index(ordered[-1]) + 1,
        "deepest": times[-1],
    }


def markdown(results: dict, command: str, note: str) -> str:
    lines = [
        f"<!-- {SECTION} -->",
        "## A national list paged through the API by cursor (issue 15)",
        "",
        f"`{command}` — `GET /api/v1/models?unit=<nation>` as a national administrator's "
        "token, every page from the first to the last by `next_cursor`, through Django's test "
        "client in-process (server time: the call to the parsed answer, no network). "
        "Generated data (`duan8 generate`) not timed. The deepest page is the last one. "
        f"{note}",
        "",
        "| database | items (count) | limit | pages | first | median | p95 | max (page) "
        "| deepest page | max CPU of the app | pages with a full GC (its longest) "
        "| last page by offset | target |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for vendor, found in results.items():
        offset = found["offset_last"]
        by_offset = f"{_ms(statistics.median(offset['times']))} (offset {offset['offset']:,})"
        for limit, walk in found["walks"].items():
            s = summary(walk["times"])
            good = s["max"] * 1000 < TARGET_MS and walk["items"] == found["count"]
            lines.append(
                f"| {vendor} ({found['server_version']}) | {walk['items']:,} "
                f"({found['count']:,}) | {limit} | {s['pages']:,} | {_ms(s['first'])} | "
                f"{_ms(s['median'])} | {_ms(s['p95'])} | {_ms(s['max'])} ({s['max_page']:,}) | "
                f"{_ms(s['deepest'])} | {_ms(max(walk['cpu']))} | "
                f"{sum(1 for g in walk['gc'] if g)} ({_ms(max(walk['gc']))}) | "
                f"{by_offset if limit == '100' else '—'} | "
                f"{'✅' if good else '❌'} < {TARGET_MS} ms |"
            )
    lines.append("")
    lines.append(
        "Objects the walking process held (what Python's full garbage collection walks): "
        + "; ".join(f"{vendor}: {found['objects']:,}" for vendor, found in results.items())
        + ". `gc.freeze()`: the same walks after moving them out of the collector's sight."
    )
    lines.append("")
    lines.append(
        "Set-up (not timed): "
        + "; ".join(
            f"{vendor}: {found['models']:,} community models generated with the national data "
            f"set in {found['generate_s']:.0f} s"
            for vendor, found in results.items()
        )
        + "."
    )
    lines += [f"<!-- /{SECTION} -->", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--note", default="", help="a sentence on the machine (its load) for RESULTS.md"
    )
    parser.add_argument("--out", default=str(harness.RESULTS))
    parser.add_argument("--child", choices=["setup", "walk"], help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step = {"setup": child_setup, "walk": child_walk}[args.child]
        Path(args.json).write_text(json.dumps(step(args), default=str))
        return
    results = {}
    for vendor in args.databases.split(","):
        print(f"== {vendor} ==", flush=True)
        results[vendor] = run(vendor, args)
    shown = [a for a in sys.argv[1:] if not a.startswith("--note") and a != args.note]
    command = "bench/api_paging.py" + (" " + " ".join(shown) if shown else "")
    text = markdown(results, command, args.note)
    print(text)
    harness.replace_section(Path(args.out), SECTION, text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
