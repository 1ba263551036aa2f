"""What each kind of document says, built from the records through the one reading path.

A builder returns a :class:`Built`: the summary line, the body as blocks (JSON-ready, kept on
the draft) and the text sections the officer writes, with a first text to start from. Every
figure comes from the functions the pages use: the dashboard (``analytics.dashboard.build``)
for results against targets, ``finance.summary`` for money, ``reporting.cycle`` for reports
received and late, ``framework.allocation`` for targets cut to the units below,
``geo.areas`` for the project area. Nothing is counted here.

Blocks:
    {"t": "h", "text": ...}                       a heading (bold)
    {"t": "p", "text": ..., "center": bool, "bold": bool}
    {"t": "s", "key": ...}                        an officer's section (its paragraphs)
    {"t": "table", "head": [...], "rows": [[...]], "total": bool, "align": [...]}

Document text is Vietnamese whatever the page's language.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation

from duan8.core.formatting import format_amount, format_date, format_percent
from duan8.documents.models import Kind
from duan8.framework import periods
from duan8.framework.periods import Period

MILLION = Decimal(1_000_000)


class NotBuildable(Exception):
    """The data cannot make this document (no phase, no appointment…): the message says why."""


@dataclass
class Section:
    key: str
    label: str
    text: str = ""


@dataclass
class Built:
    summary: str
    blocks: list[dict] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def h(self, text: str) -> None:
        self.blocks.append({"t": "h", "text": text})

    def p(self, text: str, **style) -> None:
        self.blocks.append({"t": "p", "text": str(text), **style})

    def section(self, key: str, label: str, text: str = "", **style) -> None:
        self.sections.append(Section(key, label, text))
        self.blocks.append({"t": "s", "key": key, **style})

    def table(self, head: list[str], rows: list[list[str]], *, total=False, align=None) -> None:
        self.blocks.append(
            {
                "t": "table",
                "head": [str(cell) for cell in head],
                "rows": [[str(cell) for cell in row] for row in rows],
                "total": total,
                "align": align or [],
            }
        )


# Words ---------------------------------------------------------------------------------------


def million(dong: int) -> str:
    """Whole đồng in triệu đồng the way plans write them: 3.859; 3.729,63."""
    return format_amount((Decimal(dong) / MILLION).quantize(Decimal("0.01")))


def number(value) -> str:
    return format_amount(value) if value is not None else ""


def lower_first(text: str) -> str:
    """Tỉnh Lai Châu → tỉnh Lai Châu (proper names keep their capitals)."""
    return text[:1].lower() + text[1:]


def two_digits(value: Decimal) -> str:
    """Counts in a notice's list are written with two digits: Than Uyên 05."""
    text = format_amount(value)
    return f"0{text}" if value == value.to_integral_value() and 0 <= value < 10 else text


def period_words(period: Period) -> str:
    """6 tháng đầu năm 2024, 6 tháng cuối năm 2024, năm 2024, giai đoạn 2021-2025."""
    year = period.start.year
    if period.kind == "half":
        return f"6 tháng {'đầu' if period.start.month == 1 else 'cuối'} năm {year}"
    if period.kind == "year":
        return f"năm {year}"
    if period.kind == "quarter":
        return f"quý {(period.start.month - 1) // 3 + 1} năm {year}"
    if period.kind == "month":
        return f"tháng {period.start.month} năm {year}"
    return f"giai đoạn {year}-{period.last_day.year}"


def date_words(place: str, day: datetime.date) -> str:
    """Lai Châu, ngày 01 tháng 4 năm 2024: days 1–9 and months 1–2 with a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def project_words(phase) -> str:
    """Dự án 8 “Thực hiện bình đẳng giới …” from the project's name (Dự án 8: …)."""
    name = phase.project.name if phase is not None else ""
    head, sep, tail = name.partition(":")
    return f"{head.strip()} “{tail.strip()}”" if sep else name


def parse_period(code: str) -> Period:
    """2024, 2024-H1 or 2024H1 (as typed at a command line)."""
    text = code.strip().upper()
    if len(text) == 6 and text[4] == "H":
        text = f"{text[:4]}-{text[4:]}"
    return periods.parse(text)


def _phase_of(period: Period):
    from duan8.reporting import cycle

    phase = cycle.phase_of(period)
    if phase is None:
        raise NotBuildable("Không có giai đoạn nào của dự án bao gồm kỳ này.")
    return phase


# Tables shared by kinds ------------------------------------------------------------------------


def allocation_table(built: Built, unit, phase, period: Period) -> bool:
    """Targets of ``unit`` for ``period`` cut to the units below (one row per unit that
    received some, the part kept by the unit itself, the total); False when none is set."""
    from duan8.framework import allocation

    grid = allocation.grid(unit, phase, period)
    columns = [c for c in grid.columns if c.target is not None or c.allocated]
    if not columns:
        return False
    head = ["STT", "Đơn vị"] + [_column_title(c.indicator, period) for c in columns]
    rows = []
    for child, cells in grid.rows():
        values = {column.indicator.pk: value for column, value in cells}
        if all(values.get(c.indicator.pk) in (None, Decimal(0)) for c in columns):
            continue
        rows.append(
            [str(len(rows) + 1), child.name] + [number(values.get(c.indicator.pk)) for c in columns]
        )
    if any(c.kept for c in columns):
        rows.append(
            ["", f"{_level_words(unit)} trực tiếp thực hiện"]
            + [number(c.kept) if c.kept else "" for c in columns]
        )
    rows.append(["", "Tổng cộng"] + [number(c.total) for c in columns])
    align = ["center", "left"] + ["right"] * len(columns)
    built.table(head, rows, total=True, align=align)
    return True


def allocation_lines(unit, phase, period: Period) -> str:
    """The allocation written out as a notice writes it: “+ Tổ chức 138 cuộc … (Than Uyên 05,
    Nậm Nhùn 12, …).”, one line per indicator with a target."""
    from duan8.framework import allocation

    grid = allocation.grid(unit, phase, period)
    units = _units_of(grid.indicators, period)
    lines = []
    for column in grid.columns:
        if column.total is None:
            continue
        parts = [
            f"{child.short_name or child.name} {two_digits(value)}"
            for child, cells in grid.rows()
            for col, value in cells
            if col is column and value
        ]
        if column.kept:
            parts.append(f"{_level_words(unit).lower()} {two_digits(column.kept)}")
        measure = units.get(column.indicator.pk, "")
        words = f"+ {column.indicator.name}: {number(column.total)} {measure}"
        lines.append(words.rstrip() + (f" ({', '.join(parts)})" if parts else "") + ".")
    return "\n".join(lines)


def _column_title(indicator, period: Period) -> str:
    unit = _units_of([indicator], period).get(indicator.pk)
    return f"{indicator.name} ({unit})" if unit else indicator.name


def _units_of(indicators, period: Period) -> dict[int, str]:
    from duan8.framework.models import IndicatorVersion

    versions = IndicatorVersion.objects.by_indicator_on(indicators, period.start)
    return {pk: version.unit_of_measure for pk, version in versions.items()}


def _level_words(unit) -> str:
    return {
        "nation": "Trung ương",
        "province": "Cấp tỉnh",
        "district": "Cấp huyện",
        "commune": "Cấp xã",
    }.get(unit.kind, unit.name)


# The six-month and annual report ----------------------------------------------------------------


def report(unit, period: Period, issuing_body: str = "") -> Built:
    from duan8.analytics import dashboard
    from duan8.finance import summary

    phase = _phase_of(period)
    board = dashboard.build(unit, phase, period)
    project = project_words(phase)
    built = Built(f"Kết quả thực hiện {project} {period_words(period)}")
    built.section(
        "intro",
        "Mở đầu",
        f"{issuing_body or unit.name} báo cáo kết quả thực hiện {project} "
        f"{period_words(period)} trên địa bàn {lower_first(unit.name)} như sau:",
    )
    built.h("I. KẾT QUẢ THỰC HIỆN")
    built.h("1. Kết quả thực hiện các chỉ tiêu")
    built.p(
        f"Số liệu tính đến ngày {format_date(period.last_day)}; lũy kế từ đầu "
        f"{lower_first(phase.name)}; thời gian của giai đoạn đã qua "
        f"{format_percent(board.elapsed, 1)}."
    )
    units = _units_of([row.indicator for row in board.rows], period)
    rows = []
    for row in board.rows:
        values = (row.period.target, row.period.value, row.to_date.value, row.phase_target)
        if all(v in (None, Decimal(0)) for v in values):
            continue
        rows.append(
            [
                str(len(rows) + 1),
                row.indicator.name,
                units.get(row.indicator.pk, ""),
                number(row.period.target),
                number(row.period.value),
                format_percent(row.period_percent, 1),
                number(row.to_date.value),
                number(row.phase_target),
                format_percent(row.phase_percent, 1),
            ]
        )
    if rows:
        built.table(
            [
                "STT",
                "Chỉ tiêu",
                "Đơn vị tính",
                "Chỉ tiêu kỳ",
                "Kết quả kỳ",
                "Tỷ lệ (%)",
                "Lũy kế giai đoạn",
                "Chỉ tiêu giai đoạn",
                "Tỷ lệ (%)",
            ],
            rows,
            align=["center", "left", "center"] + ["right"] * 6,
        )
    else:
        built.p("Chưa có số liệu và chỉ tiêu cho kỳ báo cáo.")
    built.section("results", "Đánh giá kết quả", "")
    # The units below are listed only when one of them has a target: a commune's villages
    # without targets would each read "Chưa có chỉ tiêu".
    ranked = _below_have_targets(board)
    if board.children and not ranked:
        built.p("Các đơn vị trực thuộc chưa được giao chỉ tiêu nên chưa đánh giá tiến độ.")
    if ranked:
        built.h("2. Tiến độ của các đơn vị trực thuộc")
        built.table(
            ["STT", "Đơn vị", "Tiến độ bình quân (%)", "Đánh giá"],
            [
                [
                    str(i),
                    child.unit.name,
                    format_percent(child.progress, 1),
                    "Chậm tiến độ"
                    if child.lagging
                    else ("Chưa có chỉ tiêu" if child.progress is None else "Đạt tiến độ"),
                ]
                for i, child in enumerate(board.children, start=1)
            ],
            align=["center", "left", "right", "left"],
        )
    built.h(f"{3 if ranked else 2}. Kinh phí")
    rates = summary.rates(unit, period.start.year, period.last_day)
    if rates.total.available:
        money_rows = [
            [label, million(rate.available), million(rate.disbursed), rate.rate_text]
            for label, rate in rates.sources()
        ]
        money_rows.append(
            [
                "Tổng cộng",
                million(rates.total.available),
                million(rates.total.disbursed),
                rates.total.rate_text,
            ]
        )
        built.p(
            f"Kinh phí năm {rates.year} (triệu đồng), giải ngân đến ngày "
            f"{format_date(rates.as_of)}:"
        )
        built.table(
            ["Nguồn kinh phí", "Kinh phí được giao", "Đã giải ngân", "Tỷ lệ giải ngân"],
            money_rows,
            total=True,
            align=["left", "right", "right", "right"],
        )
    else:
        built.p(f"Chưa có kinh phí năm {rates.year} được ghi nhận.")
    _reports_received(built, unit, period, 4 if ranked else 3)
    built.h("II. KHÓ KHĂN, VƯỚNG MẮC")
    built.section("difficulties", "Khó khăn, vướng mắc", "")
    built.h("III. ĐỀ XUẤT, KIẾN NGHỊ")
    built.section("proposals", "Đề xuất, kiến nghị", "")
    built.p(f"Trên đây là báo cáo kết quả thực hiện {project} {period_words(period)}./.")
    return built


def _below_have_targets(board) -> bool:
    """Whether a unit below has a target for the board's period or its phase (the one
    reading path: own targets or those carried from former units)."""
    if any(child.progress is not None for child in board.children):
        return True
    from duan8.analytics import reading

    below = {child.unit.pk for child in board.children}
    if not below:
        return False
    ctx = reading.session()
    return any(
        below & reading.target_values(row.indicator, board.period, board.day, ctx=ctx).keys()
        for row in board.rows
    )


def _reports_received(built: Built, unit, period: Period, heading: int) -> None:
    from duan8.geo.models import UnitKind
    from duan8.reporting import cycle
    from duan8.reporting.models import Regime

    regimes = list(Regime.objects.select_related("scope"))
    levels = cycle.levels_below(unit, period, regimes)
    results = [(kind, cycle.completeness(unit, period, kind, regimes=regimes)) for kind in levels]
    results = [(kind, found) for kind, found in results if found.expected]
    if not results:
        return
    built.h(f"{heading}. Tình hình báo cáo của các đơn vị")
    rows, behind = [], []
    for kind, found in results:
        late = found.count(timeliness="late")
        missing = found.count(timeliness="overdue") + found.count(timeliness="due")
        rows.append(
            [
                str(UnitKind(kind).label),
                number(found.expected),
                number(found.submitted),
                number(found.on_time),
                number(late),
                number(missing),
            ]
        )
        behind += [
            f"{row.unit.name} ({'nộp muộn' if row.timeliness == 'late' else 'chưa nộp'})"
            for row in found.rows
            if row.timeliness in ("late", "overdue")
        ]
    built.table(
        ["Cấp báo cáo", "Phải báo cáo", "Đã gửi", "Đúng hạn", "Muộn", "Chưa gửi"],
        rows,
        align=["left"] + ["right"] * 5,
    )
    if behind:
        built.p("Đơn vị gửi báo cáo muộn hoặc chưa gửi: " + "; ".join(behind) + ".")


# The year plan -------------------------------------------------------------------------------


def plan(unit, year: int, issuing_body: str = "") -> Built:
    from duan8.finance import summary
    from duan8.geo import areas

    period = periods.parse(str(year))
    phase = _phase_of(period)
    project = project_words(phase)
    built = Built(f"Triển khai thực hiện {project} năm {year}")
    built.section(
        "basis",
        "Căn cứ",
        "Căn cứ Quyết định số 1719/QĐ-TTg ngày 14/10/2021 của Thủ tướng Chính phủ phê duyệt "
        "Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc "
        "thiểu số và miền núi giai đoạn 2021-2030, giai đoạn I: từ năm 2021 đến năm 2025;\n"
        "Căn cứ Thông tư số 55/2023/TT-BTC ngày 15/8/2023 của Bộ Tài chính quy định quản lý, "
        "sử dụng và quyết toán kinh phí sự nghiệp từ nguồn ngân sách nhà nước thực hiện các "
        "chương trình mục tiêu quốc gia giai đoạn 2021-2025;\n"
        f"{issuing_body or unit.name} ban hành Kế hoạch triển khai thực hiện {project} năm "
        f"{year} cụ thể như sau:",
    )
    built.h("I. MỤC ĐÍCH, YÊU CẦU")
    built.section("purpose", "Mục đích, yêu cầu", "")
    built.h("II. ĐỐI TƯỢNG, ĐỊA BÀN, THỜI GIAN THỰC HIỆN")
    area = areas.summary(unit, year)
    lines = [line for line in area.lines if line.included]
    if lines:
        parts = ", ".join(
            f"{line.commune.short_name or line.commune.name} ({line.village_count} thôn, bản)"
            if line.village_count
            else (line.commune.short_name or line.commune.name)
            for line in lines
        )
        built.p(
            f"Địa bàn: tổng số {area.commune_count} xã, {area.village_count} thôn, bản đặc "
            f"biệt khó khăn; trong đó: {parts}."
        )
        built.table(
            ["STT", "Xã", "Số thôn, bản"],
            [
                [str(i), line.commune.name, number(line.village_count)]
                for i, line in enumerate(lines, start=1)
            ]
            + [["", "Tổng cộng", number(area.village_count)]],
            total=True,
            align=["center", "left", "right"],
        )
    else:
        built.p(f"Chưa có địa bàn dự án năm {year} được xác định.")
    built.section("targets_text", "Đối tượng, thời gian thực hiện", "")
    built.h("III. CHỈ TIÊU VÀ NỘI DUNG HOẠT ĐỘNG")
    if not allocation_table(built, unit, phase, period):
        built.p(f"Chưa có chỉ tiêu năm {year} được giao.")
    built.section("activities", "Nội dung hoạt động", "")
    built.h("IV. KINH PHÍ THỰC HIỆN DỰ ÁN")
    table = summary.table(unit, year)
    _budget(built, table, year)
    built.h("V. TỔ CHỨC THỰC HIỆN")
    built.section("organisation", "Tổ chức thực hiện", "")
    built.p(f"Trên đây là Kế hoạch triển khai thực hiện {project} năm {year}./.")
    return built


LEVEL_WORDS = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}


def _budget(built: Built, table, year: int) -> None:
    """The budget table by level in triệu đồng (seed 003 §IV): total = new + carried over."""
    total = table.total
    if not total.total.dong:
        built.p(f"Chưa có kinh phí năm {year} được ghi nhận.")
        return
    built.p(
        f"- Tổng nguồn kinh phí thực hiện dự án: {million(total.total.dong)} triệu đồng "
        f"(trong đó: kế hoạch vốn năm {year} là {million(total.new.dong)} triệu đồng; vốn "
        f"chuyển nguồn từ năm {year - 1} sang là {million(total.carried.dong)} triệu đồng)."
    )
    for row in table.levels:
        built.p(
            f"+ Kinh phí {LEVEL_WORDS.get(row.key, row.label)} thực hiện là: "
            f"{million(row.total.dong)} triệu đồng; trong đó vốn giao năm {year} là "
            f"{million(row.new.dong)} triệu đồng; vốn chuyển nguồn năm {year - 1} sang năm "
            f"{year} là {million(row.carried.dong)} triệu đồng."
        )
    rows = [["1", "Tổng nguồn kinh phí", *_money_cells(total)]]
    for i, row in enumerate(table.levels, start=1):
        rows.append(
            [f"1.{i}", f"Kinh phí {LEVEL_WORDS.get(row.key, row.label)}", *_money_cells(row)]
        )
    built.p("Đơn vị tính: triệu đồng", center=False, italic=True)
    built.table(
        ["STT", "Nội dung", "Tổng số", f"Vốn giao năm {year}", f"Vốn chuyển nguồn năm {year - 1}"],
        rows,
        align=["center", "left", "right", "right", "right"],
    )
    if table.by_source:
        built.table(
            ["Nguồn kinh phí", "Số tiền (triệu đồng)"],
            [[label, million(money.dong)] for label, money in table.by_source]
            + [["Tổng cộng", million(total.total.dong)]],
            total=True,
            align=["left", "right"],
        )


def _money_cells(row) -> list[str]:
    return [million(row.total.dong), million(row.new.dong), million(row.carried.dong)]


# The allocation notice -------------------------------------------------------------------------


def notice(unit, period: Period, issuing_body: str = "") -> Built:
    phase = _phase_of(period)
    project = project_words(phase)
    built = Built(f"Giao chỉ tiêu thực hiện {project} {period_words(period)}")
    built.section(
        "opening",
        "Mở đầu",
        f"Để hoàn thành các chỉ tiêu {lower_first(phase.name)} của {project}, "
        f"{issuing_body or unit.name}"
        f" thông báo chỉ tiêu giao cho các đơn vị thực hiện {period_words(period)} như sau:",
    )
    built.h("1. Chỉ tiêu giao cho các đơn vị")
    if not allocation_table(built, unit, phase, period):
        built.p("Chưa có chỉ tiêu được giao cho kỳ này.")
    built.h("2. Nhiệm vụ cụ thể")
    built.section("tasks", "Nhiệm vụ cụ thể", allocation_lines(unit, phase, period))
    built.section(
        "requests",
        "Yêu cầu",
        "Yêu cầu các đơn vị nghiêm túc triển khai thực hiện, kịp thời báo cáo kết quả theo "
        "yêu cầu./.",
    )
    return built


# The trainer appointment decision ------------------------------------------------------------


def decision(appointment, issuing_body: str = "", parent_body: str = "") -> Built:
    from duan8.activities.models import TrainingProgramme

    trainings = list(appointment.trainings.order_by("start_on", "pk"))
    topic = trainings[0].title if trainings else "các lớp tập huấn thuộc Dự án 8"
    built = Built(f"Về việc chỉ định giảng viên tham gia tập huấn {topic}")
    authority = " ".join(part for part in (issuing_body, parent_body) if part).upper()
    built.section("authority", "Thẩm quyền ban hành", authority, center=True, bold=True)
    built.section(
        "basis",
        "Căn cứ",
        "Căn cứ Hướng dẫn số 04/HD-ĐCT ngày 28/7/2022 của Đoàn Chủ tịch Trung ương Hội LHPN "
        "Việt Nam hướng dẫn triển khai Dự án 8;\n"
        "Căn cứ nhu cầu tổ chức tập huấn và đề nghị của bộ phận chuyên môn,",
    )
    built.p("QUYẾT ĐỊNH:", center=True, bold=True)
    when = ""
    if trainings:
        first, last = trainings[0].start_on, trainings[-1].end_on
        when = f" từ ngày {format_date(first)} đến ngày {format_date(last)}"
    places = ", ".join(sorted({t.unit.name for t in trainings}))
    built.p(
        "Điều 1. Chỉ định các ông (bà) có tên sau đây làm giảng viên tham gia tập huấn "
        f"{topic}{when}{f' tại {places}' if places else ''}:",
    )
    programmes = dict(TrainingProgramme.choices)
    with translation.override("vi"):
        rows = []
        for i, trainer in enumerate(appointment.trainers.order_by("name"), start=1):
            done = "; ".join(
                f"{programmes[q.programme]} ({format_date(q.completed_on)})"
                for q in trainer.qualifications.order_by("completed_on")
            )
            rows.append([str(i), trainer.name, trainer.organisation, str(done)])
    built.table(
        ["STT", "Họ và tên", "Đơn vị công tác", "Đã tập huấn giảng viên nguồn"],
        rows,
        align=["center", "left", "left", "left"],
    )
    built.section(
        "duties",
        "Điều 2",
        "Điều 2. Các ông (bà) có tên tại Điều 1 có trách nhiệm chuẩn bị nội dung, tài liệu và "
        "giảng dạy theo chương trình tập huấn được phê duyệt; được hưởng chế độ theo quy định "
        "hiện hành.",
    )
    built.section(
        "execution",
        "Điều 3",
        "Điều 3. Quyết định có hiệu lực kể từ ngày ký. Bộ phận chuyên môn và các ông (bà) có tên "
        "tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.",
    )
    return built


def build(kind: str, unit, *, period: Period | None = None, appointment=None, letterhead=None):
    """The content of a document of ``kind`` for ``unit``, in Vietnamese."""
    words = (letterhead.name_in_text if letterhead else "") or unit.name
    with translation.override("vi"):
        if kind == Kind.REPORT:
            return report(unit, period, words)
        if kind == Kind.PLAN:
            return plan(unit, period.start.year, words)
        if kind == Kind.NOTICE:
            return notice(unit, period, words)
        if kind == Kind.DECISION:
            issuing = letterhead.issuing_body if letterhead else ""
            parent = letterhead.parent_body if letterhead else unit.name.upper()
            return decision(appointment, issuing, parent)
    raise NotBuildable(f"Không rõ loại văn bản: {kind}")
