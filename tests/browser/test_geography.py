"""An officer finds a commune by typing its name without diacritics and reads its lineage."""

import pytest

from duan8.geo.models import Succession
from tests.factories import PASSWORD, REFORM, unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_sin_ho_open_the_unit_and_see_its_lineage(page, shot, world):
    town = unit(
        "commune", "Thị trấn Sìn Hồ", world.sibling_district, code="03478", valid_until=REFORM
    )
    commune = unit("commune", "Xã Sìn Hồ", world.province, code="03478", valid_from=REFORM)
    Succession.objects.create(
        predecessor=town,
        successor=commune,
        effective_on=REFORM,
        legal_basis="Nghị quyết 1670/NQ-UBTVQH15",
    )
    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("tinh.quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")

    page.goto(page.base + "/units/")
    page.get_by_test_id("geo-search").fill("sin ho")
    page.get_by_test_id("geo-search").press("Enter")
    results = page.get_by_test_id("search-results")
    assert "Huyện Sìn Hồ" in results.inner_text()
    shot("1-results")
    results.get_by_role("link", name="Xã Sìn Hồ").click()
    assert page.get_by_test_id("unit-name").inner_text() == "Xã Sìn Hồ"
    lineage = page.get_by_test_id("lineage").inner_text()
    assert "Thị trấn Sìn Hồ" in lineage and "01/07/2025" in lineage
    shot("2-lineage")
