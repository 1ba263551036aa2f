"""The support-package pages: packages and amounts typed by administrators, a birth's
entitlements with its items not configured shown so, the payment steps, paying from a budget
line as the funds page sees it, and the personal payment list in Excel."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from duan8.accounts.models import Membership
from duan8.benefits import entitlements
from duan8.benefits.models import Entitlement, ItemAmount, SupportItem, SupportPackage
from duan8.finance.models import BudgetLine, Disbursement
from duan8.maternal.models import PersonalDataAccess
from tests.benefits_factories import (
    D,
    birth,
    lump_amount,
    lump_item,
    package,
    travel_amount,
    travel_item,
)
from tests.factories import downloaded

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    pack = package(world.nation)
    world.travel = travel_item(pack)
    world.lump = lump_item(pack)
    travel_amount(world.travel, world.nation)
    lump_amount(world.lump, world.province)
    return world


def _approved(world, day=None):
    found = birth(world.village, day or D(2025, 4, 10))
    entitlements.propose(found)
    entitlement = Entitlement.objects.get(birth=found, item=world.lump)
    entitlements.approve(entitlement)
    return entitlement


# Packages and amounts ---------------------------------------------------------------------


def test_a_province_administrator_adds_a_package_item_and_amount_for_the_province(client, world):
    client.force_login(world.province_admin)
    response = client.post(
        reverse("benefits:packages"),
        {
            "scope": world.province.pk,
            "code": "G2",
            "name": "Gói chăm sóc sau sinh (thử nghiệm)",
            "document": "QĐ …/QĐ-UBND tỉnh",
            "order": "2",
        },
    )
    package_ = SupportPackage.objects.get(code="G2")
    assert response.status_code == 302 and package_.scope == world.province
    url = reverse("benefits:package", args=[package_.pk])
    client.post(
        url,
        {
            "action": "item",
            "item-code": "CS",
            "item-name": "Chăm sóc sau sinh tại nhà",
            "item-counting": "per_birth",
            "item-excludes_insurance": "on",
            "item-order": "0",
        },
    )
    item = SupportItem.objects.get(code="CS")
    response = client.post(
        url,
        {
            "action": "amount",
            "amount-item": item.pk,
            "amount-scope": world.province.pk,
            "amount-amount": "2.200.000",
            "amount-amount_caesarean": "2.400.000",
            "amount-valid_from": "01/01/2025",
            "amount-document": "QĐ …/QĐ-UBND tỉnh (thử nghiệm)",
        },
    )
    assert response.status_code == 302
    stored = ItemAmount.objects.get(item=item)
    assert (stored.amount, stored.amount_caesarean, stored.scope) == (
        2_200_000,
        2_400_000,
        world.province,
    )


def test_a_nation_wide_package_is_set_by_national_administrators_only(client, world):
    client.force_login(world.province_admin)
    response = client.post(
        reverse("benefits:packages"),
        {"scope": world.nation.pk, "code": "G1", "name": "Gói", "document": "x", "order": "0"},
    )
    assert response.status_code == 422
    assert not SupportPackage.objects.exists()
    client.force_login(world.commune_editor)
    response = client.post(
        reverse("benefits:packages"),
        {"scope": world.province.pk, "code": "G1", "name": "Gói", "document": "x", "order": "0"},
    )
    assert response.status_code == 403


def test_an_amount_changed_from_a_day_on_the_page_is_a_new_version(client, setup):
    world = setup
    first = ItemAmount.objects.get(item=world.travel)
    client.force_login(world.national_admin)
    response = client.post(
        reverse("benefits:amount", args=[first.pk]),
        {
            "valid_from": "01/01/2026",
            "amount": "150.000",
            "max_count": "4",
            "document": "Thông tư mới (thử nghiệm)",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second = first.next_version
    assert first.valid_until == D(2026, 1, 1)
    assert (second.amount, second.max_count, second.valid_from) == (150_000, 4, D(2026, 1, 1))


def test_an_item_without_an_amount_shows_not_configured_on_its_package(client, world):
    pack = package(world.nation)
    lump_item(pack)
    client.force_login(world.commune_editor)
    response = client.get(reverse("benefits:package", args=[pack.pk]))
    assert b'data-testid="not-configured"' in response.content


# A birth's entitlements ----------------------------------------------------------------------


def test_the_birth_page_shows_items_not_configured_and_proposes_the_others(client, setup):
    world = setup
    early = birth(world.village, D(2024, 11, 5))  # before Lai Châu's lump sum (2025)
    url = reverse("benefits:birth", args=[early.pk])
    client.force_login(world.commune_editor)
    page = client.get(url).content.decode()
    assert page.count('data-testid="not-configured"') == 1
    with translation.override("vi"):
        assert gettext("not configured") in page
    response = client.post(url, {f"count_{world.travel.pk}": "6"})
    assert response.status_code == 302
    stored = Entitlement.objects.get(birth=early)
    assert (stored.item, stored.count_reported, stored.count, stored.amount) == (
        world.travel,
        6,
        4,
        400_000,
    )


def test_the_commune_editor_proposes_and_the_district_approves(client, setup):
    world = setup
    found = birth(world.village, D(2025, 4, 10))
    client.force_login(world.commune_editor)
    client.post(reverse("benefits:birth", args=[found.pk]), {f"count_{world.travel.pk}": "4"})
    proposed = Entitlement.objects.get(birth=found, item=world.lump)
    act = reverse("benefits:entitlement", args=[proposed.pk])
    assert client.post(act, {"action": "approve"}).status_code == 403
    client.force_login(world.district_approver)
    assert client.post(act, {"action": "approve"}).status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == "approved"


def test_a_step_out_of_order_on_the_page_says_why_and_changes_nothing(client, setup):
    world = setup
    entitlement = _approved(world)
    client.force_login(world.district_approver)
    response = client.post(
        reverse("benefits:entitlement", args=[entitlement.pk]), {"action": "approve"}, follow=True
    )
    with translation.override("vi"):
        expected = gettext(
            "Only a proposed entitlement can be approved; this one is “%(state)s”."
        ) % {"state": gettext("Approved")}
    assert expected in response.content.decode()
    entitlement.refresh_from_db()
    assert entitlement.state == "approved"


# Paying from a budget line --------------------------------------------------------------------


def _rate(client, world):
    response = client.get(
        reverse("finance:unit", args=[world.commune.pk]), {"year": "2025", "as_of": "31/12/2025"}
    )
    page = response.content.decode()
    start = page.index('data-testid="rate">') + len('data-testid="rate">')
    return page[start : page.index("</strong>", start)]


def test_paying_from_a_line_records_the_disbursement_and_moves_the_funds_rate(client, setup):
    world = setup
    line = BudgetLine.objects.create(
        unit=world.commune, fiscal_year=2025, source="central", original_amount=22_000_000
    )
    entitlement = _approved(world)
    client.force_login(world.commune_editor)
    assert _rate(client, world) == "0,00%"
    response = client.post(
        reverse("benefits:entitlement", args=[entitlement.pk]),
        {
            "action": "pay",
            f"pay{entitlement.pk}-paid_on": "02/05/2025",
            f"pay{entitlement.pk}-payer": "Lò Thị Hoa, cán bộ xã",
            f"pay{entitlement.pk}-voucher": "PC-15",
            f"pay{entitlement.pk}-budget_line": line.pk,
        },
    )
    assert response.status_code == 302
    entitlement.refresh_from_db()
    spent = entitlement.disbursement
    assert (entitlement.state, entitlement.budget_line, spent.line) == ("paid", line, line)
    assert (spent.amount, spent.date, spent.voucher) == (2_200_000, D(2025, 5, 2), "PC-15")
    assert _rate(client, world) == "10,00%"


def test_a_payment_above_what_the_line_has_is_refused_and_nothing_is_stored(client, setup):
    world = setup
    line = BudgetLine.objects.create(
        unit=world.commune, fiscal_year=2025, source="central", original_amount=1_000_000
    )
    entitlement = _approved(world)
    client.force_login(world.commune_editor)
    response = client.post(
        reverse("benefits:entitlement", args=[entitlement.pk]),
        {
            "action": "pay",
            f"pay{entitlement.pk}-paid_on": "02/05/2025",
            f"pay{entitlement.pk}-payer": "Lò Thị Hoa",
            f"pay{entitlement.pk}-voucher": "PC-16",
            f"pay{entitlement.pk}-budget_line": line.pk,
        },
    )
    assert response.status_code == 422
    assert "1.000.000" in response.content.decode()  # what the line still has
    entitlement.refresh_from_db()
    assert entitlement.state == "approved" and entitlement.paid_on is None
    assert not Disbursement.objects.exists()


def test_a_line_of_another_commune_or_year_is_not_offered_nor_taken(client, setup):
    world = setup
    other = BudgetLine.objects.create(
        unit=world.sibling_commune, fiscal_year=2025, source="central", original_amount=9_000_000
    )
    entitlement = _approved(world)
    with pytest.raises(ValidationError) as refused:
        entitlements.pay(entitlement, paid_on=D(2025, 5, 2), payer="A", voucher="PC", line=other)
    assert "budget_line" in refused.value.message_dict
    district = BudgetLine.objects.create(
        unit=world.district, fiscal_year=2024, source="central", original_amount=9_000_000
    )
    with pytest.raises(ValidationError) as refused:
        entitlements.pay(entitlement, paid_on=D(2025, 5, 2), payer="A", voucher="PC", line=district)
    assert "budget_line" in refused.value.message_dict
    assert not Disbursement.objects.exists()


# The payment list ------------------------------------------------------------------------------


def _paid_list(world):
    entitlement = _approved(world)
    entitlements.pay(entitlement, paid_on=D(2025, 5, 2), payer="Lò Thị Hoa", voucher="PC-15")
    return entitlement


def test_the_payment_list_export_is_refused_without_the_permission(client, setup):
    world = setup
    _paid_list(world)
    url = reverse("benefits:payments_export", args=[world.commune.pk])
    for persona in ("commune_editor", "district_approver", "province_admin"):
        client.force_login(getattr(world, persona))
        assert client.get(url, {"period": "2025"}).status_code == 403
        assert client.post(url, {"period": "2025", "purpose": "Chi trả tháng 5"}).status_code == 403
    assert not PersonalDataAccess.objects.filter(what="export").exists()


def test_the_payment_list_is_exported_with_a_signature_column_and_logged(client, setup):
    world = setup
    entitlement = _paid_list(world)
    Membership.objects.filter(user=world.commune_editor).update(may_export_personal_data=True)
    url = reverse("benefits:payments_export", args=[world.commune.pk])
    client.force_login(world.commune_editor)
    assert client.get(url, {"period": "2025"}).status_code == 200
    assert client.post(url, {"period": "2025", "purpose": ""}).status_code == 422
    response = client.post(url, {"period": "2025", "purpose": "Lập danh sách ký nhận tháng 5"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(downloaded(response))).active
    header = [cell.value for cell in sheet[3]]
    with translation.override("vi"):
        assert header[-1] == gettext("Signature")
        assert header[4] == gettext("Citizen ID (CCCD)")
    row = [cell.value for cell in sheet[4]]
    mother = entitlement.birth.mother
    assert row[1] == mother.full_name and row[4] == mother.citizen_id
    assert row[11] == 2_200_000 and row[-1] is None
    log = PersonalDataAccess.objects.get(what="export")
    assert (log.user, log.unit, log.count) == (world.commune_editor, world.commune, 1)
    assert log.purpose == "Lập danh sách ký nhận tháng 5"


def test_the_unit_page_lists_entitlements_and_logs_the_personal_list(client, setup):
    world = setup
    entitlement = _paid_list(world)
    waiting = birth(world.village, D(2025, 6, 1))
    client.force_login(world.district_approver)
    response = client.get(reverse("benefits:unit", args=[world.commune.pk]), {"period": "2025"})
    page = response.content.decode()
    assert f'data-entitlement="{entitlement.pk}"' in page
    assert f'data-birth="{waiting.pk}"' in page  # eligible, awaiting a proposal
    assert PersonalDataAccess.objects.filter(what="list", user=world.district_approver).exists()
    # paid in 2025, so not in 2024's list
    response = client.get(reverse("benefits:unit", args=[world.commune.pk]), {"period": "2024"})
    assert f'data-entitlement="{entitlement.pk}"' not in response.content.decode()
