"""Loading the official units (before and after the 2025 reform) and the successions.

    DUAN8_DEBUG=1 .venv/bin/python bench/load_units.py                  # SQLite, throw-away
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duan8_bench DUAN8_DEBUG=1 \
        .venv/bin/python bench/load_units.py

Prints the time of a first load into an empty database, of a second (no-op) load, and of
reading a value recorded on a 2024 commune as of 2026 for every legacy commune at once.
"""

import datetime
import os
import resource
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duan8.settings")
os.environ.setdefault("DUAN8_DEBUG", "1")
os.environ.setdefault("DUAN8_DATA_DIR", tempfile.mkdtemp(prefix="duan8-bench-"))
os.environ.setdefault("DATABASE_URL", "sqlite:///bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from duan8.geo import official, timeline  # noqa: E402
from duan8.geo.models import AdminUnit, UnitKind  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    first = official.load()
    first_s = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.perf_counter()
    second = official.load()
    second_s = time.perf_counter() - began
    print(
        f"{connection.vendor}: first load {first_s:.1f} s ({first}); "
        f"peak resident memory {peak:.0f} MiB"
    )
    print(f"{connection.vendor}: second load {second_s:.1f} s ({second})")
    communes = AdminUnit.objects.filter(kind=UnitKind.COMMUNE, valid_until=official.REFORM_DATE)
    facts = dict.fromkeys(communes.values_list("pk", flat=True), 1)
    began = time.perf_counter()
    totals = timeline.rollup(facts, datetime.date(2026, 1, 1))
    nation = AdminUnit.objects.get(kind=UnitKind.NATION)
    print(
        f"{connection.vendor}: roll-up of {len(facts):,} legacy commune facts as of 2026 in "
        f"{time.perf_counter() - began:.1f} s (nation total {totals[nation.pk]:,})"
    )


if __name__ == "__main__":
    sys.exit(main())
