"""The demo read across the reform, on the real official units: Kon Tum's 2022 results under
today's Quảng Ngãi, and today's Lai Châu with its phase-I targets.

Loading the official units and the demo takes a while, so this module loads once."""

import datetime

import pytest
from django.urls import reverse

from duan8.accounts.models import User
from duan8.analytics import reading
from duan8.community.demo import KON_TUM_TEAMS_2022
from duan8.framework import periods
from duan8.framework.models import Indicator
from duan8.geo.models import AdminUnit, UnitKind
from tests import demo_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_db.load_demo()
        yield
        demo_db.wipe()


def province(code: str, *, today: bool) -> AdminUnit:
    return AdminUnit.objects.get(kind=UnitKind.PROVINCE, code=code, valid_until__isnull=today)


def teams() -> Indicator:
    return Indicator.objects.get(code="TTCĐ")


def test_kon_tums_2022_teams_count_under_kon_tum_on_the_2022_tree(demo, db):
    kon_tum = province("62", today=False)
    found = reading.read(teams(), kon_tum, periods.parse("2022"))
    assert found.on == datetime.date(2022, 12, 31)
    assert found.value == KON_TUM_TEAMS_2022


def test_kon_tums_2022_teams_count_under_quang_ngai_on_todays_tree(demo, db):
    quang_ngai = province("51", today=True)
    on = datetime.date(2026, 1, 1)
    year = periods.parse("2022")
    # Today's Quảng Ngãi counts the teams of the two provinces it took.
    former = sum(
        reading.read(teams(), province(code, today=False), year).value for code in ("51", "62")
    )
    assert reading.read(teams(), quang_ngai, year, on).value == former
    assert reading.read(teams(), province("62", today=False), year).value == KON_TUM_TEAMS_2022
    # For the phase, read by default on its last day's units: today's provinces.
    whole = periods.parse("2021-2025")
    phase = reading.read(teams(), quang_ngai, whole)
    former = sum(
        reading.read(teams(), province(code, today=False), whole).value for code in ("51", "62")
    )
    assert phase.on == datetime.date(2025, 12, 31) and phase.value == former


def test_kon_tums_2022_trainings_count_under_quang_ngai_on_todays_tree(demo, db):
    programme_2 = Indicator.objects.get(code="CT2")
    quang_ngai = province("51", today=True)
    found = reading.read(programme_2, quang_ngai, periods.parse("2021-2025"))
    assert found.value == 17


def test_todays_lai_chau_shows_the_second_half_2024_targets_of_its_former_province(
    client, demo, db
):
    lai_chau = province("12", today=True)
    client.force_login(User.objects.get(username="laichau.quantri"))
    page = client.get(reverse("framework:targets", args=[lai_chau.pk]), {"period": "2024-H2"})
    rows = {row["indicator"].code: row for row in page.context["targets"]}
    assert {code: int(row["reading"].target) for code, row in rows.items()} == {
        "TTCĐ": 79,
        "CLB": 29,
        "GSBDG": 16,
        "CT2": 7,
        "CT3": 61,
        "DTCS": 138,
    }
    former = province("12", today=False)
    assert all(row["carried_from"] == [former] for row in rows.values())
    assert all(row["reading"].value is not None for code, row in rows.items() if code != "GSBDG")


def test_a_viewer_of_todays_quang_ngai_opens_the_list_of_kon_tums_teams(client, demo, db):
    from duan8.accounts.models import Membership, Role

    officer = User.objects.create(username="quangngai.xem", full_name="Quảng Ngãi")
    quang_ngai = province("51", today=True)
    Membership.objects.create(user=officer, unit=quang_ngai, role=Role.VIEWER)
    client.force_login(officer)
    found = reading.read(teams(), quang_ngai, periods.parse("2021-2025"))
    page = client.get(found.records_url)
    assert page.status_code == 200
    assert page.context["total"] == found.value  # Kon Tum's teams and the former Quảng Ngãi's
    first = page.context["page"][0]
    assert client.get(reverse("community:detail", args=[first.pk])).status_code == 200


def test_the_national_dashboard_shows_the_end_2023_situation_from_records(client, demo, db):
    client.force_login(User.objects.get(username="admin"))
    page = client.get("/", {"period": "2023"})
    rows = {r.indicator.code: r for r in page.context["board"].rows}
    assert {code: str(rows[code].phase_percent) for code in SEED_2023} == SEED_2023
    assert rows["DCTC"].exceeded
    body = page.content.decode()
    for shown in ("84,7%", "36,8%", "146,2%", "62,9%", "38,8%", "7.623", "1.462"):
        assert shown in body
    # The provinces behind the share of time elapsed (60% of the phase) are named.
    lagging = page.context["board"].lagging
    assert lagging and all(c.progress < 60 for c in lagging)
    assert all(c.unit.name in body for c in lagging)


SEED_2023 = {"TTCĐ": "84.7", "SINHKE": "36.8", "DCTC": "146.2", "CLB": "62.9", "GSBDG": "38.8"}


def test_the_2024_reports_of_the_provinces_are_on_their_way(client, demo, db):
    from duan8.reporting import cycle

    nation = AdminUnit.objects.get(parent__isnull=True)
    found = cycle.completeness(nation, periods.parse("2024"), "province")
    assert found.expected == 63  # the provinces of 2024, not today's 34
    states = {row.state for row in found.rows}
    assert {"approved", "submitted", "returned", "missing"} <= states
    assert {row.timeliness for row in found.rows} >= {"on_time", "late", "overdue"}
    kon_tum = next(row for row in found.rows if row.unit.code == "62")
    assert kon_tum.state == "returned"
    client.force_login(User.objects.get(username="admin"))
    page = client.get(reverse("reporting:cycle"), {"period": "2024"})
    assert "Tỉnh Kon Tum" in page.content.decode()


def test_the_demo_money_gives_the_seeds_figures(demo, db):
    from duan8.finance import summary
    from duan8.geo.demo import phong_tho

    table = summary.table(phong_tho(), 2024)
    assert (table.total.total.million, table.total.new.million, table.total.carried.million) == (
        "7.588,63",
        "3.859,00",
        "3.729,63",
    )
    levels = {row.key: row for row in table.levels}
    assert (levels["district"].total.million, levels["commune"].total.million) == (
        "3.259,46",
        "4.329,17",
    )
    # the communes' new money is what the district handed them
    from duan8.finance.models import Transfer

    handed = Transfer.objects.filter(from_line__unit=phong_tho())
    assert sum(t.amount for t in handed) == 2_559_000_000
    assert levels["commune"].new.million == "2.559,00"
    kon_tum = province("62", today=False)
    assert summary.rates(kon_tum, 2022, datetime.date(2022, 11, 30)).total.rate_text == "36,38%"
    # Kon Tum's 2022 money read on today's tree: under Quảng Ngãi
    quang_ngai = province("51", today=True)
    today = summary.rates(quang_ngai, 2022, datetime.date(2022, 11, 30), datetime.date(2025, 7, 1))
    assert today.total.disbursed >= 1_393_000_000
    lai_chau = province("12", today=False)
    mid_2024 = summary.rates(lai_chau, 2024, datetime.date(2024, 6, 30)).total.rate
    assert 5 < mid_2024 < 6
