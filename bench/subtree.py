"""Subtree and scope queries on a national-scale unit tree.

Generates the legacy tree's shape (63 provinces, 696 districts, 10,040 communes) plus
10 villages per commune (about 111,000 units) in a throw-away database, then times the
reads every page makes: a province's subtree, a commune's subtree, and the scope filter of a
user with memberships in three provinces.

    make bench                                   # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duan8_bench make bench
"""

import datetime
import os
import statistics
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
from django.db import connection, transaction  # noqa: E402

from duan8.accounts.models import Membership, Role, User  # noqa: E402
from duan8.core import access  # noqa: E402
from duan8.geo.models import AdminUnit, UnitKind  # noqa: E402

START = datetime.date(2021, 1, 1)
VILLAGES_PER_COMMUNE = 10


def build() -> None:
    """Bulk-insert the tree with precomputed ids and paths (the bench skips the audit path)."""
    next_id = 1
    rows = []

    def add(kind, name, parent):
        nonlocal next_id
        pk, next_id = next_id, next_id + 1
        path = f"{parent.path if parent else '/'}{pk}/"
        unit = AdminUnit(
            pk=pk,
            kind=kind,
            code="" if kind == UnitKind.VILLAGE else str(pk),
            name=name,
            short_name=name,
            parent_id=parent.pk if parent else None,
            path=path,
            depth=path.count("/") - 2,
            valid_from=START,
        )
        rows.append(unit)
        return unit

    nation = add(UnitKind.NATION, "Việt Nam", None)
    communes_left = 10_040
    for p in range(63):
        province = add(UnitKind.PROVINCE, f"Tỉnh {p}", nation)
        districts = 12 if p < 3 else 11  # 696 in all
        for d in range(districts):
            district = add(UnitKind.DISTRICT, f"Huyện {p}.{d}", province)
            for c in range(min(16, communes_left)):
                commune = add(UnitKind.COMMUNE, f"Xã {p}.{d}.{c}", district)
                communes_left -= 1
                for v in range(VILLAGES_PER_COMMUNE):
                    add(UnitKind.VILLAGE, f"Thôn {v}", commune)
    with transaction.atomic():
        AdminUnit.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE geo_adminunit")


def timed(label: str, fn, repeat: int = 50) -> None:
    fn()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - began) * 1000)
    print(
        f"{label:<48} {statistics.median(samples):8.2f} ms median"
        f" {max(samples):8.2f} ms max  ({result} rows)"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    build()
    total = AdminUnit.objects.count()
    print(f"{connection.vendor}: {total:,} units built in {time.perf_counter() - began:.1f} s")
    province = AdminUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("pk")[30]
    commune = AdminUnit.objects.filter(kind=UnitKind.COMMUNE).order_by("pk")[5000]
    user = User.objects.create(username="bench")
    for unit in AdminUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("pk")[:3]:
        Membership.objects.create(user=user, unit=unit, role=Role.VIEWER)

    timed("province subtree count", lambda: AdminUnit.objects.subtree(province).count())
    timed("commune subtree list", lambda: len(list(AdminUnit.objects.subtree(commune))))
    timed(
        "scope of a 3-province viewer, communes",
        lambda: access.scope_units(user).filter(kind=UnitKind.COMMUNE).count(),
    )
    timed(
        "rank of a user on a village",
        lambda: access.rank_on(
            User.objects.get(pk=user.pk), AdminUnit.objects.filter(kind=UnitKind.VILLAGE).last()
        ),
    )
    timed(
        "children of a district, valid today",
        lambda: (
            AdminUnit.objects.filter(parent=commune.parent).valid_on(datetime.date.today()).count()
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
