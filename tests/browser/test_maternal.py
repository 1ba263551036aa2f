"""A commune officer registers a mother and her birth, and reads why the birth qualifies —
and, after changing the place of birth to home, why it no longer does."""

import pytest

from duan8.maternal.models import Birth, Mother
from tests.factories import PASSWORD
from tests.maternal_factories import citizen_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_a_mother_and_a_birth_and_read_the_reasons(page, shot, world):
    import datetime

    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("xa.nhaplieu")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")

    page.goto(f"{page.base}/units/{world.commune.pk}/births/")
    page.get_by_test_id("add-mother").click()
    page.locator("#id_unit").select_option(value=str(world.village.pk))
    page.locator("#id_full_name").fill("Lò Thị Mai")
    page.locator("#id_birth_date").fill("10/05/1998")
    page.locator("#id_ethnic_group").fill("H'Mông")
    page.locator("#id_citizen_id").fill(citizen_id(datetime.date(1998, 5, 10), 4567))
    page.locator("#id_husband_ethnic_group").fill("Mông")
    page.locator("#id_phone").fill("0912345678")
    shot("1-mother")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/mothers/*/")
    assert Mother.objects.get().ethnic_group.name == "Mông"

    page.get_by_test_id("add-birth").click()
    page.locator("#id_date").fill("15/03/2024")
    page.locator("#id_date").dispatch_event("change")
    page.wait_for_timeout(300)
    page.locator("#id_unit").select_option(value=str(world.village.pk))
    page.locator("#id_place").select_option(value="facility")
    page.locator("#id_facility_name").fill("Trạm y tế xã Mồ Sì San")
    page.locator("#id_delivery").select_option(value="normal")
    page.locator("#id_children_before").fill("1")
    page.locator("#id_children_alive").fill("1")
    page.locator("#id_deliveries_before").fill("1")
    shot("2-birth")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/births/*/")

    decision = page.get_by_test_id("decision")
    assert "Trường hợp 1 Điều 1 Nghị định 39/2015/NĐ-CP" in decision.inner_text()
    assert "xã khu vực III" in decision.inner_text()
    assert "Không yêu cầu" in decision.locator("[data-criterion='poor_household']").inner_text()
    assert page.get_by_test_id("result").first.get_attribute("class").count("text-bg-success")
    shot("3-decision")

    birth = Birth.objects.get()
    page.goto(f"{page.base}/births/{birth.pk}/edit/")
    page.locator("#id_place").select_option(value="home")
    page.locator("#id_facility_name").fill("")
    page.get_by_test_id("save").click()
    page.wait_for_url(f"**/births/{birth.pk}/")
    latest = page.get_by_test_id("decision").first
    assert "Sinh tại nhà, không tại cơ sở y tế." in latest.inner_text()
    assert page.get_by_test_id("earlier-decisions").is_visible()
    shot("4-judged-again")
