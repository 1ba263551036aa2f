"""Every officer's home page: progress against targets for the period and the phase, the units
below ranked with the laggards flagged, the trend, the reports due, and what to do today."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from duan8.analytics import dashboard
from duan8.community import actions as community_actions
from duan8.community.models import CommunityModel
from duan8.framework import actions as framework_actions
from duan8.framework import defaults, periods
from duan8.reporting import cycle
from duan8.reporting import defaults as reporting_defaults
from tests.factories import downloaded


@pytest.fixture
def board_world(world):
    world.phase = defaults.load()
    reporting_defaults.load()
    world.teams = world.phase.indicators().get(code="TTCĐ")
    phase = world.phase.period
    framework_actions.set_target(world.teams, world.province, phase, Decimal(4))
    framework_actions.set_target(world.teams, world.district, phase, Decimal(2))
    framework_actions.set_target(world.teams, world.sibling_district, phase, Decimal(2))
    return world


def test_the_dashboard_shows_progress_for_the_period_and_the_phase_to_date(client, board_world):
    w = board_world
    client.force_login(w.province_admin)
    page = client.get(reverse("analytics:dashboard", args=[w.province.pk]), {"period": "2023"})
    board = page.context["board"]
    teams = next(r for r in board.rows if r.indicator.code == "TTCĐ")
    # The team of 2022 is maintained at the end of 2023: one of four in the phase.
    assert (teams.to_date.value, teams.phase_target, teams.phase_percent) == (
        1,
        Decimal(4),
        Decimal("25.0"),
    )
    assert board.elapsed == Decimal("60.0")  # three of the phase's five years
    body = page.content.decode()
    assert "25,0%" in body and "60,0%" in body
    assert "Tổ truyền thông cộng đồng được thành lập và duy trì" in body  # named, code as hint


def test_a_board_read_again_is_reused_until_a_record_is_saved_and_then_shows_it(
    client, board_world
):
    w = board_world
    client.force_login(w.province_admin)
    url = reverse("analytics:dashboard", args=[w.province.pk])

    def teams_row(page):
        return next(r for r in page.context["board"].rows if r.indicator.code == "TTCĐ")

    first, again = client.get(url, {"period": "2023"}), client.get(url, {"period": "2023"})
    assert teams_row(first) is teams_row(again)  # nothing saved between: the same board
    assert teams_row(again).to_date.value == 1
    community_actions.save(
        CommunityModel(
            kind="communication_team",
            unit=w.sibling_commune,
            name="Tổ truyền thông Pa Tần",
            established_on=datetime.date(2023, 5, 1),
        )
    )
    after = client.get(url, {"period": "2023"})
    assert teams_row(after).to_date.value == 2  # saved, then on the very next board


def test_the_units_below_are_ranked_and_those_behind_time_flagged(client, board_world):
    w = board_world
    client.force_login(w.province_admin)
    page = client.get(reverse("analytics:dashboard", args=[w.province.pk]), {"period": "2023"})
    ranked = [(c.unit.name, c.progress, c.lagging) for c in page.context["board"].children]
    assert ranked == [
        ("Huyện Phong Thổ", Decimal("50.0"), True),
        ("Huyện Sìn Hồ", Decimal("0.0"), True),
    ]
    body = page.content.decode()
    assert reverse("analytics:dashboard", args=[w.district.pk]) in body  # click through
    # Two more teams in Phong Thổ: 3 of 2 is capped at 100% and no longer behind time.
    for name in ("Tổ A", "Tổ B"):
        community_actions.save(
            CommunityModel(
                kind="communication_team",
                unit=w.commune,
                name=name,
                established_on=datetime.date(2023, 5, 1),
            )
        )
    page = client.get(reverse("analytics:dashboard", args=[w.province.pk]), {"period": "2023"})
    first = page.context["board"].children[0]
    assert (first.unit, first.progress, first.lagging) == (w.district, Decimal("100.0"), False)
    assert (
        "150,0%"
        in client.get(
            reverse("analytics:dashboard", args=[w.district.pk]), {"period": "2023"}
        ).content.decode()
    )


def test_the_figures_behind_a_dashboard_number_open_their_records(client, board_world):
    w = board_world
    client.force_login(w.province_admin)
    page = client.get(reverse("analytics:dashboard", args=[w.province.pk]), {"period": "2023"})
    teams = next(r for r in page.context["board"].rows if r.indicator.code == "TTCĐ")
    records = client.get(teams.to_date.records_url)
    assert [m.name for m in records.context["page"]] == ["Tổ truyền thông bản Sì Choang"]


def test_the_trend_gives_each_years_share_of_the_phase_target(client, board_world):
    w = board_world
    client.force_login(w.province_admin)
    page = client.get(reverse("analytics:dashboard", args=[w.province.pk]), {"period": "2024"})
    trend = page.context["board"].trend
    assert trend.labels == ["31/12/2021", "31/12/2022", "31/12/2023", "31/12/2024"]
    (indicator, values), *_ = trend.series
    assert indicator.code == "TTCĐ"
    assert values == [Decimal("0.0"), Decimal("25.0"), Decimal("25.0"), Decimal("25.0")]
    assert trend.elapsed == [Decimal("20.0"), Decimal("40.0"), Decimal("60.0"), Decimal("80.0")]
    body = page.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in body and 'id="trend-data"' in body
    assert 'data-testid="trend-table"' in body  # the same numbers for those who cannot see it


def test_the_dashboard_table_exports_to_excel_with_numbers_as_numbers(client, board_world):
    w = board_world
    client.force_login(w.province_admin)
    response = client.get(
        reverse("analytics:dashboard_export", args=[w.province.pk]), {"period": "2023"}
    )
    sheet = load_workbook(io.BytesIO(downloaded(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    teams = next(r for r in rows if r[0] == "TTCĐ")
    assert teams[6:9] == (1, 4, 25)
    assert (None, "Huyện Phong Thổ", None, 50, "x") in [tuple(r[:5]) for r in rows]


def test_pages_open_on_the_latest_period_with_targets(board_world):
    w = board_world
    today = datetime.date(2026, 12, 1)
    # Only phase targets for the province: the phase.
    assert dashboard.working_period(w.phase, w.province, today) == w.phase.period
    # No target at all for the commune: the latest year that has begun.
    assert dashboard.working_period(w.phase, w.commune, today) == periods.parse("2025")
    framework_actions.set_target(w.teams, w.province, periods.parse("2024-H2"), Decimal(1))
    assert dashboard.working_period(w.phase, w.province, today) == periods.parse("2024-H2")
    framework_actions.set_target(w.teams, w.province, periods.parse("2025"), Decimal(1))
    assert dashboard.working_period(w.phase, w.province, today) == periods.parse("2025")
    # Nothing of a year not begun.
    early = datetime.date(2024, 3, 1)
    assert dashboard.working_period(w.phase, w.commune, early) == periods.parse("2024")


def test_the_home_page_lists_what_the_officer_must_do(client, board_world):
    w = board_world
    client.force_login(w.commune_editor)
    home = client.get(reverse("core:overview"))
    kinds = {(r.kind, r.period.code) for r in home.context["reminders"]}
    assert ("overdue", "2025") in kinds  # the commune's annual report, due 25/01/2026
    assert "quá hạn" in home.content.decode()
    cycle.submit(w.commune_editor, w.commune, periods.parse("2025"))
    kinds = {(r.kind, r.period.code) for r in client.get("/").context["reminders"]}
    assert ("overdue", "2025") not in kinds
    cycle.submit(w.commune_editor, w.commune, periods.parse("2024"))
    # 2024 went to the district; since 1/7/2025 communes report straight to the province.
    client.force_login(w.district_approver)
    waiting = client.get("/").context["reminders"]
    assert [(r.unit, r.period.code) for r in waiting if r.kind == "to_approve"] == [
        (w.commune, "2024")
    ]
    client.force_login(w.province_admin)
    waiting = client.get("/").context["reminders"]
    # The province is asked for what reports to it, not for what the district checks.
    assert {r.period.code for r in waiting if r.kind == "to_approve"} == {"2025"}
    client.force_login(w.sibling_viewer)
    assert not [r for r in client.get("/").context["reminders"] if r.kind == "to_approve"]


def test_the_history_reads_as_sentences_with_labels_and_unit_names(client, board_world):
    w = board_world
    w.team.unit = w.commune
    community_actions.save(w.team)
    client.force_login(w.province_admin)
    body = client.get("/").content.decode()
    assert "Xã Mồ Sì San" in body
    assert "unit_id" not in body and "<code>unit</code>" not in body
    assert "Bản Sì Choang" in body  # the unit it came from, by name


def test_an_officer_of_the_former_and_the_new_province_lands_on_the_new_and_sees_its_past(
    client, db
):
    from tests.factories import ReformWorld, user

    reform = ReformWorld()
    reporting_defaults.load()
    framework_actions.set_target(
        reform.teams, reform.old_lai_chau, periods.parse("2024"), Decimal(4)
    )
    community_actions.save(
        CommunityModel(
            kind="communication_team",
            unit=reform.mu_sang,
            name="Tổ truyền thông Mù Sang",
            established_on=datetime.date(2024, 5, 1),
        )
    )
    officer = user("laichau", role="unit_admin", on=reform.old_lai_chau)
    from duan8.accounts.models import Membership

    Membership.objects.create(user=officer, unit=reform.lai_chau, role="unit_admin")
    client.force_login(officer)
    home = client.get("/")
    assert home.context["current_unit"] == reform.lai_chau
    assert home.context["period"] == periods.parse("2024")  # the carried 2024 target
    teams = next(r for r in home.context["board"].rows if r.indicator.code == "TTCĐ")
    assert (teams.period.value, teams.period.target, teams.period_percent) == (
        1,
        Decimal(4),
        Decimal("25.0"),
    )


def test_a_served_worker_opens_the_national_dashboard_without_counting_records(
    client, board_world, monkeypatch
):
    """``duan8 serve`` warms up in gunicorn's master before it forks its workers: the first
    officer of the day finds the national figures read, and a write since only patches them."""
    from types import SimpleNamespace

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from duan8 import serving
    from duan8.analytics import reading

    w = board_world
    reading.forget()
    told, closed = [], []
    # The hook closes the master's connections before the fork; here they are the test's own.
    monkeypatch.setattr("django.db.connections.close_all", lambda: closed.append(True))
    serving.when_ready(SimpleNamespace(log=SimpleNamespace(info=lambda *a: told.append(a))))
    assert told and told[0][2] >= 5  # the working period and each year of the phase begun
    assert closed  # no connection is shared across the fork
    community_actions.save(
        CommunityModel(
            kind="communication_team",
            unit=w.sibling_commune,
            name="Tổ truyền thông bản Nậm Cuổi",
            established_on=datetime.date(2023, 4, 2),
        )
    )
    client.force_login(w.national_admin)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("analytics:dashboard", args=[w.nation.pk]), {"period": "2023"})
    teams = next(r for r in page.context["board"].rows if r.indicator.code == "TTCĐ")
    assert teams.to_date.value == 2
    # Only the records the write touched are read again (one commune's), never all of them.
    counted = [q["sql"] for q in queries.captured_queries if "community_communitymodel" in q["sql"]]
    assert counted and all(" IN (" in sql for sql in counted)
