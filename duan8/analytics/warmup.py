"""What a server reads before it answers anyone: the geography and the facts of the current
phase, with the national dashboard of each year begun and of the working period summed up.

A process holds its facts in memory (``analytics.facts``). Read cold, a national dashboard
fetches the facts of each year of the phase (the phase to date and the trend are composed from
them): seconds at national scale. ``duan8 serve`` calls ``warm_up`` once in gunicorn's master,
before it forks its workers, so that every worker starts with those facts and totals and the
first officer of the day does not wait; writes afterwards only patch them.
"""

from __future__ import annotations

import datetime
import logging
import time

from django.utils import timezone

logger = logging.getLogger(__name__)


# Days on which many units began or ended (a reform) whose trees are summed up ahead: the
# latest few, of provinces, districts and communes (a village's own date is not worth it).
REFORM_DAYS = 3
REFORM_KINDS = ("province", "district", "commune")  # geo.models.UnitKind values


def warm_up(today: datetime.date | None = None) -> dict:
    """Read the dashboards that every other page's figures are cut from; returns what was read
    and how long it took. Never raises: a server that could not warm up still serves, and a
    step that fails leaves the others to run."""
    from duan8.analytics import dashboard
    from duan8.framework.models import Phase
    from duan8.geo import treemap
    from duan8.geo.models import AdminUnit
    from duan8.geo.views import units as units_page

    began = time.perf_counter()
    today = today or timezone.localdate()
    read: list[str] = []
    _step("statistics", _refresh_statistics)
    phase = _step("phase", lambda: Phase.current(today))
    roots = _step(
        "roots", lambda: list(AdminUnit.objects.filter(parent__isnull=True).valid_on(today))
    )
    roots = roots or []
    years = [p for p in phase.periods() if p.kind == "year" and p.start <= today] if phase else []

    def boards(root) -> None:
        working = dashboard.working_period(phase, root, today)
        for period in dict.fromkeys([working, *years]):
            dashboard.board_for(root, phase, period)
            read.append(f"{root.name} {period.code}")

    def unit_page(root, day) -> None:
        treemap.on(day).kind_counts(root.pk)
        units_page.community_counts(root, day)
        units_page.activity_counts(root, day)
        read.append(f"{root.name} {day.year}" + ("" if day == today else f" ({day:%d/%m/%Y})"))

    def indexed() -> None:
        for day in dict.fromkeys([today, *(p.last_day for p in years)]):
            treemap.on(day).warm()

    def after_reform(root) -> None:
        # A unit that began after a year ended reads that year on its first day's tree
        # (today's provinces and communes read 2021-2024 on 1/7/2025); a unit that ended
        # reads its page's counts on its last day (the 63 former provinces on 30/6/2025). One
        # national sum per day serves all the units that began or ended together.
        for day in _days("valid_from", phase.start, today):
            for period in years:
                if period.end <= day:
                    dashboard.build(root, phase, period, day, children=False)
                    read.append(f"{root.name} {period.code} ({day:%d/%m/%Y})")
        for end in _days("valid_until", phase.start, today):
            unit_page(root, end - datetime.timedelta(days=1))

    for root in roots:
        if phase is not None:
            _step(f"dashboards of {root.name}", lambda root=root: boards(root))
        # The root's unit page: its counts of units, models and activities of today's year.
        _step(f"unit page of {root.name}", lambda root=root: unit_page(root, today))
    # The trees of the phase's year ends and today's indexed for the lists of records.
    _step("trees", indexed)
    if phase is not None:
        for root in roots:
            _step(f"reform days of {root.name}", lambda root=root: after_reform(root))
    seconds = time.perf_counter() - began
    logger.info("warmed up in %.1f s: %s", seconds, ", ".join(read) or "nothing to read")
    return {"seconds": seconds, "read": read}


def _step(name: str, work):
    """Run one part of the warm-up; a failure is logged and the rest goes on (a warm-up is an
    optimisation: the pages read what they need anyway)."""
    try:
        return work()
    except Exception:
        logger.exception("warm-up: %s failed; its pages will read their facts on first use", name)
        return None


def _days(field: str, since: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The latest days (``REFORM_DAYS``) after ``since`` and by ``today`` on which provinces,
    districts or communes began (``valid_from``) or ended (``valid_until``)."""
    from duan8.geo.models import AdminUnit

    days = (
        AdminUnit.objects.filter(
            kind__in=REFORM_KINDS, **{f"{field}__gt": since, f"{field}__lte": today}
        )
        .values_list(field, flat=True)
        .distinct()
        .order_by(f"-{field}")
    )
    return list(days[:REFORM_DAYS])


def _refresh_statistics() -> None:
    """SQLite's planner statistics (PostgreSQL's autovacuum keeps its own): without them SQLite
    sorts a whole national list instead of walking its index in order. ``ANALYZE`` reads the
    whole database (under a second at national scale), once per server start."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
