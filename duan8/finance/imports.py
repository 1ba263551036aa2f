"""Budget lines and disbursements from Excel, and back: the shared importer's rules (the whole
file checked, every bad row with its row, column and reason, nothing stored unless every row
is right, the annotated file), with the columns officers write.

* Units are read by the one resolver (``geo.resolver``): official names with diacritics, a
  district after a comma, codes, the "Thuộc …" columns.
* Amounts are whole đồng, written the Vietnamese way (1.234.567) or as numbers.
* A disbursement names its line by the line's id ("Mã dòng kinh phí", as an export writes
  it), or by its unit, fiscal year, source and decision number. The file's rows on one line
  are checked together: what is already disbursed plus the file's rows may not pass the
  line's amount; the row that goes over is named with what was still available.
* An export writes the import's columns with each record's id: importing it back skips
  every row (never stores twice).
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duan8.activities.models import ActivityKind
from duan8.core import audit, roundtrip, sheets
from duan8.core.formatting import format_million_dong, format_number
from duan8.finance import actions
from duan8.finance.models import BudgetLine, Disbursement, FundSource, Transfer
from duan8.geo import resolver
from duan8.geo.matching import fold
from duan8.geo.models import AdminUnit, UnitKind

MONEY_KINDS = [UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE]

# How officers write the sources besides their labels (folded when compared).
SOURCE_WORDS = {
    FundSource.CENTRAL: (
        "Trung ương",
        "Ngân sách trung ương",
        "NSTW",
        "Vốn trung ương",
        "Central",
    ),
    FundSource.LOCAL: (
        "Địa phương",
        "Ngân sách địa phương",
        "NSĐP",
        "NSDP",
        "Đối ứng",
        "Vốn đối ứng",
        "Local",
    ),
    FundSource.CARRIED: (
        "Chuyển nguồn",
        "Năm trước chuyển sang",
        "Kinh phí chuyển nguồn",
        "Carried",
        "Carried over",
    ),
    FundSource.OTHER: ("Xã hội hóa", "Huy động xã hội", "Nguồn khác", "Khác", "Other"),
}
_SOURCE_BY_WORD = {fold(word): value for value, words in SOURCE_WORDS.items() for word in words}


def source_named(text: str) -> str | None:
    return roundtrip.choice_named(FundSource, text) or _SOURCE_BY_WORD.get(fold(text))


# Columns --------------------------------------------------------------------------------------


def _unit_column() -> sheets.Column:
    return sheets.Column(
        "unit",
        "Đơn vị",
        aliases=("Đơn vị sử dụng", "Đơn vị chi", "Đơn vị được giao", "Mã đơn vị", "Unit"),
        help=gettext_lazy(
            "The province, district (until 2025) or commune that spends the money: its "
            "official name (Xã Nậm Chà), its short name or its code. When two units share a "
            "name, add the one above it after a comma (Xã Tân Lập, Huyện Sông Mã) or in the "
            "“Thuộc …” columns."
        ),
    )


def _year_column(required: bool = True) -> sheets.Column:
    return sheets.Column(
        "fiscal_year",
        "Năm ngân sách",
        required=required,
        aliases=("Năm", "Năm tài chính", "Fiscal year"),
        help=gettext_lazy("The fiscal year of the money (2024)."),
    )


def _source_column(required: bool = True) -> sheets.Column:
    return sheets.Column(
        "source",
        "Nguồn vốn",
        required=required,
        aliases=("Nguồn", "Nguồn kinh phí", "Source"),
        help=gettext_lazy(
            "Ngân sách trung ương (NSTW), Ngân sách địa phương (đối ứng), Kinh phí năm trước "
            "chuyển sang (chuyển nguồn), or Huy động xã hội và nguồn khác."
        ),
    )


def _decision_column() -> sheets.Column:
    return sheets.Column(
        "decision_number",
        "Số quyết định",
        required=False,
        aliases=("Quyết định", "Số QĐ", "Quyết định giao", "Decision number"),
        help=gettext_lazy("The number of the decision that allocated it (2689/QĐ-UBND)."),
    )


def _notes_column() -> sheets.Column:
    return sheets.Column(
        "notes",
        "Ghi chú",
        required=False,
        aliases=("Notes",),
        help=gettext_lazy("Optional, at most 300 characters."),
    )


LINE_COLUMNS = [
    roundtrip.id_column(
        "Mã dòng kinh phí",
        gettext_lazy(
            "Leave empty for a new line. An export fills in each line's id: importing the "
            "row again then skips or updates that line, never stores it twice."
        ),
    ),
    _unit_column(),
    _year_column(),
    _source_column(),
    sheets.Column(
        "content_area",
        "Nội dung",
        required=False,
        aliases=("Nội dung thành phần", "Mã nội dung", "Content area"),
        help=gettext_lazy("Optional: the code of the programme's content area (ND1)."),
    ),
    sheets.Column(
        "activity_kind",
        "Loại hoạt động",
        required=False,
        aliases=("Hoạt động", "Activity kind"),
        help=gettext_lazy("Optional: the kind of activity the money is for."),
    ),
    sheets.Column(
        "original_amount",
        "Số tiền được giao (đồng)",
        aliases=(
            "Số tiền được giao",
            "Số tiền giao",
            "Kinh phí được giao",
            "Dự toán được giao",
            "Số tiền",
            "Allocated amount",
        ),
        help=gettext_lazy("In whole đồng: 1.234.567 or 1234567."),
    ),
    sheets.Column(
        "revised_amount",
        "Số tiền điều chỉnh (đồng)",
        required=False,
        aliases=("Số tiền điều chỉnh", "Dự toán điều chỉnh", "Điều chỉnh", "Revised amount"),
        help=gettext_lazy(
            "Optional: the revised allocation, in whole đồng; it replaces the allocated amount."
        ),
    ),
    _decision_column(),
    sheets.Column(
        "decision_date",
        "Ngày quyết định",
        required=False,
        aliases=("Ngày QĐ", "Decision date"),
        help=gettext_lazy("Optional: the decision's date (dd/mm/yyyy)."),
    ),
    sheets.Column(
        "decision_issuer",
        "Cơ quan ban hành",
        required=False,
        aliases=("Cơ quan quyết định", "Đơn vị ban hành", "Issued by"),
        help=gettext_lazy("Optional: who issued the decision (UBND tỉnh Lai Châu)."),
    ),
    _notes_column(),
    *resolver.context_columns(),
]
LINE_HEADERS = [c.header for c in LINE_COLUMNS]

DISBURSEMENT_COLUMNS = [
    roundtrip.id_column(
        "Mã giải ngân",
        gettext_lazy(
            "Leave empty for a new disbursement. An export fills in each disbursement's id: "
            "importing the row again skips it, never stores it twice."
        ),
    ),
    sheets.Column(
        "line",
        "Mã dòng kinh phí",
        required=False,
        aliases=("Mã dòng", "Dòng kinh phí", "Line id"),
        help=gettext_lazy(
            "The budget line's id, as the export of budget lines writes it. Without it, the "
            "line is found by its unit, fiscal year, source and decision number."
        ),
    ),
    sheets.Column(
        "unit",
        "Đơn vị",
        required=False,
        aliases=_unit_column().aliases,
        help=gettext_lazy(
            "The line's unit (when there is no line id): its official name, short name or "
            "code; a district after a comma when two units share a name."
        ),
    ),
    _year_column(required=False),
    _source_column(required=False),
    _decision_column(),
    sheets.Column(
        "date",
        "Ngày chi",
        aliases=("Ngày giải ngân", "Ngày chứng từ", "Ngày", "Date"),
        help=gettext_lazy("The day the money was spent (dd/mm/yyyy), within the line's window."),
    ),
    sheets.Column(
        "amount",
        "Số tiền (đồng)",
        aliases=("Số tiền", "Số tiền giải ngân", "Số tiền chi", "Amount"),
        help=gettext_lazy("In whole đồng: 1.234.567 or 1234567; at most what the line has left."),
    ),
    sheets.Column(
        "voucher",
        "Số chứng từ",
        aliases=("Chứng từ", "Số hiệu chứng từ", "Voucher"),
        help=gettext_lazy("The voucher's reference (PC-12/2024)."),
    ),
    _notes_column(),
    *resolver.context_columns(),
]
DISBURSEMENT_HEADERS = [c.header for c in DISBURSEMENT_COLUMNS]


# Cells ----------------------------------------------------------------------------------------


def dong(row: sheets.Row, key: str, column: str) -> tuple[int | None, sheets.RowError | None]:
    """An amount cell in whole đồng (None when empty), or the reason it is not one."""
    from duan8.core.formatting import parse_amount

    value = row.values.get(key)
    if type(value) is int and value >= 0:
        return value, None
    text = row.text(key)
    try:
        number = parse_amount(value)
    except ValueError:
        if text.startswith("-") or (isinstance(value, (int, float)) and value < 0):
            reason = _("“%(value)s” is negative; an amount is 0 or more.")
        elif re.fullmatch(r"\d+\.\d{1,2}", text):
            reason = _(
                "“%(value)s”: in Vietnamese a dot separates thousands (1.234.567); write the "
                "amount in whole đồng."
            )
        elif re.fullmatch(r"[\d.,\s]+", text):
            reason = _("“%(value)s” is not a whole number of đồng, or is too large.")
        else:
            reason = _("“%(value)s” is not an amount in đồng (1.234.567).")
        return None, sheets.RowError(row.number, column, reason % {"value": text[:40]})
    if number is None:
        return None, None
    if number != int(number):
        reason = _("“%(value)s”: amounts are whole đồng, without decimals.")
        return None, sheets.RowError(row.number, column, reason % {"value": text[:40]})
    return int(number), None


def _year(row: sheets.Row, column: str) -> tuple[int | None, sheets.RowError | None]:
    text = row.text("fiscal_year")
    if not text:
        return None, None
    if text.isdecimal() and text.isascii() and len(text) == 4:
        return int(text), None
    return None, sheets.RowError(
        row.number, column, _("“%(value)s” is not a year (2024).") % {"value": text[:40]}
    )


class _Units:
    """The money-holding units under an import's unit, read on a day of the record."""

    def __init__(self, scope: AdminUnit) -> None:
        self.names = resolver.for_scope(scope, MONEY_KINDS)

    def in_year(self, row: sheets.Row, year: int, day: datetime.date | None = None):
        """The unit a row names, on ``day`` or else on a day of ``year`` (its first day;
        failing that, its last: a commune that began in mid-year)."""
        text, context = row.text("unit"), resolver.context_of(row)
        if day is not None:
            return self.names.resolve(text, day, context)
        found = self.names.resolve(text, datetime.date(year, 1, 1), context)
        if found.unit is None:
            later = self.names.resolve(text, datetime.date(year, 12, 31), context)
            if later.unit is not None:
                return later
        return found


def _content_areas() -> dict[str, list]:
    from duan8.framework.models import ContentArea

    areas: dict[str, list] = defaultdict(list)
    for area in ContentArea.objects.select_related("phase"):
        areas[fold(area.code)].append(area)
    return areas


def _area_for(areas: dict, text: str, year: int | None):
    """The content area of that code; of the phase running in ``year`` when codes repeat."""
    found = areas.get(fold(text), [])
    if len(found) > 1 and year:
        start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
        running = [a for a in found if a.phase.start < end and a.phase.end > start]
        found = running or found
    return found[0] if found else None


# Budget lines ---------------------------------------------------------------------------------


def _line_key(values: dict) -> tuple:
    area = values.get("content_area")
    return (
        values["unit"].pk,
        values["fiscal_year"],
        values["source"],
        area.pk if area is not None else None,
        values.get("activity_kind", ""),
        roundtrip.text_key(values.get("decision_number", "")),
    )


def _registered_lines(scope: AdminUnit) -> roundtrip.Registered:
    found = BudgetLine.objects.filter(resolver.ever_under(scope, "unit__path")).values_list(
        "pk",
        "unit_id",
        "fiscal_year",
        "source",
        "content_area_id",
        "activity_kind",
        "decision_number",
    )
    return roundtrip.Registered(
        (
            (pk, (unit_id, year, source, area, kind, roundtrip.text_key(number)))
            for pk, unit_id, year, source, area, kind, number in found
        ),
        id_column=sheets.header_of(LINE_COLUMNS, "record"),
        key_column=sheets.header_of(LINE_COLUMNS, "decision_number"),
    )


def import_lines(
    upload,
    scope: AdminUnit,
    *,
    existing: str = roundtrip.SKIP,
    progress: sheets.ProgressFn | None = None,
) -> roundtrip.Imported:
    """Validate every row, then store every budget line in one transaction, or refuse with
    every bad row, column and reason. A row for a line already registered under ``scope``
    (its id, as an export writes it, or the same unit, year, source, content area, activity
    kind and decision number) is skipped, or updated when ``existing`` is "update"."""
    progress = progress or sheets.no_progress
    progress("reading")
    rows = sheets.read(upload, LINE_COLUMNS)
    header = sheets.headers(LINE_COLUMNS).__getitem__
    units = _Units(scope)
    areas = _content_areas()
    known = _registered_lines(scope)
    checked = roundtrip.Checked(BudgetLine, LINE_COLUMNS, "unit")
    errors, skipped = [], []
    for done, row in enumerate(rows):
        if done % 1000 == 0:
            progress("checking", done, len(rows))
        problems = []
        year, problem = _year(row, header("fiscal_year"))
        if problem:
            problems.append(problem)
        elif year is None:
            problems.append(
                sheets.RowError(row.number, header("fiscal_year"), _("the year is empty."))
            )
        unit = None
        if year is not None:
            found = units.in_year(row, year)
            unit = found.unit
            if unit is None:
                problems.insert(0, sheets.RowError(row.number, header("unit"), found.message))
        source = source_named(row.text("source"))
        if source is None:
            problems.append(
                sheets.RowError(
                    row.number,
                    header("source"),
                    _("“%(value)s” is not a source of money.") % {"value": row.text("source")}
                    if row.text("source")
                    else _("the source is empty."),
                )
            )
        area = None
        if row.text("content_area"):
            area = _area_for(areas, row.text("content_area"), year)
            if area is None:
                problems.append(
                    sheets.RowError(
                        row.number,
                        header("content_area"),
                        _("no content area has the code “%(value)s”.")
                        % {"value": row.text("content_area")[:40]},
                    )
                )
        kind = ""
        if row.text("activity_kind"):
            kind = roundtrip.choice_named(ActivityKind, row.text("activity_kind")) or ""
            if not kind:
                problems.append(
                    sheets.RowError(
                        row.number,
                        header("activity_kind"),
                        _("“%(value)s” is not a kind of activity.")
                        % {"value": row.text("activity_kind")[:40]},
                    )
                )
        amounts = {}
        for key in ("original_amount", "revised_amount"):
            amounts[key], problem = dong(row, key, header(key))
            if problem:
                problems.append(problem)
        if "original_amount" not in [p.column for p in problems] and not row.text(
            "original_amount"
        ):
            problems.append(
                sheets.RowError(
                    row.number, header("original_amount"), _("the allocated amount is empty.")
                )
            )
        dates, bad_dates = sheets.date_cells(row, ("decision_date",), header)
        problems += bad_dates
        values = {
            "unit": unit,
            "fiscal_year": year,
            "source": source,
            "content_area": area,
            "activity_kind": kind,
            **amounts,
            "decision_number": row.text("decision_number"),
            "decision_date": dates.get("decision_date"),
            "decision_issuer": row.text("decision_issuer"),
            "notes": row.text("notes"),
        }
        found_pk = None
        if not problems:
            found_pk, duplicates = known.match(row, _line_key(values))
            problems += duplicates
        if not problems and found_pk is not None and existing != roundtrip.UPDATE:
            skipped.append(row.number)
            continue
        if not problems:
            checked.add(row, values, found_pk)
        errors += problems
    progress("validating", len(rows), len(rows))
    rows.clear()
    planned, updates, invalid = checked.validate(lambda values: BudgetLine(**values))
    errors = sorted(errors + invalid, key=lambda error: error.row)
    if errors:
        raise sheets.ImportRefused(errors)
    progress("storing", 0, len(planned) + len(updates))
    with transaction.atomic():
        for line in updates:
            actions.save_line(line)
        created = audit.bulk_create(planned, validated=True)
    return roundtrip.Imported(created, updates, skipped)


# Disbursements --------------------------------------------------------------------------------


class _Lines:
    """The budget lines under an import's unit: by id, and by unit, year, source and
    decision number; with what each has disbursed (one query each for the whole file)."""

    def __init__(self, scope: AdminUnit) -> None:
        self.scope = scope
        self.rows = {
            pk: (unit_id, year, source, number)
            for pk, unit_id, year, source, number in BudgetLine.objects.filter(
                resolver.ever_under(scope, "unit__path")
            ).values_list("pk", "unit_id", "fiscal_year", "source", "decision_number")
        }
        self.by_key: dict[tuple, list[int]] = defaultdict(list)
        for pk, (unit_id, year, source, number) in self.rows.items():
            self.by_key[(unit_id, year, source, roundtrip.text_key(number))].append(pk)
        self._loaded: dict[int, BudgetLine] = {}

    def named(self, unit_id: int, year: int, source: str, number: str) -> list[int]:
        return sorted(self.by_key.get((unit_id, year, source, roundtrip.text_key(number)), []))

    def load(self, pks) -> dict[int, BudgetLine]:
        """The lines as records, each with its disbursed total and spending window read
        once (a disbursement's check asks for them per row)."""
        wanted = set(pks) - set(self._loaded)
        if wanted:
            spent = dict(
                Disbursement.objects.filter(line_id__in=wanted)
                .values_list("line_id")
                .annotate(total=Sum("amount"))
                .values_list("line_id", "total")
            )
            handed = _totals(Transfer.objects.filter(from_line_id__in=wanted), "from_line_id")
            for line in BudgetLine.objects.filter(pk__in=wanted).select_related("unit"):
                total, window = spent.get(line.pk, 0), line.spending_window()
                line.disbursed_total = total
                line.disbursed = lambda exclude_pk=None, total=total: total
                given = handed.get(line.pk, 0)
                line.transferred_total = given
                line.transferred = lambda exclude_pk=None, given=given: given
                line.spending_window = lambda window=window: window
                self._loaded[line.pk] = line
        return self._loaded


def _totals(rows, field: str) -> dict[int, int]:
    return dict(rows.values_list(field).annotate(total=Sum("amount")).values_list(field, "total"))


def _line_problem(row, header, pk_text: str, scope) -> sheets.RowError:
    return sheets.RowError(
        row.number,
        header("line"),
        _("no budget line of %(unit)s has the id %(id)s; use the id an export writes.")
        % {"unit": scope.name, "id": pk_text[:20]},
    )


def _find_line(row, header, lines: _Lines, units: _Units, day) -> tuple[int | None, list]:
    """The line a row stands for, by its id or by unit, year, source and decision number."""
    written = row.text("line")
    if written:
        if written.isdecimal() and written.isascii() and int(written) in lines.rows:
            return int(written), []
        return None, [_line_problem(row, header, written, lines.scope)]
    problems = []
    year, problem = _year(row, header("fiscal_year"))
    if problem:
        problems.append(problem)
    elif year is None:
        year = day.year if day else None
    if not row.text("unit"):
        problems.append(
            sheets.RowError(
                row.number,
                header("line"),
                _("write the line's id, or its unit, fiscal year, source and decision number."),
            )
        )
        return None, problems
    source = source_named(row.text("source"))
    if source is None:
        problems.append(
            sheets.RowError(
                row.number,
                header("source"),
                _("“%(value)s” is not a source of money.") % {"value": row.text("source")[:40]}
                if row.text("source")
                else _("the source is empty: it says which line of the unit the money is from."),
            )
        )
    if year is None:
        problems.append(sheets.RowError(row.number, header("fiscal_year"), _("the year is empty.")))
    if problems:
        return None, problems
    found = units.in_year(row, year, day if day and day.year == year else None)
    if found.unit is None:
        return None, [sheets.RowError(row.number, header("unit"), found.message)]
    pks = lines.named(found.unit.pk, year, source, row.text("decision_number"))
    if not pks:
        return None, [
            sheets.RowError(
                row.number,
                header("line"),
                _(
                    "%(unit)s has no budget line for %(year)d from this source with the "
                    "decision number “%(number)s”."
                )
                % {
                    "unit": found.unit.name,
                    "year": year,
                    "number": row.text("decision_number"),
                },
            )
        ]
    if len(pks) > 1:
        return None, [
            sheets.RowError(
                row.number,
                header("line"),
                _("several budget lines match (ids %(ids)s); write the line's id.")
                % {"ids": ", ".join(map(str, pks))},
            )
        ]
    return pks[0], []


def _over(row_number: int, column: str, line: BudgetLine, before: int, taken: list) -> object:
    available = max(line.amount - line.transferred_total - line.disbursed_total - before, 0)
    values = {
        "amount": format_number(available),
        "million": format_million_dong(available),
        "spent": format_number(line.disbursed_total),
    }
    if taken:
        message = _(
            "only %(amount)s đồng (%(million)s triệu đồng) is still available on this line: "
            "%(spent)s đồng is already disbursed and rows %(rows)s of this file take "
            "%(taken)s đồng."
        ) % {
            **values,
            "rows": ", ".join(str(number) for number, _amount in taken),
            "taken": format_number(before),
        }
    else:
        message = (
            _(
                "only %(amount)s đồng (%(million)s triệu đồng) is available on this line: "
                "%(spent)s đồng is already disbursed."
            )
            % values
        )
    return sheets.RowError(row_number, column, message)


def import_disbursements(
    upload,
    scope: AdminUnit,
    *,
    existing: str = roundtrip.SKIP,
    progress: sheets.ProgressFn | None = None,
) -> roundtrip.Imported:
    """Validate every row, then store every disbursement in one transaction, or refuse with
    every bad row, column and reason. The file's rows on one line are added up: the row that
    takes the line past its amount is refused with what was still available. A row for a
    disbursement already registered (its id, as an export writes it, or the same line,
    voucher and date) is skipped; ``existing`` is accepted for the API's sake, and updating
    money already disbursed is done on the page, not by a file."""
    progress = progress or sheets.no_progress
    progress("reading")
    rows = sheets.read(upload, DISBURSEMENT_COLUMNS)
    header = sheets.headers(DISBURSEMENT_COLUMNS).__getitem__
    lines = _Lines(scope)
    units = _Units(scope)
    registered = list(
        Disbursement.objects.filter(line_id__in=list(lines.rows)).values_list(
            "pk", "line_id", "voucher", "date"
        )
    )
    known = roundtrip.Registered(
        ((pk, (line, roundtrip.text_key(voucher), day)) for pk, line, voucher, day in registered),
        id_column=header("record"),
        key_column=header("voucher"),
    )
    errors, skipped, good = [], [], []
    for done, row in enumerate(rows):
        if done % 1000 == 0:
            progress("checking", done, len(rows))
        dates, problems = sheets.date_cells(row, ("date",), header)
        day = dates.get("date")
        if "date" in dates and day is None:
            problems.append(sheets.RowError(row.number, header("date"), _("the date is empty.")))
        line_pk, line_problems = _find_line(row, header, lines, units, day)
        problems = line_problems + problems
        amount, problem = dong(row, "amount", header("amount"))
        if problem:
            problems.append(problem)
        elif amount is None:
            problems.append(
                sheets.RowError(row.number, header("amount"), _("the amount is empty."))
            )
        voucher = row.text("voucher")
        if not voucher:
            problems.append(
                sheets.RowError(row.number, header("voucher"), _("the voucher is empty."))
            )
        found_pk = None
        if line_pk is not None and day is not None and voucher:
            found_pk, duplicates = known.match(row, (line_pk, roundtrip.text_key(voucher), day))
            if found_pk is not None and not duplicates:
                skipped.append(row.number)
                continue
            problems += duplicates
        good.append((row.number, line_pk, amount, not problems))
        if not problems:
            values = {"line_id": line_pk, "date": day, "amount": amount, "voucher": voucher}
            values["notes"] = row.text("notes")
            good[-1] = (*good[-1][:3], values)
        errors += problems
    progress("validating", len(rows), len(rows))
    rows.clear()
    loaded = lines.load({pk for _n, pk, _a, _v in good if pk is not None})
    # The file's rows on one line, added up in the file's order.
    taken: dict[int, list] = defaultdict(list)
    over: set[int] = set()
    for number, line_pk, amount, _values in good:
        if line_pk is None or not amount:
            continue
        line = loaded[line_pk]
        before = sum(a for _n, a in taken[line_pk])
        if line.disbursed_total + before + amount > line.amount - line.transferred_total:
            errors.append(_over(number, header("amount"), line, before, taken[line_pk]))
            over.add(number)
        else:
            taken[line_pk].append((number, amount))
    planned, numbers = [], []
    for number, line_pk, _amount, values in good:
        if isinstance(values, dict):
            record = Disbursement(**values)
            record.line = loaded[line_pk]
            planned.append(record)
            numbers.append(number)
    for index, error in sorted(audit.clean_many(planned).items()):
        number = numbers[index]
        for field, messages in error.message_dict.items():
            if field == "amount" and number in over:
                continue  # already said, with the file's other rows on the line
            key = field if field in {"date", "amount", "voucher", "notes"} else "line"
            errors += [sheets.RowError(number, header(key), m) for m in messages]
    errors = sorted(errors, key=lambda error: error.row)
    if errors:
        raise sheets.ImportRefused(errors)
    progress("storing", 0, len(planned))
    with transaction.atomic():
        _still_available(planned, numbers, header("amount"))
        created = audit.bulk_create(planned, validated=True)
    return roundtrip.Imported(created, (), skipped)


def _still_available(planned: list[Disbursement], numbers: list[int], column: str) -> None:
    """Inside the storing transaction, with the lines' rows locked (as a disbursement on the
    page does): what was disbursed meanwhile still leaves room for the file's rows."""
    pks = sorted({record.line_id for record in planned})
    list(BudgetLine.objects.select_for_update().filter(pk__in=pks).values_list("pk", flat=True))
    spent = _totals(Disbursement.objects.filter(line_id__in=pks), "line_id")
    handed = _totals(Transfer.objects.filter(from_line_id__in=pks), "from_line_id")
    errors = []
    running: dict[int, int] = defaultdict(int)
    for record, number in zip(planned, numbers, strict=True):
        line = record.line
        running[line.pk] += record.amount
        if spent.get(line.pk, 0) + running[line.pk] > line.amount - handed.get(line.pk, 0):
            errors.append(
                _over(number, column, line, running[line.pk] - record.amount, [])
                if spent.get(line.pk, 0) == line.disbursed_total
                and handed.get(line.pk, 0) == line.transferred_total
                else sheets.RowError(
                    number,
                    column,
                    _("money was disbursed on this line meanwhile; import the file again."),
                )
            )
    if errors:
        raise sheets.ImportRefused(errors)


# Exports --------------------------------------------------------------------------------------


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def line_rows(records):
    """Budget lines as rows of ``LINE_HEADERS``: the unit by name with the names above it."""
    sources, kinds = _labels(FundSource), _labels(ActivityKind)
    records = (
        records.select_related(None)
        .prefetch_related(None)
        .order_by("fiscal_year", "unit_id", "source", "pk")
    )
    units = resolver.context_table(records.values_list("unit_id", flat=True).distinct())
    found = records.values_list(
        "pk",
        "unit_id",
        "fiscal_year",
        "source",
        "content_area__code",
        "activity_kind",
        "original_amount",
        "revised_amount",
        "decision_number",
        "decision_date",
        "decision_issuer",
        "notes",
    ).iterator(chunk_size=5000)
    for pk, unit_id, year, source, area, kind, original, revised, *rest in found:
        name, above = units[unit_id]
        yield [
            pk,
            name,
            year,
            sources.get(source, source),
            area or "",
            kinds.get(kind, kind),
            original,
            revised,
            *rest,
            *above,
        ]


def disbursement_rows(records):
    """Disbursements as rows of ``DISBURSEMENT_HEADERS``: with their line's id and the
    line's unit, year, source and decision number."""
    sources = _labels(FundSource)
    records = records.select_related(None).prefetch_related(None).order_by("date", "pk")
    units = resolver.context_table(records.values_list("line__unit_id", flat=True).distinct())
    found = records.values_list(
        "pk",
        "line_id",
        "line__unit_id",
        "line__fiscal_year",
        "line__source",
        "line__decision_number",
        "date",
        "amount",
        "voucher",
        "notes",
    ).iterator(chunk_size=5000)
    while chunk := list(itertools.islice(found, 5000)):
        for pk, line, unit_id, year, source, number, day, amount, voucher, notes in chunk:
            name, above = units[unit_id]
            yield [
                pk,
                line,
                name,
                year,
                sources.get(source, source),
                number,
                day,
                amount,
                voucher,
                notes,
                *above,
            ]
