"""Imports and exports at national size, on SQLite and PostgreSQL; writes its part of RESULTS.md.

    make bench-imports                                   # 5.000 and 100.000 rows, both databases
    .venv/bin/python bench/imports.py --rows 2000 --databases sqlite --out /tmp/r.md

For each database (SQLite in a temporary file; PostgreSQL in a fresh database dropped after)
a set-up process loads the official units (before and after the 2025 reform) and writes one
workbook per size: communication teams on today's communes, written as officers write them —
the official full name ("Xã Mường Tè") with the province in the "Thuộc tỉnh" column. Then each
measurement runs in a fresh process, through the background job a page or the API would
queue (``jobs.submit`` then ``jobs.execute``, the worker's own call), timed from the job's
start to its end, with the process's peak resident memory:

a. importing each file (every row validated, then stored in one transaction with an audit
   event per record and per founding): the largest of communication teams, the others of
   leaders-of-change clubs;
b. exporting the whole national list of communication teams to a workbook (streamed to disk);
c. importing that export back, rows already registered skipped (nothing may be stored twice).

Targets (issue 10): 100.000 rows imported in ≤ 30 s and ≤ 500 MB; exported in ≤ 20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import harness

SECTION = "imports"
IMPORT_SECONDS, IMPORT_MB, EXPORT_SECONDS = 30, 500, 20


def _measure(vendor: str, database_url: str, sizes: list[int]) -> dict:
    with harness.data_dir(f"imports-{vendor}") as data_dir:
        environment = harness.env(database_url, data_dir)

        def child(step: str, *extra: str) -> dict:
            return harness.step(__file__, step, environment, *extra)

        print(f"  setting up ({vendor})", flush=True)
        setup = child("setup", "--rows", ",".join(map(str, sizes)))
        runs = []
        for size in sizes:
            print(f"  import {size:,} rows", flush=True)
            path, kind = setup["files"][str(size)]
            runs.append(child("import", "--file", path, "--kind", kind))
        print("  export the national list", flush=True)
        export = child("export")
        print("  import the export back", flush=True)
        back = child("import", "--file", export["path"], "--kind", "communication_team")
        return {"setup": setup, "imports": runs, "export": export, "back": back}


# Children --------------------------------------------------------------------------------


def child_setup(args) -> dict:
    import datetime
    import random

    harness.django()
    from django.core.management import call_command
    from openpyxl import Workbook

    from duan8.accounts.models import User
    from duan8.community import actions
    from duan8.geo import official
    from duan8.geo.models import AdminUnit, UnitKind

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    official.load()
    load_s = time.perf_counter() - began
    User.objects.create_user("bench.admin", password="x" * 20, is_national_admin=True)
    today = datetime.date(2026, 3, 1)
    communes = list(
        AdminUnit.objects.valid_on(today)
        .filter(kind=UnitKind.COMMUNE)
        .select_related("parent")
        .order_by("pk")
    )
    rng = random.Random(10)
    files = {}
    sizes = [int(n) for n in args.rows.split(",")]
    for size in sizes:
        # The largest file is of communication teams, whose national list is then exported
        # and imported back; the others are of leaders-of-change clubs.
        team = size == max(sizes)
        label = "Tổ truyền thông cộng đồng" if team else "CLB “Thủ lĩnh của sự thay đổi”"
        path = Path(os.environ["DUAN8_DATA_DIR"]) / f"teams-{size}.xlsx"
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(actions.EXPORT_HEADERS)
        for number in range(size):
            commune = rng.choice(communes)
            day = datetime.date(2025, 7, 1) + datetime.timedelta(days=rng.randrange(240))
            sheet.append(
                [
                    None,
                    label,
                    commune.name,
                    f"{'Tổ' if team else 'CLB'} số {number + 1}",
                    day.strftime("%d/%m/%Y"),
                    None,
                    rng.randrange(3, 15),
                    rng.randrange(0, 6),
                    None,
                    None,
                    commune.parent.name,
                ]
            )
        book.save(path)
        files[str(size)] = [str(path), "communication_team" if team else "leaders_club"]
    return {"official_load_s": load_s, "communes": len(communes), "files": files}


def _job(kind: str, params: dict, upload=None):
    from duan8.accounts.models import User
    from duan8.core import jobs
    from duan8.geo.models import AdminUnit, UnitKind

    admin = User.objects.get(username="bench.admin")
    nation = AdminUnit.objects.get(kind=UnitKind.NATION)
    job = jobs.submit(kind, admin, nation, params, upload=upload, source="api")
    began = time.perf_counter()
    state = jobs.execute(job.pk)
    seconds = time.perf_counter() - began
    job.refresh_from_db()
    return job, state, seconds


def child_import(args) -> dict:
    harness.django()
    from duan8.community.models import CommunityModel
    from duan8.core.models import AuditEvent

    before = CommunityModel.objects.count(), AuditEvent.objects.count()
    with open(args.file, "rb") as upload:
        job, state, seconds = _job(
            "community.import",
            {"kind": args.kind, "on": "2026-03-01", "existing": "skip"},
            upload,
        )
    rows = int(job.total) if job.total else None
    return {
        "file": Path(args.file).name,
        "file_mb": Path(args.file).stat().st_size / 1024 / 1024,
        "state": state,
        "seconds": seconds,
        "peak_mb": harness.peak_mb(),
        "created": job.result.get("created", 0),
        "skipped": job.result.get("skipped", 0),
        "errors": job.result.get("error_count", 0),
        "first_errors": job.result.get("errors", [])[:3],
        "rows": rows,
        "models_added": CommunityModel.objects.count() - before[0],
        "events_added": AuditEvent.objects.count() - before[1],
    }


def child_export(args) -> dict:
    harness.django()
    from duan8.core import jobs

    job, state, seconds = _job("community.export", {"query": "kind=communication_team"})
    path = jobs.path_of(job.output)
    kept = Path(os.environ["DUAN8_DATA_DIR"]) / "export.xlsx"
    shutil.copy(path, kept)
    return {
        "state": state,
        "seconds": seconds,
        "peak_mb": harness.peak_mb(),
        "rows": job.result.get("rows", 0),
        "file_mb": kept.stat().st_size / 1024 / 1024,
        "path": str(kept),
    }


# Report ----------------------------------------------------------------------------------


def _ok(good: bool) -> str:
    return "✅" if good else "❌"


def markdown(results: dict, command: str) -> str:
    lines = [
        f"<!-- {SECTION} -->",
        "## Imports and exports at national size (issue 10)",
        "",
        f"`{command}` — each step a fresh process running the background job a page or the "
        "API queues (`jobs.execute`), timed from the job's start to its end; peak memory is "
        "the process's resident peak (Django and the unit tree included). Files: communication "
        "teams on today's communes, official full names with the province in “Thuộc tỉnh”.",
        "",
        "| database | step | rows | time | rows/s | peak memory | result | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for vendor, r in results.items():
        for run in r["imports"]:
            rows = run["created"] + run["skipped"] + run["errors"]
            good = run["state"] == "done" and run["created"] == run["models_added"]
            target = ""
            if rows >= 100_000:
                target = (
                    _ok(good and run["seconds"] <= IMPORT_SECONDS and run["peak_mb"] <= IMPORT_MB)
                    + f" ≤ {IMPORT_SECONDS} s, ≤ {IMPORT_MB} MB"
                )
            lines.append(
                f"| {vendor} | import {run['file']} ({run['file_mb']:.1f} MB) | {rows:,} | "
                f"{run['seconds']:.1f} s | {rows / run['seconds']:,.0f} | "
                f"{run['peak_mb']:.0f} MB | {run['state']}: {run['created']:,} stored, "
                f"{run['events_added']:,} audit events | {target} |"
            )
        ex = r["export"]
        lines.append(
            f"| {vendor} | export the national list ({ex['file_mb']:.1f} MB) | {ex['rows']:,} | "
            f"{ex['seconds']:.1f} s | {ex['rows'] / ex['seconds']:,.0f} | {ex['peak_mb']:.0f} MB "
            f"| {ex['state']} | {_ok(ex['seconds'] <= EXPORT_SECONDS)} ≤ {EXPORT_SECONDS} s |"
        )
        back = r["back"]
        rows = back["created"] + back["skipped"] + back["errors"]
        lines.append(
            f"| {vendor} | import the export back | {rows:,} | {back['seconds']:.1f} s | "
            f"{rows / back['seconds']:,.0f} | {back['peak_mb']:.0f} MB | {back['state']}: "
            f"{back['created']:,} stored, {back['skipped']:,} skipped | "
            f"{_ok(back['created'] == 0 and back['state'] == 'done')} nothing twice |"
        )
    lines += [
        "",
        "Set-up (not timed above): "
        + "; ".join(
            f"{v} loaded the official units in {r['setup']['official_load_s']:.0f} s"
            for v, r in results.items()
        )
        + ".",
        f"<!-- /{SECTION} -->",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="5000,100000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--out", default=str(harness.RESULTS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step = {"setup": child_setup, "import": child_import, "export": child_export}
        Path(args.json).write_text(json.dumps(step[args.child](args), default=str))
        return
    sizes = [int(n) for n in args.rows.split(",")]
    results = {}
    for vendor in args.databases.split(","):
        print(f"== {vendor} ==", flush=True)
        with harness.database(vendor, "imports") as url:
            results[vendor] = _measure(vendor, url, sizes)
    text = markdown(results, "bench/imports.py " + " ".join(sys.argv[1:]))
    print(text)
    for vendor, r in results.items():
        for run in [*r["imports"], r["back"]]:
            if run["first_errors"]:
                print(vendor, run["file"], "refused:", run["first_errors"])
    harness.replace_section(Path(args.out), SECTION, text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
