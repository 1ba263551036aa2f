"""The default Project 8 form: the phase's indicators by content area (the framework's
defaults, duan8/framework/defaults.py, by code, frozen here), one column per unit below the
unit it is filled for after the unit itself; each column shows the result in the period, the
result from the phase's start, the phase's target and the percent achieved (the figures of the
mid-term and final reviews). The nation's form, changed by national administrators.

Rows name indicators by code, found when the form is filled in the phase of the period: the
form exists before the framework is loaded on a new installation (``duan8 load_framework`` and
``duan8 demo`` come after ``migrate``). Idempotent: a form shipped under the same key is left
as it is, changed or not."""

from django.db import migrations

KEY = "du-an-8"
FORM = {
    "code": "01/DA8",
    "title": "TỔNG HỢP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU DỰ ÁN 8",
    "legal_basis": (
        "Thông tư 01/2022/TT-UBDT ngày 26/5/2022 của Ủy ban Dân tộc (quy trình giám sát, "
        "đánh giá Chương trình MTQG 1719), công bố lại tại Quyết định 552/QĐ-BDTTG ngày "
        "18/8/2025 của Bộ Dân tộc và Tôn giáo; Hướng dẫn 04/HD-ĐCT ngày 28/7/2022 của Đoàn "
        "Chủ tịch TW Hội LHPN Việt Nam"
    ),
    "columns": "units",
    "with_total": True,
    "cells": ["value", "to_date", "phase_target", "phase_percent"],
    "notes": (
        "Biểu mặc định của duan8: các chỉ tiêu Dự án 8 giai đoạn I theo nội dung; quản trị "
        "viên toàn quốc có thể sửa. Lũy kế tính từ đầu giai đoạn đến hết kỳ báo cáo."
    ),
}
# (content area code, [indicator codes]) in the framework's order.
ROWS = [
    ("ND1", ["TTCĐ", "GOI04"]),
    ("ND2", ["SINHKE", "DCTC", "MBN"]),
    ("ND3", ["CLB", "DTCS", "CBNU"]),
    ("ND4", ["CT2", "CT3"]),
    ("GSĐG", ["GSBDG", "KPGN", "KPCO", "TLGN"]),
]


def load(apps, schema_editor):
    report_form = apps.get_model("reportforms", "ReportForm")
    form_row = apps.get_model("reportforms", "FormRow")
    if report_form.objects.filter(builtin=KEY).exists():
        return
    form = report_form.objects.create(builtin=KEY, scope=None, revision=1, **FORM)
    order = 0
    for area, indicators in ROWS:
        order += 10
        form_row.objects.create(report=form, order=order, kind="heading", code=area)
        for code in indicators:
            order += 10
            form_row.objects.create(report=form, order=order, kind="indicator", code=code)


def unload(apps, schema_editor):
    apps.get_model("reportforms", "ReportForm").objects.filter(builtin=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [("reportforms", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
