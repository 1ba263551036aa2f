"""What administrators do on the pages, through the API under the same rules: accounts and
their roles, sign-in blocks, the disbursement checkpoints, the year-end close, drafts deleted
and refreshed, letterheads and the provinces' Word templates. Every write leaves an audit
event, as the page's does."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document as WordDocument

from duan8.accounts.models import ApiToken, Membership, SignInFailure, SignInLift, User
from duan8.core.models import AuditEvent
from duan8.documents import actions as documents
from duan8.documents import templates
from duan8.documents.models import DocumentTemplate, Kind, Letterhead, OfficialDocument
from duan8.finance import actions as finance
from duan8.finance.models import BudgetLine, Checkpoint, Disbursement, FundSource, YearClose
from duan8.framework import defaults
from tests.factories import PASSWORD, token

D = datetime.date
M = 1_000_000
NEW_PASSWORD = "Hoa-ban-Mo-Si-San-2024"


def call(client, account, method, url, data=None, **params):
    """The API as ``account`` (a bearer token), answering in Vietnamese."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(account)}", "HTTP_ACCEPT_LANGUAGE": "vi"}
    if method == "GET":
        return client.get(url, params, **headers)
    body = "" if data is None else json.dumps(data)
    return client.generic(method, url, body, content_type="application/json", **headers)


def events(model, pk) -> list[str]:
    return [
        event.action
        for event in AuditEvent.objects.filter(
            content_type__model=model._meta.model_name, object_id=str(pk)
        ).order_by("pk")
    ]


def no_secrets(answer) -> None:
    text = answer.content.decode()
    assert "password" not in text.lower().replace("mật khẩu", "")
    assert "pbkdf2" not in text and "md5$" not in text and "argon2" not in text


def sign_in(username: str, password: str) -> int:
    browser = Client(REMOTE_ADDR="198.51.100.7")
    response = browser.post(
        reverse("accounts:signin"), {"username": username, "password": password}
    )
    return response.status_code


# Accounts and roles --------------------------------------------------------------------------


def test_a_province_admin_creates_an_account_with_a_role_in_her_province(client, world):
    answer = call(
        client,
        world.province_admin,
        "POST",
        reverse("api:user_create"),
        {
            "username": "mosisan.hoa",
            "full_name": "Lò Thị Hoa",
            "password": NEW_PASSWORD,
            "membership": {"unit": world.commune.pk, "role": "editor"},
        },
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert [(m["unit_id"], m["role"]) for m in body["memberships"]] == [
        (world.commune.pk, "editor")
    ]
    no_secrets(answer)
    created = User.objects.get(username="mosisan.hoa")
    assert created.check_password(NEW_PASSWORD)
    assert sign_in("mosisan.hoa", NEW_PASSWORD) == 302
    assert events(User, created.pk) == ["create"]
    assert events(Membership, created.memberships.get().pk) == ["create"]
    # She is among the accounts the province's administrator manages, not the outsider's.
    listed = call(client, world.province_admin, "GET", reverse("api:users"), q="hoa")
    assert [u["username"] for u in listed.json()["items"]] == ["mosisan.hoa"]
    no_secrets(listed)


def test_a_role_in_another_province_or_a_weak_password_is_refused_and_nothing_stored(client, world):
    body = {
        "username": "chiengson.lan",
        "password": NEW_PASSWORD,
        "membership": {"unit": world.other_commune.pk, "role": "editor"},
    }
    refused = call(client, world.province_admin, "POST", reverse("api:user_create"), body)
    assert refused.status_code == 422
    assert "membership.unit" in refused.json()["errors"]
    weak = {**body, "password": "123", "membership": {"unit": world.commune.pk, "role": "viewer"}}
    refused = call(client, world.province_admin, "POST", reverse("api:user_create"), weak)
    assert refused.status_code == 422
    assert "password" in refused.json()["errors"]
    assert "123" not in refused.content.decode()
    assert not User.objects.filter(username="chiengson.lan").exists()


def test_only_administrators_list_accounts_and_only_those_they_manage(client, world):
    for officer in (world.commune_editor, world.district_approver, world.sibling_viewer):
        assert call(client, officer, "GET", reverse("api:users")).status_code == 403
    listed = call(client, world.province_admin, "GET", reverse("api:users"))
    names = {u["username"] for u in listed.json()["items"]}
    assert {"xa.nhaplieu", "huyen.pheduyet", "sinho.xem"} <= names
    assert not names & {"sonla.xem", "tw.quantri"}
    first = call(client, world.province_admin, "GET", reverse("api:users"), limit=1).json()
    rest = call(
        client, world.province_admin, "GET", reverse("api:users"), cursor=first["next_cursor"]
    ).json()
    assert [u["username"] for u in first["items"] + rest["items"]] == sorted(names)
    outsider = reverse("api:user", args=[world.outsider.pk])
    assert call(client, world.province_admin, "GET", outsider).status_code == 404
    assert call(client, world.national_admin, "GET", outsider).status_code == 200


def test_an_account_is_changed_over_the_version_read_and_deactivated_with_its_tokens(client, world):
    url = reverse("api:user", args=[world.commune_editor.pk])
    read = call(client, world.province_admin, "GET", url).json()
    kept = ApiToken.issue(world.commune_editor, "đồng bộ")[0]
    changed = call(
        client,
        world.province_admin,
        "PATCH",
        url,
        {"version": read["version"], "phone": "0912 345 678"},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["phone"] == "0912 345 678"
    stale = call(
        client, world.province_admin, "PATCH", url, {"version": read["version"], "phone": "1"}
    )
    assert stale.status_code == 409
    off = call(
        client,
        world.province_admin,
        "PATCH",
        url,
        {"version": changed.json()["version"], "is_active": False},
    )
    assert off.status_code == 200 and off.json()["is_active"] is False
    kept.refresh_from_db()
    assert kept.revoked_at is not None
    assert events(User, world.commune_editor.pk)[-2:] == ["update", "update"]


def test_roles_granted_and_removed_within_the_administrators_units(client, world):
    url = reverse("api:membership_add", args=[world.commune_editor.pk])
    granted = call(
        client,
        world.province_admin,
        "POST",
        url,
        {"unit": world.sibling_commune.pk, "role": "viewer"},
    )
    assert granted.status_code == 201, granted.content
    changed = call(
        client,
        world.province_admin,
        "POST",
        url,
        {"unit": world.sibling_commune.pk, "role": "editor"},
    )
    assert changed.status_code == 200 and changed.json()["role"] == "editor"
    outside = call(
        client,
        world.province_admin,
        "POST",
        url,
        {"unit": world.other_commune.pk, "role": "viewer"},
    )
    assert outside.status_code == 422
    role = Membership.objects.get(pk=granted.json()["id"])
    assert events(Membership, role.pk) == ["create", "update"]
    removed = call(
        client, world.province_admin, "DELETE", reverse("api:membership_delete", args=[role.pk])
    )
    assert removed.status_code == 204
    assert not Membership.objects.filter(pk=role.pk).exists()
    assert events(Membership, role.pk)[-1] == "delete"
    # A district approver administers nothing; the outsider's role is not in view.
    assert (
        call(
            client,
            world.district_approver,
            "POST",
            url,
            {"unit": world.commune.pk, "role": "viewer"},
        ).status_code
        == 403
    )
    theirs = reverse("api:membership_delete", args=[world.outsider.memberships.get().pk])
    assert call(client, world.province_admin, "DELETE", theirs).status_code == 404


def test_a_token_gives_its_own_account_no_more_power(client, world):
    own = world.province_admin
    add = reverse("api:membership_add", args=[own.pk])
    refused = call(client, own, "POST", add, {"unit": world.province.pk, "role": "unit_admin"})
    assert refused.status_code == 403
    remove = reverse("api:membership_delete", args=[own.memberships.get().pk])
    assert call(client, own, "DELETE", remove).status_code == 403
    password = reverse("api:user_password", args=[own.pk])
    assert call(client, own, "POST", password, {"password": NEW_PASSWORD}).status_code == 403
    own.refresh_from_db()
    assert own.check_password(PASSWORD)
    # Nor does creating an account open a unit it does not administer, or make a national admin.
    body = {
        "username": "tw.moi",
        "password": NEW_PASSWORD,
        "is_national_admin": True,
        "membership": {"unit": world.nation.pk, "role": "unit_admin"},
    }
    assert call(client, own, "POST", reverse("api:user_create"), body).status_code == 422
    assert not User.objects.filter(username="tw.moi").exists()
    # An account holding a role in another province is not hers to reset.
    Membership.objects.create(user=world.commune_editor, unit=world.other_province, role="viewer")
    other = reverse("api:user_password", args=[world.commune_editor.pk])
    assert call(client, own, "POST", other, {"password": NEW_PASSWORD}).status_code == 404


def test_an_administrator_sets_a_new_password_its_tokens_revoked_its_block_lifted(client, world):
    for _ in range(5):
        SignInFailure.objects.create(account=world.commune_editor, username="xa.nhaplieu")
    old = ApiToken.issue(world.commune_editor, "cũ")[0]
    url = reverse("api:user_password", args=[world.commune_editor.pk])
    weak = call(client, world.province_admin, "POST", url, {"password": "xa.nhaplieu"})
    assert weak.status_code == 422
    answer = call(client, world.province_admin, "POST", url, {"password": NEW_PASSWORD})
    assert answer.status_code == 200, answer.content
    assert NEW_PASSWORD not in answer.content.decode()
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert sign_in("xa.nhaplieu", NEW_PASSWORD) == 302
    assert SignInLift.objects.filter(account=world.commune_editor).exists()
    assert "update" in events(User, world.commune_editor.pk)


def test_a_block_lifted_through_the_api_lets_the_officer_sign_in(client, world, settings):
    settings.SIGNIN_MAX_FAILURES = 5
    for _ in range(5):
        assert sign_in("xa.nhaplieu", "khong-phai-mat-khau") == 200
    assert sign_in("xa.nhaplieu", PASSWORD) == 200  # blocked for a browser it never used
    listed = call(client, world.province_admin, "GET", reverse("api:sign_in_blocks")).json()
    assert [b["username"] for b in listed["accounts"]] == ["xa.nhaplieu"]
    assert listed["addresses"] is None  # addresses are for national administrators
    assert (
        call(client, world.commune_editor, "GET", reverse("api:sign_in_blocks")).status_code == 403
    )
    lift = reverse("api:sign_in_block_lift")
    # Names and addresses are lifted by national administrators only.
    assert (
        call(client, world.province_admin, "POST", lift, {"ip": "198.51.100.7"}).status_code == 403
    )
    assert call(client, world.province_admin, "POST", lift, {}).status_code == 422
    outsider = call(client, world.province_admin, "POST", lift, {"account": world.outsider.pk})
    assert outsider.status_code == 404
    lifted = call(client, world.province_admin, "POST", lift, {"account": world.commune_editor.pk})
    assert lifted.status_code == 200, lifted.content
    assert "xa.nhaplieu" in lifted.json()["detail"]
    assert sign_in("xa.nhaplieu", PASSWORD) == 302
    record = SignInLift.objects.get(account=world.commune_editor)
    assert events(SignInLift, record.pk) == ["create"]
    assert (
        call(client, world.province_admin, "GET", reverse("api:sign_in_blocks")).json()["accounts"]
        == []
    )


# Money -----------------------------------------------------------------------------------------


def test_closing_a_year_through_the_api_carries_the_balance_over_as_the_page_does(client, world):
    money = finance.save_line(
        BudgetLine(
            unit=world.commune, fiscal_year=2024, source=FundSource.CENTRAL, original_amount=100 * M
        )
    )
    finance.record_disbursement(
        Disbursement(line=money, date=D(2024, 9, 1), amount=40 * M, voucher="PC-01")
    )
    proposal = call(
        client,
        world.province_admin,
        "GET",
        reverse("api:finance_close_proposal"),
        unit=world.district.pk,
        year=2024,
    )
    assert proposal.status_code == 200
    assert [(c["line_id"], c["unspent"], c["to_unit_id"]) for c in proposal.json()["carry"]] == [
        (money.pk, 60 * M, world.commune.pk)
    ]
    assert not BudgetLine.objects.filter(fiscal_year=2025).exists()  # proposing stores nothing
    body = {"unit": world.district.pk, "year": 2024, "document": "15/QĐ-UBND"}
    url = reverse("api:finance_close")
    assert call(client, world.district_approver, "POST", url, body).status_code == 403
    assert call(client, world.outsider, "POST", url, body).status_code == 404
    closed = call(client, world.province_admin, "POST", url, body)
    assert closed.status_code == 201, closed.content
    carried = BudgetLine.objects.get(fiscal_year=2025)
    assert (carried.unit, carried.source, carried.amount, carried.carried_from) == (
        world.commune,
        FundSource.CARRIED,
        60 * M,
        money,
    )
    assert closed.json()["carried_line_ids"] == [carried.pk]
    assert events(YearClose, closed.json()["id"]) == ["create"]
    assert events(BudgetLine, carried.pk) == ["create"]
    again = call(client, world.province_admin, "POST", url, body)
    assert again.status_code == 422
    assert "đã" in again.json()["errors"]["__all__"][0]  # already closed: reopen it first
    assert BudgetLine.objects.filter(fiscal_year=2025).count() == 1
    # Reopened with a reason, as on the page: the carried line goes.
    reopen = reverse("api:finance_reopen")
    reason = {"unit": world.district.pk, "year": 2024, "reason": "Sai số liệu"}
    assert call(client, world.province_admin, "POST", reopen, reason).status_code == 200
    assert not BudgetLine.objects.filter(fiscal_year=2025).exists()


def test_the_api_and_the_page_close_a_year_to_the_same_lines(client, world):
    """The page's test closes the province's 2024 with two communes' money: the API does the
    same to the same lines."""

    def money():
        for commune in (world.commune, world.sibling_commune):
            finance.save_line(
                BudgetLine(
                    unit=commune, fiscal_year=2024, source=FundSource.CENTRAL, original_amount=M
                )
            )

    money()
    client.force_login(world.province_admin)
    page = client.post(
        f"/units/{world.province.pk}/finance/close/", {"year": "2024", "action": "close"}
    )
    assert page.status_code == 302
    by_page = sorted(
        BudgetLine.objects.filter(fiscal_year=2025).values_list(
            "unit_id", "original_amount", "source"
        )
    )
    finance.reopen(world.province, 2024, "Thử lại qua API")
    answer = call(
        client,
        world.province_admin,
        "POST",
        reverse("api:finance_close"),
        {"unit": world.province.pk, "year": 2024},
    )
    assert answer.status_code == 201
    by_api = sorted(
        BudgetLine.objects.filter(fiscal_year=2025).values_list(
            "unit_id", "original_amount", "source"
        )
    )
    assert by_api == by_page and len(by_api) == 2


def test_checkpoints_are_read_by_all_and_set_by_national_administrators(client, world):
    url = reverse("api:finance_checkpoints")
    read = call(client, world.commune_editor, "GET", url).json()
    assert [(c["day"], c["month"], c["threshold"]) for c in read] == [(30, 6, 30), (30, 9, 60)]
    before = set(Checkpoint.objects.values_list("pk", flat=True))
    body = {"day": 31, "month": 3, "threshold": 10}
    set_url = reverse("api:finance_checkpoint_set")
    assert call(client, world.province_admin, "POST", set_url, body).status_code == 403
    assert (
        call(client, world.national_admin, "POST", set_url, {**body, "day": 30, "month": 2})
    ).status_code == 422
    stored = call(client, world.national_admin, "POST", set_url, body)
    assert stored.status_code == 200, stored.content
    checkpoint = Checkpoint.objects.exclude(pk__in=before).get()
    assert call(client, world.commune_editor, "GET", url).json()[0] == {
        "id": checkpoint.pk,
        "day": 31,
        "month": 3,
        "threshold": 10,
    }
    changed = call(client, world.national_admin, "POST", set_url, {**body, "threshold": 15})
    assert changed.json()["id"] == checkpoint.pk
    delete = reverse("api:finance_checkpoint_delete", args=[checkpoint.pk])
    assert call(client, world.province_admin, "DELETE", delete).status_code == 403
    assert call(client, world.national_admin, "DELETE", delete).status_code == 204
    assert events(Checkpoint, checkpoint.pk) == ["create", "update", "delete"]


# Documents -------------------------------------------------------------------------------------


def draft(world) -> OfficialDocument:
    world.phase = defaults.load()
    return documents.generate(
        world.commune_editor, Kind.REPORT, world.commune, period="2024", today=D(2024, 12, 10)
    )


def test_a_draft_is_deleted_and_an_issued_document_is_refused(client, world):
    first = draft(world)
    url = reverse("api:document_delete", args=[first.pk])
    assert call(client, world.sibling_viewer, "DELETE", url).status_code == 404
    assert call(client, world.commune_editor, "DELETE", url).status_code == 204
    assert not OfficialDocument.objects.filter(pk=first.pk).exists()
    assert events(OfficialDocument, first.pk)[-1] == "delete"
    issued = documents.issue(world.commune_editor, draft(world))
    refused = call(
        client, world.commune_editor, "DELETE", reverse("api:document_delete", args=[issued.pk])
    )
    assert refused.status_code == 422
    assert OfficialDocument.objects.filter(pk=issued.pk).exists()
    again = call(
        client, world.commune_editor, "POST", reverse("api:document_refresh", args=[issued.pk])
    )
    assert again.status_code == 422


def test_a_draft_is_written_again_from_todays_data_keeping_its_texts(client, world):
    found = draft(world)
    found.sections = [{**s, "text": "Văn bản riêng"} for s in found.sections]
    written = found.content
    found.content = []  # as if the figures had changed since it was written
    found.save()
    url = reverse("api:document_refresh", args=[found.pk])
    assert call(client, world.outsider, "POST", url).status_code == 404
    answer = call(client, world.commune_editor, "POST", url)
    assert answer.status_code == 200, answer.content
    assert {s["text"] for s in answer.json()["sections"]} == {"Văn bản riêng"}
    found.refresh_from_db()
    assert found.content == written
    assert events(OfficialDocument, found.pk).count("update") >= 2


def test_the_letterhead_is_read_and_set_by_the_units_administrators(client, world):
    url = reverse("api:letterhead", args=[world.district.pk])
    assert call(client, world.district_approver, "GET", url).status_code == 403
    proposed = call(client, world.province_admin, "GET", url).json()
    assert (proposed["stored"], proposed["version"], proposed["issuing_body"]) == (
        False,
        0,
        "HUYỆN PHONG THỔ",
    )
    body = {"version": 0, "issuing_body": "HỘI LHPN HUYỆN PHONG THỔ", "issuer_code": "HPN"}
    update = reverse("api:letterhead_update", args=[world.district.pk])
    assert call(client, world.district_approver, "PATCH", update, body).status_code == 403
    saved = call(client, world.province_admin, "PATCH", update, body)
    assert saved.status_code == 200, saved.content
    stored = Letterhead.objects.get(unit=world.district)
    assert (stored.issuer_code, stored.place) == ("HPN", "Phong Thổ")
    assert events(Letterhead, stored.pk) == ["create"]
    assert call(client, world.province_admin, "PATCH", update, body).status_code == 409
    empty = {"version": saved.json()["version"], "issuing_body": ""}
    assert call(client, world.province_admin, "PATCH", update, empty).status_code == 422


def word_file(body: bool = True) -> bytes:
    doc = WordDocument(io.BytesIO(templates.default_bytes()))
    if not body:
        doc = WordDocument()
        doc.add_paragraph("không có chỗ cho nội dung")
    doc.add_paragraph("Mẫu riêng của tỉnh")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A Word template with one more part that unpacks to 220 MB of zeros (about 200 KB)."""
    out = io.BytesIO(word_file())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
        with package.open("word/media/filler.bin", "w") as filler:
            chunk = bytes(1024 * 1024)
            for _ in range(220):
                filler.write(chunk)
    return out.getvalue()


def upload(client, account, unit, name: str, data: bytes, kind: str = ""):
    return client.post(
        reverse("api:document_template_upload", args=[unit.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
        HTTP_AUTHORIZATION=f"Bearer {token(account)}",
        HTTP_ACCEPT_LANGUAGE="vi",
    )


def test_templates_are_uploaded_checked_downloaded_and_removed_as_on_the_page(client, world):
    province = world.province
    assert (
        upload(client, world.district_approver, province, "mau.docx", word_file()).status_code
        == 404
    )
    for name, data in (
        ("mau.pdf", b"%PDF-1.4"),
        ("mau.docx", b"not a zip at all"),
        ("mau.docx", word_file(body=False)),
        ("mau.docx", zip_bomb()),
    ):
        refused = upload(client, world.province_admin, province, name, data)
        assert refused.status_code == 422, name
        assert "file" in refused.json()["errors"]
    # The page refuses the zip bomb too, with the same form.
    client.force_login(world.province_admin)
    page = client.post(
        reverse("documents:templates", args=[province.pk]),
        {"kind": "", "file": SimpleUploadedFile("mau.docx", zip_bomb())},
    )
    assert page.status_code == 200 and not DocumentTemplate.objects.exists()
    stored = upload(client, world.province_admin, province, "mau.docx", word_file(), "report")
    assert stored.status_code == 201, stored.content
    template = DocumentTemplate.objects.get()
    assert (stored.json()["id"], stored.json()["kind"]) == (template.pk, "report")
    listed = call(
        client, world.province_admin, "GET", reverse("api:document_templates", args=[province.pk])
    )
    assert [t["id"] for t in listed.json()] == [template.pk]
    file = call(
        client,
        world.province_admin,
        "GET",
        reverse("api:document_template_file", args=[template.pk]),
    )
    assert file.status_code == 200 and file.content.startswith(b"PK")
    assert (
        call(
            client, world.outsider, "GET", reverse("api:document_template_file", args=[template.pk])
        ).status_code
        == 404
    )
    default = call(client, world.commune_editor, "GET", reverse("api:document_default_template"))
    assert default.content == templates.default_bytes()
    gone = call(
        client,
        world.province_admin,
        "DELETE",
        reverse("api:document_template_delete", args=[template.pk]),
    )
    assert gone.status_code == 204 and not DocumentTemplate.objects.exists()
    assert events(DocumentTemplate, template.pk) == ["create", "delete"]
