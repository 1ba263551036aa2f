"""Every URL pattern and API endpoint, walked by every persona, in and out of scope.

Adding a URL without adding its expectations here makes ``test_every_url_has_expectations``
fail: access is never left to chance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from duan8.core import versions
from tests.factories import token

PERSONAS = [
    "anonymous",
    "commune_editor",
    "district_approver",
    "province_admin",
    "sibling_viewer",
    "outsider",
    "national_admin",
]
SIGNED_IN = PERSONAS[1:]


def codes(default: int, anonymous: int | None = None, **overrides: int) -> dict[str, int]:
    result = {persona: default for persona in SIGNED_IN}
    result["anonymous"] = default if anonymous is None else anonymous
    result.update(overrides)
    return result


# Answers for a record of the commune: in scope for the commune editor, the district approver,
# the province administrator and the national administrator; out of scope for the viewer of
# the sibling district and the outsider from another province.
IN_SCOPE_VIEW = codes(200, 302, sibling_viewer=404, outsider=404)
IN_SCOPE_ADMIN = codes(
    403, 302, province_admin=200, national_admin=200, sibling_viewer=404, outsider=404
)
ADMIN_ONLY = codes(403, 302, province_admin=200, national_admin=200)
API_VIEW = {**IN_SCOPE_VIEW, "anonymous": 401}
API_ADMIN = {**IN_SCOPE_ADMIN, "anonymous": 401}


# A write by the commune's administrators (pages answer with a redirect, the API with `ok`).
def admin_write(ok: int, anonymous: int = 302) -> dict[str, int]:
    return {**IN_SCOPE_ADMIN, "province_admin": ok, "national_admin": ok, "anonymous": anonymous}


COMMUNE = lambda w: {"pk": w.commune.pk}  # noqa: E731
PERIOD_2024 = lambda w: {"phase": w.phase.pk, "period": "2024"}  # noqa: E731
NATIONAL_ONLY = codes(403, 302, national_admin=200)
# Writes to the district's allocation: its approver, the province and national administrators.
DISTRICT_EDIT = codes(404, 302, district_approver=302, province_admin=302, national_admin=302)
API_COMMUNE = lambda w: {"unit_id": w.commune.pk}  # noqa: E731
OWN_JOB = codes(404, 302, commune_editor=200)
EDITORS = ("commune_editor", "district_approver", "province_admin", "national_admin")
# A page's write by those who may edit the commune's records (a redirect when stored).
IN_SCOPE_EDIT_WRITE = {**IN_SCOPE_VIEW, **{p: 302 for p in EDITORS}}
APPROVERS = ("district_approver", "province_admin", "national_admin")


@dataclass
class Check:
    method: str
    kwargs: Callable = lambda w: {}
    expect: dict[str, int] = field(default_factory=dict)
    data: Callable = lambda w: {}
    query: Callable = lambda w: {}
    note: str = ""
    multipart: bool = False  # an API write sent as a form with a file, not as JSON


EXPECTATIONS: dict[str, list[Check]] = {
    "core:overview": [Check("GET", expect=codes(200, 302))],
    "core:healthz": [Check("GET", expect=codes(200))],
    # A refused import's marked copy: only its uploader's own files exist for her.
    "core:import_errors": [Check("GET", lambda w: {"token": "0" * 32}, codes(404, 302))],
    # A background job and its file: only its owner (the commune's editor) has them.
    "core:job": [Check("GET", lambda w: {"pk": _job(w).pk}, OWN_JOB)],
    "core:job_file": [Check("GET", lambda w: {"pk": _job(w).pk}, OWN_JOB)],
    "set_language": [Check("POST", data=lambda w: {"language": "en"}, expect=codes(302))],
    # Maternal registry: read by those who see the commune, written by its editors; births
    # judged again by its approvers; the personal list exported only with its own permission
    # (national administrators hold it); rule sets read by all, added by administrators.
    "maternal:mine": [Check("GET", expect=codes(302))],
    "maternal:births": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "maternal:mothers": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "maternal:mother_create": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW),
        Check("POST", COMMUNE, IN_SCOPE_EDIT_WRITE, data=lambda w: _mother_data(w)),
    ],
    "maternal:import": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "maternal:template": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "maternal:export": [
        Check(
            "POST",
            COMMUNE,
            codes(403, 302, sibling_viewer=404, outsider=404, national_admin=200),
            data=lambda w: {"purpose": "Danh sách chi trả"},
        )
    ],
    "maternal:duplicates": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "maternal:access_log": [Check("GET", COMMUNE, IN_SCOPE_ADMIN)],
    "maternal:mother": [
        Check("GET", lambda w: {"pk": _maternal_birth(w).mother_id}, IN_SCOPE_VIEW)
    ],
    "maternal:mother_edit": [
        Check("GET", lambda w: {"pk": _maternal_birth(w).mother_id}, IN_SCOPE_VIEW)
    ],
    "maternal:birth_create": [
        Check("GET", lambda w: {"pk": _maternal_birth(w).mother_id}, IN_SCOPE_VIEW)
    ],
    "maternal:birth": [Check("GET", lambda w: {"pk": _maternal_birth(w).pk}, IN_SCOPE_VIEW)],
    "maternal:birth_edit": [Check("GET", lambda w: {"pk": _maternal_birth(w).pk}, IN_SCOPE_VIEW)],
    "maternal:birth_decide": [
        Check(
            "POST",
            lambda w: {"pk": _maternal_birth(w).pk},
            {**IN_SCOPE_EDIT_WRITE, "commune_editor": 403},
            data=lambda w: {"reason": "Kiểm tra lại"},
        )
    ],
    "maternal:duplicate_review": [
        Check(
            "POST",
            lambda w: {"pk": _maternal_flag(w).pk},
            IN_SCOPE_EDIT_WRITE,
            data=lambda w: {"state": "different", "note": "Hai người khác nhau"},
        )
    ],
    "maternal:rule_sets": [Check("GET", expect=codes(200, 302))],
    "maternal:rule_set_create": [Check("GET", expect=ADMIN_ONLY)],
    "accounts:signin": [Check("GET", expect=codes(302, 200))],
    "accounts:signout": [Check("POST", expect=codes(302))],
    "accounts:password_change": [Check("GET", expect=codes(200, 302))],
    "accounts:users": [Check("GET", expect=ADMIN_ONLY)],
    "accounts:user_create": [Check("GET", expect=ADMIN_ONLY)],
    "accounts:user": [
        Check("GET", lambda w: {"pk": w.commune_editor.pk}, ADMIN_ONLY),
        Check(
            "GET",
            lambda w: {"pk": w.outsider.pk},
            {**ADMIN_ONLY, "province_admin": 404},
            note="an account of another province",
        ),
    ],
    "accounts:user_password": [
        Check("GET", lambda w: {"pk": w.commune_editor.pk}, ADMIN_ONLY),
        Check("GET", lambda w: {"pk": w.outsider.pk}, {**ADMIN_ONLY, "province_admin": 404}),
    ],
    "accounts:membership_add": [
        Check(
            "POST",
            lambda w: {"pk": w.commune_editor.pk},
            {**ADMIN_ONLY, "province_admin": 302, "national_admin": 302},
        )
    ],
    "accounts:membership_delete": [
        Check(
            "POST",
            lambda w: {"pk": w.commune_editor.memberships.get().pk},
            {**IN_SCOPE_ADMIN, "province_admin": 302, "national_admin": 302},
        )
    ],
    "accounts:audit_log": [Check("GET", expect=ADMIN_ONLY)],
    # The code step of a sign-in: without a password step waiting, back to the sign-in page.
    "accounts:signin_code": [Check("GET", expect=codes(302))],
    "accounts:two_factor": [Check("GET", expect=ADMIN_ONLY)],
    "accounts:tokens": [
        Check("GET", expect=codes(200, 302), note="one's own tokens"),
        Check(
            "GET",
            query=lambda w: {"user": w.commune_editor.pk},
            expect={**ADMIN_ONLY, "commune_editor": 200},
        ),
        Check(
            "GET",
            query=lambda w: {"user": w.outsider.pk},
            expect={**ADMIN_ONLY, "province_admin": 404, "outsider": 200},
            note="the tokens of an account of another province",
        ),
    ],
    "accounts:token_revoke": [
        Check(
            "POST",
            lambda w: {"pk": _token_of(w.commune_editor).pk},
            codes(404, 302, commune_editor=302, province_admin=302, national_admin=302),
        )
    ],
    "accounts:blocks": [Check("GET", expect=ADMIN_ONLY)],
    "accounts:block_lift": [
        Check(
            "POST",
            data=lambda w: {"account": w.commune_editor.pk},
            expect={**ADMIN_ONLY, "province_admin": 302, "national_admin": 302},
        ),
        Check(
            "POST",
            data=lambda w: {"account": w.outsider.pk},
            expect={**ADMIN_ONLY, "province_admin": 404, "national_admin": 302},
            note="an account of another province",
        ),
        Check(
            "POST",
            data=lambda w: {"ip": "203.0.113.5"},
            expect={**NATIONAL_ONLY, "national_admin": 302},
            note="addresses are lifted by national administrators only",
        ),
    ],
    "geo:browse": [Check("GET", expect=codes(302))],
    "geo:switch": [
        Check("GET", expect=codes(200, 302)),
        Check(
            "POST",
            data=lambda w: {"unit": w.commune.pk},
            expect={
                **IN_SCOPE_VIEW,
                **{
                    p: 302
                    for p in (
                        "commune_editor",
                        "district_approver",
                        "province_admin",
                        "national_admin",
                    )
                },
            },
        ),
    ],
    "geo:unit": [
        Check("GET", lambda w: {"pk": w.commune.pk}, IN_SCOPE_VIEW),
        Check(
            "GET",
            lambda w: {"pk": w.other_commune.pk},
            codes(404, 302, outsider=200, national_admin=200),
        ),
    ],
    "geo:unit_edit": [
        Check(
            "GET",
            lambda w: {"pk": w.commune.pk},
            {**IN_SCOPE_ADMIN, "province_admin": 403},
            note="official units are changed by national administrators only",
        ),
        Check("GET", lambda w: {"pk": w.village.pk}, IN_SCOPE_ADMIN),
    ],
    "geo:unit_history": [Check("GET", lambda w: {"pk": w.commune.pk}, IN_SCOPE_ADMIN)],
    "geo:village_add": [Check("GET", COMMUNE, IN_SCOPE_ADMIN)],
    "geo:village_import": [Check("GET", COMMUNE, IN_SCOPE_ADMIN)],
    "geo:village_template": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "geo:village_export": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "geo:classification_export": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "geo:classification_template": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "geo:village_review": [
        Check(
            "POST",
            lambda w: {"pk": w.village.pk},
            admin_write(302),
            data=lambda w: {"commune": w.commune.pk},
        )
    ],
    "geo:classification_add": [Check("GET", COMMUNE, IN_SCOPE_ADMIN)],
    "geo:classification_import": [Check("GET", COMMUNE, IN_SCOPE_ADMIN)],
    "geo:classification_delete": [
        Check("POST", lambda w: {"pk": w.classification.pk}, admin_write(302))
    ],
    "geo:project_area": [Check("GET", COMMUNE, IN_SCOPE_VIEW, query=lambda w: {"year": 2024})],
    "geo:project_area_propose": [
        Check("POST", COMMUNE, admin_write(302), data=lambda w: {"year": 2024})
    ],
    "geo:project_area_add": [
        Check(
            "POST", COMMUNE, admin_write(302), data=lambda w: {"year": 2025, "unit": w.commune.pk}
        )
    ],
    "geo:project_area_entry": [
        Check(
            "POST",
            lambda w: {"pk": w.area_entry.pk},
            admin_write(302),
            data=lambda w: {"included": "0"},
        )
    ],
    "api:unit_lineage": [Check("GET", API_COMMUNE, API_VIEW)],
    "api:unit_as_of": [Check("GET", API_COMMUNE, API_VIEW, query=lambda w: {"on": "2026-01-01"})],
    "api:match": [Check("GET", expect=codes(200, 401), query=lambda w: {"name": "Mồ Sì San"})],
    "api:villages": [Check("GET", API_COMMUNE, API_VIEW)],
    "api:village_create": [
        Check("POST", API_COMMUNE, admin_write(201, 401), data=lambda w: {"name": "Bản Mới"})
    ],
    "api:village_review": [
        Check(
            "POST",
            lambda w: {"unit_id": w.village.pk},
            admin_write(200, 401),
            data=lambda w: {"commune": w.commune.pk},
        )
    ],
    "api:classifications": [Check("GET", API_COMMUNE, API_VIEW)],
    "api:classification_create": [
        Check(
            "POST",
            API_COMMUNE,
            admin_write(201, 401),
            data=lambda w: {
                "kind": "border",
                "valid_from": "2021-01-01",
                "legal_basis": "Quyết định 1234/QĐ-TTg",
            },
        )
    ],
    "api:classification_delete": [
        Check("DELETE", lambda w: {"item_id": w.classification.pk}, admin_write(204, 401))
    ],
    "api:project_area": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "year": 2024})
    ],
    "api:project_area_propose": [
        Check(
            "POST",
            expect=admin_write(200, 401),
            data=lambda w: {"unit": w.commune.pk, "year": 2024},
        )
    ],
    "api:project_area_add": [
        Check(
            "POST",
            expect=admin_write(201, 401),
            data=lambda w: {"unit": w.commune.pk, "year": 2025},
        )
    ],
    "api:project_area_entry": [
        Check(
            "PATCH",
            lambda w: {"entry_id": w.area_entry.pk},
            admin_write(200, 401),
            data=lambda w: {"included": False, "version": versions.of(w.area_entry)},
        )
    ],
    "framework:browse": [Check("GET", expect=codes(200, 302))],
    "framework:phase_add": [Check("GET", lambda w: {"pk": w.project.pk}, NATIONAL_ONLY)],
    "framework:content_area_add": [Check("GET", lambda w: {"pk": w.phase.pk}, NATIONAL_ONLY)],
    "framework:indicator_add": [
        Check("GET", lambda w: {"pk": w.indicator.content_area_id}, NATIONAL_ONLY)
    ],
    "api:content_area_create": [
        Check(
            "POST",
            lambda w: {"phase_id": w.phase.pk},
            {**NATIONAL_ONLY, "national_admin": 201, "anonymous": 401},
            data=lambda w: {"code": "ND5", "name": "Nội dung mới"},
        )
    ],
    "api:indicator_create": [
        Check(
            "POST",
            lambda w: {"area_id": w.indicator.content_area_id},
            {**NATIONAL_ONLY, "national_admin": 201, "anonymous": 401},
            data=lambda w: {
                "code": "MOI",
                "name": "Chỉ số mới",
                "unit_of_measure": "người",
                "source": "typed",
            },
        )
    ],
    "framework:indicator": [Check("GET", lambda w: {"pk": w.indicator.pk}, codes(200, 302))],
    "framework:version_add": [Check("GET", lambda w: {"pk": w.indicator.pk}, NATIONAL_ONLY)],
    "framework:targets": [Check("GET", COMMUNE, IN_SCOPE_VIEW, query=PERIOD_2024)],
    "framework:allocate": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW, query=PERIOD_2024),
        Check("POST", lambda w: {"pk": w.district.pk}, DISTRICT_EDIT, data=PERIOD_2024),
    ],
    "framework:allocate_export": [Check("GET", COMMUNE, IN_SCOPE_VIEW, query=PERIOD_2024)],
    "framework:allocate_import": [Check("GET", COMMUNE, IN_SCOPE_VIEW, query=PERIOD_2024)],
    "framework:allocate_template": [Check("GET", COMMUNE, IN_SCOPE_VIEW, query=PERIOD_2024)],
    "api:phases": [Check("GET", expect=codes(200, 401))],
    "api:phase_create": [
        Check(
            "POST",
            expect={**NATIONAL_ONLY, "national_admin": 201, "anonymous": 401},
            data=lambda w: {
                "project": w.project.pk,
                "code": "GD2",
                "name": "Giai đoạn II",
                "start": "2026-01-01",
                "end": "2031-01-01",
            },
        )
    ],
    "api:indicator": [Check("GET", lambda w: {"indicator_id": w.indicator.pk}, codes(200, 401))],
    "api:indicator_version_create": [
        Check(
            "POST",
            lambda w: {"indicator_id": w.indicator.pk},
            {**NATIONAL_ONLY, "national_admin": 201, "anonymous": 401},
            data=lambda w: {"valid_from": "2026-01-01", "definition": "Đếm lại"},
        )
    ],
    "api:targets": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "period": "2024"})
    ],
    "api:target_set": [
        Check(
            "POST",
            expect={**API_VIEW, "commune_editor": 403},
            data=lambda w: {
                "indicator": w.indicator.pk,
                "unit": w.commune.pk,
                "period": "2024",
                "value": 3,
            },
        )
    ],
    "api:allocation": [
        Check(
            "GET",
            expect=API_VIEW,
            query=lambda w: {"unit": w.commune.pk, "phase": w.phase.pk, "period": "2024"},
        )
    ],
    "api:allocation_save": [
        Check(
            "PUT",
            expect={
                **DISTRICT_EDIT,
                "province_admin": 200,
                "national_admin": 200,
                "district_approver": 200,
                "anonymous": 401,
            },
            data=lambda w: {
                "unit": w.district.pk,
                "phase": w.phase.pk,
                "period": "2024",
                "cells": [],
            },
        )
    ],
    "community:mine": [Check("GET", expect=codes(302))],
    "community:list": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "community:create": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW, query=lambda w: {"kind": "leaders_club"})
    ],
    "community:import": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "community:export": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "community:template": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "community:detail": [Check("GET", lambda w: {"pk": w.team.pk}, IN_SCOPE_VIEW)],
    "community:edit": [Check("GET", lambda w: {"pk": w.team.pk}, IN_SCOPE_VIEW)],
    "activities:mine": [Check("GET", expect=codes(302))],
    "activities:list": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "activities:create": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW, query=lambda w: {"kind": "dialogue"})
    ],
    "activities:detail": [Check("GET", lambda w: {"pk": w.dialogue.pk}, IN_SCOPE_VIEW)],
    "activities:edit": [Check("GET", lambda w: {"pk": w.dialogue.pk}, IN_SCOPE_VIEW)],
    "activities:trainers": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "activities:qualification_add": [
        Check(
            "POST",
            lambda w: {"pk": w.trainer.pk},
            codes(404, 302, province_admin=302, national_admin=302),
            data=lambda w: {"programme": "programme_3", "completed_on": "01/03/2023"},
        )
    ],
    "activities:appointment_add": [
        Check(
            "POST",
            COMMUNE,
            {
                **IN_SCOPE_VIEW,
                **{
                    p: 302
                    for p in (
                        "commune_editor",
                        "district_approver",
                        "province_admin",
                        "national_admin",
                    )
                },
            },
            data=lambda w: {"number": "12/QĐ-HPN", "date": "01/04/2024", "signer": "Chủ tịch"},
        )
    ],
    "api:models": [Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk})],
    "api:model_create": [
        Check(
            "POST",
            expect={
                **API_VIEW,
                "district_approver": 201,
                "commune_editor": 201,
                "province_admin": 201,
                "national_admin": 201,
            },
            data=lambda w: {
                "kind": "leaders_club",
                "unit": w.commune.pk,
                "name": "CLB",
                "established_on": "2024-01-05",
            },
        )
    ],
    "api:activities": [Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk})],
    "api:figures": [
        Check(
            "GET",
            expect=API_VIEW,
            query=lambda w: {
                "unit": w.commune.pk,
                "indicator": w.indicator.pk,
                "period": "2024",
                "children": "true",
            },
        )
    ],
    "api:activity_create": [
        Check(
            "POST",
            expect={
                **API_VIEW,
                "district_approver": 201,
                "commune_editor": 201,
                "province_admin": 201,
                "national_admin": 201,
            },
            data=lambda w: {
                "kind": "dialogue",
                "dialogue_level": "village_cluster",
                "title": "Đối thoại",
                "unit": w.commune.pk,
                "start_on": "2024-09-01",
                "end_on": "2024-09-01",
                "organiser": "Hội LHPN xã",
            },
        )
    ],
    "activities:import": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "activities:export": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "activities:template": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "activities:attachment_add": [
        Check(
            "POST",
            lambda w: {"pk": w.dialogue.pk},
            {
                **IN_SCOPE_VIEW,
                **{
                    p: 302
                    for p in (
                        "commune_editor",
                        "district_approver",
                        "province_admin",
                        "national_admin",
                    )
                },
            },
            data=lambda w: {"title": "Biên bản"},
        )
    ],
    "activities:attachment": [Check("GET", lambda w: {"pk": w.attachment.pk}, IN_SCOPE_VIEW)],
    "finance:mine": [Check("GET", expect=codes(302))],
    "finance:unit": [Check("GET", COMMUNE, IN_SCOPE_VIEW, query=lambda w: {"year": "2024"})],
    "finance:line_add": [
        Check(
            "POST",
            COMMUNE,
            {**IN_SCOPE_EDIT_WRITE},
            data=lambda w: {
                "year": "2024",
                "unit": w.commune.pk,
                "fiscal_year": "2024",
                "source": "central",
                "original_amount": "100.000.000",
            },
        )
    ],
    "finance:disburse": [
        Check(
            "POST",
            COMMUNE,
            {**IN_SCOPE_EDIT_WRITE},
            data=lambda w: {
                "year": "2024",
                "spend-line": _budget_line(w).pk,
                "spend-date": "15/05/2024",
                "spend-amount": "1.000.000",
                "spend-voucher": "PC-12",
            },
        )
    ],
    # Money handed down: the district's editors give part of its line to the commune.
    "finance:transfer": [
        Check(
            "POST",
            lambda w: {"pk": w.district.pk},
            DISTRICT_EDIT,
            data=lambda w: {
                "year": "2024",
                "hand-from_line": _district_line(w).pk,
                "hand-to_unit": w.commune.pk,
                "hand-date": "15/03/2024",
                "hand-amount": "1.000.000",
                "hand-voucher": "UNC-1",
            },
        )
    ],
    "finance:transfer_cancel": [
        Check("POST", lambda w: {"pk": _transfer(w).pk}, DISTRICT_EDIT),
    ],
    "finance:close": [
        Check("GET", COMMUNE, IN_SCOPE_ADMIN, query=lambda w: {"year": "2024"}),
        Check(
            "POST",
            COMMUNE,
            admin_write(302),
            data=lambda w: {"year": "2024", "action": "close", "document": "12/QĐ-UBND"},
        ),
    ],
    # Excel: editors import (a GET shows the form), those who see the unit export and take
    # the templates.
    "finance:lines_import": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "finance:disbursements_import": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW),
        Check("POST", COMMUNE, {**IN_SCOPE_VIEW}, data=lambda w: {"year": "2024"}),
    ],
    "finance:lines_export": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW, query=lambda w: {"year": "2024"})
    ],
    "finance:disbursements_export": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW, query=lambda w: {"year": "2024"})
    ],
    "finance:lines_template": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "finance:disbursements_template": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "finance:checkpoints": [
        Check("GET", expect=codes(200, 302)),
        Check(
            "POST",
            expect=codes(403, 302, national_admin=302),
            data=lambda w: {"day": "31", "month": "3", "threshold": "10"},
        ),
    ],
    # Norms: read by everyone signed in; the nation's set by national administrators, a
    # province's by its administrators.
    "finance:norms": [
        Check("GET", expect=codes(200, 302)),
        Check(
            "POST",
            expect=codes(403, 302, province_admin=302, national_admin=302),
            data=lambda w: _norm_data(w.province),
        ),
        Check(
            "POST",
            expect=codes(403, 302, province_admin=422, national_admin=302),
            data=lambda w: _norm_data(w.nation),
            note="a nation-wide norm",
        ),
    ],
    "finance:norm": [
        Check(
            "POST",
            lambda w: {"pk": _norm(w, w.province).pk},
            codes(403, 302, province_admin=302, national_admin=302, outsider=404),
            data=lambda w: {"action": "close", "valid_until": "01/01/2026"},
        ),
        Check(
            "POST",
            lambda w: {"pk": _norm(w, w.nation).pk},
            codes(403, 302, national_admin=302),
            data=lambda w: {"action": "close", "valid_until": "01/01/2026"},
        ),
    ],
    "finance:estimates": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW, query=lambda w: {"year": "2024"}),
        Check(
            "POST",
            COMMUNE,
            IN_SCOPE_EDIT_WRITE,
            data=lambda w: {"year": "2024", "fiscal_year": "2024", "reference_date": "15/01/2024"},
        ),
    ],
    "finance:estimate": [
        Check("GET", lambda w: {"pk": _estimate(w).pk}, IN_SCOPE_VIEW),
        Check(
            "POST",
            lambda w: {"pk": _estimate(w).pk},
            IN_SCOPE_EDIT_WRITE,
            data=lambda w: {
                "activity": "Tập huấn",
                "norm": _norm(w, w.nation).pk,
                "quantity": "2,5",
                "unit_amount": "100.000",
            },
        ),
    ],
    # Approval: the commune's approvers (the district approver, the administrators).
    "finance:estimate_approve": [
        Check(
            "POST",
            lambda w: {"pk": _estimate(w, line=True).pk},
            {**IN_SCOPE_VIEW, **{p: 302 for p in EDITORS}, "commune_editor": 403},
            data=lambda w: {
                "source": "central",
                "decision_number": "12/QĐ-UBND",
                "decision_date": "01/02/2024",
            },
        )
    ],
    "api:budget_lines": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "year": 2024})
    ],
    "api:budget_line_create": [
        Check(
            "POST",
            expect={**API_VIEW, **{p: 201 for p in EDITORS}},
            data=lambda w: {
                "unit": w.commune.pk,
                "fiscal_year": 2024,
                "source": "central",
                "original_amount": 100_000_000,
            },
        )
    ],
    "api:disbursements": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "year": 2024})
    ],
    "api:disbursement_create": [
        Check(
            "POST",
            expect={**API_VIEW, **{p: 201 for p in EDITORS}},
            data=lambda w: {
                "line": _budget_line(w).pk,
                "date": "2024-05-15",
                "amount": 1_000_000,
                "voucher": "PC-12",
            },
        )
    ],
    # Money handed down: listed under the receiving commune; given and cancelled by the
    # district's editors.
    "api:transfers": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "year": 2024})
    ],
    "api:transfer_create": [
        Check(
            "POST",
            expect=codes(404, 401, district_approver=201, province_admin=201, national_admin=201),
            data=lambda w: {
                "from_line": _district_line(w).pk,
                "to_unit": w.commune.pk,
                "date": "2024-03-15",
                "amount": 1_000_000,
                "voucher": "UNC-1",
            },
        )
    ],
    "api:transfer_delete": [
        Check(
            "DELETE",
            lambda w: {"transfer_id": _transfer(w).pk},
            codes(404, 401, district_approver=204, province_admin=204, national_admin=204),
        )
    ],
    "api:finance_summary": [
        Check(
            "GET",
            expect=API_VIEW,
            query=lambda w: {"unit": w.commune.pk, "year": 2024, "as_of": "2024-06-30"},
        )
    ],
    # Norms in force and estimates: those who see the unit read, its editors write.
    "api:finance_norms": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "on": "2024-06-30"})
    ],
    "api:estimates": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "year": 2024})
    ],
    "api:estimate": [Check("GET", lambda w: {"estimate_id": _estimate(w).pk}, API_VIEW)],
    "api:estimate_create": [
        Check(
            "POST",
            expect={**API_VIEW, **{p: 201 for p in EDITORS}},
            data=lambda w: {
                "unit": w.commune.pk,
                "fiscal_year": 2024,
                "reference_date": "2024-01-15",
            },
        )
    ],
    "api:estimate_line_create": [
        Check(
            "POST",
            lambda w: {"estimate_id": _estimate(w).pk},
            {**API_VIEW, **{p: 201 for p in EDITORS}},
            data=lambda w: {
                "activity": "Tập huấn",
                "norm": _norm(w, w.nation).pk,
                "quantity": "2.5",
                "unit_amount": 100_000,
            },
        )
    ],
    # Every version of the norms one reads; one version: the nation's for everyone signed in,
    # a province's for those who work in it.
    "api:finance_norm_versions": [Check("GET", expect=codes(200, 401))],
    "api:finance_norm": [
        Check("GET", lambda w: {"norm_id": _norm(w, w.province).pk}, codes(200, 401, outsider=404)),
        Check("GET", lambda w: {"norm_id": _norm(w, w.nation).pk}, codes(200, 401)),
    ],
    # Setting norms: national administrators for the nation, a province's administrators for
    # theirs (those who do not read a province's norms do not find them).
    "api:finance_norm_create": [
        Check(
            "POST",
            expect=codes(403, 401, province_admin=201, national_admin=201, outsider=404),
            data=lambda w: _norm_body(w.province),
        ),
        Check(
            "POST",
            expect=codes(403, 401, national_admin=201),
            data=lambda w: _norm_body(w.nation),
            note="a nation-wide norm",
        ),
    ],
    "api:finance_norm_change": [
        Check(
            "POST",
            lambda w: {"norm_id": _norm(w, w.province).pk},
            codes(403, 401, province_admin=201, national_admin=201, outsider=404),
            data=lambda w: {
                "version": versions.of(_norm(w, w.province)),
                "valid_from": "2025-01-01",
                "amount": 160_000,
            },
        ),
        Check(
            "POST",
            lambda w: {"norm_id": _norm(w, w.nation).pk},
            codes(403, 401, national_admin=201),
            data=lambda w: {"version": versions.of(_norm(w, w.nation)), "valid_from": "2025-01-01"},
        ),
    ],
    "api:finance_norm_close": [
        Check(
            "POST",
            lambda w: {"norm_id": _norm(w, w.province).pk},
            codes(403, 401, province_admin=200, national_admin=200, outsider=404),
            data=lambda w: {
                "version": versions.of(_norm(w, w.province)),
                "valid_until": "2026-01-01",
            },
        ),
        Check(
            "POST",
            lambda w: {"norm_id": _norm(w, w.nation).pk},
            codes(403, 401, national_admin=200),
            data=lambda w: {
                "version": versions.of(_norm(w, w.nation)),
                "valid_until": "2026-01-01",
            },
        ),
    ],
    "api:estimate_line_delete": [
        Check(
            "DELETE",
            lambda w: {
                "estimate_id": _estimate(w, line=True).pk,
                "line_id": _estimate(w).lines.get().pk,
            },
            {**API_VIEW, **{p: 204 for p in EDITORS}},
        )
    ],
    # Approval: the commune's approvers (the district approver, the administrators).
    "api:estimate_approve": [
        Check(
            "POST",
            lambda w: {"estimate_id": _estimate(w, line=True).pk},
            {**API_VIEW, **{p: 200 for p in EDITORS}, "commune_editor": 403},
            data=lambda w: {
                "source": "central",
                "decision_number": "12/QĐ-UBND",
                "decision_date": "2024-02-01",
            },
        )
    ],
    "api:model_update": [
        Check(
            "PATCH",
            lambda w: {"model_id": w.team.pk},
            API_VIEW,
            data=lambda w: {"members_women": 9, "version": versions.of(w.team)},
        )
    ],
    "api:activity_update": [
        Check(
            "PATCH",
            lambda w: {"activity_id": w.dialogue.pk},
            API_VIEW,
            data=lambda w: {"participants": 61, "version": versions.of(w.dialogue)},
        )
    ],
    # Support packages: read by everyone signed in (a province's own by those who work in
    # it); set by national administrators for the nation, by a province's administrators for
    # theirs. Entitlements: proposed by editors, approved and rejected by approvers, paid by
    # editors; the personal payment list exported only with its own permission.
    "benefits:mine": [Check("GET", expect=codes(302))],
    "benefits:packages": [
        Check("GET", expect=codes(200, 302)),
        Check(
            "POST",
            expect=codes(403, 302, province_admin=302, national_admin=302),
            data=lambda w: {
                "scope": w.province.pk,
                "code": "G9",
                "name": "Gói thử nghiệm",
                "document": "Test",
                "order": "0",
            },
        ),
    ],
    "benefits:package": [
        Check("GET", lambda w: {"pk": _benefit_package(w, w.nation).pk}, codes(200, 302)),
        Check(
            "GET",
            lambda w: {"pk": _benefit_package(w, w.province).pk},
            codes(200, 302, outsider=404),
            note="a province's own package",
        ),
        Check(
            "POST",
            lambda w: {"pk": _benefit_package(w, w.province).pk},
            codes(403, 302, province_admin=302, national_admin=302, outsider=404),
            data=lambda w: {
                "action": "item",
                "item-code": "K1",
                "item-name": "Khoản thử nghiệm",
                "item-counting": "per_birth",
                "item-order": "0",
            },
        ),
    ],
    "benefits:amount": [
        Check(
            "POST",
            lambda w: {"pk": _benefit_amount(w, w.nation).pk},
            codes(403, 302, national_admin=302),
            data=lambda w: {"action": "close", "valid_until": "01/01/2027"},
        ),
        Check(
            "POST",
            lambda w: {"pk": _benefit_amount(w, w.province).pk},
            codes(403, 302, province_admin=302, national_admin=302, outsider=404),
            data=lambda w: {"action": "close", "valid_until": "01/01/2027"},
            note="a province's own amount",
        ),
    ],
    "benefits:unit": [Check("GET", COMMUNE, IN_SCOPE_VIEW, query=lambda w: {"period": "2025"})],
    "benefits:payments_export": [
        Check(
            "GET",
            COMMUNE,
            {
                **IN_SCOPE_VIEW,
                "commune_editor": 403,
                "district_approver": 403,
                "province_admin": 403,
            },
            query=lambda w: {"period": "2025"},
            note="a role is not enough: the permission to export personal data is",
        )
    ],
    "benefits:birth": [
        Check("GET", lambda w: {"pk": _benefit_birth(w).pk}, IN_SCOPE_VIEW),
        Check("POST", lambda w: {"pk": _benefit_birth(w).pk}, IN_SCOPE_EDIT_WRITE),
    ],
    "benefits:entitlement": [
        Check(
            "POST",
            lambda w: {"pk": _entitlement(w).pk},
            {**IN_SCOPE_VIEW, "commune_editor": 403, **{p: 302 for p in APPROVERS}},
            data=lambda w: {"action": "approve"},
        ),
        Check(
            "POST",
            lambda w: {"pk": _entitlement(w, approved=True).pk},
            IN_SCOPE_EDIT_WRITE,
            data=lambda w: {
                "action": "pay",
                f"pay{_entitlement(w).pk}-paid_on": "02/05/2025",
                f"pay{_entitlement(w).pk}-payer": "Cán bộ xã",
                f"pay{_entitlement(w).pk}-voucher": "PC-1",
            },
        ),
    ],
    "api:benefit_packages": [Check("GET", expect=codes(200, 401))],
    "api:benefit_package_create": [
        Check(
            "POST",
            expect=codes(403, 401, province_admin=201, national_admin=201, outsider=404),
            data=lambda w: {
                "scope": w.province.pk,
                "code": "G9",
                "name": "Gói thử nghiệm",
                "document": "Test",
            },
        ),
        Check(
            "POST",
            expect=codes(403, 401, national_admin=201),
            data=lambda w: {
                "scope": w.nation.pk,
                "code": "G9",
                "name": "Gói thử nghiệm",
                "document": "Test",
            },
            note="a nation-wide package",
        ),
    ],
    "api:benefit_item_create": [
        Check(
            "POST",
            lambda w: {"package_id": _benefit_package(w, w.province).pk},
            codes(403, 401, province_admin=201, national_admin=201, outsider=404),
            data=lambda w: {"code": "K1", "name": "Khoản thử nghiệm", "counting": "per_birth"},
        )
    ],
    "api:benefit_amounts": [Check("GET", expect=codes(200, 401))],
    "api:benefit_amounts_in_force": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "on": "2025-04-10"})
    ],
    "api:benefit_amount_create": [
        Check(
            "POST",
            expect=codes(403, 401, province_admin=201, national_admin=201, outsider=404),
            data=lambda w: {
                "support_item": _benefit_amount(w, w.nation).item_id,
                "scope": w.province.pk,
                "amount": 2_200_000,
                "amount_caesarean": 2_400_000,
                "valid_from": "2025-01-01",
                "document": "Test",
            },
        )
    ],
    "api:benefit_amount_change": [
        Check(
            "POST",
            lambda w: {"amount_id": _benefit_amount(w, w.province).pk},
            codes(403, 401, province_admin=201, national_admin=201, outsider=404),
            data=lambda w: {
                "version": versions.of(_benefit_amount(w, w.province)),
                "valid_from": "2026-01-01",
                "amount": 2_500_000,
            },
        )
    ],
    "api:benefit_amount_close": [
        Check(
            "POST",
            lambda w: {"amount_id": _benefit_amount(w, w.province).pk},
            codes(403, 401, province_admin=200, national_admin=200, outsider=404),
            data=lambda w: {
                "version": versions.of(_benefit_amount(w, w.province)),
                "valid_until": "2027-01-01",
            },
        )
    ],
    "api:birth_entitlements": [
        Check("GET", lambda w: {"birth_id": _benefit_birth(w).pk}, API_VIEW)
    ],
    "api:birth_entitlements_propose": [
        Check(
            "POST",
            lambda w: {"birth_id": _benefit_birth(w).pk},
            {**API_VIEW, **{p: 201 for p in EDITORS}},
        )
    ],
    "api:entitlements": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "period": "2025"})
    ],
    "api:entitlement_approve": [
        Check(
            "POST",
            lambda w: {"entitlement_id": _entitlement(w).pk},
            {**API_VIEW, "commune_editor": 403, **{p: 200 for p in APPROVERS}},
        )
    ],
    "api:entitlement_reject": [
        Check(
            "POST",
            lambda w: {"entitlement_id": _entitlement(w).pk},
            {**API_VIEW, "commune_editor": 403, **{p: 200 for p in APPROVERS}},
            data=lambda w: {"reason": "Trùng hồ sơ"},
        )
    ],
    "api:entitlement_pay": [
        Check(
            "POST",
            lambda w: {"entitlement_id": _entitlement(w, approved=True).pk},
            {**API_VIEW, **{p: 200 for p in EDITORS}},
            data=lambda w: {"paid_on": "2025-05-02", "payer": "Cán bộ xã", "voucher": "PC-1"},
        )
    ],
    "api:benefit_payments": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "period": "2025"})
    ],
    # Report forms: the nation's read and filled by everyone signed in, defined by national
    # administrators; a province's own by those who work in it, defined by its
    # administrators. A form is filled for a unit in one's view.
    "reportforms:list": [Check("GET", expect=codes(200, 302))],
    "reportforms:create": [
        Check("GET", expect=codes(403, 302, province_admin=200, national_admin=200)),
        Check(
            "POST",
            expect=codes(403, 302, province_admin=302, national_admin=302),
            data=lambda w: _report_form_data(w.province),
        ),
        Check(
            "POST",
            expect=codes(403, 302, national_admin=302),
            data=lambda w: _report_form_data(None),
            note="a nation-wide form",
        ),
    ],
    "reportforms:edit": [
        Check("GET", lambda w: {"pk": _report_form(w, None).pk}, NATIONAL_ONLY),
        Check(
            "GET",
            lambda w: {"pk": _report_form(w, w.province).pk},
            codes(403, 302, province_admin=200, national_admin=200, outsider=404),
            note="a province's own form",
        ),
        Check(
            "GET",
            lambda w: {"pk": _report_form(w, w.other_province).pk},
            codes(404, 302, outsider=403, national_admin=200),
            note="another province's form",
        ),
        Check(
            "POST",
            lambda w: {"pk": _report_form(w, w.province).pk},
            codes(403, 302, province_admin=302, national_admin=302, outsider=404),
            data=lambda w: {
                **_report_form_data(w.province),
                "version": versions.of(_report_form(w, w.province)),
            },
        ),
    ],
    "reportforms:fill": [
        Check("GET", lambda w: {"pk": _report_form(w, None).pk}, codes(200, 302)),
        Check(
            "GET",
            lambda w: {"pk": _report_form(w, None).pk},
            IN_SCOPE_VIEW,
            query=lambda w: {"unit": w.commune.pk, "period": "2024"},
        ),
        Check(
            "GET",
            lambda w: {"pk": _report_form(w, w.province).pk},
            codes(200, 302, outsider=404),
            query=lambda w: {"period": "2024"},
            note="a province's own form",
        ),
    ],
    "reportforms:download": [
        Check(
            "GET",
            lambda w: {"pk": _report_form(w, None).pk},
            IN_SCOPE_VIEW,
            query=lambda w: {"unit": w.commune.pk, "period": "2024"},
        )
    ],
    "api:report_forms": [Check("GET", expect=codes(200, 401))],
    "api:report_form": [
        Check("GET", lambda w: {"form_id": _report_form(w, None).pk}, codes(200, 401)),
        Check(
            "GET",
            lambda w: {"form_id": _report_form(w, w.province).pk},
            codes(200, 401, outsider=404),
            note="a province's own form",
        ),
    ],
    "api:report_form_create": [
        Check(
            "POST",
            expect=codes(403, 401, province_admin=201, national_admin=201, outsider=404),
            data=lambda w: {"scope": w.province.pk, "title": "Biểu thử", "cells": ["value"]},
        ),
        Check(
            "POST",
            expect=codes(403, 401, national_admin=201),
            data=lambda w: {"title": "Biểu thử", "cells": ["value"]},
            note="a nation-wide form",
        ),
    ],
    "api:report_form_update": [
        Check(
            "PATCH",
            lambda w: {"form_id": _report_form(w, None).pk},
            codes(403, 401, national_admin=200),
            data=lambda w: {"version": versions.of(_report_form(w, None)), "title": "Đổi"},
        ),
        Check(
            "PATCH",
            lambda w: {"form_id": _report_form(w, w.province).pk},
            codes(403, 401, province_admin=200, national_admin=200, outsider=404),
            data=lambda w: {"version": versions.of(_report_form(w, w.province)), "title": "Đổi"},
            note="a province's own form",
        ),
    ],
    "api:report_form_fill": [
        Check(
            "GET",
            lambda w: {"form_id": _report_form(w, None).pk},
            API_VIEW,
            query=lambda w: {"unit": w.commune.pk, "period": "2024"},
        )
    ],
    "api:report_form_fill_xlsx": [
        Check(
            "GET",
            lambda w: {"form_id": _report_form(w, None).pk},
            API_VIEW,
            query=lambda w: {"unit": w.commune.pk, "period": "2024"},
        )
    ],
    "reporting:figures": [Check("GET", COMMUNE, IN_SCOPE_VIEW, query=PERIOD_2024)],
    "analytics:dashboard": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW, query=lambda w: {"period": "2024"})
    ],
    "analytics:dashboard_export": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW, query=lambda w: {"period": "2024"})
    ],
    "reporting:cycle": [Check("GET", expect=codes(200, 302), query=lambda w: {"period": "2024"})],
    "reporting:regimes": [Check("GET", expect=codes(200, 302))],
    "reporting:regime_add": [Check("GET", expect=ADMIN_ONLY)],
    "reporting:regime": [
        Check("GET", lambda w: {"pk": _regime(w, w.nation).pk}, NATIONAL_ONLY),
        Check(
            "GET",
            lambda w: {"pk": _regime(w, w.province).pk},
            codes(404, 302, province_admin=200, national_admin=200),
            note="a province's own calendar",
        ),
    ],
    "reporting:submission": [
        Check("GET", lambda w: {"pk": w.commune.pk, "code": "2024"}, IN_SCOPE_VIEW),
        Check(
            "POST",
            lambda w: {"pk": w.commune.pk, "code": "2024"},
            {
                **IN_SCOPE_VIEW,
                **{
                    p: 302
                    for p in (
                        "commune_editor",
                        "district_approver",
                        "province_admin",
                        "national_admin",
                    )
                },
            },
            data=lambda w: {"action": "submit"},
        ),
        Check(
            "POST",
            lambda w: {"pk": _submitted(w).pk, "code": "2024"},
            {
                **IN_SCOPE_VIEW,
                "commune_editor": 403,
                "district_approver": 302,
                "province_admin": 302,
                "national_admin": 302,
            },
            data=lambda w: {"action": "approve"},
            note="only the levels above approve",
        ),
    ],
    "api:report": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "period": "2024"})
    ],
    "api:report_act": [
        Check(
            "POST",
            lambda w: {"unit_id": w.commune.pk, "period": "2024"},
            API_VIEW,
            data=lambda w: {"action": "submit"},
        ),
        Check(
            "POST",
            lambda w: {"unit_id": _submitted(w).pk, "period": "2024"},
            {**API_VIEW, "commune_editor": 403},
            data=lambda w: {"action": "approve"},
            note="only the levels above approve",
        ),
    ],
    "api:completeness": [
        Check(
            "GET",
            expect=API_VIEW,
            query=lambda w: {"unit": w.commune.pk, "period": "2024", "level": "commune"},
        )
    ],
    "api:api-root": [Check("GET", expect=codes(404), note="the API root points to /docs")],
    "api:openapi-json": [Check("GET", expect=codes(200))],
    "api:openapi-view": [Check("GET", expect=codes(200))],
    "api:me": [Check("GET", expect=codes(200, 401))],
    "api:units": [Check("GET", expect=codes(200, 401))],
    "api:unit": [Check("GET", lambda w: {"unit_id": w.commune.pk}, API_VIEW)],
    "api:unit_update": [
        Check(
            "PATCH",
            lambda w: {"unit_id": w.commune.pk},
            {**API_ADMIN, "province_admin": 403},
            data=lambda w: {"version": versions.of(w.commune)},
        ),
        Check(
            "PATCH",
            lambda w: {"unit_id": w.village.pk},
            API_ADMIN,
            data=lambda w: {"version": versions.of(w.village)},
        ),
    ],
    "api:unit_history": [Check("GET", lambda w: {"unit_id": w.commune.pk}, API_ADMIN)],
    "api:job": [Check("GET", lambda w: {"job_id": _job(w).pk}, {**OWN_JOB, "anonymous": 401})],
    "api:job_file": [Check("GET", lambda w: {"job_id": _job(w).pk}, {**OWN_JOB, "anonymous": 401})],
    # A multipart upload: a JSON body is refused as incomplete once signed in (who may import
    # where: tests/test_jobs.py).
    # The maternal registry in the API: the pages' rules; re-runs by approvers; the
    # personal list exported only with its own permission (national administrators hold it).
    "api:mothers": [Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk})],
    "api:mother": [Check("GET", lambda w: {"mother_id": _maternal_birth(w).mother_id}, API_VIEW)],
    "api:mother_create": [
        Check(
            "POST",
            expect={**API_VIEW, **{p: 201 for p in EDITORS}},
            data=lambda w: {**_mother_data(w), "birth_date": "1998-05-10"},
        )
    ],
    "api:births": [Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk})],
    "api:birth": [Check("GET", lambda w: {"birth_id": _maternal_birth(w).pk}, API_VIEW)],
    "api:birth_create": [
        Check(
            "POST",
            expect={**API_VIEW, **{p: 201 for p in EDITORS}},
            data=lambda w: {
                "mother": _maternal_birth(w).mother_id,
                "date": "2025-01-20",
                "place": "home",
                "delivery": "normal",
            },
        )
    ],
    "api:birth_decisions": [Check("GET", lambda w: {"birth_id": _maternal_birth(w).pk}, API_VIEW)],
    "api:birth_judge": [
        Check(
            "POST",
            lambda w: {"birth_id": _maternal_birth(w).pk},
            {**API_VIEW, **{p: 201 for p in EDITORS}, "commune_editor": 403},
            data=lambda w: {"reason": "Xét lại"},
        )
    ],
    "api:rule_sets": [Check("GET", expect={**codes(200), "anonymous": 401})],
    "api:births_import": [Check("POST", expect={**codes(422), "anonymous": 401})],
    "api:births_export": [
        Check(
            "POST",
            expect={**API_VIEW, **{p: 403 for p in EDITORS}, "national_admin": 202},
            data=lambda w: {"unit_id": w.commune.pk, "purpose": "Danh sách chi trả"},
        )
    ],
    # The maternal pages' other capabilities: records changed and duplicates reviewed by the
    # village's editors, the personal-data log read by the unit's administrators, the blank
    # workbook by its readers, rule set versions added by administrators only.
    "api:mother_update": [
        Check(
            "PATCH",
            lambda w: {"mother_id": _maternal_birth(w).mother_id},
            {**API_VIEW, **{p: 200 for p in EDITORS}},
            data=lambda w: {"version": versions.of(_maternal_birth(w).mother), "notes": "Sửa"},
        )
    ],
    "api:birth_update": [
        Check(
            "PATCH",
            lambda w: {"birth_id": _maternal_birth(w).pk},
            {**API_VIEW, **{p: 200 for p in EDITORS}},
            data=lambda w: {"version": versions.of(_maternal_birth(w)), "notes": "Sửa"},
        )
    ],
    "api:births_template": [Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk})],
    "api:duplicates": [Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk})],
    "api:duplicate_review": [
        Check(
            "POST",
            lambda w: {"flag_id": _maternal_flag(w).pk},
            {**API_VIEW, **{p: 200 for p in EDITORS}},
            data=lambda w: {
                "version": versions.of(_maternal_flag(w)),
                "state": "different",
                "note": "Hai người khác nhau",
            },
        )
    ],
    "api:personal_data_log": [
        Check("GET", expect=API_ADMIN, query=lambda w: {"unit": w.commune.pk})
    ],
    "api:rule_set_create": [
        Check(
            "POST",
            expect={**codes(403), "province_admin": 201, "national_admin": 201, "anonymous": 401},
            data=lambda w: {
                "scope": w.province.pk,
                "name": "Bộ tiêu chí của tỉnh",
                "legal_basis": "Quyết định của UBND tỉnh",
                "valid_from": "2025-06-03",
            },
        ),
        Check(
            "POST",
            expect={**codes(403), "province_admin": 422, "national_admin": 201, "anonymous": 401},
            data=lambda w: {
                "name": "Bộ tiêu chí toàn quốc",
                "legal_basis": "Văn bản hướng dẫn",
                "valid_from": "2030-01-01",
            },
            note="the whole country's rules: national administrators only",
        ),
    ],
    "api:import_create": [Check("POST", expect={**codes(422), "anonymous": 401})],
    "api:export_create": [
        Check(
            "POST",
            expect={
                **API_VIEW,
                "commune_editor": 202,
                "district_approver": 202,
                "province_admin": 202,
                "national_admin": 202,
            },
            data=lambda w: {"what": "models", "unit_id": w.commune.pk},
        )
    ],
    "api:audit": [Check("GET", expect=API_ADMIN, query=lambda w: {"unit": w.commune.pk})],
    # Documents: the register of a unit read by those who view it; drafts written, edited and
    # issued by its editors; the letterhead set by the unit's administrators, the Word
    # templates by the province's (tests/test_documents.py).
    "documents:mine": [Check("GET", expect=codes(302))],
    "documents:register": [Check("GET", COMMUNE, IN_SCOPE_VIEW)],
    "documents:generate": [
        Check("GET", COMMUNE, IN_SCOPE_VIEW),
        Check(
            "POST",
            COMMUNE,
            IN_SCOPE_EDIT_WRITE,
            data=lambda w: {"kind": "report", "period": "2024"},
        ),
    ],
    "documents:document": [
        Check("GET", lambda w: {"pk": _official_document(w).pk}, IN_SCOPE_VIEW),
        Check(
            "POST",
            lambda w: {"pk": _official_document(w).pk},
            IN_SCOPE_EDIT_WRITE,
            data=lambda w: {
                "summary": "Báo cáo kết quả năm 2024",
                "place": "Mồ Sì San",
                "doc_date": "10/12/2024",
                "recipients": "- Lưu: VT.",
            },
        ),
    ],
    "documents:refresh": [
        Check("POST", lambda w: {"pk": _official_document(w).pk}, IN_SCOPE_EDIT_WRITE)
    ],
    # Issuing: the confirmation (what the draft's editors see before they issue), then the write.
    "documents:issue": [
        Check("GET", lambda w: {"pk": _official_document(w).pk}, IN_SCOPE_VIEW),
        Check("POST", lambda w: {"pk": _official_document(w).pk}, IN_SCOPE_EDIT_WRITE),
    ],
    "documents:delete": [
        Check("POST", lambda w: {"pk": _official_document(w).pk}, IN_SCOPE_EDIT_WRITE)
    ],
    "documents:docx": [
        Check("GET", lambda w: {"pk": _official_document(w).pk}, IN_SCOPE_VIEW),
        Check("GET", lambda w: {"pk": _official_document(w, True).pk}, IN_SCOPE_VIEW),
    ],
    "documents:pdf": [
        Check("GET", lambda w: {"pk": _official_document(w, True).pk}, IN_SCOPE_VIEW)
    ],
    "documents:letterhead": [Check("GET", COMMUNE, IN_SCOPE_ADMIN)],
    "documents:templates": [
        Check(
            "GET",
            lambda w: {"pk": w.province.pk},
            codes(404, 302, province_admin=200, national_admin=200),
        )
    ],
    "documents:template_file": [
        Check(
            "GET",
            lambda w: {"pk": _document_template(w).pk},
            codes(404, 302, province_admin=200, national_admin=200),
        )
    ],
    "documents:template_delete": [
        Check(
            "POST",
            lambda w: {"pk": _document_template(w).pk},
            codes(404, 302, province_admin=302, national_admin=302),
        )
    ],
    "documents:default_template": [Check("GET", expect=codes(200, 302))],
    "api:documents": [Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk})],
    "api:document": [Check("GET", lambda w: {"document_id": _official_document(w).pk}, API_VIEW)],
    "api:document_issue": [
        Check(
            "POST",
            lambda w: {"document_id": _official_document(w).pk},
            API_VIEW,
            data=lambda w: {},
        )
    ],
    "api:document_docx": [
        Check("GET", lambda w: {"document_id": _official_document(w, True).pk}, API_VIEW)
    ],
    "api:document_pdf": [
        Check("GET", lambda w: {"document_id": _official_document(w, True).pk}, API_VIEW)
    ],
    # Administration through the API (tests/test_api_admin.py): accounts and their roles by
    # the administrators who manage them, sign-in blocks, the checkpoints (national
    # administrators), the year-end close (the unit's administrators), drafts deleted and
    # refreshed by their editors, the letterhead and the Word templates as on the pages.
    "api:users": [Check("GET", expect={**ADMIN_ONLY, "anonymous": 401})],
    "api:user_create": [
        Check(
            "POST",
            expect=codes(403, 401, province_admin=201, national_admin=201),
            data=lambda w: {
                "username": "xa.moi",
                "password": "Mat-khau-moi-2024",
                "membership": {"unit": w.commune.pk, "role": "viewer"},
            },
        )
    ],
    "api:user": [
        Check("GET", lambda w: {"user_id": w.commune_editor.pk}, {**ADMIN_ONLY, "anonymous": 401}),
        Check(
            "GET",
            lambda w: {"user_id": w.outsider.pk},
            {**ADMIN_ONLY, "province_admin": 404, "anonymous": 401},
            note="an account of another province",
        ),
    ],
    "api:user_update": [
        Check(
            "PATCH",
            lambda w: {"user_id": w.commune_editor.pk},
            {**ADMIN_ONLY, "anonymous": 401},
            data=lambda w: {"version": versions.of(w.commune_editor), "phone": "0912 345 678"},
        )
    ],
    "api:user_password": [
        Check(
            "POST",
            lambda w: {"user_id": w.commune_editor.pk},
            {**ADMIN_ONLY, "anonymous": 401},
            data=lambda w: {"password": "Mat-khau-moi-2024"},
        ),
        Check(
            "POST",
            lambda w: {"user_id": w.outsider.pk},
            {**ADMIN_ONLY, "province_admin": 404, "anonymous": 401},
            data=lambda w: {"password": "Mat-khau-moi-2024"},
            note="an account of another province",
        ),
    ],
    "api:membership_add": [
        Check(
            "POST",
            lambda w: {"user_id": w.commune_editor.pk},
            {**ADMIN_ONLY, "anonymous": 401},
            data=lambda w: {"unit": w.commune.pk, "role": "viewer"},
        )
    ],
    "api:membership_delete": [
        Check(
            "DELETE",
            lambda w: {"membership_id": w.commune_editor.memberships.get().pk},
            {**API_ADMIN, "province_admin": 204, "national_admin": 204},
        )
    ],
    "api:sign_in_blocks": [Check("GET", expect={**ADMIN_ONLY, "anonymous": 401})],
    "api:sign_in_block_lift": [
        Check(
            "POST",
            expect={**ADMIN_ONLY, "anonymous": 401},
            data=lambda w: {"account": w.commune_editor.pk},
        )
    ],
    "api:finance_checkpoints": [Check("GET", expect=codes(200, 401))],
    "api:finance_checkpoint_set": [
        Check(
            "POST",
            expect=codes(403, 401, national_admin=200),
            data=lambda w: {"day": 31, "month": 3, "threshold": 10},
        )
    ],
    "api:finance_checkpoint_delete": [
        Check(
            "DELETE",
            lambda w: {"checkpoint_id": _checkpoint(w).pk},
            codes(403, 401, national_admin=204),
        )
    ],
    "api:finance_close_proposal": [
        Check("GET", expect=API_ADMIN, query=lambda w: {"unit": w.commune.pk, "year": 2024})
    ],
    "api:finance_close": [
        Check(
            "POST",
            expect=admin_write(201, 401),
            data=lambda w: {"unit": w.commune.pk, "year": 2024, "document": "12/QĐ-UBND"},
        )
    ],
    "api:finance_reopen": [
        Check(
            "POST",
            expect=admin_write(200, 401),
            data=lambda w: _closed_year(w, {"unit": w.commune.pk, "year": 2024, "reason": "Sai"}),
        )
    ],
    "api:document_delete": [
        Check(
            "DELETE",
            lambda w: {"document_id": _official_document(w).pk},
            {**API_VIEW, **{p: 204 for p in EDITORS}},
        )
    ],
    "api:document_refresh": [
        Check("POST", lambda w: {"document_id": _official_document(w).pk}, API_VIEW)
    ],
    "api:letterhead": [Check("GET", API_COMMUNE, API_ADMIN)],
    "api:letterhead_update": [
        Check("PATCH", API_COMMUNE, API_ADMIN, data=lambda w: {"version": 0, "issuer_code": "HPN"})
    ],
    "api:document_templates": [
        Check(
            "GET",
            lambda w: {"unit_id": w.province.pk},
            codes(404, 401, province_admin=200, national_admin=200),
        )
    ],
    "api:document_template_upload": [
        Check(
            "POST",
            lambda w: {"unit_id": w.province.pk},
            codes(404, 401, province_admin=201, national_admin=201),
            data=lambda w: {"kind": "", "file": _template_upload()},
            multipart=True,
        )
    ],
    "api:document_template_file": [
        Check(
            "GET",
            lambda w: {"template_id": _document_template(w).pk},
            codes(404, 401, province_admin=200, national_admin=200),
        )
    ],
    "api:document_template_delete": [
        Check(
            "DELETE",
            lambda w: {"template_id": _document_template(w).pk},
            codes(404, 401, province_admin=204, national_admin=204),
        )
    ],
    "api:document_default_template": [Check("GET", expect=codes(200, 401))],
    # Trainers, trainings of trainers and appointment decisions through the API: read by those
    # who view the unit that keeps them (the world's trainer is kept by the province), added by
    # its editors (tests/test_api_trainers.py).
    "api:model": [Check("GET", lambda w: {"model_id": w.team.pk}, API_VIEW)],
    "api:activity": [Check("GET", lambda w: {"activity_id": w.dialogue.pk}, API_VIEW)],
    "api:attachment_create": [
        Check(
            "POST",
            lambda w: {"activity_id": w.dialogue.pk},
            {**API_VIEW, **{p: 201 for p in EDITORS}},
            data=lambda w: {"title": "Biên bản", "file": _upload()},
            multipart=True,
        )
    ],
    "api:attachment_file": [Check("GET", lambda w: {"attachment_id": w.attachment.pk}, API_VIEW)],
    "api:trainers": [Check("GET", API_COMMUNE, API_VIEW)],
    "api:trainer_create": [
        Check(
            "POST",
            API_COMMUNE,
            {**API_VIEW, **{p: 201 for p in EDITORS}},
            data=lambda w: {"name": "Hà Thị Lan", "organisation": "Hội LHPN xã"},
        )
    ],
    "api:trainer": [
        Check(
            "GET",
            lambda w: {"trainer_id": w.trainer.pk},
            codes(404, 401, province_admin=200, national_admin=200),
        )
    ],
    "api:qualification_create": [
        Check(
            "POST",
            lambda w: {"trainer_id": w.trainer.pk},
            codes(404, 401, province_admin=201, national_admin=201),
            data=lambda w: {"programme": "programme_3", "completed_on": "2023-03-01"},
        )
    ],
    "api:appointments": [Check("GET", API_COMMUNE, API_VIEW)],
    "api:appointment_create": [
        Check(
            "POST",
            API_COMMUNE,
            {**API_VIEW, **{p: 201 for p in EDITORS}},
            data=lambda w: {
                "number": "12/QĐ-HPN",
                "date": "2024-04-01",
                "signer": "Chủ tịch",
                "trainers": [_commune_trainer(w).pk],
            },
        )
    ],
    "api:appointment": [Check("GET", lambda w: {"appointment_id": _appointment(w).pk}, API_VIEW)],
    # The reporting cycle's other capabilities through the API (tests/test_api_reporting.py).
    "api:report_compare": [
        Check(
            "GET",
            lambda w: {"unit_id": _submitted_twice(w).pk, "period": "2024"},
            API_VIEW,
        )
    ],
    "api:regimes": [Check("GET", expect=codes(200, 401))],
    "api:regime": [
        Check("GET", lambda w: {"regime_id": _regime(w, w.nation).pk}, codes(200, 401)),
        Check(
            "GET",
            lambda w: {"regime_id": _regime(w, w.province).pk},
            codes(404, 401, province_admin=200, national_admin=200),
            note="a province's own calendar",
        ),
    ],
    "api:regime_create": [
        Check(
            "POST",
            expect=codes(403, 401, province_admin=201, national_admin=201),
            data=lambda w: {
                "scope": w.province.pk,
                "level": "commune",
                "reports_to": "province",
                "period_kind": "half",
                "due_day": 10,
                "valid_from": "2026-07-01",
                "legal_source": "Kế hoạch của tỉnh",
            },
        )
    ],
    "api:regime_update": [
        Check(
            "PATCH",
            lambda w: {"regime_id": _regime(w, w.province).pk},
            codes(404, 401, province_admin=200, national_admin=200),
            data=lambda w: {"due_day": 12, "version": versions.of(_regime(w, w.province))},
        )
    ],
    "api:typed_figures": [
        Check("GET", expect=API_VIEW, query=lambda w: {"unit": w.commune.pk, "period": "2024"})
    ],
    "api:typed_figures_save": [
        Check(
            "PATCH",
            expect=API_VIEW,
            data=lambda w: {
                "unit": w.commune.pk,
                "period": "2024",
                "figures": [{"indicator": _typed_indicator(w).pk, "total": 3, "version": 0}],
            },
        )
    ],
    "api:document_generate": [
        Check(
            "POST",
            expect={**API_VIEW, **{p: 201 for p in EDITORS}},
            data=lambda w: {"kind": "report", "unit_id": w.commune.pk, "period": "2024"},
        )
    ],
    # A refused import's file with its errors marked: only its owner (the commune's editor).
    "api:job_errors": [
        Check("GET", lambda w: {"job_id": _refused_job(w).pk}, {**OWN_JOB, "anonymous": 401})
    ],
    # DHIS2 data values: exported from the units one views; imported by those who may edit
    # them (others' values are conflicts: 409, nothing stored). The mapping is read by
    # administrators, its data elements kept by national administrators, its organisation
    # units by the province's administrators.
    "api:dhis2_data_values": [Check("GET", expect=API_VIEW, query=lambda w: _dhis2_query(w))],
    "api:dhis2_data_values_import": [
        Check(
            "POST",
            expect={**API_VIEW, "sibling_viewer": 409, "outsider": 409},
            data=lambda w: {
                "dataValues": [
                    {
                        "dataElement": _dhis2_element(w).data_element,
                        "period": "2024S1",
                        "orgUnit": w.commune.code,
                        "value": "3",
                    }
                ]
            },
        )
    ],
    # The same as background jobs: anyone signed in may queue an import (the job refuses the
    # values of units one may not edit, as the request does: tests/test_dhis2_jobs.py); an
    # export is queued for a unit one views.
    "api:dhis2_import_create": [
        Check(
            "POST",
            expect=codes(202, 401),
            data=lambda w: {"file": _dhis2_set_file(w)},
            multipart=True,
        )
    ],
    "api:dhis2_export_create": [
        Check(
            "POST",
            expect={p: 202 if c == 200 else c for p, c in API_VIEW.items()},
            data=lambda w: {**_dhis2_query(w), "period": ["2024S1"]},
        )
    ],
    "api:dhis2_mapping": [
        Check("GET", expect=codes(403, 401, province_admin=200, national_admin=200))
    ],
    "api:dhis2_element_add": [
        Check(
            "POST",
            expect=codes(403, 401, national_admin=201),
            data=lambda w: {
                "indicator": _dhis2_element(w).indicator_id,
                "part": "women",
                "data_element": "aWomen00009",
            },
        )
    ],
    "api:dhis2_element_delete": [
        Check(
            "DELETE",
            lambda w: {"mapping_id": _dhis2_element(w).pk},
            codes(403, 401, national_admin=204),
        )
    ],
    "api:dhis2_org_unit_add": [
        Check(
            "POST",
            expect=admin_write(201, anonymous=401),
            data=lambda w: {"unit": w.commune.pk, "org_unit_uid": "OuMoSiSan01"},
        )
    ],
    "api:dhis2_org_unit_delete": [
        Check(
            "DELETE",
            lambda w: {"mapping_id": _dhis2_org_unit(w).pk},
            admin_write(204, anonymous=401),
        )
    ],
}


def _benefit_package(w, scope):
    """A package of ``scope`` with a lump sum per birth (made up)."""
    from duan8.benefits.models import SupportPackage
    from tests.benefits_factories import lump_item, package

    found = SupportPackage.objects.filter(scope=scope).first()
    if found is None:
        found = package(scope, code=f"G{scope.pk}")
        lump_item(found)
    return found


def _benefit_amount(w, scope):
    """2.200.000 đồng per birth from 2025 for ``scope``'s own package (made up)."""
    import datetime

    from tests.benefits_factories import lump_amount

    package = _benefit_package(w, scope)
    item = package.items.get()
    return item.amounts.filter(scope=scope).first() or lump_amount(
        item, scope, start=datetime.date(2025, 1, 1)
    )


def _benefit_birth(w):
    """An eligible birth of 10/4/2025 in the world's village, with the nation's package and
    amount in force."""
    import datetime

    from duan8.maternal.models import Birth
    from tests.benefits_factories import birth

    _benefit_amount(w, w.nation)
    return Birth.objects.filter(unit=w.village).first() or birth(
        w.village, datetime.date(2025, 4, 10)
    )


def _entitlement(w, approved=False):
    """The birth's proposed (or approved) entitlement."""
    from duan8.benefits import entitlements
    from duan8.benefits.models import Entitlement

    found = Entitlement.objects.filter(birth=_benefit_birth(w)).first()
    if found is None:
        (found,) = entitlements.propose(_benefit_birth(w))
        if approved:
            found = entitlements.approve(found)
    return found


def _budget_line(w):
    """A 2024 line of 100 triệu đồng on the commune."""
    from duan8.finance.models import BudgetLine

    found = BudgetLine.objects.filter(unit=w.commune, fiscal_year=2024).first()
    return found or BudgetLine.objects.create(
        unit=w.commune, fiscal_year=2024, source="central", original_amount=100_000_000
    )


def _district_line(w):
    """A 2024 line of 100 triệu đồng on the district."""
    from duan8.finance.models import BudgetLine

    found = BudgetLine.objects.filter(unit=w.district, fiscal_year=2024).first()
    return found or BudgetLine.objects.create(
        unit=w.district, fiscal_year=2024, source="central", original_amount=100_000_000
    )


def _transfer(w):
    """10 triệu đồng of the district's line handed to the commune on 1/3/2024."""
    import datetime

    from duan8.finance import actions
    from duan8.finance.models import Transfer

    found = Transfer.objects.first()
    return found or actions.transfer(
        _district_line(w),
        w.commune,
        date=datetime.date(2024, 3, 1),
        amount=10_000_000,
        voucher="UNC-0",
    )


def _norm_data(scope):
    return {
        "scope": scope.pk,
        "code": "hoc-vien",
        "item": "Học viên (định mức thử nghiệm)",
        "measure": "person_day",
        "amount": "150.000",
        "kind": "ceiling",
        "valid_from": "01/01/2024",
        "legal_source": "Test",
    }


def _norm_body(scope):
    """A norm as the API takes it (made up)."""
    return {
        "scope": scope.pk,
        "code": "hoc-vien",
        "item": "Học viên (định mức thử nghiệm)",
        "measure": "person_day",
        "amount": 150_000,
        "kind": "ceiling",
        "valid_from": "2024-01-01",
        "legal_source": "Test",
    }


def _norm(w, scope):
    """A ceiling of 150.000 đồng per person-day from 2024, for ``scope`` (made up)."""
    import datetime

    from duan8.finance.models import SpendingNorm

    found = SpendingNorm.objects.filter(scope=scope).first()
    return found or SpendingNorm.objects.create(
        scope=scope,
        code="hoc-vien",
        item="Học viên",
        measure="person_day",
        amount=150_000,
        kind="ceiling",
        valid_from=datetime.date(2024, 1, 1),
        legal_source="Test",
    )


def _estimate(w, line=False):
    """A draft 2024 estimate of the commune (with one line when asked)."""
    import datetime
    from decimal import Decimal

    from duan8.finance.models import Estimate, EstimateLine

    found = Estimate.objects.filter(unit=w.commune).first()
    if found is None:
        found = Estimate.objects.create(
            unit=w.commune, fiscal_year=2024, reference_date=datetime.date(2024, 1, 15)
        )
        if line:
            EstimateLine.objects.create(
                estimate=found,
                activity="Tập huấn",
                norm=_norm(w, w.nation),
                quantity=Decimal(10),
                unit_amount=150_000,
            )
    return found


def _token_of(account):
    from duan8.accounts.models import ApiToken

    return ApiToken.issue(account, "matrix")[0]


def _job(w):
    """An export the commune's editor ran, its file written."""
    from duan8.core import jobs
    from duan8.core.models import Job

    job = Job.objects.create(
        kind="community.export",
        owner=w.commune_editor,
        unit=w.commune,
        source="web",
        state=Job.State.DONE,
        output="matrix-export.xlsx",
        result={"rows": 0, "filename": "mo-hinh.xlsx"},
    )
    jobs.path_of(job.output).write_bytes(b"PK")
    return job


def _refused_job(w):
    """An import of the commune's editor refused, its file with the errors marked kept."""
    from duan8.core import import_errors, sheets
    from duan8.core.models import Job
    from tests.factories import xlsx

    upload = xlsx([["Tên"], [""]])
    errors = [sheets.RowError(row=2, column="Tên", message="Thiếu tên")]
    return Job.objects.create(
        kind="community.import",
        owner=w.commune_editor,
        unit=w.commune,
        source="api",
        state=Job.State.REFUSED,
        result={
            "error_count": 1,
            "annotated": import_errors.keep(w.commune_editor, upload, errors),
        },
    )


def _regime(w, scope):
    import datetime

    from duan8.reporting.models import Regime

    regime = Regime(
        scope=scope,
        level="commune",
        reports_to="province",
        period_kind="year",
        due_day=25,
        valid_from=datetime.date(2025, 7, 1),
        legal_source="Test",
    )
    regime.save()
    return regime


def _official_document(w, issued=False):
    """A draft report of the commune for 2024 (issued, with its PDF kept, when asked)."""
    import datetime

    from django.core.files.base import ContentFile

    from duan8.documents import actions
    from duan8.documents.models import OfficialDocument
    from duan8.framework import defaults

    state = "issued" if issued else "draft"
    found = OfficialDocument.objects.filter(issuer=w.commune, state=state).first()
    if found is None:
        defaults.load()
        found = actions.generate(
            None, "report", w.commune, period="2024", today=datetime.date(2024, 12, 10)
        )
        if issued:
            found = actions.issue(None, found)
            found.pdf.save("01-BC.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
            found.save()
    return found


def _document_template(w):
    """The province's Word template for every kind (the default one, uploaded)."""
    from django.core.files.base import ContentFile

    from duan8.documents import templates
    from duan8.documents.models import DocumentTemplate

    found = DocumentTemplate.objects.filter(unit=w.province).first()
    if found is None:
        found = DocumentTemplate(unit=w.province, kind="")
        found.file.save("mau.docx", ContentFile(templates.default_bytes()), save=False)
        found.save()
    return found


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minutes", "application/pdf")


def _template_upload():
    """The default Word template, uploaded as a province's own."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from duan8.documents import templates

    return SimpleUploadedFile("mau.docx", templates.default_bytes())


def _checkpoint(w):
    from duan8.finance.models import Checkpoint

    return Checkpoint.objects.first() or Checkpoint.objects.create(month=6, day=30, threshold=30)


def _closed_year(w, body):
    """The commune's 2024 closed (once), and ``body``, which reopens it."""
    from duan8.finance import actions

    if actions.active_close(w.commune, 2024) is None:
        actions.close(w.commune, 2024, "12/QĐ-UBND")
    return body


def _commune_trainer(w):
    from duan8.activities.models import Trainer

    return Trainer.objects.get_or_create(unit=w.commune, name="Lò Thị Hoa")[0]


def _appointment(w):
    """A decision of the commune appointing its trainer."""
    import datetime

    from duan8.activities.models import TrainerAppointment

    found = TrainerAppointment.objects.filter(unit=w.commune).first()
    if found is None:
        found = TrainerAppointment.objects.create(
            unit=w.commune, number="3/QĐ-HPN", date=datetime.date(2024, 3, 1), signer="Chủ tịch"
        )
        found.trainers.add(_commune_trainer(w))
    return found


def _submitted_twice(w):
    """The commune's 2024 report submitted, returned and submitted again: two versions."""
    from duan8.framework import periods
    from duan8.reporting import cycle

    period = periods.parse("2024")
    submission = cycle.submit(w.commune_editor, w.commune, period)
    cycle.send_back(w.district_approver, submission, "Bổ sung số liệu")
    cycle.submit(w.commune_editor, w.commune, period)
    return w.commune


def _typed_indicator(w):
    """An indicator of the phase whose figures are typed, not counted."""
    from duan8.framework import actions
    from duan8.framework.models import Indicator

    found = Indicator.objects.filter(code="TGTT").first()
    if found is None:
        found = actions.add_indicator(
            w.phase.content_areas.get(code="ND1"),
            code="TGTT",
            name="Người tham gia sinh hoạt truyền thông",
            unit_of_measure="người",
            source="typed",
            breakdowns=[],
            measure="reporting.typed",
        )
    return found


def _submitted(w):
    """The commune's 2024 report, submitted: the unit whose report is approved."""
    from duan8.framework import periods
    from duan8.reporting import cycle

    cycle.submit(w.commune_editor, w.commune, periods.parse("2024"))
    return w.commune


def _mother_data(w):
    import datetime

    from tests.maternal_factories import citizen_id

    return {
        "unit": w.village.pk,
        "full_name": "Lò Thị Mai",
        "birth_date": "10/05/1998",
        "ethnic_group": "Mông",
        "citizen_id": citizen_id(datetime.date(1998, 5, 10)),
    }


def _maternal_birth(w):
    """A birth of 15/3/2024 in the world's village, judged."""
    from duan8.maternal import eligibility
    from duan8.maternal.models import Birth
    from tests.maternal_factories import birth, mother

    found = Birth.objects.filter(unit=w.village).first()
    if found is None:
        found = birth(mother(w.village))
        eligibility.decide(found)
    return found


def _maternal_flag(w):
    """Two mothers of the village with the same CCCD, flagged."""
    from duan8.maternal import duplicates
    from duan8.maternal.models import DuplicateFlag
    from tests.maternal_factories import mother

    found = DuplicateFlag.objects.filter(unit=w.village).order_by("pk").first()
    if found is not None:
        return found
    first = _maternal_birth(w).mother
    second = mother(w.village, full_name="Lò Thị Mây", citizen_id=first.citizen_id)
    duplicates.refresh([second.pk])
    return DuplicateFlag.objects.get(mother=second)


def _report_form(w, scope):
    """The nation's default form (``scope`` None), else a form of ``scope`` (made up)."""
    from duan8.reportforms import actions
    from duan8.reportforms.models import ReportForm

    if scope is None:
        return ReportForm.objects.get(builtin="du-an-8")
    found = ReportForm.objects.filter(scope=scope).first()
    return found or actions.save(ReportForm(scope=scope, title="Biểu thử", cells=["value"]))


def _report_form_data(scope):
    """The editor's fields for a form of ``scope`` without rows or columns."""
    data = {"title": "Biểu thử", "columns": "units", "cells": ["value"]}
    data["scope"] = scope.pk if scope is not None else ""
    for prefix in ("rows", "columns"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def _walk(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield (
                f"{namespace}{entry.name}"
                if entry.name
                else f"{namespace}<unnamed {entry.pattern}>"
            )


def all_url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


def test_every_url_has_expectations():
    names = all_url_names()
    missing = sorted(names - EXPECTATIONS.keys())
    stale = sorted(EXPECTATIONS.keys() - names)
    assert not missing, f"URLs without access expectations: {missing}"
    assert not stale, f"expectations for URLs that no longer exist: {stale}"


def test_every_expectation_covers_every_persona():
    for name, checks in EXPECTATIONS.items():
        for check in checks:
            assert set(check.expect) == set(PERSONAS), name


FRAMEWORK_API = {
    "api:typed_figures",
    "api:typed_figures_save",
    "api:report_compare",
    "api:content_area_create",
    "api:indicator_create",
    "api:phases",
    "api:phase_create",
    "api:indicator",
    "api:indicator_version_create",
    "api:targets",
    "api:target_set",
    "api:allocation",
    "api:allocation_save",
    "api:figures",
    "api:report",
    "api:report_act",
    "api:completeness",
}

CASES = [
    pytest.param(name, index, persona, id=f"{name}[{index}]-{persona}")
    for name, checks in EXPECTATIONS.items()
    for index, _ in enumerate(checks)
    for persona in PERSONAS
]


def _with_framework(world):
    from duan8.framework import defaults

    world.phase = defaults.load()
    world.project = world.phase.project
    world.indicator = world.phase.indicators().get(code="TTCĐ")


@pytest.mark.parametrize(("name", "index", "persona"), CASES)
def test_access(client, world, name, index, persona):
    check = EXPECTATIONS[name][index]
    if (
        name.startswith(("framework:", "reporting:", "analytics:", "documents:", "api:document"))
        or name in FRAMEWORK_API
    ):
        _with_framework(world)
    url = reverse(name, kwargs=check.kwargs(world))
    headers = {}
    if persona != "anonymous":
        user = getattr(world, persona)
        if name.startswith("api:"):
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token(user)}"
        else:
            client.force_login(user)
    if check.method == "GET":
        response = client.get(url, check.query(world), **headers)
    elif check.method == "POST" and (check.multipart or not name.startswith("api:")):
        response = client.post(url, check.data(world), **headers)
    else:
        import json

        response = client.generic(
            check.method,
            url,
            json.dumps(check.data(world)),
            content_type="application/json",
            **headers,
        )
    expected = check.expect[persona]
    assert response.status_code == expected, (
        f"{check.method} {url} as {persona}: {response.status_code}, expected {expected}"
        f" {check.note}"
    )


def _dhis2_element(w):
    """The total of a typed indicator mapped to a DHIS2 data element (default combo)."""
    from duan8.dhis2.models import DataElementMapping

    if not hasattr(w, "phase"):
        _with_framework(w)
    indicator = _typed_indicator(w)
    found = DataElementMapping.objects.filter(indicator=indicator, part="total").first()
    return found or DataElementMapping.objects.create(
        indicator=indicator, part="total", data_element="aTotal00009"
    )


def _dhis2_query(w):
    """The commune's first half of 2024, with a mapped typed indicator to export."""
    _dhis2_element(w)
    return {"unit": w.commune.pk, "period": "2024S1"}


def _dhis2_set_file(w):
    """A dataValueSet of one value of the commune, as a file."""
    import io
    import json

    value = {
        "dataElement": _dhis2_element(w).data_element,
        "period": "2024S1",
        "orgUnit": w.commune.code,
        "value": "3",
    }
    upload = io.BytesIO(json.dumps({"dataValues": [value]}).encode())
    upload.name = "set.json"
    return upload


def _dhis2_org_unit(w):
    """The commune known to DHIS2 by a UID."""
    from duan8.dhis2.models import OrgUnitMapping

    found = OrgUnitMapping.objects.filter(unit=w.commune).first()
    return found or OrgUnitMapping.objects.create(unit=w.commune, org_unit_uid="OuMoSiSan01")
