"""The payment list (danh sách chi trả) of a unit for a period as an Excel file with a
signature column (Ký nhận): a personal list, exported only with the permission to export
personal data, for a reason, logged (``duan8.maternal.privacy.record_access``)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from duan8.core.sheets import _cell_writer


def headers() -> list[str]:
    return [
        _("No."),
        _("Mother's full name"),
        _("Date of birth"),
        _("Ethnic group"),
        _("Citizen ID (CCCD)"),
        _("Village"),
        _("Commune"),
        _("Birth date of the child"),
        _("Delivery"),
        _("Support item"),
        _("Occasions"),
        _("Amount (đồng)"),
        _("State"),
        _("Paid on"),
        _("Voucher"),
        _("Signature"),
    ]


def rows(entitlements) -> list[list]:
    found = []
    for number, entitlement in enumerate(entitlements, start=1):
        birth = entitlement.birth
        mother = birth.mother
        village = birth.unit
        found.append(
            [
                number,
                mother.full_name,
                mother.birth_date,
                mother.ethnic_group.name,
                mother.citizen_id,
                village.name,
                village.parent.name if village.parent_id else "",
                birth.date,
                birth.get_delivery_display(),
                entitlement.item.name,
                entitlement.count,
                entitlement.amount,
                entitlement.get_state_display(),
                entitlement.paid_on,
                entitlement.voucher,
                "",
            ]
        )
    return found


def workbook(unit, period, entitlements) -> bytes:
    """The list with a title, the header, one row per entitlement, the total and a wide
    signature column, ready to print."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_("Payment list")[:31])
    write = _cell_writer(book, sheet)
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "top"})
    title = _("Payment list of the safe-birth support packages: %(unit)s, %(period)s") % {
        "unit": unit.name,
        "period": period.label,
    }
    sheet.write_string(0, 0, title, bold)
    names = headers()
    for column, name in enumerate(names):
        sheet.write_string(2, column, name, head)
    listed = rows(entitlements)
    for index, values in enumerate(listed, start=3):
        for column, value in enumerate(values):
            write(index, column, value)
    total_row = 3 + len(listed)
    amount_column = names.index(_("Amount (đồng)"))
    sheet.write_string(total_row, 1, _("Total"), bold)
    sheet.write_number(total_row, amount_column, sum(values[amount_column] for values in listed))
    widths = {1: 28, 4: 16, 5: 22, 6: 22, 9: 30, 15: 24}
    for column in range(len(names)):
        sheet.set_column(column, column, widths.get(column, 12))
    sheet.set_landscape()
    sheet.repeat_rows(2)
    book.close()
    return out.getvalue()


def filename(unit, period) -> str:
    return f"danh-sach-chi-tra-{unit.pk}-{period.code}.xlsx"
