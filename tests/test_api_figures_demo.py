"""The figures endpoint gives the pages' numbers for the demo: today's Lai Châu with the
second-half 2024 targets allocated by its former province (the targets page and the
allocation grid), Kon Tum's 2022 teams and trainings (on 2022's tree and today's), and the
nation's end-2023 percentages of the phase targets (the dashboard).

Loading the official units and the demo takes a while, so this module loads once."""

from decimal import Decimal

import pytest
from django.urls import reverse

from duan8.accounts.models import User
from duan8.community.demo import KON_TUM_TEAMS_2022
from duan8.framework.models import Indicator, Phase
from duan8.geo.models import AdminUnit, UnitKind
from tests import demo_db
from tests.factories import token

SEED_2023 = {"TTCĐ": 84.7, "SINHKE": 36.8, "DCTC": 146.2, "CLB": 62.9, "GSBDG": 38.8}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_db.load_demo()
        yield
        demo_db.wipe()


def province(code: str, *, today: bool) -> AdminUnit:
    return AdminUnit.objects.get(kind=UnitKind.PROVINCE, code=code, valid_until__isnull=today)


def figures(client, username: str, **query) -> dict:
    user = User.objects.get(username=username)
    response = client.get(reverse("api:figures"), query, HTTP_AUTHORIZATION=f"Bearer {token(user)}")
    assert response.status_code == 200, response.content
    return response.json()


def number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def test_todays_lai_chau_has_the_targets_pages_numbers_for_the_second_half_of_2024(
    client, demo, db
):
    lai_chau = province("12", today=True)
    client.force_login(User.objects.get(username="laichau.quantri"))
    page = client.get(reverse("framework:targets", args=[lai_chau.pk]), {"period": "2024-H2"})
    rows = {row["indicator"].code: row for row in page.context["targets"]}
    assert set(rows) == {"TTCĐ", "CLB", "GSBDG", "CT2", "CT3", "DTCS"}
    for code, row in rows.items():
        indicator = Indicator.objects.get(code=code)
        found = figures(
            client, "laichau.quantri", indicator=indicator.pk, unit=lai_chau.pk, period="2024-H2"
        )
        shown = row["reading"]
        assert found["on"] == shown.on.isoformat(), code
        figure = found["figure"]
        assert number(figure["target"]) == shown.target, code
        assert number(figure["value"]) == shown.value, code
        assert number(figure["percent"]) == shown.percent, code
        assert figure["records"] == shown.records_url, code


def test_the_former_lai_chaus_districts_have_the_allocation_grids_targets(client, demo, db):
    former = province("12", today=False)
    phase = Phase.objects.get(code="GD1")
    client.force_login(User.objects.get(username="laichau.quantri"))
    page = client.get(
        reverse("framework:allocate", args=[former.pk]), {"phase": phase.pk, "period": "2024-H2"}
    )
    grid = page.context["grid"]
    for column in grid.columns:
        found = figures(
            client,
            "laichau.quantri",
            indicator=column.indicator.pk,
            unit=former.pk,
            period="2024-H2",
            children="true",
        )
        assert number(found["figure"]["target"]) == column.total
        by_unit = {child["unit_id"]: child for child in found["children"]}
        for child in grid.children:
            cell = grid.cells.get((child.pk, column.indicator.pk))
            expected = cell.effective if cell is not None else None
            assert number(by_unit[child.pk]["target"]) == expected, (column.indicator.code, child)


def test_kon_tums_2022_teams_on_2022s_tree_and_under_todays_quang_ngai(client, demo, db):
    teams = Indicator.objects.get(code="TTCĐ")
    kon_tum = province("62", today=False)
    found = figures(client, "admin", indicator=teams.pk, unit=kon_tum.pk, period="2022")
    assert found["on"] == "2022-12-31"
    assert found["figure"]["value"] == KON_TUM_TEAMS_2022
    client.force_login(User.objects.get(username="admin"))
    listed = client.get(found["figure"]["records"])
    assert listed.context["total"] == KON_TUM_TEAMS_2022  # the records behind the figure
    quang_ngai = province("51", today=True)
    today = figures(
        client, "admin", indicator=teams.pk, unit=quang_ngai.pk, period="2022", on="2026-01-01"
    )
    former = sum(
        figures(
            client, "admin", indicator=teams.pk, unit=province(c, today=False).pk, period="2022"
        )["figure"]["value"]
        for c in ("51", "62")
    )
    assert today["figure"]["value"] == former
    programme_2 = Indicator.objects.get(code="CT2")
    phase = figures(
        client, "admin", indicator=programme_2.pk, unit=quang_ngai.pk, period="2021-2025"
    )
    assert phase["figure"]["value"] == 17


def test_the_nations_end_2023_percentages_are_the_dashboards(client, demo, db):
    nation = AdminUnit.objects.get(parent__isnull=True)
    client.force_login(User.objects.get(username="admin"))
    board = client.get("/", {"period": "2023"}).context["board"]
    rows = {r.indicator.code: r for r in board.rows}
    columns = [i.code for i in board.columns]
    for code, share in SEED_2023.items():
        indicator = Indicator.objects.get(code=code)
        found = figures(
            client,
            "admin",
            indicator=indicator.pk,
            unit=nation.pk,
            period="2021-2023",
            target_period="2021-2025",
            children="true",
        )
        assert found["figure"]["percent"] == share, code
        assert number(found["figure"]["percent"]) == rows[code].phase_percent
        assert number(found["figure"]["value"]) == rows[code].to_date.value
        if code not in columns:
            continue
        by_unit = {child["unit_id"]: child for child in found["children"]}
        place = columns.index(code)
        for child in board.children:  # each province's cell of the ranking
            assert number(by_unit[child.unit.pk]["percent"]) == child.cells[place], child.unit
