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


def warm_up(today: datetime.date | None = None) -> dict:
    """Read the dashboards that every other page's figures are cut from; returns what was read
    and how long it took. Never raises: a server that could not warm up still serves."""
    from duan8.analytics import dashboard
    from duan8.framework.models import Phase
    from duan8.geo import treemap
    from duan8.geo.models import AdminUnit
    from duan8.geo.views import units as units_page

    began = time.perf_counter()
    today = today or timezone.localdate()
    read: list[str] = []
    try:
        _refresh_statistics()
        phase = Phase.current(today)
        roots = list(AdminUnit.objects.filter(parent__isnull=True).valid_on(today))
        if phase is not None:
            years = [p for p in phase.periods() if p.kind == "year" and p.start <= today]
            for root in roots:
                working = dashboard.working_period(phase, root, today)
                for period in dict.fromkeys([working, *years]):
                    dashboard.board_for(root, phase, period)
                    read.append(f"{root.name} {period.code}")
                # A unit that began after a year ended reads that year on its first day's tree
                # (today's provinces and communes read 2021-2024 on 1/7/2025): the same years
                # summed up on those trees, once for all the units that began together.
                for day in _first_days(phase.start, today):
                    for period in years:
                        if period.end <= day:
                            dashboard.build(root, phase, period, day, children=False)
                            read.append(f"{root.name} {period.code} ({day:%d/%m/%Y})")
        # The root's unit page: its counts of units, models and activities of today's year;
        # then the same counts on the last day of units that ended during the phase, the day a
        # former unit's page is read on (one national roll-up serves all the units that ended
        # together: the 63 former provinces and their districts and communes on 30/6/2025).
        ends = [today, *_last_days(phase.start if phase is not None else today, today)]
        for root in roots:
            for day in ends:
                treemap.on(day).kind_counts(root.pk)
                units_page.community_counts(root, day)
                units_page.activity_counts(root, day)
                read.append(
                    f"{root.name} {day.year}" + ("" if day == today else f" ({day:%d/%m/%Y})")
                )
        # The trees of the phase's year ends and today's indexed for the lists of records.
        days = [today] + ([p.last_day for p in years] if phase is not None else [])
        for day in dict.fromkeys(days):
            treemap.on(day).warm()
    except Exception:  # a warm-up is an optimisation: the pages read what they need anyway
        logger.exception("warm-up failed; pages will read their facts on first use")
    seconds = time.perf_counter() - began
    logger.info("warmed up in %.1f s: %s", seconds, ", ".join(read) or "nothing to read")
    return {"seconds": seconds, "read": read}


def _first_days(since: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The first days of units that began after ``since`` and by ``today``, latest first."""
    from duan8.geo.models import AdminUnit

    starts = (
        AdminUnit.objects.filter(valid_from__gt=since, valid_from__lte=today)
        .values_list("valid_from", flat=True)
        .distinct()
        .order_by("-valid_from")
    )
    return list(starts)


def _last_days(since: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The last days of units that ended after ``since`` and by ``today``, latest first."""
    from duan8.geo.models import AdminUnit

    ends = (
        AdminUnit.objects.filter(valid_until__gt=since, valid_until__lte=today)
        .values_list("valid_until", flat=True)
        .distinct()
        .order_by("-valid_until")
    )
    return [end - datetime.timedelta(days=1) for end in ends]


def _refresh_statistics() -> None:
    """SQLite's planner statistics (PostgreSQL's autovacuum keeps its own): without them SQLite
    sorts a whole national list instead of walking its index in order. ``ANALYZE`` reads the
    whole database (under a second at national scale), once per server start."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
