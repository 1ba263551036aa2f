"""The maternal registry's pages as officers use them: registering a mother and her births,
reading the decision with its reasons, judging again, adding a rule set version, reviewing
possible duplicates, and the personal data each page shows, logs and exports."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from duan8.accounts.models import Membership, Role
from duan8.core import access, versions
from duan8.core.models import AuditEvent
from duan8.maternal.models import (
    Birth,
    Decision,
    DuplicateFlag,
    Mother,
    PersonalDataAccess,
    RuleSet,
)
from tests.maternal_factories import birth, citizen_id, group, mother

D = datetime.date


def _mother_form(world, **overrides):
    data = {
        "unit": world.village.pk,
        "full_name": "Lò Thị Mai",
        "birth_date": "10/05/1998",
        "ethnic_group": "H'Mông",
        "citizen_id": citizen_id(D(1998, 5, 10), 4567),
        "husband_ethnic_group": "mong",
        "household_status": "",
        "phone": "0912345678",
        "notes": "",
    }
    data.update(overrides)
    return data


def _birth_form(world, **overrides):
    data = {
        "date": "15/03/2024",
        "unit": world.village.pk,
        "place": "facility",
        "facility_name": "Trạm y tế xã Mồ Sì San",
        "delivery": "normal",
        "babies": "1",
        "children_before": "1",
        "children_alive": "1",
        "deliveries_before": "1",
        "married": "true",
        "common_children_alive": "",
        "mother_has_earlier_child": "unknown",
        "husband_has_earlier_child": "unknown",
        "child_with_certified_condition": "unknown",
        "covered_by_social_insurance": "unknown",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_an_officer_registers_a_mother_and_a_birth_and_reads_the_reasons(world, client):
    client.force_login(world.commune_editor)
    response = client.post(
        reverse("maternal:mother_create", args=[world.commune.pk]), _mother_form(world)
    )
    assert response.status_code == 302, response.context["form"].errors
    registered = Mother.objects.get()
    assert registered.ethnic_group == group("Mông")  # typed "H'Mông"
    assert registered.husband_ethnic_group == group("Mông")  # typed "mong"
    response = client.post(
        reverse("maternal:birth_create", args=[registered.pk]), _birth_form(world)
    )
    assert response.status_code == 302, response.context["form"].errors
    record = Birth.objects.get()
    page = client.get(response.url).content.decode()
    assert "Trường hợp 1 Điều 1 Nghị định 39/2015/NĐ-CP" in page
    assert "xã khu vực III" in page
    assert 'data-criterion="age"' in page
    assert Decision.objects.get(birth=record).result == "met"
    # From the decision the officer goes on to the support this birth is entitled to.
    support = reverse("benefits:birth", args=[record.pk])
    assert support in page
    assert client.get(support).status_code == 200
    births = client.get(reverse("maternal:births", args=[world.commune.pk])).content.decode()
    assert reverse("benefits:unit", args=[world.commune.pk]) in births


def test_an_ethnic_group_not_in_the_list_is_refused_in_words(world, client):
    client.force_login(world.commune_editor)
    response = client.post(
        reverse("maternal:mother_create", args=[world.commune.pk]),
        _mother_form(world, ethnic_group="Hmoong"),
    )
    assert response.status_code == 200
    assert "không phải một trong 54 dân tộc" in response.content.decode() or (
        "is not one of the 54 ethnic groups" in response.content.decode()
    )
    assert not Mother.objects.exists()


@pytest.mark.parametrize(
    ("cccd", "why"),
    [
        ("01219800456", "12"),  # 11 digits
        ("0121980045xx", "12"),
        ("999198004567", "001"),  # no such province code
        ("012098004567", "1998"),  # the fourth digit of a man born in the 1900s
        ("012199004567", "98"),  # born in 1990 by the card
    ],
)
def test_a_malformed_citizen_id_is_refused(world, client, cccd, why):
    client.force_login(world.commune_editor)
    response = client.post(
        reverse("maternal:mother_create", args=[world.commune.pk]),
        _mother_form(world, citizen_id=cccd),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["citizen_id"]
    assert any(why in str(error) for error in errors), errors
    assert not Mother.objects.exists()


def test_a_mother_lives_in_a_village_the_officer_edits(world, client):
    from tests.factories import unit

    elsewhere = unit("village", "Bản Pa Tần", world.sibling_commune, code="")
    client.force_login(world.commune_editor)
    response = client.post(
        reverse("maternal:mother_create", args=[world.commune.pk]),
        _mother_form(world, unit=elsewhere.pk),
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors


# Personal data -------------------------------------------------------------------------------


def _viewer_of_the_commune(world):
    Membership.objects.create(user=world.sibling_viewer, unit=world.commune, role=Role.VIEWER)
    access.forget(world.sibling_viewer)
    return world.sibling_viewer


def test_viewers_see_the_citizen_id_and_phone_masked_editors_in_clear(world, client):
    record = birth(mother(world.village, citizen_id="012198004567", phone="0912345678"))
    viewer = _viewer_of_the_commune(world)
    for account, shown, hidden in [
        (world.commune_editor, "012198004567", "•••••••••567"),
        (viewer, "•••••••••567", "012198004567"),
    ]:
        client.force_login(account)
        for url in [
            reverse("maternal:births", args=[world.commune.pk]),
            reverse("maternal:mothers", args=[world.commune.pk]),
            reverse("maternal:mother", args=[record.mother_id]),
            reverse("maternal:birth", args=[record.pk]),
        ]:
            page = client.get(url).content.decode()
            assert shown in page, (account, url)
            assert hidden not in page, (account, url)
        detail = client.get(reverse("maternal:mother", args=[record.mother_id])).content.decode()
        assert ("0912345678" in detail) == (account == world.commune_editor)


def test_every_list_and_page_of_persons_is_logged(world, client):
    birth(mother(world.village))
    client.force_login(world.district_approver)
    client.get(reverse("maternal:births", args=[world.commune.pk]))
    client.get(reverse("maternal:mothers", args=[world.commune.pk]))
    entries = list(PersonalDataAccess.objects.order_by("pk"))
    assert [(e.user, e.what, e.count, e.unit) for e in entries] == [
        (world.district_approver, "list", 1, world.commune),
        (world.district_approver, "list", 1, world.commune),
    ]
    client.force_login(world.province_admin)
    log = client.get(reverse("maternal:access_log", args=[world.commune.pk])).content.decode()
    assert "huyen.pheduyet" in log


def test_exporting_the_personal_list_is_refused_without_the_permission(world, client):
    birth(mother(world.village, citizen_id="012198004567"))
    client.force_login(world.province_admin)  # the strongest role, without the permission
    url = reverse("maternal:export", args=[world.commune.pk])
    page = client.get(reverse("maternal:births", args=[world.commune.pk])).content.decode()
    assert 'data-testid="export-form"' not in page
    response = client.post(url, {"purpose": "Lập danh sách chi trả quý 1"})
    assert response.status_code == 403
    assert not PersonalDataAccess.objects.filter(what="export").exists()


def test_an_allowed_export_is_logged_with_its_purpose_and_holds_the_data(world, client):
    from openpyxl import load_workbook

    from duan8.maternal import eligibility

    eligibility.decide(birth(mother(world.village, citizen_id="012198004567")))
    Membership.objects.filter(user=world.commune_editor).update(may_export_personal_data=True)
    client.force_login(world.commune_editor)
    url = reverse("maternal:export", args=[world.commune.pk])
    refused = client.post(url, {"purpose": ""})
    assert refused.status_code == 302
    assert not PersonalDataAccess.objects.filter(what="export").exists()
    response = client.post(url, {"purpose": "Lập danh sách chi trả quý 1"})
    assert response.status_code == 200
    import io

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][4] == "Số CCCD"
    assert rows[1][4] == "012198004567"
    assert rows[1][-1] in ("met", "đạt")
    entry = PersonalDataAccess.objects.get(what="export")
    assert (entry.user, entry.purpose, entry.count) == (
        world.commune_editor,
        "Lập danh sách chi trả quý 1",
        1,
    )


def test_the_audit_trail_keeps_no_citizen_id_or_phone_in_clear(world):
    record = mother(world.village, citizen_id="012198004567", phone="0912345678")
    record.phone = "0987654321"
    record.save()
    events = AuditEvent.objects.for_object(record)
    text = " ".join(str(e.before) + str(e.after) for e in events)
    for secret in ("012198004567", "0912345678", "0987654321"):
        assert secret not in text
    assert "phone" in events.newest_first().first().after  # a change still shows


# Judging again and rule sets -----------------------------------------------------------------


def test_only_approvers_judge_a_birth_again_and_both_decisions_stay(world, client):
    from duan8.maternal import eligibility

    record = birth(mother(world.village))
    eligibility.decide(record)
    url = reverse("maternal:birth_decide", args=[record.pk])
    client.force_login(world.commune_editor)
    assert client.post(url, {"reason": "Kiểm tra lại"}).status_code == 403
    client.force_login(world.district_approver)
    assert client.post(url, {"reason": "Kiểm tra lại"}).status_code == 302
    assert record.decisions.count() == 2
    page = client.get(reverse("maternal:birth", args=[record.pk])).content.decode()
    assert 'data-testid="earlier-decisions"' in page
    assert "Kiểm tra lại" in page


def test_an_administrator_adds_a_rule_set_from_a_date(world, client):
    from duan8.maternal import eligibility

    third = birth(
        mother(world.village),
        date=D(2025, 6, 10),
        children_before=2,
        children_alive=2,
        deliveries_before=2,
        common_children_alive=2,
        mother_has_earlier_child=False,
        husband_has_earlier_child=False,
        child_with_certified_condition=False,
    )
    first = eligibility.decide(third)
    assert first.result == "not_met"
    client.force_login(world.commune_editor)
    assert client.get(reverse("maternal:rule_set_create")).status_code == 403
    client.force_login(world.national_admin)
    data = {
        "scope": "",
        "name": "Bỏ giới hạn số con",
        "legal_basis": "Pháp lệnh sửa đổi Điều 10 Pháp lệnh Dân số (03/6/2025)",
        "valid_from": "03/06/2025",
        "min_age": "18",
        "requires_facility_birth": "on",
        "population_policy": "no_limit",
        "notes": "",
    }
    response = client.post(reverse("maternal:rule_set_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert RuleSet.objects.get(valid_from=D(2022, 7, 28)).valid_until == D(2025, 6, 3)
    first.refresh_from_db()
    assert first.result == "not_met"  # never changed
    page = client.get(reverse("maternal:birth", args=[third.pk])).content.decode()
    assert 'data-testid="newer-rules"' in page


def test_a_province_administrator_adds_rules_for_her_province_only(world, client):
    client.force_login(world.province_admin)
    form = client.get(reverse("maternal:rule_set_create")).context["form"]
    assert list(form.fields["scope"].queryset) == [world.province]
    response = client.post(
        reverse("maternal:rule_set_create"),
        {
            "scope": "",
            "name": "X",
            "legal_basis": "Y",
            "valid_from": "01/01/2026",
            "min_age": "18",
            "population_policy": "decree_39",
        },
    )
    assert response.status_code == 200
    assert "scope" in response.context["form"].errors


# Duplicates ----------------------------------------------------------------------------------


def test_the_same_citizen_id_is_flagged_on_the_list_the_page_and_the_review(world, client):
    from duan8.maternal import actions

    first = mother(world.village, citizen_id="012198004567")
    second = mother(world.village, full_name="Lò Thị Mây", citizen_id="012198004567")
    actions.save_mother(second)
    flag = DuplicateFlag.objects.get()
    assert (flag.kind, flag.mother, flag.other_mother) == ("citizen_id", second, first)
    assert Mother.objects.count() == 2  # never merged
    client.force_login(world.commune_editor)
    listed = client.get(reverse("maternal:mothers", args=[world.commune.pk])).content.decode()
    assert listed.count('data-testid="flagged"') == 2
    page = client.get(reverse("maternal:mother", args=[first.pk])).content.decode()
    assert 'data-testid="duplicate-flags"' in page
    review = client.get(reverse("maternal:duplicates", args=[world.commune.pk]))
    assert list(review.context["flags"]) == [flag]
    response = client.post(
        reverse("maternal:duplicate_review", args=[flag.pk]),
        {"state": "different", "note": "Hai người khác nhau, số CCCD ghi sai"},
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.state == "different" and flag.reviewed_by == world.commune_editor
    review = client.get(reverse("maternal:duplicates", args=[world.commune.pk]))
    assert list(review.context["flags"]) == []


def test_a_review_made_on_a_page_opened_before_another_officers_review_is_not_saved(world, client):
    """Two officers open the duplicates page; the first finds the records different, the
    second, on the page still showing "to review", must not silently overwrite that."""
    from django.contrib.messages import get_messages

    from duan8.maternal import actions

    mother(world.village, citizen_id="012198004567")
    actions.save_mother(mother(world.village, full_name="Lò Thị Mây", citizen_id="012198004567"))
    flag = DuplicateFlag.objects.get()
    first, second = Client(), Client()
    first.force_login(world.commune_editor)
    second.force_login(world.province_admin)
    url = reverse("maternal:duplicates", args=[world.commune.pk])
    version = versions.of(flag)
    hidden = f'name="version" value="{version}"'
    assert hidden in first.get(url).content.decode()  # the form carries what the page shows
    page = reverse("maternal:mother", args=[flag.mother_id])
    assert hidden in second.get(page).content.decode()
    opened = [version, version]
    review = reverse("maternal:duplicate_review", args=[flag.pk])
    first.post(review, {"state": "different", "note": "Khác người", "version": opened[0]})
    late = second.post(review, {"state": "same", "note": "Trùng", "version": opened[1]})
    assert late.status_code == 302
    said = [str(m) for m in get_messages(late.wsgi_request)]
    assert any("xa.nhaplieu" in m and "Khác người" in m for m in said), said
    flag.refresh_from_db()
    assert (flag.state, flag.note, flag.reviewed_by) == (
        "different",
        "Khác người",
        world.commune_editor,
    )
    reopened = second.get(url + "?state=all").context["flags"][0]
    again = second.post(
        review, {"state": "same", "note": "Trùng", "version": reopened.audit_version}
    )
    assert again.status_code == 302
    flag.refresh_from_db()
    assert (flag.state, flag.reviewed_by) == ("same", world.province_admin)


def test_the_same_name_date_of_birth_and_village_is_flagged(world):
    from duan8.maternal import actions

    first = mother(world.village, full_name="Lò Thị Mai", citizen_id="")
    second = actions.save_mother(
        Mother(
            unit=world.village,
            full_name="lo thi  mai",
            birth_date=first.birth_date,
            ethnic_group=group("Mông"),
        )
    )
    flag = DuplicateFlag.objects.get()
    assert (flag.kind, flag.mother, flag.other_mother) == ("same_person", second, first)


@pytest.mark.parametrize(
    ("second_day", "flagged"),
    [(D(2024, 9, 14), True), (D(2024, 9, 15), False), (D(2024, 3, 20), True)],
)
def test_two_births_less_than_six_months_apart_are_flagged(world, second_day, flagged):
    from duan8.maternal import actions

    record = mother(world.village)
    actions.save_birth(
        Birth(
            mother=record,
            unit=world.village,
            date=D(2024, 3, 15),
            place="facility",
            facility_name="TYT",
            delivery="normal",
        )
    )
    actions.save_birth(
        Birth(
            mother=record,
            unit=world.village,
            date=second_day,
            place="home",
            delivery="normal",
        )
    )
    assert DuplicateFlag.objects.filter(kind="close_births").exists() == flagged
    assert Birth.objects.count() == 2


def test_changing_a_mother_judges_her_births_again(world, client):
    from duan8.maternal import eligibility

    record = birth(mother(world.village, birth_date=D(2006, 5, 10)), date=D(2024, 3, 15))
    assert eligibility.decide(record).result == "not_met"  # 17 years old
    client.force_login(world.commune_editor)
    url = reverse("maternal:mother_edit", args=[record.mother_id])
    form = client.get(url).context["form"]
    data = {
        **{k: v for k, v in form.initial.items() if v is not None},
        "unit": world.village.pk,
        "birth_date": "10/05/2005",
        "ethnic_group": "Mông",
        "husband_ethnic_group": "Mông",
        "citizen_id": citizen_id(D(2005, 5, 10), 77),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    latest = record.decisions.first()
    assert latest.result == "met" and latest.reason_for_rerun == "Thông tin bà mẹ đã được sửa"
    assert record.decisions.count() == 2
