"""Births with their mothers imported from Excel and each judged, on SQLite; writes its part of
RESULTS.md.

    .venv/bin/python bench/maternal.py                       # 20.000 births
    .venv/bin/python bench/maternal.py --rows 500 --out /tmp/r.md

A set-up process (not timed) migrates a temporary SQLite database, loads the official units
and the demo's Phong Thổ project area (15 region III communes, 118 especially disadvantaged
villages), and writes a workbook of births as officers write them: villages by name with their
commune after a comma, some without diacritics; ethnic groups in their usual spellings
("H'Mông", "Dao", "Kinh"…); well-formed citizen IDs. Outcomes are mixed on purpose: births at
home, mothers under 18, Kinh mothers, third children with and without an exception of Decree
39, facts left empty (not enough information), births before the rule set and in villages
outside the area.

Then a fresh process imports the file through the background job a page or the API queues
(``jobs.submit`` then ``jobs.execute``), timed from the job's start to its end: every row
validated, then mothers, births, their decisions (each criterion with its reason) and their
audit events stored in one transaction, and possible duplicates flagged.

Target (issue 13): 20.000 births, each decision stored with its reasons, in under a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import harness

SECTION = "maternal"
TARGET_SECONDS = 60


# Children --------------------------------------------------------------------------------------

GROUPS = ["H'Mông", "Mông", "Dao", "Hà Nhì", "Giáy", "Thái", "Lự", "Kinh", "dao", "hmong"]


def _citizen_id(born, serial: int) -> str:
    century = {1900: 1, 2000: 3}[born.year // 100 * 100]
    return f"012{century}{born.year % 100:02d}{serial:06d}"


def child_setup(args) -> dict:
    import datetime
    import random

    harness.django()
    from django.core.management import call_command
    from openpyxl import Workbook

    from duan8.accounts.models import User
    from duan8.geo import demo, official
    from duan8.geo.matching import fold
    from duan8.geo.models import AdminUnit, UnitKind
    from duan8.maternal import imports

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    official.load()
    demo.load_phong_tho_project_area()
    load_s = time.perf_counter() - began
    User.objects.create_user("bench.admin", password="x" * 20, is_national_admin=True)
    villages = list(
        AdminUnit.objects.subtree(demo.phong_tho())
        .filter(kind=UnitKind.VILLAGE, valid_until=official.REFORM_DATE)
        .select_related("parent")
        .order_by("pk")
    )
    rng = random.Random(13)
    path = Path(os.environ["DUAN8_DATA_DIR"]) / f"births-{args.rows}.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(imports.HEADERS)
    columns = {header: index for index, header in enumerate(imports.HEADERS)}
    for number in range(args.rows):
        village = rng.choice(villages)
        day = datetime.date(2022, 6, 1) + datetime.timedelta(days=rng.randrange(1090))
        age = rng.choice([16, 17, 18, 19, 22, 25, 28, 31, 35, 40])
        born = day - datetime.timedelta(days=365 * age + rng.randrange(300))
        children = rng.choice([0, 0, 1, 1, 2, 2, 3, None])
        row = [None] * len(imports.HEADERS)

        def put(header, value, row=row):
            row[columns[header]] = value

        put("Họ và tên bà mẹ", f"Lò Thị Bench {number}")
        put("Ngày sinh bà mẹ", born.strftime("%d/%m/%Y"))
        put("Số CCCD", _citizen_id(born, number + 1))
        put("Dân tộc", rng.choice(GROUPS))
        put("Dân tộc của chồng", rng.choice(GROUPS[:6]))
        put("Hộ nghèo", rng.choice(["Hộ nghèo", "Cận nghèo", "Không", None]))
        written = village.name if rng.random() < 0.8 else fold(village.name)
        put("Thôn, bản", f"{written}, {village.parent.name}")
        put("Ngày sinh con", day.strftime("%d/%m/%Y"))
        home = rng.random() < 0.15
        put("Nơi sinh", "Tại nhà" if home else rng.choice(["Trạm y tế", "Bệnh viện", "CSYT"]))
        put("Tên cơ sở y tế", None if home else f"Trạm y tế {village.parent.name}")
        put("Cách sinh", rng.choice(["Sinh thường", "Sinh thường", "Sinh mổ"]))
        put("Số con sinh ra", 2 if rng.random() < 0.03 else 1)
        if children is not None:
            alive = children if rng.random() < 0.8 else max(children - 1, 0)
            put("Số con đã sinh trước", children)
            put("Số con còn sống", alive)
            put("Số lần sinh trước", children)
            put("Số con chung còn sống", alive)
            put("Vợ có con riêng", "Không")
            put("Chồng có con riêng", "Không")
            put("Con dị tật, bệnh hiểm nghèo được giám định", rng.choice(["Không"] * 9 + ["Có"]))
        put("Đã kết hôn", "Có")
        sheet.append(row)
    book.save(path)
    return {"setup_s": load_s, "villages": len(villages), "file": str(path)}


def child_import(args) -> dict:
    harness.django()
    from collections import Counter

    from duan8.accounts.models import User
    from duan8.core import jobs
    from duan8.core.models import AuditEvent
    from duan8.geo import official
    from duan8.geo.models import AdminUnit, UnitKind
    from duan8.maternal.models import Birth, Decision, DuplicateFlag, Mother

    admin = User.objects.get(username="bench.admin")
    province = AdminUnit.objects.get(
        kind=UnitKind.PROVINCE, code="12", valid_from=official.LEGACY_VALID_FROM
    )
    events = AuditEvent.objects.count()
    with open(args.file, "rb") as upload:
        job = jobs.submit(
            "maternal.births.import", admin, province, {}, upload=upload, source="api"
        )
    began = time.perf_counter()
    state = jobs.execute(job.pk)
    seconds = time.perf_counter() - began
    job.refresh_from_db()
    results = Counter(Decision.objects.values_list("result", flat=True))
    with_reasons = sum(
        1
        for criteria in Decision.objects.values_list("criteria", flat=True).iterator(5000)
        if criteria and all(c.get("reason") for c in criteria)
    )
    return {
        "file_mb": Path(args.file).stat().st_size / 1024 / 1024,
        "state": state,
        "seconds": seconds,
        "peak_mb": harness.peak_mb(),
        "created": job.result.get("created", 0),
        "errors": job.result.get("error_count", 0),
        "first_errors": job.result.get("errors", [])[:3],
        "births": Birth.objects.count(),
        "mothers": Mother.objects.count(),
        "decisions": sum(results.values()),
        "with_reasons": with_reasons,
        "results": dict(results),
        "flags": DuplicateFlag.objects.count(),
        "events_added": AuditEvent.objects.count() - events,
    }


# Report ----------------------------------------------------------------------------------------


def markdown(setup: dict, run: dict, command: str) -> str:
    good = (
        run["state"] == "done"
        and run["decisions"] == run["births"] == run["created"]
        and run["with_reasons"] == run["decisions"]
        and run["seconds"] < TARGET_SECONDS
    )
    results = run["results"]
    mix = ", ".join(
        f"{results.get(key, 0):,} {label}"
        for key, label in (("met", "met"), ("not_met", "not met"), ("unknown", "unknown"))
    )
    return "\n".join(
        [
            f"<!-- {SECTION} -->",
            "## Births imported and judged (issue 13)",
            "",
            f"`{command}` — a fresh process running the background job a page or the API "
            "queues (`jobs.execute`), timed from the job's start to its end, on SQLite; peak "
            "memory is the process's resident peak. The file: births with their mothers in the "
            f"{setup['villages']} especially disadvantaged villages of Phong Thổ (names with "
            "their commune, some without diacritics), usual spellings of ethnic groups, "
            "outcomes mixed on purpose.",
            "",
            "| database | rows | time | rows/s | peak memory | stored | decisions | target |",
            "|---|---|---|---|---|---|---|---|",
            f"| sqlite | {run['created']:,} ({run['file_mb']:.1f} MB) | {run['seconds']:.1f} s | "
            f"{run['created'] / run['seconds']:,.0f} | {run['peak_mb']:.0f} MB | "
            f"{run['births']:,} births, {run['mothers']:,} mothers, {run['flags']:,} possible "
            f"duplicates flagged, {run['events_added']:,} audit events | {run['decisions']:,} "
            f"with every criterion's reason: {mix} | {'✅' if good else '❌'} < "
            f"{TARGET_SECONDS} s |",
            "",
            f"Set-up (not timed): official units and the Phong Thổ area loaded in "
            f"{setup['setup_s']:.0f} s.",
            f"<!-- /{SECTION} -->",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--out", default=str(harness.RESULTS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step = {"setup": child_setup, "import": child_import}
        Path(args.json).write_text(json.dumps(step[args.child](args), default=str))
        return
    with harness.data_dir("maternal") as folder:
        environment = harness.env(f"sqlite:///{folder}/bench.sqlite3", folder)
        print("  setting up", flush=True)
        setup = harness.step(__file__, "setup", environment, "--rows", str(args.rows))
        print(f"  import {args.rows:,} births", flush=True)
        run = harness.step(__file__, "import", environment, "--file", setup["file"])
    command = "bench/maternal.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "")
    text = markdown(setup, run, command)
    print(text)
    if run["first_errors"]:
        print("refused:", run["first_errors"])
    harness.replace_section(Path(args.out), SECTION, text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
