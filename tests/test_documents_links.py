"""An issued document and the records it decided lead to each other on the pages: a target
(the targets page, the allocation grid, the indicator page), a budget line (the funds page),
a report submission and a trainer appointment (the trainers page, a training's page) show
"Văn bản: 32/TB-BTV ngày 28/06/2024" linked to the document, to the readers who may open it
only. Also: the writing page proposes the current period, issuing asks for a confirmation,
and a report leaves out the progress of units below that have no target."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duan8.accounts.models import Role
from duan8.documents import actions, word
from duan8.documents.models import Kind, Letterhead, OfficialDocument
from duan8.finance import actions as finance_actions
from duan8.finance.models import BudgetLine, FundSource
from duan8.framework import allocation, defaults, periods
from duan8.framework.actions import set_target
from duan8.reporting import cycle
from tests.factories import World, user

H2 = periods.parse("2024-H2")
YEAR = periods.parse("2024")
DAY = datetime.date(2024, 6, 28)
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def lai_chau(world: World):
    """The province with its letterhead, dialogues allocated for 2024-H2 to its two
    districts (Phong Thổ 41, Sìn Hồ 30)."""
    world.phase = defaults.load()
    Letterhead.objects.create(
        unit=world.province,
        issuing_body="BAN THƯỜNG VỤ",
        name_in_text="Ban Thường vụ Hội LHPN tỉnh Lai Châu",
        issuer_code="BTV",
        place="Lai Châu",
        signer_name="Khoàng Thị Thanh Nga",
    )
    dialogues = world.phase.indicators().get(code="DTCS")
    set_target(dialogues, world.province, H2, Decimal(71))
    allocation.save(
        world.province,
        world.phase,
        H2,
        {
            (world.district.pk, dialogues.pk): Decimal(41),
            (world.sibling_district.pk, dialogues.pk): Decimal(30),
        },
    )
    world.dialogues = dialogues
    return world


def issued_notice(world) -> OfficialDocument:
    admin = world.province_admin
    draft = actions.generate(admin, Kind.NOTICE, world.province, period=H2, today=DAY)
    return actions.issue(admin, draft, number=32)


def document_href(document) -> str:
    return f'href="{reverse("documents:document", args=[document.pk])}"'


def page(client, user, name, *args, **query):
    client.force_login(user)
    return client.get(reverse(name, args=args), query)


def shows_link(response, document) -> bool:
    assert response.status_code == 200
    html = response.content.decode()
    return document_href(document) in html and f"{document.number_text} " in html


def targets_page(client, world, user, unit):
    return page(client, user, "framework:targets", unit.pk, phase=world.phase.pk, period=H2.code)


# Targets ------------------------------------------------------------------------------------------


def test_an_allocated_target_shows_the_notice_that_allocated_it(lai_chau, client):
    notice = issued_notice(lai_chau)
    response = targets_page(client, lai_chau, lai_chau.province_admin, lai_chau.district)
    assert shows_link(response, notice)
    assert 'data-testid="official-document"' in response.content.decode()


def test_the_allocation_grid_shows_the_notice_of_its_targets(lai_chau, client):
    notice = issued_notice(lai_chau)
    response = page(
        client,
        lai_chau.province_admin,
        "framework:allocate",
        lai_chau.province.pk,
        phase=lai_chau.phase.pk,
        period=H2.code,
    )
    assert shows_link(response, notice)
    assert response.content.decode().count(document_href(notice)) == 1


def test_the_indicator_page_shows_the_notice_of_each_target(lai_chau, client):
    notice = issued_notice(lai_chau)
    response = page(client, lai_chau.national_admin, "framework:indicator", lai_chau.dialogues.pk)
    assert response.content.decode().count(document_href(notice)) == 3


def test_a_district_officer_sees_her_target_but_not_the_provinces_notice(lai_chau, client):
    notice = issued_notice(lai_chau)
    response = targets_page(client, lai_chau, lai_chau.district_approver, lai_chau.district)
    assert 'data-testid="target-DTCS">41' in response.content.decode()
    assert not shows_link(response, notice)
    # Nor on the indicator page, which lists the targets she may see.
    indicator = page(
        client, lai_chau.district_approver, "framework:indicator", lai_chau.dialogues.pk
    )
    assert document_href(notice) not in indicator.content.decode()


def test_a_viewer_of_the_sibling_district_does_not_see_the_notice(lai_chau, client):
    notice = issued_notice(lai_chau)
    response = targets_page(client, lai_chau, lai_chau.sibling_viewer, lai_chau.sibling_district)
    assert 'data-testid="target-DTCS">30' in response.content.decode()
    assert not shows_link(response, notice)


def test_an_outsider_does_not_reach_the_target_nor_its_notice(lai_chau, client):
    issued_notice(lai_chau)
    assert targets_page(client, lai_chau, lai_chau.outsider, lai_chau.district).status_code == 404


def test_a_draft_is_never_shown_as_a_records_document(lai_chau, client):
    draft = actions.generate(lai_chau.province_admin, Kind.NOTICE, lai_chau.province, period=H2)
    response = targets_page(client, lai_chau, lai_chau.province_admin, lai_chau.district)
    assert document_href(draft) not in response.content.decode()


# Budget lines -------------------------------------------------------------------------------------


def budget_line(unit, amount=100_000_000, source=FundSource.CENTRAL) -> BudgetLine:
    return finance_actions.save_line(
        BudgetLine(unit=unit, fiscal_year=2024, source=source, original_amount=amount)
    )


def issued_plan(world) -> OfficialDocument:
    admin = world.province_admin
    draft = actions.generate(admin, Kind.PLAN, world.province, period=YEAR, today=DAY)
    return actions.issue(admin, draft, number=71)


def test_a_budget_line_shows_the_plan_that_set_it_out(lai_chau, client):
    line = budget_line(lai_chau.province)
    plan = issued_plan(lai_chau)
    line.refresh_from_db()
    assert line.official_document == plan
    response = page(
        client, lai_chau.province_admin, "finance:unit", lai_chau.province.pk, year=2024
    )
    assert shows_link(response, plan)
    # "Văn bản: 71/KH-BTV ngày 28/06/2024": the number and the date in the link.
    assert re.search(
        r'data-testid="official-document">[^<]*71/KH-BTV [^<]*28/06/2024</a>',
        response.content.decode(),
    )


def test_the_funds_page_reads_the_lines_documents_without_a_query_each(lai_chau, client):
    plan = issued_plan(lai_chau)
    lines = [
        budget_line(lai_chau.province, source=source)
        for source in (FundSource.CENTRAL, FundSource.LOCAL, FundSource.OTHER)
    ]
    client.force_login(lai_chau.province_admin)
    url = reverse("finance:unit", args=[lai_chau.province.pk])
    client.get(url, {"year": 2024})  # caches warmed
    with CaptureQueriesContext(connection) as unlinked:
        client.get(url, {"year": 2024})
    BudgetLine.objects.filter(pk__in=[line.pk for line in lines]).update(official_document=plan)
    with CaptureQueriesContext(connection) as linked:
        response = client.get(url, {"year": 2024})
    assert response.content.decode().count('data-testid="official-document"') == 3
    assert len(linked) == len(unlinked)


def test_an_outsider_does_not_reach_the_line_nor_its_plan(lai_chau, client):
    budget_line(lai_chau.province)
    issued_plan(lai_chau)
    response = page(client, lai_chau.outsider, "finance:unit", lai_chau.province.pk, year=2024)
    assert response.status_code == 404


# Report submissions -------------------------------------------------------------------------------


def issued_report(world) -> OfficialDocument:
    cycle.submit(world.commune_editor, world.commune, YEAR)
    editor = world.commune_editor
    draft = actions.generate(editor, Kind.REPORT, world.commune, period=YEAR, today=DAY)
    return actions.issue(editor, draft)


def test_a_report_submission_shows_the_issued_report(lai_chau, client):
    report = issued_report(lai_chau)
    for reader in (lai_chau.commune_editor, lai_chau.district_approver):
        response = page(client, reader, "reporting:submission", lai_chau.commune.pk, "2024")
        assert shows_link(response, report)


def test_an_outsider_does_not_reach_the_submission_nor_its_report(lai_chau, client):
    issued_report(lai_chau)
    for reader in (lai_chau.sibling_viewer, lai_chau.outsider):
        response = page(client, reader, "reporting:submission", lai_chau.commune.pk, "2024")
        assert response.status_code == 404


# Trainer appointments -----------------------------------------------------------------------------


def issued_decision(world) -> OfficialDocument:
    from duan8.activities.models import Activity, TrainerAppointment

    appointment = TrainerAppointment(
        unit=world.province, number="tạm", date=datetime.date(2024, 8, 1), signer="X"
    )
    appointment.save()
    appointment.trainers.add(world.trainer)
    Activity.objects.filter(pk=world.dialogue.pk).update(appointment=appointment)
    admin = world.province_admin
    draft = actions.generate(
        admin, Kind.DECISION, world.province, appointment=appointment, today=DAY
    )
    return actions.issue(admin, draft)


def test_an_appointment_shows_its_decision(lai_chau, client):
    decision = issued_decision(lai_chau)
    response = page(client, lai_chau.province_admin, "activities:trainers", lai_chau.province.pk)
    assert shows_link(response, decision)
    training = page(client, lai_chau.province_admin, "activities:detail", lai_chau.dialogue.pk)
    assert shows_link(training, decision)


def test_a_commune_officer_sees_the_training_but_not_the_provinces_decision(lai_chau, client):
    decision = issued_decision(lai_chau)
    training = page(client, lai_chau.commune_editor, "activities:detail", lai_chau.dialogue.pk)
    assert decision.number_text in training.content.decode()  # the appointment's own number
    assert not shows_link(training, decision)
    trainers = page(client, lai_chau.commune_editor, "activities:trainers", lai_chau.province.pk)
    assert trainers.status_code == 404


def test_an_outsider_does_not_reach_the_appointment_nor_its_decision(lai_chau, client):
    issued_decision(lai_chau)
    response = page(client, lai_chau.outsider, "activities:trainers", lai_chau.province.pk)
    assert response.status_code == 404


# The document's page leads back -------------------------------------------------------------------


def test_the_notice_leads_to_the_targets_it_allocated(lai_chau, client):
    notice = issued_notice(lai_chau)
    response = page(client, lai_chau.province_admin, "documents:document", notice.pk)
    targets = reverse("framework:targets", args=[lai_chau.district.pk])
    assert f"{targets}?phase={lai_chau.phase.pk}&amp;period=2024-H2" in response.content.decode()


# The writing page proposes the current period -----------------------------------------------------


def today_is(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9), HANOI), tick=False)


def proposed_period(client, world, **query) -> str:
    response = page(client, world.province_admin, "documents:generate", world.province.pk, **query)
    return response.context["form"]["period"].value()


def test_the_writing_page_proposes_the_period_the_units_pages_open_on(lai_chau, client):
    from duan8.analytics import dashboard

    with today_is(datetime.date(2024, 9, 15)):
        working = dashboard.working_period(lai_chau.phase, lai_chau.province)
        assert working == H2
        assert proposed_period(client, lai_chau) == "2024-H2"
        assert proposed_period(client, lai_chau, kind="notice") == "2024-H2"
        # A plan covers the year of that period; a decision has no period.
        assert proposed_period(client, lai_chau, kind="plan") == "2024"
        assert proposed_period(client, lai_chau, kind="decision") in ("", None)


def test_a_period_asked_for_is_kept(lai_chau, client):
    with today_is(datetime.date(2024, 9, 15)):
        assert proposed_period(client, lai_chau, kind="report", period="2024-H1") == "2024-H1"


def test_the_proposed_period_writes_a_draft(lai_chau, client):
    with today_is(datetime.date(2024, 9, 15)):
        period = proposed_period(client, lai_chau, kind="report")
        response = client.post(
            reverse("documents:generate", args=[lai_chau.province.pk]),
            {"kind": "report", "period": period},
        )
    assert response.status_code == 302
    assert OfficialDocument.objects.get().period_code == "2024-H2"


# Issuing asks for a confirmation ------------------------------------------------------------------


def test_the_issue_button_leads_to_a_confirmation_that_issues_nothing(lai_chau, client):
    draft = actions.generate(lai_chau.province_admin, Kind.NOTICE, lai_chau.province, period=H2)
    response = page(client, lai_chau.province_admin, "documents:issue", draft.pk, number="")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="number-to-give">01/TB-BTV' in html
    assert html.count(reverse("framework:targets", args=[lai_chau.district.pk])) == 1
    assert 'data-testid="confirm-issue"' in html
    draft.refresh_from_db()
    assert not draft.is_issued
    # The confirmation posts the number it showed.
    confirmed = client.post(reverse("documents:issue", args=[draft.pk]), {"number": "1"})
    assert confirmed.status_code == 302
    draft.refresh_from_db()
    assert draft.number_text == "01/TB-BTV"


def test_the_confirmation_shows_a_typed_number(lai_chau, client):
    draft = actions.generate(lai_chau.province_admin, Kind.NOTICE, lai_chau.province, period=H2)
    response = page(client, lai_chau.province_admin, "documents:issue", draft.pk, number="32")
    assert 'data-testid="number-to-give">32/TB-BTV' in response.content.decode()


def test_a_taken_number_is_refused_before_the_confirmation(lai_chau, client):
    issued_notice(lai_chau)
    draft = actions.generate(
        lai_chau.province_admin, Kind.NOTICE, lai_chau.province, period=H2, today=DAY
    )
    response = page(client, lai_chau.province_admin, "documents:issue", draft.pk, number="32")
    assert response.status_code == 302
    assert response.url == reverse("documents:document", args=[draft.pk])


def test_a_number_taken_after_the_confirmation_was_shown_is_refused(lai_chau, client):
    admin = lai_chau.province_admin
    draft = actions.generate(admin, Kind.NOTICE, lai_chau.province, period=H2, today=DAY)
    page(client, admin, "documents:issue", draft.pk, number="")  # shows 01
    other = actions.generate(admin, Kind.NOTICE, lai_chau.province, period=H2, today=DAY)
    actions.issue(admin, other)  # takes 01 meanwhile
    client.post(reverse("documents:issue", args=[draft.pk]), {"number": "1"})
    draft.refresh_from_db()
    assert not draft.is_issued


def test_an_issued_document_has_no_confirmation(lai_chau, client):
    notice = issued_notice(lai_chau)
    response = page(client, lai_chau.province_admin, "documents:issue", notice.pk)
    assert response.status_code == 302


def test_a_viewer_gets_no_confirmation(lai_chau, client):
    draft = actions.generate(lai_chau.province_admin, Kind.NOTICE, lai_chau.province, period=H2)
    viewer = user("tinh.xem", role=Role.VIEWER, on=lai_chau.province)
    assert page(client, viewer, "documents:issue", draft.pk).status_code == 403
    assert page(client, lai_chau.outsider, "documents:issue", draft.pk).status_code == 404


# A report leaves out units below without targets --------------------------------------------------


def report_text(world, unit) -> str:
    draft = actions.generate(world.commune_editor, Kind.REPORT, unit, period=H2)
    return word.text_of(actions.render(draft))


def test_a_communes_report_leaves_out_its_villages_without_targets(lai_chau):
    set_target(lai_chau.dialogues, lai_chau.commune, H2, Decimal(2))
    text = report_text(lai_chau, lai_chau.commune)
    assert "Tiến độ của các đơn vị trực thuộc" not in text
    assert "Chưa có chỉ tiêu" not in text
    assert "Các đơn vị trực thuộc chưa được giao chỉ tiêu nên chưa đánh giá tiến độ." in text
    assert "2. Kinh phí" in text


def test_a_report_lists_the_units_below_when_one_has_a_target(lai_chau):
    text = report_text(lai_chau, lai_chau.district)
    assert "Tiến độ của các đơn vị trực thuộc" not in text  # its communes have none
    set_target(lai_chau.dialogues, lai_chau.commune, H2, Decimal(2))
    text = report_text(lai_chau, lai_chau.district)
    assert "2. Tiến độ của các đơn vị trực thuộc" in text
    assert "3. Kinh phí" in text
