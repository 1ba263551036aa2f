"""The page shell: Vietnamese by default, English on request, the unit switcher and crumbs."""

from django.urls import reverse

from duan8.accounts.models import Membership, Role, User


def test_pages_are_in_vietnamese_by_default(client, world):
    client.force_login(world.commune_editor)
    page = client.get(reverse("core:overview")).content.decode()
    assert '<html lang="vi">' in page
    for area in [
        "Tổng quan",
        "Địa bàn",
        "Chỉ tiêu",
        "Mô hình",
        "Hoạt động",
        "Báo cáo",
        "Kinh phí",
        "Hỗ trợ bà mẹ",
        "Danh mục",
    ]:
        assert area in page


def test_the_english_switch_changes_the_language(client, world):
    client.force_login(world.commune_editor)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("core:overview")).content.decode()
    assert '<html lang="en">' in page and "Overview" in page


def test_the_page_fits_a_phone(client, db):
    page = client.get(reverse("accounts:signin")).content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


def test_pages_load_css_and_js_only_from_the_app(client, world):
    client.force_login(world.commune_editor)
    response = client.get(reverse("core:overview"))
    page = response.content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_administration_menu_shows_only_for_administrators(client, world):
    client.force_login(world.commune_editor)
    assert "Quản trị" not in client.get(reverse("core:overview")).content.decode()
    client.force_login(world.province_admin)
    assert "Quản trị" in client.get(reverse("core:overview")).content.decode()


def test_breadcrumbs_run_up_the_tree_to_what_the_user_may_see(client, world):
    client.force_login(world.commune_editor)
    response = client.get(reverse("core:overview"))
    assert response.context["current_unit"] == world.commune
    assert response.context["unit_crumbs"] == [world.commune]
    client.force_login(world.province_admin)
    client.post(reverse("geo:switch"), {"unit": world.commune.pk})
    response = client.get(reverse("core:overview"))
    assert response.context["unit_crumbs"] == [world.province, world.district, world.commune]


def test_the_switcher_finds_units_in_scope_only(client, world):
    client.force_login(world.district_approver)
    response = client.get(reverse("geo:switch"), {"q": "Xã"})
    assert [u.name for u in response.context["units"]] == ["Xã Mồ Sì San"]


def test_switching_to_a_unit_out_of_scope_is_refused_and_keeps_the_current_unit(client, world):
    client.force_login(world.district_approver)
    assert client.post(reverse("geo:switch"), {"unit": world.other_commune.pk}).status_code == 404
    assert client.get(reverse("core:overview")).context["current_unit"] == world.district


def test_the_overview_counts_the_units_below(client, world):
    client.force_login(world.province_admin)
    counts = {row["kind"]: row["n"] for row in client.get("/").context["counts"]}
    assert counts == {"district": 2, "commune": 2, "village": 1}


def test_a_unit_page_shows_codes_validity_and_children(client, world):
    client.force_login(world.province_admin)
    page = client.get(reverse("geo:unit", args=[world.district.pk])).content.decode()
    assert "109" in page and "01/01/2021" in page and "Xã Mồ Sì San" in page


def test_a_province_administrator_creates_an_account_in_her_province(client, world):
    client.force_login(world.province_admin)
    client.post(reverse("geo:switch"), {"unit": world.district.pk})
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "xa.moi",
            "full_name": "Cán bộ mới",
            "email": "",
            "phone": "",
            "password": "mat-khau-ban-dau-8",
            "m-unit": world.commune.pk,
            "m-role": Role.EDITOR,
        },
    )
    assert response.status_code == 302
    account = User.objects.get(username="xa.moi")
    assert account.memberships.get().unit == world.commune


def test_an_account_cannot_be_given_a_role_outside_the_administrators_scope(client, world):
    client.force_login(world.province_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "ngoai.tinh",
            "password": "mat-khau-ban-dau-8",
            "m-unit": world.other_commune.pk,
            "m-role": Role.UNIT_ADMIN,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="ngoai.tinh").exists()


def test_an_administrator_grants_and_removes_a_role(client, world):
    client.force_login(world.province_admin)
    client.post(
        reverse("accounts:membership_add", args=[world.commune_editor.pk]),
        {"m-unit": world.province.pk, "m-role": Role.VIEWER},
    )
    granted = Membership.objects.get(user=world.commune_editor, unit=world.province)
    client.post(reverse("accounts:membership_delete", args=[granted.pk]))
    assert not Membership.objects.filter(pk=granted.pk).exists()


def test_an_administrator_cannot_remove_her_own_role(client, world):
    client.force_login(world.province_admin)
    own = world.province_admin.memberships.get()
    client.post(reverse("accounts:membership_delete", args=[own.pk]))
    assert Membership.objects.filter(pk=own.pk).exists()


def test_the_health_check_answers_without_signing_in(client, db):
    assert client.get(reverse("core:healthz")).json() == {"status": "ok"}


def test_a_unit_whose_units_below_all_ended_offers_them_as_of_their_last_day(client, world):
    from tests.factories import REFORM, unit

    province = unit("province", "Tỉnh Mới", world.nation)
    former = unit("district", "Huyện Cũ", province, valid_until=REFORM)
    client.force_login(world.national_admin)
    today = client.get(reverse("geo:unit", args=[province.pk]))
    assert list(today.context["children"]) == []
    assert "?on=30/06/2025" in today.content.decode()
    then = client.get(reverse("geo:unit", args=[province.pk]), {"on": "30/06/2025"})
    assert list(then.context["children"]) == [former]


def test_a_former_unit_shows_the_units_below_it_as_of_its_last_day(client, world):
    from tests.factories import REFORM, unit

    former = unit("district", "Huyện Cũ", world.province, valid_until=REFORM)
    commune = unit("commune", "Xã Cũ", former, valid_until=REFORM)
    client.force_login(world.province_admin)
    response = client.get(reverse("geo:unit", args=[former.pk]))
    assert response.context["day"].isoformat() == "2025-06-30"
    assert list(response.context["children"]) == [commune]
