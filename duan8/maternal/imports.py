"""Births (with their mothers) from Excel, and back: the shared importer's rules — the whole
file checked, every bad row with its row, column and reason in Vietnamese, nothing stored
unless every row is right, the annotated file, a background job for big files — with the
columns officers write. Each birth stored is judged and its decision stored with it.

* Villages are read by the one resolver (``geo.resolver``) on the birth's date: the official
  name with its diacritics ("Bản Sì Choang"), "Bản Sì Choang, Xã Mồ Sì San", or the
  "Thuộc …" columns.
* Ethnic groups are read as officers write them (Mông, H'Mông, hmong, Dân tộc Mông).
* A citizen ID (CCCD) must be well formed (12 digits, a province code, the century, sex and
  year of birth agreeing with her date of birth): a malformed one refuses the row.
* The mother of a row is the registered mother named by "Mã bà mẹ" (an export writes it);
  else the registered mother of the unit with the same CCCD, name and date of birth; else a
  new mother (the rows of one file with the same CCCD, name and date of birth share one).
  Records that may be one person or one birth are flagged for review, never merged.
* A row for a birth already registered (its "Mã ca sinh", as an export writes it, or the same
  mother, village and date) is skipped: an export imports back without storing anything
  twice. Births are changed on their page, not by a file.
"""

from __future__ import annotations

import datetime
import itertools

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duan8.core import audit, roundtrip, sheets
from duan8.geo import resolver
from duan8.geo.matching import fold
from duan8.geo.models import AdminUnit, UnitKind
from duan8.maternal import duplicates, eligibility, ethnic_groups
from duan8.maternal.models import (
    DECREE_39_FACTS,
    PHONE,
    Birth,
    BirthPlace,
    Decision,
    Delivery,
    EthnicGroup,
    HouseholdStatus,
    Mother,
    citizen_id_problem,
    fold_name,
    validate_citizen_id,
)

# How officers write the choices besides their labels (folded when compared).
PLACE_WORDS = {
    BirthPlace.FACILITY: (
        "Cơ sở y tế",
        "CSYT",
        "Trạm y tế",
        "TYT",
        "Bệnh viện",
        "BV",
        "Phòng khám",
        "Nhà hộ sinh",
        "Trung tâm y tế",
        "Facility",
    ),
    BirthPlace.HOME: ("Tại nhà", "Nhà", "Ở nhà", "Sinh tại nhà", "Home"),
    BirthPlace.OTHER: ("Khác", "Nơi khác", "Trên đường", "Other"),
}
DELIVERY_WORDS = {
    Delivery.NORMAL: ("Sinh thường", "Thường", "Đẻ thường", "Normal"),
    Delivery.CAESAREAN: ("Sinh mổ", "Mổ", "Mổ lấy thai", "Đẻ mổ", "Caesarean"),
}
HOUSEHOLD_WORDS = {
    HouseholdStatus.POOR: ("Hộ nghèo", "Nghèo", "Poor"),
    HouseholdStatus.NEAR_POOR: ("Hộ cận nghèo", "Cận nghèo", "Near-poor"),
    HouseholdStatus.OTHER: ("Không", "Không nghèo", "Khác", "Other"),
}
YES = {fold(w) for w in ("Có", "Đúng", "x", "1", "Yes", "true", "Rồi", "Đã kết hôn")}
NO = {fold(w) for w in ("Không", "Sai", "0", "No", "false", "Chưa", "Chưa kết hôn")}


def _words(table: dict) -> dict[str, str]:
    return {fold(word): value for value, words in table.items() for word in words}


_PLACES, _DELIVERIES, _HOUSEHOLDS = (
    _words(PLACE_WORDS),
    _words(DELIVERY_WORDS),
    _words(HOUSEHOLD_WORDS),
)


# What a refused cell is told it may say (the words of the template's lists).
OFFERED = {
    "place": ("Cơ sở y tế", "Tại nhà", "Khác"),
    "delivery": ("Sinh thường", "Sinh mổ"),
    "household_status": ("Hộ nghèo", "Hộ cận nghèo", "Không"),
}


def _column(key, header, *aliases, required=False, help=""):
    return sheets.Column(key, header, required=required, aliases=aliases, help=help)


COLUMNS = [
    roundtrip.id_column(
        "Mã ca sinh",
        gettext_lazy(
            "Leave empty for a new birth. An export fills in each birth's id: importing the "
            "row again skips it, never stores it twice."
        ),
    ),
    _column(
        "mother_record",
        "Mã bà mẹ",
        "Mother id",
        help=gettext_lazy(
            "Optional: the id of a registered mother (an export writes it), for her next "
            "birth. Without it, the mother is found by her CCCD, name and date of birth, or "
            "registered."
        ),
    ),
    _column(
        "full_name",
        "Họ và tên bà mẹ",
        "Họ tên bà mẹ",
        "Họ và tên",
        "Họ tên",
        "Full name",
        help=gettext_lazy("The mother's full name (at most 120 characters)."),
    ),
    _column(
        "mother_birth_date",
        "Ngày sinh bà mẹ",
        "Ngày sinh của mẹ",
        "Ngày tháng năm sinh",
        "Mother's date of birth",
        help=gettext_lazy("dd/mm/yyyy."),
    ),
    _column(
        "citizen_id",
        "Số CCCD",
        "CCCD",
        "Số căn cước",
        "Số căn cước công dân",
        "Citizen ID",
        help=gettext_lazy(
            "12 digits; written as text so that Excel keeps the leading zero. Its 4th to 6th "
            "digits must agree with her date of birth."
        ),
    ),
    _column(
        "ethnic_group",
        "Dân tộc",
        "Dân tộc của mẹ",
        "Ethnic group",
        help=gettext_lazy("One of the 54 groups, as usually written (Mông, H'Mông, Thái, Dao)."),
    ),
    _column(
        "husband_ethnic_group",
        "Dân tộc của chồng",
        "Dân tộc chồng",
        "Husband's ethnic group",
        help=gettext_lazy("Optional."),
    ),
    _column(
        "household_status",
        "Hộ nghèo",
        "Hoàn cảnh hộ",
        "Household",
        help=gettext_lazy("Optional: Hộ nghèo, Hộ cận nghèo or Không."),
    ),
    _column("phone", "Số điện thoại", "Điện thoại", "SĐT", "Phone", help=gettext_lazy("Optional.")),
    _column(
        "unit",
        "Thôn, bản",
        "Thôn bản",
        "Nơi cư trú",
        "Thôn",
        "Bản",
        "Village",
        required=True,
        help=gettext_lazy(
            "The village she lived in on the birth date: its name (Bản Sì Choang), with its "
            "commune after a comma when villages share a name (Bản Sì Choang, Xã Mồ Sì San), "
            "or in the “Thuộc …” columns."
        ),
    ),
    _column(
        "date",
        "Ngày sinh con",
        "Ngày sinh của con",
        "Ngày sinh",
        "Birth date",
        required=True,
        help=gettext_lazy("dd/mm/yyyy; the rules in force on this day decide."),
    ),
    _column(
        "place",
        "Nơi sinh",
        "Nơi sinh con",
        "Place",
        required=True,
        help=gettext_lazy("Cơ sở y tế (Trạm y tế, Bệnh viện), Tại nhà or Khác."),
    ),
    _column(
        "facility_name",
        "Tên cơ sở y tế",
        "Cơ sở y tế",
        "Facility",
        help=gettext_lazy("Needed for a birth at a health facility."),
    ),
    _column(
        "delivery",
        "Cách sinh",
        "Hình thức sinh",
        "Delivery",
        required=True,
        help=gettext_lazy("Sinh thường or Sinh mổ."),
    ),
    _column("babies", "Số con sinh ra", "Số con", "Babies", help=gettext_lazy("Empty: 1.")),
    _column(
        "children_before",
        "Số con đã sinh trước",
        "Con đã có",
        "Children before",
        help=gettext_lazy("Born alive before this delivery. Empty: not known."),
    ),
    _column(
        "children_alive",
        "Số con còn sống",
        "Con còn sống",
        "Children alive",
        help=gettext_lazy("Of them, alive on the birth date. Empty: not known."),
    ),
    _column(
        "deliveries_before",
        "Số lần sinh trước",
        "Lần sinh trước",
        "Deliveries before",
        help=gettext_lazy("Empty: not known."),
    ),
    _column(
        "married",
        "Đã kết hôn",
        "Kết hôn",
        "Married",
        help=gettext_lazy("Có or Không. Empty: not known."),
    ),
    _column(
        "common_children_alive",
        "Số con chung còn sống",
        "Con chung",
        "Common children alive",
        help=gettext_lazy("Living children of this couple together. Empty: not known."),
    ),
    _column(
        "mother_has_earlier_child",
        "Vợ có con riêng",
        "Mẹ có con riêng",
        "Mother has a child from before",
        help=gettext_lazy("Có or Không. Empty: not known."),
    ),
    _column(
        "husband_has_earlier_child",
        "Chồng có con riêng",
        "Husband has a child from before",
        help=gettext_lazy("Có or Không. Empty: not known."),
    ),
    _column(
        "child_with_certified_condition",
        "Con dị tật, bệnh hiểm nghèo được giám định",
        "Con dị tật",
        "Certified condition",
        help=gettext_lazy(
            "Có when a child has a non-hereditary birth defect or serious illness certified by "
            "a provincial or central medical assessment council."
        ),
    ),
    _column(
        "covered_by_social_insurance",
        "Tham gia BHXH bắt buộc",
        "BHXH bắt buộc",
        "Social insurance",
        help=gettext_lazy("Có or Không. Empty: not known."),
    ),
    _column("notes", "Ghi chú", "Notes", help=gettext_lazy("Optional, at most 300 characters.")),
    *resolver.context_columns(),
]
HEADERS = [c.header for c in COLUMNS]
RESULT_HEADER = "Kết quả xét duyệt"
EXPORT_HEADERS = [*HEADERS, RESULT_HEADER]
COUNTS = ("babies", "children_before", "children_alive", "deliveries_before")
FLAGS = (
    "married",
    "common_children_alive",
    "mother_has_earlier_child",
    "husband_has_earlier_child",
    "child_with_certified_condition",
    "covered_by_social_insurance",
)
BIRTH_FIELDS = {
    "date",
    "unit",
    "place",
    "facility_name",
    "delivery",
    "babies",
    *DECREE_39_FACTS,
    "notes",
}
MOTHER_FIELDS = {
    "full_name": "full_name",
    "birth_date": "mother_birth_date",
    "citizen_id": "citizen_id",
    "ethnic_group": "ethnic_group",
    "husband_ethnic_group": "husband_ethnic_group",
    "household_status": "household_status",
    "phone": "phone",
    "unit": "unit",
    "notes": "notes",
}


# What an empty required cell is called in its message (translated only when said).
WHAT = {
    "full_name": gettext_lazy("the mother's name"),
    "mother_birth_date": gettext_lazy("the mother's date of birth"),
    "date": gettext_lazy("the birth date"),
    "place": gettext_lazy("the place of birth"),
    "delivery": gettext_lazy("the delivery"),
}
_HEADER = sheets.headers(COLUMNS).__getitem__


class _Groups:
    """The ethnic groups by every way officers write them, each text looked up once."""

    def __init__(self) -> None:
        self.index = ethnic_groups.index(EthnicGroup.objects.all())
        self.found: dict[str, EthnicGroup | None] = {}

    def find(self, text: str) -> EthnicGroup | None:
        if text not in self.found:
            self.found[text] = self.index.get(ethnic_groups.folded(text))
        return self.found[text]


class _Reader:
    """Reads one row's cells into values, collecting each problem with its column."""

    def __init__(self, row: sheets.Row, groups: _Groups) -> None:
        self.row, self.groups, self.problems = row, groups, []
        self.header = _HEADER

    def problem(self, key: str, message: str) -> None:
        self.problems.append(sheets.RowError(self.row.number, self.header(key), message))

    def required(self, key: str, what: str) -> str:
        text = self.row.text(key)
        if not text:
            self.problem(key, _("%(what)s is empty.") % {"what": what})
        return text

    def date(self, key: str, what: str, required: bool = True) -> datetime.date | None:
        try:
            day = sheets.parse_date_cell(self.row.values.get(key))
        except ValueError:
            self.problem(key, sheets.date_problem(self.row.values.get(key)))
            return None
        if day is None and required:
            self.problem(key, _("%(what)s is empty.") % {"what": what})
        return day

    def count(self, key: str) -> int | None:
        if not self.row.text(key):
            return None
        number, problem = sheets.whole_number(self.row, key, self.header(key))
        if problem:
            self.problems.append(problem)
            return None
        return number

    def flag(self, key: str) -> bool | None:
        text = self.row.text(key)
        if not text:
            return None
        folded = fold(text)
        if folded in YES:
            return True
        if folded in NO:
            return False
        self.problem(key, _("“%(value)s”: write Có or Không.") % {"value": text[:40]})
        return None

    def choice(
        self, key: str, words: dict, choices, what: str, required: bool = True, offer=()
    ) -> str:
        text = self.row.text(key)
        if not text:
            if required:
                self.problem(key, _("%(what)s is empty.") % {"what": what})
            return ""
        found = words.get(fold(text)) or roundtrip.choice_named(choices, text)
        if found is None:
            self.problem(
                key,
                _("“%(value)s” is not a choice here: %(choices)s.")
                % {
                    "value": text[:40],
                    "choices": ", ".join(offer or [str(c.label) for c in choices]),
                },
            )
            return ""
        return found

    def group(self, key: str, required: bool) -> EthnicGroup | None:
        text = self.row.text(key)
        if not text:
            if required:
                self.problem(key, _("the ethnic group is empty."))
            return None
        found = self.groups.find(text)
        if found is None:
            self.problem(
                key,
                _("“%(value)s” is not one of the 54 ethnic groups.") % {"value": text[:40]},
            )
        return found


def _registered_births(scope: AdminUnit) -> roundtrip.Registered:
    found = Birth.objects.filter(resolver.ever_under(scope, "unit__path")).values_list(
        "pk", "unit_id", "mother__name_key", "mother__birth_date", "date"
    )
    return roundtrip.Registered(
        ((pk, (unit_id, key, born, day)) for pk, unit_id, key, born, day in found.iterator(5000)),
        id_column=sheets.header_of(COLUMNS, "record"),
        key_column=sheets.header_of(COLUMNS, "date"),
    )


class _Mothers:
    """The registered mothers under an import's unit: by id, and by CCCD, folded name and
    date of birth; and the new mothers of the file, one per CCCD, name and date of birth."""

    def __init__(self, scope: AdminUnit) -> None:
        self.scope = scope
        self.by_identity: dict[tuple, int] = {}
        rows = (
            Mother.objects.filter(resolver.ever_under(scope, "unit__path"))
            .exclude(citizen_id="")
            .values_list("pk", "citizen_id", "name_key", "birth_date")
        )
        for pk, cccd, key, born in rows.iterator(5000):
            self.by_identity.setdefault((cccd, key, born), pk)
        self.new: dict[tuple, Mother] = {}

    def load(self, rows: list[sheets.Row]) -> None:
        """The registered mothers the file names by id, in one query per 5.000."""
        ids = sorted(
            {
                int(text)
                for row in rows
                if (text := row.text("mother_record")).isdecimal() and text.isascii()
            }
        )
        self.by_id: dict[int, Mother] = {}
        under = resolver.ever_under(self.scope, "unit__path")
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            self.by_id.update(Mother.objects.filter(under).in_bulk(chunk))

    def registered(self, pk_text: str) -> Mother | None:
        if not (pk_text.isdecimal() and pk_text.isascii()):
            return None
        return self.by_id.get(int(pk_text))


def _mother_values(reader: _Reader, unit) -> dict:
    row = reader.row
    full_name = " ".join(reader.required("full_name", WHAT["full_name"]).split())
    born = reader.date("mother_birth_date", WHAT["mother_birth_date"])
    cccd = "".join(row.text("citizen_id").split())
    if cccd:
        try:
            validate_citizen_id(cccd)
        except Exception as error:  # ValidationError: its message in the officer's words
            reader.problem("citizen_id", " ".join(getattr(error, "messages", [str(error)])))
        else:
            if problem := citizen_id_problem(cccd, born):
                reader.problem("citizen_id", problem)
    phone = "".join(row.text("phone").split())
    if phone and not PHONE.match(phone):
        reader.problem(
            "phone", _("“%(value)s” is not a phone number (0912345678).") % {"value": phone[:20]}
        )
    return {
        "full_name": full_name,
        "birth_date": born,
        "citizen_id": cccd,
        "ethnic_group": reader.group("ethnic_group", True),
        "husband_ethnic_group": reader.group("husband_ethnic_group", False),
        "household_status": reader.choice(
            "household_status",
            _HOUSEHOLDS,
            HouseholdStatus,
            "",
            required=False,
            offer=OFFERED["household_status"],
        ),
        "phone": phone,
        "unit": unit,
    }


def import_births(
    upload,
    scope: AdminUnit,
    *,
    progress: sheets.ProgressFn | None = None,
) -> roundtrip.Imported:
    """Validate every row, then store the births (with their new mothers) and their decisions
    in one transaction, or refuse with every bad row, column and reason."""
    progress = progress or sheets.no_progress
    progress("reading")
    rows = sheets.read(upload, COLUMNS)
    header = sheets.headers(COLUMNS).__getitem__
    villages = resolver.for_scope(scope, [UnitKind.VILLAGE])
    groups = _Groups()
    known = _registered_births(scope)
    mothers = _Mothers(scope)
    mothers.load(rows)
    errors, skipped = [], []
    planned: list[tuple[int, Birth, Mother | tuple]] = []
    new_mothers: list[tuple[int, Mother]] = []
    for done, row in enumerate(rows):
        if done % 1000 == 0:
            progress("checking", done, len(rows))
        reader = _Reader(row, groups)
        day = reader.date("date", WHAT["date"])
        unit = None
        if day is not None and row.text("unit"):
            found = villages.resolve(row.text("unit"), day, resolver.context_of(row))
            unit = found.unit
            if unit is None:
                reader.problem("unit", found.message)
        elif not row.text("unit"):
            reader.problem("unit", _("the village is empty."))
        mother = None
        written = row.text("mother_record")
        if written:
            mother = mothers.registered(written)
            if mother is None:
                reader.problem(
                    "mother_record",
                    _("no mother registered in %(unit)s has the id %(id)s.")
                    % {"unit": scope.name, "id": written[:20]},
                )
            values = {}
        else:
            values = _mother_values(reader, unit)
        birth = Birth(
            unit=unit,
            date=day,
            place=reader.choice(
                "place", _PLACES, BirthPlace, WHAT["place"], offer=OFFERED["place"]
            ),
            facility_name=row.text("facility_name"),
            delivery=reader.choice(
                "delivery", _DELIVERIES, Delivery, WHAT["delivery"], offer=OFFERED["delivery"]
            ),
            notes=row.text("notes"),
        )
        for key in COUNTS:
            setattr(birth, key, reader.count(key))
        if birth.babies is None:
            birth.babies = 1
        birth.common_children_alive = reader.count("common_children_alive")
        for key in FLAGS:
            if key != "common_children_alive":
                setattr(birth, key, reader.flag(key))
        problems = reader.problems
        if not problems and unit is not None and day is not None:
            if mother is not None:
                key = (unit.pk, mother.name_key, mother.birth_date, day)
            else:
                key = (unit.pk, fold_name(values["full_name"]), values["birth_date"], day)
            found_pk, duplicates_in_file = known.match(row, key)
            if found_pk is not None and not duplicates_in_file:
                skipped.append(row.number)
                continue
            problems += duplicates_in_file
        errors += problems
        if problems:
            continue
        if mother is None:
            identity = (values["citizen_id"], fold_name(values["full_name"]), values["birth_date"])
            registered = mothers.by_identity.get(identity) if values["citizen_id"] else None
            if registered is not None:
                mother = identity  # resolved to a record after validation, in one query
            elif values["citizen_id"] and identity in mothers.new:
                mother = mothers.new[identity]
            else:
                mother = Mother(**values, notes="")
                new_mothers.append((row.number, mother))
                if values["citizen_id"]:
                    mothers.new[identity] = mother
        planned.append((row.number, birth, mother))
    progress("validating", len(rows), len(rows))
    rows.clear()
    errors += _invalid(new_mothers, planned, header)
    errors = sorted(errors, key=lambda error: error.row)
    if errors:
        raise sheets.ImportRefused(errors)
    # Registered mothers found by identity, read in one query.
    wanted = {mothers.by_identity[m] for _n, _b, m in planned if isinstance(m, tuple)}
    found = Mother.objects.in_bulk(list(wanted))
    progress("storing", 0, len(planned))
    with transaction.atomic():
        audit.bulk_create([m for _n, m in new_mothers], validated=True)
        births = []
        for _number, birth, mother in planned:
            birth.mother = (
                found[mothers.by_identity[mother]] if isinstance(mother, tuple) else mother
            )
            births.append(birth)
        audit.bulk_create(births, validated=True)
        _with_units(births)
        eligibility.decide_many(births)
        duplicates.refresh({birth.mother_id for birth in births})
    return roundtrip.Imported(births, (), skipped)


def _with_units(births: list[Birth]) -> None:
    """The villages with their communes, for the decisions' reasons (one query)."""
    units = AdminUnit.objects.select_related("parent").in_bulk({b.unit_id for b in births})
    for birth in births:
        birth.unit = units[birth.unit_id]


def _invalid(new_mothers, planned, header) -> list[sheets.RowError]:
    """The model's own checks (fields, text, constraints, approved periods) on every new
    mother and every birth, with a query per foreign key for the whole file."""
    errors = []
    mother_columns = {field: column for field, column in MOTHER_FIELDS.items()}
    for index, problem in sorted(audit.clean_many([m for _n, m in new_mothers]).items()):
        number = new_mothers[index][0]
        for field, messages in problem.message_dict.items():
            column = header(mother_columns.get(field, "full_name"))
            errors += [sheets.RowError(number, column, m) for m in messages]
    births = [birth for _n, birth, _m in planned]
    for index, problem in sorted(audit.clean_many(births).items()):
        number = planned[index][0]
        for field, messages in problem.message_dict.items():
            if field == "mother":
                continue  # set once the mothers are stored
            column = header(field if field in BIRTH_FIELDS else "date")
            errors += [sheets.RowError(number, column, m) for m in messages]
    # What the birth's own check says of its mother, once she is known.
    for number, birth, mother in planned:
        born = mother.birth_date if isinstance(mother, Mother) else mother[2]
        if born is not None and birth.date is not None and birth.date <= born:
            errors.append(
                sheets.RowError(
                    number,
                    header("date"),
                    _("The birth is dated before the mother's own date of birth."),
                )
            )
    return errors


# Export -------------------------------------------------------------------------------------

_YES_NO = {True: "Có", False: "Không", None: None}


def export_rows(records):
    """Births as rows of ``EXPORT_HEADERS``: the import's columns with each birth's and
    mother's ids (the file imports back without storing anything twice) and the latest
    decision's result. Personal data in clear: only for those allowed to export it."""
    from duan8.maternal.models import Outcome

    places = {value: str(label) for value, label in BirthPlace.choices}
    deliveries = {value: str(label) for value, label in Delivery.choices}
    households = {
        HouseholdStatus.POOR: "Hộ nghèo",
        HouseholdStatus.NEAR_POOR: "Hộ cận nghèo",
        HouseholdStatus.OTHER: "Không",
    }
    results = {value: str(label) for value, label in Outcome.choices}
    groups = dict(EthnicGroup.objects.values_list("pk", "name"))
    records = records.select_related(None).prefetch_related(None).order_by("date", "pk")
    units = resolver.context_table(records.values_list("unit_id", flat=True).distinct())
    fields = [
        "pk",
        "mother_id",
        "mother__full_name",
        "mother__birth_date",
        "mother__citizen_id",
        "mother__ethnic_group_id",
        "mother__husband_ethnic_group_id",
        "mother__household_status",
        "mother__phone",
        "unit_id",
        "date",
        "place",
        "facility_name",
        "delivery",
        "babies",
        *DECREE_39_FACTS,
        "notes",
    ]
    found = records.values_list(*fields).iterator(chunk_size=5000)
    while chunk := list(itertools.islice(found, 5000)):
        latest = _latest_results([row[0] for row in chunk])
        for row in chunk:
            values = dict(zip(fields, row, strict=True))
            name, above = units[values["unit_id"]]
            yield [
                values["pk"],
                values["mother_id"],
                values["mother__full_name"],
                values["mother__birth_date"],
                values["mother__citizen_id"],
                groups.get(values["mother__ethnic_group_id"], ""),
                groups.get(values["mother__husband_ethnic_group_id"], ""),
                households.get(values["mother__household_status"], ""),
                values["mother__phone"],
                name,
                values["date"],
                places.get(values["place"], values["place"]),
                values["facility_name"],
                deliveries.get(values["delivery"], values["delivery"]),
                values["babies"],
                values["children_before"],
                values["children_alive"],
                values["deliveries_before"],
                _YES_NO[values["married"]],
                values["common_children_alive"],
                _YES_NO[values["mother_has_earlier_child"]],
                _YES_NO[values["husband_has_earlier_child"]],
                _YES_NO[values["child_with_certified_condition"]],
                _YES_NO[values["covered_by_social_insurance"]],
                values["notes"],
                *above,
                results.get(latest.get(values["pk"]), ""),
            ]


def _latest_results(birth_ids: list[int]) -> dict[int, str]:
    latest: dict[int, tuple] = {}
    for birth_id, pk, result in Decision.objects.filter(birth_id__in=birth_ids).values_list(
        "birth_id", "pk", "result"
    ):
        if birth_id not in latest or pk > latest[birth_id][0]:
            latest[birth_id] = (pk, result)
    return {birth_id: result for birth_id, (_pk, result) in latest.items()}
