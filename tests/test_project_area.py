"""The project area of a year: proposed from the classifications, edited by the province."""

import datetime

from django.urls import reverse

from duan8.geo import areas
from duan8.geo.models import Classification, ClassificationKind, ProjectAreaEntry, UnitKind
from tests.factories import unit


def disadvantaged(village):
    return Classification.objects.create(
        unit=village,
        kind=ClassificationKind.DISADVANTAGED_VILLAGE,
        valid_from=datetime.date(2021, 9, 16),
        legal_basis="Quyết định 612/QĐ-UBDT",
    )


def test_the_proposal_takes_region_iii_communes_and_disadvantaged_villages(world):
    second = unit(UnitKind.VILLAGE, "Bản Hai", world.sibling_commune, code="")
    disadvantaged(second)
    proposed = {u.name for u in areas.proposal(world.province, 2024)}
    assert proposed == {"Xã Mồ Sì San", "Xã Pa Tần", "Bản Hai"}


def test_proposing_twice_adds_nothing_and_keeps_what_the_province_took_out(world):
    ProjectAreaEntry.objects.all().delete()
    assert areas.propose(world.province, 2024) == 1
    entry = ProjectAreaEntry.objects.get(unit=world.commune)
    entry.included = False
    entry.save()
    assert areas.propose(world.province, 2024) == 0
    entry.refresh_from_db()
    assert entry.included is False


def test_the_summary_counts_communes_and_villages(world):
    disadvantaged(world.village)
    areas.propose(world.province, 2024)
    summary = areas.summary(world.province, 2024)
    assert (summary.commune_count, summary.village_count) == (1, 1)
    assert summary.lines[0].commune == world.commune


def test_a_classification_that_ended_is_not_proposed_for_a_later_year(world):
    Classification.objects.filter(pk=world.classification.pk).update(
        valid_until=datetime.date(2025, 7, 1)
    )
    assert areas.proposal(world.province, 2026) == []


def test_a_province_editor_takes_a_commune_out_of_the_area(client, world):
    client.force_login(world.province_admin)
    client.post(
        reverse("geo:project_area_entry", args=[world.area_entry.pk]),
        {"included": "0", "root": world.province.pk},
    )
    world.area_entry.refresh_from_db()
    assert world.area_entry.included is False
    page = client.get(reverse("geo:project_area", args=[world.province.pk]), {"year": 2024})
    assert page.context["summary"].commune_count == 0


def test_a_district_approver_cannot_edit_the_province_area(client, world):
    client.force_login(world.district_approver)
    response = client.post(
        reverse("geo:project_area_entry", args=[world.area_entry.pk]), {"included": "0"}
    )
    assert response.status_code == 403
    world.area_entry.refresh_from_db()
    assert world.area_entry.included is True


def test_a_commune_is_added_by_hand_from_its_page(client, world):
    client.force_login(world.province_admin)
    client.post(
        reverse("geo:project_area_add", args=[world.province.pk]),
        {"year": 2024, "unit": world.sibling_commune.pk},
    )
    entry = ProjectAreaEntry.objects.get(unit=world.sibling_commune, year=2024)
    assert entry.origin == "manual" and entry.included


def test_the_area_page_shows_totals(client, world):
    disadvantaged(world.village)
    areas.propose(world.province, 2024)
    client.force_login(world.district_approver)
    page = client.get(reverse("geo:project_area", args=[world.district.pk]), {"year": 2024})
    assert (
        "1 xã, 1 thôn, bản" in page.content.decode() or page.context["summary"].village_count == 1
    )


def test_a_bad_return_address_changes_nothing(client, world):
    client.force_login(world.province_admin)
    response = client.post(
        reverse("geo:project_area_entry", args=[world.area_entry.pk]),
        {"included": "0", "root": "abc"},
    )
    assert response.status_code == 404
    world.area_entry.refresh_from_db()
    assert world.area_entry.included is True
