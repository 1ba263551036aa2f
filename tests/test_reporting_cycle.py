"""The reporting cycle as officers live it: periods, deadlines from the calendar, a report
submitted, returned, fixed, approved and reopened, the lock an approval puts on a period, and
completeness counted against the units that existed in the period."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from duan8.community import actions as community_actions
from duan8.community.models import CommunityModel
from duan8.core import sheets, versions
from duan8.framework import periods
from duan8.reporting import cycle
from duan8.reporting import defaults as reporting_defaults
from duan8.reporting.models import Regime, Step, Submission
from tests.factories import ReformWorld, token, xlsx

YEAR_2024 = periods.parse("2024")


# Periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind", "start", "end", "label"),
    [
        ("2024-05", "month", (2024, 5, 1), (2024, 6, 1), "Tháng 5/2024"),
        ("2024-Q2", "quarter", (2024, 4, 1), (2024, 7, 1), "Quý II/2024"),
        ("2024-H1", "half", (2024, 1, 1), (2024, 7, 1), "6 tháng đầu năm 2024"),
        ("2024-H2", "half", (2024, 7, 1), (2025, 1, 1), "6 tháng cuối năm 2024"),
        ("2024", "year", (2024, 1, 1), (2025, 1, 1), "Năm 2024"),
        ("2021-2025", "phase", (2021, 1, 1), (2026, 1, 1), "Giai đoạn 2021–2025"),
    ],
)
def test_every_period_of_the_field_reads_and_writes_its_code(code, kind, start, end, label):
    from django.utils import translation

    period = periods.parse(code)
    assert (period.kind, period.start, period.end) == (
        kind,
        datetime.date(*start),
        datetime.date(*end),
    )
    assert period.code == code
    with translation.override("vi"):
        assert period.label == label


def test_periods_split_and_step_back_across_years():
    assert [p.code for p in YEAR_2024.parts("quarter")] == [
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
    ]
    assert periods.parse("2024-Q1").previous().code == "2023-Q4"
    assert periods.parse("2024-01").previous().code == "2023-12"
    assert periods.parse("2024-H1").previous().code == "2023-H2"
    assert YEAR_2024.contains(periods.parse("2024-H2"))
    assert not periods.parse("2024-H1").contains(periods.parse("2024-Q3"))
    assert YEAR_2024.elapsed_share(datetime.date(2024, 7, 1)) == pytest.approx(183 / 366)
    for bad in ("2024-13", "2024-Q5", "2024-H3", "2025-2021", "24"):
        with pytest.raises(ValueError):
            periods.parse(bad)


def test_a_span_is_made_of_its_whole_years_then_the_half_or_quarter_that_ends_it():
    codes = lambda p: [piece.code for piece in p.pieces()]  # noqa: E731
    assert codes(periods.parse("2021-2024-H1")) == ["2021", "2022", "2023", "2024-H1"]
    assert codes(periods.parse("2021-2025")) == ["2021", "2022", "2023", "2024", "2025"]
    mid_year = periods.Period("phase", datetime.date(2021, 7, 1), datetime.date(2023, 5, 1))
    assert codes(mid_year) == ["2021-H2", "2022", "2023-Q1", "2023-04"]
    odd = periods.Period("phase", datetime.date(2021, 7, 15), datetime.date(2023, 1, 1))
    assert odd.pieces() is None


# The calendar ------------------------------------------------------------------------------


@pytest.fixture
def reform(db):
    place = ReformWorld()
    reporting_defaults.load()
    return place


def test_the_default_calendar_gives_each_level_its_deadlines_before_and_after_the_reform(reform):
    commune_2024 = cycle.regime_of(reform.mu_sang, YEAR_2024)
    assert (commune_2024.reports_to, commune_2024.deadline(YEAR_2024)) == (
        "district",
        datetime.date(2025, 1, 25),
    )
    assert commune_2024.update_deadline(YEAR_2024) == datetime.date(2025, 1, 31)
    h1 = periods.parse("2024-H1")
    assert cycle.regime_of(reform.mu_sang, h1).deadline(h1) == datetime.date(2024, 9, 10)
    # The second half goes into the annual report: no separate six-month report for it.
    assert cycle.regime_of(reform.mu_sang, periods.parse("2024-H2")) is None
    district = cycle.regime_of(reform.phong_tho, YEAR_2024)
    assert (district.deadline(YEAR_2024), district.update_deadline(YEAR_2024)) == (
        datetime.date(2025, 1, 5),
        datetime.date(2025, 1, 25),
    )
    province = cycle.regime_of(reform.lai_chau, periods.parse("2025"))
    assert province.update_deadline(periods.parse("2025")) == datetime.date(2026, 2, 5)
    # Since 1/7/2025 communes report straight to the province; districts report nothing.
    year_2025 = periods.parse("2025")
    assert cycle.regime_of(reform.dao_san, year_2025).reports_to == "province"
    assert cycle.regime_of(reform.phong_tho, year_2025) is None
    assert "01/2022/TT-UBDT" in commune_2024.legal_source
    assert "552/QĐ-BDTTG" in cycle.regime_of(reform.dao_san, year_2025).legal_source


def test_a_province_calendar_overrides_the_national_one_for_its_units_only(reform):
    from tests.factories import unit

    Regime(
        scope=reform.lai_chau,
        level="commune",
        reports_to="province",
        period_kind="year",
        due_months=0,
        due_day=15,
        valid_from=datetime.date(2025, 7, 1),
        legal_source="Công văn của UBND tỉnh Lai Châu",
    ).save()
    other = unit("commune", "Xã Chiềng Sơn", reform.nation, valid_from=datetime.date(2025, 7, 1))
    year = periods.parse("2025")
    assert cycle.regime_of(reform.dao_san, year).deadline(year) == datetime.date(2026, 1, 15)
    assert cycle.regime_of(other, year).deadline(year) == datetime.date(2026, 1, 25)


def test_a_regime_that_reports_downwards_is_refused(reform):
    regime = Regime(
        scope=reform.nation,
        level="province",
        reports_to="commune",
        period_kind="year",
        due_day=10,
        valid_from=datetime.date(2025, 1, 1),
        legal_source="x",
    )
    with pytest.raises(ValidationError) as refused:
        regime.full_clean()
    assert "reports_to" in refused.value.message_dict


# Submissions -------------------------------------------------------------------------------


@pytest.fixture
def cycle_world(world):
    from duan8.framework import defaults

    world.phase = defaults.load()
    reporting_defaults.load()
    return world


def test_a_report_goes_up_is_returned_fixed_and_approved_and_every_step_is_kept(cycle_world):
    w = cycle_world
    first = cycle.submit(w.commune_editor, w.commune, YEAR_2024, "Số liệu cả năm")
    assert first.state == Submission.State.SUBMITTED
    teams = {row["code"]: row for row in first.versions.get().figures}["TTCĐ"]
    assert teams["value"] == "1"  # the team of the village, counted from the registry
    with pytest.raises(PermissionDenied):
        cycle.approve(w.commune_editor, first)  # nobody approves their own report
    with pytest.raises(ValidationError):
        cycle.send_back(w.district_approver, first, "  ")  # a return says what to fix
    cycle.send_back(w.district_approver, first, "Thiếu tổ truyền thông bản Nậm Cầy")
    community_actions.save(
        CommunityModel(
            kind="communication_team",
            unit=w.commune,
            name="Tổ truyền thông bản Nậm Cầy",
            established_on=datetime.date(2024, 3, 2),
        )
    )
    again = cycle.submit(w.commune_editor, w.commune, YEAR_2024, "Đã bổ sung")
    versions = list(again.versions.all())
    assert [v.number for v in versions] == [1, 2]
    changed = [row for row in cycle.compare(*versions) if row["changed"]]
    assert [(r["code"], r["before"], r["after"]) for r in changed] == [("TTCĐ", "1", "2")]
    cycle.approve(w.district_approver, again)
    again.refresh_from_db()
    assert again.state == Submission.State.APPROVED
    assert list(again.steps.values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "approve",
    ]
    from duan8.core.models import AuditEvent

    assert AuditEvent.objects.filter(content_type__model="step").count() == 4


def test_two_approvers_on_the_same_stale_page_one_wins_and_the_other_is_told(cycle_world):
    w = cycle_world
    submission = cycle.submit(w.commune_editor, w.commune, YEAR_2024)
    cycle.approve(w.district_approver, submission, seen_state="submitted")
    with pytest.raises(ValidationError) as told:
        cycle.send_back(w.province_admin, submission, "Sai số liệu", seen_state="submitted")
    assert "thay đổi trong lúc bạn đang xem" in told.value.messages[0]
    submission.refresh_from_db()
    assert submission.state == Submission.State.APPROVED


def approved_2024(w):
    submission = cycle.submit(w.commune_editor, w.commune, YEAR_2024)
    return cycle.approve(w.district_approver, submission)


def test_an_approved_period_locks_its_records_through_the_page(client, cycle_world):
    w = cycle_world
    approved_2024(w)
    client.force_login(w.commune_editor)
    page = client.post(
        reverse("community:create", args=[w.commune.pk]) + "?kind=communication_team",
        {
            "kind": "communication_team",
            "unit": w.village.pk,
            "name": "Tổ mới",
            "established_on": "05/05/2024",
            "members_women": 5,
            "members_men": 0,
        },
    )
    assert page.status_code == 200
    assert "đã được duyệt" in page.content.decode()
    assert not CommunityModel.objects.filter(name="Tổ mới").exists()
    # A record of another year is not locked.
    page = client.post(
        reverse("community:create", args=[w.commune.pk]) + "?kind=communication_team",
        {
            "kind": "communication_team",
            "unit": w.village.pk,
            "name": "Tổ mới",
            "established_on": "05/05/2025",
            "members_women": 5,
            "members_men": 0,
        },
    )
    assert page.status_code == 302


def test_an_approved_period_locks_its_records_through_the_api_and_the_shell(client, cycle_world):
    w = cycle_world
    approved_2024(w)
    response = client.patch(
        reverse("api:activity_update", kwargs={"activity_id": w.dialogue.pk}),
        json.dumps({"participants": 61, "version": versions.of(w.dialogue)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(w.commune_editor)}",
    )
    assert response.status_code in (400, 422)
    assert "đã được duyệt" in json.dumps(response.json(), ensure_ascii=False)
    w.dialogue.refresh_from_db()
    assert w.dialogue.participants == 60
    with pytest.raises(ValidationError):
        w.dialogue.delete()
    # Moving a 2024 record out of the locked year is a change to 2024 too.
    w.dialogue.start_on = w.dialogue.end_on = datetime.date(2025, 8, 20)
    with pytest.raises(ValidationError):
        w.dialogue.save()


def test_an_approved_period_refuses_the_import_rows_dated_in_it(cycle_world):
    w = cycle_world
    approved_2024(w)
    header = [
        "Xã, thôn",
        "Tên",
        "Ngày thành lập",
        "Ngày giải thể",
        "Thành viên nữ",
        "Thành viên nam",
    ]
    rows = [
        ["03553", "Tổ A", "01/02/2025", None, 5, 2],
        ["Xã Mồ Sì San", "Tổ B", "01/02/2024", None, 5, 2],
    ]
    with pytest.raises(sheets.ImportRefused) as refused:
        community_actions.import_rows(
            xlsx([header, *rows]), w.province, "communication_team", datetime.date(2024, 1, 1)
        )
    assert [e.row for e in refused.value.errors] == [3]
    assert "đã được duyệt" in refused.value.errors[0].message
    assert not CommunityModel.objects.filter(name="Tổ A").exists()


def test_a_province_approval_locks_the_communes_below_it(cycle_world):
    w = cycle_world
    province = cycle.submit(w.province_admin, w.province, YEAR_2024)
    cycle.approve(w.national_admin, province)
    w.team.established_on = datetime.date(2024, 2, 1)
    with pytest.raises(ValidationError):
        w.team.full_clean()


def test_reopening_needs_the_approvers_reason_and_unlocks_the_period(cycle_world):
    w = cycle_world
    submission = approved_2024(w)
    with pytest.raises(PermissionDenied):
        cycle.reopen(w.commune_editor, submission, "Em cần sửa")
    with pytest.raises(ValidationError):
        cycle.reopen(w.district_approver, submission, "")
    cycle.reopen(w.district_approver, submission, "Xã báo sai số thành viên")
    submission.refresh_from_db()
    assert submission.state == Submission.State.RETURNED
    step = submission.steps.last()
    assert (step.action, step.comment) == (Step.Action.REOPEN, "Xã báo sai số thành viên")
    w.dialogue.participants = 61
    w.dialogue.save()  # no longer locked


def test_a_typed_figure_of_an_approved_period_is_locked(cycle_world):
    from decimal import Decimal

    from duan8.reporting.models import Figure

    w = cycle_world
    indicator = w.phase.indicators().first()
    figure = Figure(indicator=indicator, unit=w.commune, total=Decimal(3))
    figure.period = periods.parse("2024-H2")
    figure.save()
    approved_2024(w)
    figure.total = Decimal(4)
    with pytest.raises(ValidationError):
        figure.save()


def test_the_submission_page_walks_a_report_up_and_down(client, cycle_world):
    w = cycle_world
    url = reverse("reporting:submission", args=[w.commune.pk, "2024"])
    client.force_login(w.commune_editor)
    page = client.get(url)
    assert page.status_code == 200
    assert "Nộp báo cáo" in page.content.decode()
    client.post(url, {"action": "submit", "comment": "Gửi huyện", "seen_state": "draft"})
    client.force_login(w.district_approver)
    client.post(url, {"action": "return", "comment": "", "seen_state": "submitted"})
    assert Submission.objects.get().state == "submitted"  # no comment: not returned
    client.post(url, {"action": "return", "comment": "Bổ sung", "seen_state": "submitted"})
    assert Submission.objects.get().state == "returned"
    client.force_login(w.commune_editor)
    client.post(url, {"action": "submit", "comment": "Đã bổ sung", "seen_state": "returned"})
    client.force_login(w.district_approver)
    page = client.get(url)
    body = page.content.decode()
    assert "Bổ sung" in body and "Phiên bản 1" in body or "phiên bản 1" in body
    client.post(url, {"action": "approve", "seen_state": "submitted"})
    assert Submission.objects.get().state == "approved"
    # The sibling district's viewer sees nothing of it.
    client.force_login(w.sibling_viewer)
    assert client.get(url).status_code == 404


# Completeness ------------------------------------------------------------------------------


def test_completeness_counts_the_units_of_the_period_across_the_reform(reform):
    today = datetime.date(2026, 2, 10)
    before = cycle.completeness(reform.lai_chau, YEAR_2024, "commune", today)
    assert sorted(row.unit.name for row in before.rows) == ["Xã Ma Ly Pho", "Xã Mù Sang"]
    after = cycle.completeness(reform.lai_chau, periods.parse("2025"), "commune", today)
    assert sorted(row.unit.name for row in after.rows) == [
        "Xã Dào San",
        "Xã Khổng Lào",
        "Xã Phong Thổ",
    ]
    assert {row.timeliness for row in after.rows} == {"overdue"}
    assert after.rows[0].days == 16  # due 25/01/2026, today 10/02/2026
    assert cycle.completeness(reform.lai_chau, YEAR_2024, "district", today).expected == 1
    assert (
        cycle.completeness(reform.lai_chau, periods.parse("2025"), "district", today).expected == 0
    )


def test_completeness_tells_on_time_late_and_days_left(reform, django_user_model):
    from django.utils import timezone

    from tests.factories import user

    officer = user("daosan", role="editor", on=reform.dao_san)
    year = periods.parse("2025")
    on_time = cycle.submit(officer, reform.dao_san, year)
    Submission.objects.filter(pk=on_time.pk).update(
        first_submitted_at=timezone.make_aware(datetime.datetime(2026, 1, 20, 9))
    )
    late_officer = user("khonglao", role="editor", on=reform.khong_lao)
    late = cycle.submit(late_officer, reform.khong_lao, year)
    Submission.objects.filter(pk=late.pk).update(
        first_submitted_at=timezone.make_aware(datetime.datetime(2026, 1, 28, 9))
    )
    found = cycle.completeness(reform.lai_chau, year, "commune", datetime.date(2026, 1, 30))
    by_name = {row.unit.name: row for row in found.rows}
    assert (by_name["Xã Dào San"].timeliness, by_name["Xã Dào San"].days) == ("on_time", 0)
    assert (by_name["Xã Khổng Lào"].timeliness, by_name["Xã Khổng Lào"].days) == ("late", 3)
    assert (by_name["Xã Phong Thổ"].timeliness, by_name["Xã Phong Thổ"].days) == ("overdue", 5)
    early = cycle.completeness(reform.lai_chau, year, "commune", datetime.date(2026, 1, 15))
    assert {r.unit.name: r.days for r in early.rows if r.timeliness == "due"} == {
        "Xã Phong Thổ": 10
    }
    assert (found.expected, found.submitted, found.on_time) == (3, 2, 1)


def test_the_reports_page_lists_the_units_below_with_their_state(client, cycle_world):
    w = cycle_world
    cycle.submit(w.commune_editor, w.commune, YEAR_2024)
    client.force_login(w.district_approver)
    page = client.get(reverse("reporting:cycle"), {"period": "2024"})
    assert page.status_code == 200
    rows = page.context["levels"][0]["completeness"].rows
    assert [(r.unit.name, r.state) for r in rows] == [("Xã Mồ Sì San", "submitted")]
    body = page.content.decode()
    assert "Xã Mồ Sì San" in body and "Xã Pa Tần" not in body


def test_the_api_walks_a_report_up_and_tells_completeness(client, cycle_world):
    w = cycle_world

    def act(user, action, comment="", seen=None):
        return client.post(
            reverse("api:report_act", kwargs={"unit_id": w.commune.pk, "period": "2024"}),
            json.dumps({"action": action, "comment": comment, "seen_state": seen}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token(user)}",
        )

    submitted = act(w.commune_editor, "submit", "Gửi huyện")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert submitted.json()["deadline"] == "2025-01-25"
    refused = act(w.district_approver, "return", "")
    assert refused.status_code == 422
    assert "ghi rõ cần sửa" in json.dumps(refused.json(), ensure_ascii=False)
    assert act(w.district_approver, "return", "Bổ sung").json()["state"] == "returned"
    assert act(w.commune_editor, "submit").json()["state"] == "submitted"
    stale = act(w.province_admin, "approve", seen="returned")
    assert stale.status_code == 422
    approved = act(w.district_approver, "approve", seen="submitted").json()
    assert approved["state"] == "approved"
    assert [s["action"] for s in approved["steps"]] == ["submit", "return", "submit", "approve"]
    assert [v["number"] for v in approved["versions"]] == [1, 2]
    found = client.get(
        reverse("api:completeness"),
        {"unit": w.district.pk, "period": "2024", "level": "commune"},
        HTTP_AUTHORIZATION=f"Bearer {token(w.district_approver)}",
    ).json()
    assert (found["expected"], found["submitted"]) == (1, 1)
    assert found["units"][0]["timeliness"] == "late"  # submitted in 2026 for a 2025 deadline


def test_a_province_administrator_sets_her_provinces_calendar_and_no_other(client, cycle_world):
    w = cycle_world
    client.force_login(w.province_admin)
    row = {
        "level": "commune",
        "reports_to": "province",
        "period_kind": "year",
        "due_months": 0,
        "due_day": 15,
        "valid_from": "01/07/2025",
        "legal_source": "Công văn của Hội LHPN tỉnh Lai Châu",
    }
    refused = client.post(reverse("reporting:regime_add"), {**row, "scope": w.other_province.pk})
    assert refused.status_code == 200 and not Regime.objects.filter(due_day=15).exists()
    refused = client.post(reverse("reporting:regime_add"), {**row, "scope": w.nation.pk})
    assert refused.status_code == 200 and not Regime.objects.filter(due_day=15).exists()
    saved = client.post(reverse("reporting:regime_add"), {**row, "scope": w.province.pk})
    assert saved.status_code == 302
    year = periods.parse("2025")
    assert cycle.regime_of(w.commune, year).deadline(year) == datetime.date(2026, 1, 15)
    assert cycle.regime_of(w.other_commune, year).deadline(year) == datetime.date(2026, 1, 25)
    national = Regime.objects.filter(scope=w.nation).first()
    assert client.get(reverse("reporting:regime", args=[national.pk])).status_code == 403
    page = client.get(reverse("reporting:regimes")).content.decode()
    assert "Công văn của Hội LHPN tỉnh Lai Châu" in page and "01/2022/TT-UBDT" in page


def test_a_report_due_within_a_month_is_on_the_home_page_before_its_period_is_over(cycle_world):
    w = cycle_world
    # 27/12/2026: the 2026 annual report is due on 25/01/2027, 29 days later.
    found = cycle.reminders(w.commune_editor, datetime.date(2026, 12, 27))
    assert ("due", "2026", 29) in {(r.kind, r.period.code, r.days) for r in found}
    # A month earlier it is not yet listed.
    found = cycle.reminders(w.commune_editor, datetime.date(2026, 11, 20))
    assert "2026" not in {r.period.code for r in found if r.kind == "due"}
