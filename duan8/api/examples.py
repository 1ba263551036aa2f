"""An example of the body each write of the API takes, shown in its OpenAPI description.

Kept in one place, by the operation's URL name, and checked by tests/test_api_coverage.py:
every operation that takes a body has an example (here or on its schema's fields), and every
example here is a body its operation accepts. Ids are those of a small database (a province
12, its district 13, its commune 14, a village 15); values are written as officers write them.
"""

from __future__ import annotations

from typing import Any

# A file sent in a multipart form, as the description shows it.
FILE = "(the Excel file)"

EXAMPLES: dict[str, dict[str, Any]] = {
    # Geography
    "unit_update": {"version": 3, "name": "Xã Mồ Sì San", "short_name": "Mồ Sì San"},
    "village_create": {"name": "Bản Nậm Cáy"},
    "village_review": {"commune": 14},
    "classification_create": {
        "kind": "region",
        "value": "III",
        "valid_from": "2021-06-04",
        "legal_basis": "Quyết định 861/QĐ-TTg",
    },
    "project_area_propose": {"unit": 12, "year": 2025},
    "project_area_add": {"unit": 14, "year": 2025},
    "project_area_entry": {"included": False, "version": 1},
    # Framework and targets
    "phase_create": {
        "project": 1,
        "code": "GĐ II",
        "name": "Giai đoạn II (2026-2030)",
        "start": "2026-01-01",
        "end": "2030-12-31",
    },
    "content_area_create": {
        "code": "ND5",
        "name": "Nâng cao năng lực cho cán bộ",
        "name_en": "Capacity building for officers",
        "order": 5,
    },
    "indicator_create": {
        "code": "TTCĐ-2",
        "name": "Số tổ truyền thông cộng đồng được duy trì",
        "name_en": "Community communication teams maintained",
        "unit_of_measure": "tổ",
        "source": "registry",
        "definition": "Tổ đang hoạt động vào cuối kỳ.",
    },
    "indicator_version_create": {
        "valid_from": "2026-01-01",
        "definition": "Từ 2026: chỉ tính tổ có ít nhất 10 thành viên.",
    },
    "target_set": {
        "indicator": 3,
        "unit": 12,
        "period": "2024",
        "value": 40,
        "doc_number": "125/QĐ-UBND",
        "doc_date": "2024-02-20",
        "doc_issuer": "UBND tỉnh Lai Châu",
    },
    "allocation_save": {
        "unit": 12,
        "phase": 1,
        "period": "2024",
        "cells": [{"unit": 13, "indicator": 3, "value": 25, "read": 20}],
        "kept": [{"indicator": 3, "value": 15, "read": 20}],
    },
    # Registry and activities
    "model_create": {
        "kind": "communication_team",
        "unit": 15,
        "name": "Tổ truyền thông cộng đồng bản Nậm Cáy",
        "established_on": "2024-03-08",
        "members_women": 8,
        "members_men": 2,
    },
    "model_update": {"version": 2, "members_women": 12},
    "activity_create": {
        "kind": "dialogue",
        "dialogue_level": "commune",
        "title": "Đối thoại chính sách về phòng chống tảo hôn",
        "unit": 14,
        "start_on": "2024-08-20",
        "end_on": "2024-08-20",
        "organiser": "Hội LHPN xã Mồ Sì San",
        "participants": 60,
        "participants_women": 45,
        "participants_ethnic": 58,
        "cost": 4500000,
    },
    "activity_update": {"version": 1, "participants": 62, "participants_women": 47},
    "attachment_create": {"title": "Biên bản đối thoại", "file": "(the scanned document)"},
    # Reporting
    "report_act": {"action": "submit", "comment": "Báo cáo 6 tháng đầu năm 2024"},
    "regime_update": {"version": 2, "due_day": 20, "legal_source": "Hướng dẫn 04/HD-ĐCT"},
    # Imports and exports
    "import_create": {
        "what": "models",
        "unit_id": 12,
        "kind": "communication_team",
        "existing": "skip",
        "file": FILE,
    },
    "export_create": {"what": "models", "unit_id": 12, "kind": "communication_team"},
    "dhis2_import_create": {"file": "(the dataValueSet, a .json or .csv file)"},
    "dhis2_export_create": {"orgUnit": "12", "period": ["2024S1", "2024S2"], "format": "csv"},
    # Finance
    "budget_line_create": {
        "unit": 12,
        "fiscal_year": 2024,
        "source": "central",
        "original_amount": 1500000000,
        "decision_number": "2145/QĐ-UBND",
        "decision_date": "2024-01-15",
        "decision_issuer": "UBND tỉnh Lai Châu",
    },
    "disbursement_create": {
        "line": 7,
        "date": "2024-06-28",
        "amount": 45000000,
        "voucher": "UNC 0123",
        "notes": "Tập huấn tổ truyền thông",
    },
    "estimate_create": {"unit": 14, "fiscal_year": 2025, "title": "Dự toán năm 2025"},
    "estimate_line_create": {
        "activity": "Tập huấn kỹ năng truyền thông cho tổ truyền thông cộng đồng",
        "quantity": 30,
        "norm": 4,
    },
    # Mothers, births and their support
    "mother_create": {
        "unit": 15,
        "full_name": "Lò Thị Mai",
        "birth_date": "1998-04-12",
        "ethnic_group": "Mông",
        "citizen_id": "012198000123",
        "household_status": "poor",
    },
    "birth_create": {
        "mother": 21,
        "date": "2024-05-03",
        "place": "facility",
        "facility_name": "Trạm y tế xã Mồ Sì San",
        "delivery": "normal",
        "babies": 1,
        "children_before": 1,
        "children_alive": 1,
        "married": True,
    },
    "births_import": {"unit_id": 12, "file": FILE},
    "births_export": {"unit_id": 12, "purpose": "Danh sách chi trả quý II/2024", "year": 2024},
    "birth_judge": {"reason": "Đã bổ sung số con còn sống"},
    "mother_update": {"version": 4, "phone": "0912345678", "household_status": "near_poor"},
    "birth_update": {"version": 2, "children_alive": 1, "facility_name": "Trạm y tế xã Dào San"},
    "duplicate_review": {
        "version": 7,
        "state": "different",
        "note": "Hai người khác nhau, đã đối chiếu CCCD",
    },
    "rule_set_create": {
        "name": "Bộ tiêu chí từ 03/6/2025",
        "legal_basis": "Pháp lệnh sửa đổi Điều 10 Pháp lệnh Dân số, có hiệu lực từ 03/6/2025",
        "valid_from": "2025-06-03",
        "population_policy": "no_limit",
    },
    "benefit_package_create": {
        "scope": 1,
        "code": "CS1",
        "name": "Hỗ trợ phụ nữ sinh con đúng chính sách dân số",
        "document": "Nghị định 39/2015/NĐ-CP",
    },
    "benefit_item_create": {
        "code": "CS1.1",
        "name": "Hỗ trợ khám thai",
        "counting": "per_occasion",
        "occasion": "lần khám thai",
    },
    "benefit_amount_create": {
        "support_item": 3,
        "scope": 1,
        "amount": 2000000,
        "valid_from": "2022-01-01",
        "document": "Thông tư 15/2022/TT-BTC",
    },
    "benefit_amount_change": {
        "version": 1,
        "valid_from": "2025-01-01",
        "amount": 2500000,
        "document": "Quyết định 12/2024/QĐ-UBND",
    },
    "benefit_amount_close": {"version": 2, "valid_until": "2025-12-31"},
    "birth_entitlements_propose": {"counts": [{"support_item": 3, "count": 1}]},
    "entitlement_reject": {"reason": "Sinh con thứ ba, không thuộc trường hợp được hỗ trợ"},
    "entitlement_pay": {
        "paid_on": "2024-07-15",
        "payer": "Hội LHPN xã Mồ Sì San",
        "voucher": "PC 045",
    },
    # Documents
    "document_generate": {"kind": "report", "unit_id": 12, "period": "2024-H1"},
    "document_issue": {"number": 125},
    # Accounts, letterheads, templates, checkpoints and the year-end close (administrators)
    "user_create": {
        "username": "mosisan.nhaplieu",
        "full_name": "Lò Thị Hoa",
        "email": "hoa@example.vn",
        "password": "Mật-khẩu-ban-đầu-2024",
        "membership": {"unit": 14, "role": "editor"},
    },
    "user_update": {"version": 7, "phone": "0912 345 678"},
    "user_password": {"password": "Mật-khẩu-mới-2024"},
    "membership_add": {"unit": 14, "role": "viewer", "may_export_personal_data": False},
    "sign_in_block_lift": {"account": 21},
    "letterhead_update": {
        "version": 0,
        "parent_body": "HỘI LHPN TỈNH LAI CHÂU",
        "issuing_body": "BAN THƯỜNG VỤ",
        "issuer_code": "BTV",
        "place": "Lai Châu",
    },
    "document_template_upload": {"kind": "report", "file": "(the Word template)"},
    "finance_checkpoint_set": {"day": 30, "month": 6, "threshold": 30},
    "finance_close": {
        "unit": 13,
        "year": 2024,
        "document": "15/QĐ-UBND",
        "to_units": [{"unit": 16, "to": 12}],
    },
    "finance_reopen": {"unit": 13, "year": 2024, "reason": "Sai số liệu giải ngân quý IV"},
}


def url_names(api) -> dict[str, str]:
    """Every operation's URL name, by its operationId."""
    found = {}
    for bound in api._get_bound_routers():
        for view in bound.template.path_operations.values():
            for operation in view.operations:
                key = operation.operation_id or api.get_openapi_operation_id(operation)
                found[key] = operation.url_name or ""
    return found


def add(schema: dict, api) -> dict:
    """Put each operation's example on its request body in the OpenAPI description."""
    names = url_names(api)
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            example = EXAMPLES.get(names.get(operation.get("operationId"), ""))
            if example is None:
                continue
            for media in operation["requestBody"].get("content", {}).values():
                media.setdefault("example", example)
    return schema
