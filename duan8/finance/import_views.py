"""Pages of the funds' Excel files: import budget lines and disbursements (editors of the
unit), export them for a year and download the templates (those who see the unit)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from duan8.core import access, import_errors, jobs, roundtrip, sheets
from duan8.finance import imports, summary
from duan8.finance.models import BudgetLine, Disbursement, FundSource
from duan8.finance.views import _year
from duan8.geo import resolver
from duan8.geo.forms import ImportForm


class FileForm(ImportForm):
    on = None  # names are read on the records' own dates


WHAT = {
    "lines": {
        "columns": imports.LINE_COLUMNS,
        "headers": imports.LINE_HEADERS,
        "run": imports.import_lines,
        "rows": imports.line_rows,
        "title": gettext_lazy("Import budget lines from Excel"),
        "stored": gettext_lazy("%(n)d budget lines stored."),
        "template_title": gettext_lazy("Template for importing budget lines: %(unit)s"),
        "template": "mau-nhap-dong-kinh-phi.xlsx",
        "export": "dong-kinh-phi.xlsx",
        "url": "finance:lines_import",
        "template_url": "finance:lines_template",
        "existing": True,
    },
    "disbursements": {
        "columns": imports.DISBURSEMENT_COLUMNS,
        "headers": imports.DISBURSEMENT_HEADERS,
        "run": imports.import_disbursements,
        "rows": imports.disbursement_rows,
        "title": gettext_lazy("Import disbursements from Excel"),
        "stored": gettext_lazy("%(n)d disbursements stored."),
        "template_title": gettext_lazy("Template for importing disbursements: %(unit)s"),
        "template": "mau-nhap-giai-ngan.xlsx",
        "export": "giai-ngan.xlsx",
        "url": "finance:disbursements_import",
        "template_url": "finance:disbursements_template",
        "existing": False,
    },
}


def lines_of(user, query, unit):
    """The budget lines of ``unit``'s subtree for the query's year, as the funds page lists
    them for ``user`` (a one-item tuple, as a background export asks)."""
    year = _year_of(query)
    lines = BudgetLine.objects.within(unit, on=summary.tree_day(unit, year)).filter(
        fiscal_year=year
    )
    return (access.scope_records(user, lines),)


def disbursements_of(user, query, unit):
    """The disbursements on those lines."""
    (lines,) = lines_of(user, query, unit)
    return (Disbursement.objects.filter(line__in=lines.values("pk")),)


def _year_of(query) -> int:
    from django.http import Http404
    from django.utils import timezone

    text = query.get("year") or ""
    if not text:
        return timezone.localdate().year
    if not text.isdigit() or not 2021 <= int(text) <= 2100:
        raise Http404
    return int(text)


def _page(unit, year: int) -> str:
    return f"{reverse('finance:unit', args=[unit.pk])}?year={year}"


def _import(request, pk, what: str):
    spec = WHAT[what]
    unit = access.get_unit_or_404(request.user, pk, access.Action.EDIT)
    year = _year(request)
    form = FileForm(request.POST or None, request.FILES or None)
    errors, annotated_url = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        existing = request.POST.get("existing", roundtrip.SKIP)
        if existing not in (roundtrip.SKIP, roundtrip.UPDATE):
            existing = roundtrip.SKIP
        try:
            large = jobs.large_import(
                request,
                f"finance.{what}.import",
                unit,
                {"existing": existing},
                upload,
                back=_page(unit, year),
            )
            if large is not None:
                return large
            imported = spec["run"](upload, unit, existing=existing)
        except sheets.ImportRefused as refused:
            errors = refused.errors
            annotated_url = import_errors.keep(request.user, upload, errors, spec["columns"])
        else:
            messages.success(request, str(spec["stored"]) % {"n": len(imported)})
            roundtrip.tell(request, imported)
            return redirect(_page(unit, year))
    return render(
        request,
        "finance/import.html",
        {
            "unit": unit,
            "year": year,
            "form": form,
            "errors": errors,
            "annotated_url": annotated_url,
            "columns": spec["columns"],
            "title": spec["title"],
            "template_url": reverse(spec["template_url"], args=[unit.pk]),
            "existing": spec["existing"],
        },
        status=422 if errors else 200,
    )


@login_required
def lines_import(request, pk):
    return _import(request, pk, "lines")


@login_required
def disbursements_import(request, pk):
    return _import(request, pk, "disbursements")


def _export(request, pk, what: str):
    unit = access.get_unit_or_404(request.user, pk)
    year = _year(request)
    of = lines_of if what == "lines" else disbursements_of
    (records,) = of(request.user, request.GET, unit)
    return jobs.export(request, f"finance.{what}.export", unit, records, back=_page(unit, year))


@login_required
def lines_export(request, pk):
    return _export(request, pk, "lines")


@login_required
def disbursements_export(request, pk):
    return _export(request, pk, "disbursements")


def _template(request, pk, what: str):
    spec = WHAT[what]
    unit = access.get_unit_or_404(request.user, pk)
    content = sheets.template(
        spec["columns"],
        title=str(spec["template_title"]) % {"unit": unit.name},
        lists={
            "unit": resolver.names_for_lists(unit, imports.MONEY_KINDS, unit.reference_day()),
            "source": [str(label) for _value, label in FundSource.choices],
        },
    )
    return sheets.template_response(content, spec["template"])


@login_required
def lines_template(request, pk):
    return _template(request, pk, "lines")


@login_required
def disbursements_template(request, pk):
    return _template(request, pk, "disbursements")


# Background jobs ------------------------------------------------------------------------------


def _job_import(what: str):
    def run(file, job, progress):
        return WHAT[what]["run"](
            file, job.unit, existing=job.params.get("existing", roundtrip.SKIP), progress=progress
        )

    return run


def register() -> None:
    labels = {
        "lines": (
            gettext_lazy("Import of budget lines from Excel"),
            gettext_lazy("Export of budget lines to Excel"),
        ),
        "disbursements": (
            gettext_lazy("Import of disbursements from Excel"),
            gettext_lazy("Export of disbursements to Excel"),
        ),
    }
    for what, spec in WHAT.items():
        jobs.register(
            jobs.import_kind(
                f"finance.{what}.import", _job_import(what), spec["columns"], labels[what][0]
            )
        )
        jobs.register(
            jobs.export_kind(
                f"finance.{what}.export",
                lines_of if what == "lines" else disbursements_of,
                spec["rows"],
                spec["headers"],
                spec["export"],
                labels[what][1],
            )
        )
