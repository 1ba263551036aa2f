"""A DHIS2 dataValueSet of national size imported as a background job (issue 15).

    .venv/bin/python bench/dhis2_import.py                      # 100.000 values, SQLite
    .venv/bin/python bench/dhis2_import.py --values 20000 --databases sqlite,postgresql

For each database (SQLite in a temporary file; PostgreSQL in a fresh database dropped after)
a set-up process (not timed) loads the official units, the phase I framework and three typed
indicators with their three parts (total, women, ethnic minority) mapped to data elements,
and writes one JSON dataValueSet: the 2024 communes by their official codes, both halves of
2024 (the second half's figures near the first's, as the page's check wants), nine values a
commune and half-year, until the set holds ``--values`` values. Then,
each in a fresh process, the job the API queues (``POST /api/v1/dhis2/imports``: the file
kept, ``jobs.execute`` as the worker runs it), timed from the job's start to its end (wall
and the process's CPU time), with the process's peak resident memory (Django and the unit
tree included):

a. a dry run (every check, the page's too, in a transaction rolled back);
b. the import (stored in one transaction through the page's save path, audited);
c. the same set again (every value equal: ignored, nothing written).

Prints a markdown table; RESULTS.md is not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import harness

PARTS = ("total", "women", "ethnic_minority")


def child_setup(args) -> dict:
    import datetime
    import random

    harness.django()
    from django.core.management import call_command

    from duan8.accounts.models import User
    from duan8.dhis2.models import DataElementMapping
    from duan8.framework import actions, defaults
    from duan8.geo import official
    from duan8.geo.models import AdminUnit, UnitKind

    call_command("migrate", verbosity=0)
    official.load()
    User.objects.create_user("bench.admin", password="x" * 20, is_national_admin=True)
    phase = defaults.load()
    area = phase.content_areas.order_by("pk").first()
    elements = []
    for number in range(3):
        indicator = actions.add_indicator(
            area,
            code=f"DHIS{number}",
            name=f"Chỉ số nhập từ DHIS2 số {number + 1}",
            unit_of_measure="người",
            source="typed",
            breakdowns=["sex", "ethnic_minority"],
            measure="reporting.typed",
        )
        for part in PARTS:
            element = f"bEl{number}{part[:3]}".ljust(11, "0")
            DataElementMapping.objects.create(indicator=indicator, part=part, data_element=element)
            elements.append(element)
    communes = list(
        AdminUnit.objects.valid_on(datetime.date(2024, 6, 30))
        .filter(kind=UnitKind.COMMUNE)
        .exclude(code="")
        .order_by("code")
        .values_list("code", flat=True)
    )
    rng = random.Random(15)
    values = []
    first: dict[tuple, int] = {}  # the first half's totals: the second stays near them
    for period in ("2024S1", "2024S2"):
        for code in communes:
            for start in range(0, len(elements), 3):
                if (code, start) in first:  # within the page's check (≤ 3 × the previous)
                    total = max(1, first[code, start] + rng.randrange(-10, 11))
                else:
                    total = first[code, start] = rng.randrange(20, 400)
                numbers = (total, rng.randrange(0, total + 1), rng.randrange(0, total + 1))
                for element, number in zip(elements[start : start + 3], numbers, strict=True):
                    values.append(
                        {
                            "dataElement": element,
                            "period": period,
                            "orgUnit": code,
                            "value": str(number),
                        }
                    )
                    if len(values) == args.values:
                        break
                if len(values) == args.values:
                    break
            if len(values) == args.values:
                break
        if len(values) == args.values:
            break
    path = Path(os.environ["DUAN8_DATA_DIR"]) / "set.json"
    path.write_text(json.dumps({"dataValues": values}))
    return {"values": len(values), "communes": len(communes), "path": str(path)}


def child_import(args) -> dict:
    harness.django()
    from duan8.accounts.models import User
    from duan8.core import jobs
    from duan8.core.models import AuditEvent
    from duan8.dhis2 import background
    from duan8.reporting.models import Figure

    admin = User.objects.get(username="bench.admin")
    before = Figure.objects.count(), AuditEvent.objects.count()
    with open(args.file, "rb") as upload:
        job = jobs.submit(
            background.IMPORT,
            admin,
            background.home_unit(admin),
            {"format": "json", "dry_run": args.dry_run},
            upload=upload,
            source="api",
            suffix=".json",
        )
    began, cpu = time.perf_counter(), time.process_time()
    state = jobs.execute(job.pk)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    job.refresh_from_db()
    summary = job.result.get("summary", {})
    return {
        "dry_run": args.dry_run,
        "state": state,
        "seconds": seconds,
        "cpu_s": cpu,
        "peak_mb": harness.peak_mb(),
        "counts": summary.get("importCount", {}),
        "conflicts": summary.get("conflicts", [])[:3],
        "message": job.result.get("message", ""),
        "figures_added": Figure.objects.count() - before[0],
        "events_added": AuditEvent.objects.count() - before[1],
    }


def _measure(vendor: str, database_url: str, args) -> dict:
    with harness.data_dir(f"dhis2-{vendor}") as data_dir:
        environment = harness.env(database_url, data_dir)
        print(f"  setting up ({vendor})", flush=True)
        setup = harness.step(__file__, "setup", environment, "--values", str(args.values))
        path = setup["path"]
        runs = []
        for label, extra in (("dry run", ["--dry-run"]), ("import", []), ("again", [])):
            print(f"  {label}", flush=True)
            found = harness.step(__file__, "import", environment, "--file", path, *extra)
            runs.append({"step": label, **found})
        return {"setup": setup, "runs": runs}


def markdown(results: dict, command: str) -> str:
    lines = [
        f"`{command}` — each step a fresh process running the job `POST /api/v1/dhis2/imports` "
        "queues (`jobs.execute`), timed from the job's start to its end (CPU: the process's "
        "own, without waiting for the database server or for a busy machine's CPU); peak "
        "memory is the process's resident peak.",
        "",
        "| database | step | values | time | CPU | values/s | peak memory | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for vendor, r in results.items():
        n = r["setup"]["values"]
        for run in r["runs"]:
            counts = ", ".join(f"{k} {v:,}" for k, v in run["counts"].items())
            lines.append(
                f"| {vendor} | {run['step']} | {n:,} | {run['seconds']:.1f} s | "
                f"{run['cpu_s']:.1f} s | "
                f"{n / run['seconds']:,.0f} | {run['peak_mb']:.0f} MB | {run['state']}: "
                f"{counts}; {run['figures_added']:,} figures, {run['events_added']:,} audit "
                f"events added {run['conflicts'] or ''}{run['message']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--values", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--dry-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step = {"setup": child_setup, "import": child_import}[args.child]
        Path(args.json).write_text(json.dumps(step(args), default=str))
        return
    results = {}
    for vendor in args.databases.split(","):
        print(f"== {vendor} ==", flush=True)
        with harness.database(vendor, "dhis2") as url:
            results[vendor] = _measure(vendor, url, args)
    print(markdown(results, "bench/dhis2_import.py " + " ".join(sys.argv[1:])))


if __name__ == "__main__":
    main()
