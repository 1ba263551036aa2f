"""A commune officer registers a team and a training, and sees both on the commune page."""

import datetime

import pytest

from duan8.activities.models import TrainerAppointment, TrainerQualification
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_a_team_and_a_training_and_see_them_counted(page, shot, world):
    this_year = datetime.date.today().year
    TrainerQualification.objects.create(
        trainer=world.trainer,
        programme="programme_3",
        completed_on=datetime.date(this_year - 1, 3, 1),
    )
    decision = TrainerAppointment.objects.create(
        unit=world.province,
        number="15/QĐ-HPN",
        date=datetime.date(this_year, 1, 5),
        signer="Chủ tịch",
    )
    decision.trainers.add(world.trainer)

    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("xa.nhaplieu")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")

    page.goto(f"{page.base}/units/{world.commune.pk}/models/new/?kind=communication_team")
    page.get_by_label("Xã hoặc thôn, bản").select_option(label="Xã Mồ Sì San")
    page.get_by_label("Tên", exact=True).fill("Tổ truyền thông cộng đồng xã")
    page.get_by_label("Ngày thành lập").fill(f"10/01/{this_year}")
    page.get_by_label("Thành viên nữ").fill("9")
    page.get_by_label("Thành viên nam").fill("3")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/models/*/")
    shot("1-team")

    page.goto(f"{page.base}/units/{world.commune.pk}/activities/new/?kind=training")
    page.locator("#id_unit").select_option(label="Xã Mồ Sì San")
    page.get_by_label("Tên hoặc chủ đề").fill("Tập huấn lồng ghép giới chương trình 3")
    page.get_by_label("Ngày bắt đầu").fill(f"20/01/{this_year}")
    page.get_by_label("Ngày kết thúc").fill(f"21/01/{this_year}")
    page.get_by_label("Đơn vị tổ chức").fill("Hội LHPN xã")
    page.get_by_label("Số người tham dự", exact=True).fill("35")
    page.get_by_label("Chương trình tập huấn").select_option(value="programme_3")
    page.get_by_label("Quyết định chỉ định giảng viên").select_option(label=str(decision))
    page.get_by_label("Lò Thị Mai").check()
    page.get_by_test_id("save").click()
    page.wait_for_url("**/activities/*/")
    shot("2-training")

    page.goto(f"{page.base}/units/{world.commune.pk}/")
    models = page.get_by_test_id("unit-model-counts").inner_text()
    activities = page.get_by_test_id("unit-activity-counts").inner_text()
    assert "Tổ truyền thông cộng đồng: 2" in models  # the world's team in a village, and this one
    assert "Tập huấn: 1" in activities
    shot("3-commune")
