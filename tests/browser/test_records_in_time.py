"""The unit list of a record form follows the date the officer types."""

import pytest
from playwright.sync_api import expect

from duan8.geo.models import Succession, UnitKind
from tests.factories import PASSWORD, REFORM, unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_a_date_after_the_reform_swaps_the_merged_commune_for_its_successor(
    page, shot, world
):
    legacy = unit(UnitKind.COMMUNE, "Xã Mù Sang", world.district, valid_until=REFORM)
    new = unit(UnitKind.COMMUNE, "Xã Dào San", world.province, valid_from=REFORM)
    Succession.objects.create(predecessor=legacy, successor=new, effective_on=REFORM)

    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("tinh.quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")

    page.goto(f"{page.base}/units/{world.province.pk}/models/new/?kind=communication_team")
    units = page.locator("#id_unit option")
    page.get_by_label("Ngày thành lập").fill("20/05/2024")
    page.get_by_label("Ngày thành lập").blur()
    expect(units.filter(has_text="Mù Sang")).to_have_count(1)
    assert "Xã Mù Sang (01/01/2021–30/06/2025)" in units.all_inner_texts()
    assert "Xã Dào San" not in units.all_inner_texts()
    shot("1-2024")

    page.get_by_label("Ngày thành lập").fill("15/03/2026")
    page.get_by_label("Ngày thành lập").blur()
    expect(units.filter(has_text="Dào San")).to_have_count(1)
    assert "Xã Dào San" in units.all_inner_texts()
    assert not any("Mù Sang" in label for label in units.all_inner_texts())
    shot("2-2026")
