"""Money on the boards: the slow-disbursement warning (the unit's rate, the last checkpoint
passed and the units below under it) on the home page, the unit's dashboard and the unit page;
and the cost per result (money disbursed in a content area over what it achieved)."""

from __future__ import annotations

import datetime
import io
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from duan8.accounts.models import Role
from duan8.activities.models import Activity
from duan8.analytics import reading
from duan8.community import actions as community_actions
from duan8.community.models import CommunityModel
from duan8.finance import actions
from duan8.finance.models import BudgetLine, Disbursement, FundSource
from duan8.framework import defaults
from duan8.geo.models import AdminUnit, Succession, UnitKind
from tests.factories import REFORM, downloaded, unit, user

D = datetime.date
M = 1_000_000
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def today_is(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9), HANOI), tick=False)


def line(unit, amount, *, year, area=None) -> BudgetLine:
    return actions.save_line(
        BudgetLine(
            unit=unit,
            fiscal_year=year,
            source=FundSource.CENTRAL,
            original_amount=amount,
            content_area=area,
        )
    )


def spend(line, amount, day, voucher="PC-01") -> Disbursement:
    return actions.record_disbursement(
        Disbursement(line=line, date=day, amount=amount, voucher=voucher)
    )


def slow_block(page) -> str:
    """The slow-disbursement block of a page, as its text ('' when there is none)."""
    found = re.search(
        r'<section[^>]*data-testid="slow-disbursement".*?</section>', page.content.decode(), re.S
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))) if found else ""


@pytest.fixture
def communes_2025(world):
    """Lai Châu after the reform: no districts, two communes right under the province, each
    with 100 triệu for 2025; by 15/7/2025 Dào San has spent 10%, Khổng Lào 50%."""
    defaults.load()
    AdminUnit.objects.filter(kind=UnitKind.DISTRICT).update(valid_until=REFORM)
    reading.forget()
    world.slow = unit(UnitKind.COMMUNE, "Xã Dào San", world.province, valid_from=REFORM)
    world.quick = unit(UnitKind.COMMUNE, "Xã Khổng Lào", world.province, valid_from=REFORM)
    world.slow_line = line(world.slow, 100 * M, year=2025)
    spend(world.slow_line, 10 * M, D(2025, 7, 2))
    spend(line(world.quick, 100 * M, year=2025), 50 * M, D(2025, 7, 3))
    return world


def test_the_home_page_lists_the_communes_under_the_30_june_checkpoint(client, communes_2025):
    w = communes_2025
    client.force_login(w.province_admin)
    with today_is(D(2025, 7, 15)):
        page = client.get(reverse("core:overview"))
    slow = page.context["slow"]
    assert [item.unit for item in slow.lagging] == [w.slow]
    assert (slow.checkpoint, slow.threshold) == (D(2025, 6, 30), 30)
    block = slow_block(page)
    assert "Xã Dào San" in block and "10,00%" in block
    assert "Xã Khổng Lào" not in block
    assert "30% đến 30/06/2025" in block
    # the province's own rate next to the share of the year elapsed
    assert "30,00%" in block and slow.rates.elapsed_text in block
    funds = f"{reverse('finance:unit', args=[w.slow.pk])}?year=2025"
    assert funds in page.content.decode()


def test_after_a_disbursement_the_commune_leaves_the_list(client, communes_2025):
    w = communes_2025
    client.force_login(w.province_admin)
    with today_is(D(2025, 7, 15)):
        spend(w.slow_line, 25 * M, D(2025, 7, 10), voucher="PC-02")
        page = client.get(reverse("core:overview"))
    assert page.context["slow"].lagging == []
    block = slow_block(page)
    assert "Xã Dào San" not in block and "30% đến 30/06/2025" in block


def test_the_unit_page_and_the_dashboard_show_the_same_warning(client, communes_2025):
    w = communes_2025
    client.force_login(w.province_admin)
    with today_is(D(2025, 7, 15)):
        unit_page = client.get(reverse("geo:unit", args=[w.province.pk]))
        board = client.get(reverse("analytics:dashboard", args=[w.province.pk]))
    for page in (unit_page, board):
        assert [item.unit for item in page.context["slow"].lagging] == [w.slow]
        assert "Xã Dào San" in slow_block(page)


def test_before_the_first_checkpoint_no_unit_is_listed(client, communes_2025):
    w = communes_2025
    client.force_login(w.province_admin)
    with today_is(D(2025, 6, 29)):
        page = client.get(reverse("core:overview"))
    assert page.context["slow"].checkpoint is None
    assert "Xã Dào San" not in slow_block(page)


def test_no_block_when_the_unit_has_no_money_for_the_year(client, communes_2025):
    w = communes_2025
    client.force_login(w.sibling_viewer)  # Sìn Hồ: no money
    with today_is(D(2025, 7, 15)):
        home = client.get(reverse("core:overview"))
        unit_page = client.get(reverse("geo:unit", args=[w.sibling_district.pk]))
    for page in (home, unit_page):
        assert page.context["slow"] is None
        assert 'data-testid="slow-disbursement"' not in page.content.decode()
        assert 'data-testid="cost-per-result"' not in page.content.decode()


def test_a_commune_the_officer_cannot_see_is_not_listed(client, world):
    """A district-level town went into a new ward with one of its communes; the ward's officer
    reads the town's past (that unit alone) and that commune, not the town's other commune."""
    defaults.load()
    town = unit(UnitKind.DISTRICT, "Thị xã Mường Lay", world.province, valid_until=REFORM)
    kept = unit(UnitKind.COMMUNE, "Phường Na Lay", town, valid_until=REFORM)
    other = unit(UnitKind.COMMUNE, "Xã Lay Nưa", town, valid_until=REFORM)
    ward = unit(UnitKind.COMMUNE, "Phường Mường Lay", world.province, valid_from=REFORM)
    elsewhere = unit(UnitKind.COMMUNE, "Xã Lay Nưa mới", world.province, valid_from=REFORM)
    for old, new in ((town, ward), (kept, ward), (other, elsewhere)):
        Succession.objects.create(predecessor=old, successor=new, effective_on=REFORM)
    spend(line(kept, 100 * M, year=2024), 5 * M, D(2024, 5, 1))
    spend(line(other, 100 * M, year=2024), 5 * M, D(2024, 5, 1))
    officer = user("muonglay.xem", role=Role.VIEWER, on=ward)
    client.force_login(officer)
    with today_is(D(2025, 12, 1)):
        page = client.get(reverse("analytics:dashboard", args=[town.pk]), {"period": "2024"})
        assert client.get(reverse("geo:unit", args=[other.pk])).status_code == 404
    slow = page.context["slow"]
    assert (slow.checkpoint, slow.threshold) == (D(2024, 9, 30), 60)
    assert [item.unit for item in slow.lagging] == [kept]
    block = slow_block(page)
    assert "Phường Na Lay" in block and "Xã Lay Nưa" not in block


# Cost per result -----------------------------------------------------------------------------


@pytest.fixture
def spent_2024(world):
    """Lai Châu 2024: 90 triệu spent on communication (ND1) in Mồ Sì San, which keeps three
    teams at the end of the year; 40 triệu on gender training (ND4) for two programme-2
    trainings that trained 30 and 20 people."""
    phase = defaults.load()
    areas = {a.code: a for a in phase.content_areas.all()}
    for name in ("Tổ A", "Tổ B"):
        community_actions.save(
            CommunityModel(
                kind="communication_team",
                unit=world.commune,
                name=name,
                established_on=D(2024, 3, 1),
            )
        )
    for people, day in ((30, D(2024, 4, 2)), (20, D(2024, 9, 9))):
        Activity.objects.create(
            kind="training",
            programme="programme_2",
            title="Tập huấn lồng ghép giới",
            unit=world.commune,
            start_on=day,
            end_on=day,
            participants=people,
            participants_women=people // 2,
        )
    spend(line(world.commune, 200 * M, year=2024, area=areas["ND1"]), 90 * M, D(2024, 5, 1))
    spend(line(world.commune, 50 * M, year=2024, area=areas["ND4"]), 40 * M, D(2024, 6, 1))
    return world


def test_cost_per_team_maintained_is_the_money_over_the_teams(client, spent_2024):
    w = spent_2024
    client.force_login(w.province_admin)
    with today_is(D(2025, 3, 1)):
        page = client.get(reverse("analytics:dashboard", args=[w.province.pk]), {"period": "2024"})
    costs = {r.key: r for area in page.context["costs"].areas for r in area.results}
    teams = costs["TTCĐ"]
    assert (teams.disbursed, teams.achieved) == (90 * M, 3)
    assert teams.cost == 90 * M // 3 == 30_000_000
    body = page.content.decode()
    assert re.search(r'data-testid="cost-TTCĐ">30\.000\.000<', body)
    # trainings: 40 triệu over two trainings, and over the 50 people they trained
    assert (costs["CT2"].cost, costs["CT2.participants"].cost) == (20_000_000, 800_000)
    assert re.search(r'data-testid="cost-CT2.participants">800\.000<', body)
    # an indicator of an area with no money has no cost shown
    assert "SINHKE" not in costs


def test_the_excel_export_gives_the_same_cost_per_result(client, spent_2024):
    w = spent_2024
    client.force_login(w.province_admin)
    with today_is(D(2025, 3, 1)):
        response = client.get(
            reverse("analytics:dashboard_export", args=[w.province.pk]), {"period": "2024"}
        )
    rows = list(load_workbook(io.BytesIO(downloaded(response))).active.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[1] == "Chi phí trên kết quả năm 2024")
    costs = rows[start + 2 :]
    teams = next(r for r in costs if r[0] == "TTCĐ")
    assert teams[3:6] == (90 * M, 3, 30_000_000)
    trainings = [r for r in costs if r[0] == "CT2"]
    assert [r[3:6] for r in trainings] == [(40 * M, 2, 20_000_000), (40 * M, 50, 800_000)]


def test_the_home_board_shows_the_cost_of_its_year(client, spent_2024):
    w = spent_2024
    client.force_login(w.province_admin)
    with today_is(D(2024, 12, 20)):
        page = client.get(reverse("core:overview"), {"period": "2024"})
    teams = next(r for a in page.context["costs"].areas for r in a.results if r.key == "TTCĐ")
    assert teams.cost == 30_000_000
    # the checkpoint of 30/9 is passed: Phong Thổ spent 130 of 250 triệu (52%), under 60%
    slow = page.context["slow"]
    assert [(i.unit, i.rate.rate_text) for i in slow.lagging] == [(w.district, "52,00%")]
