"""Pages of the report forms: the list, the editor (the form's fields, its rows and its
period columns), and a form filled for a unit, a period and a tree date — previewed as a table
and downloaded as Excel. Who may do what is decided by ``core.access`` (through
``reportforms.rules``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from duan8.core.sheets import XLSX
from duan8.framework import periods
from duan8.reportforms import actions, fill, rules, workbook
from duan8.reportforms.forms import (
    ColumnFormSet,
    FillForm,
    ReportFormForm,
    RowFormSet,
    next_orders,
)
from duan8.reportforms.models import (
    PERCENTS,
    CellKind,
    ColumnsKind,
    FormColumn,
    FormRow,
    ReportForm,
)


@login_required
def form_list(request):
    """Biểu mẫu báo cáo: the nation's forms and those of the provinces one works in."""
    user = request.user
    rows = list(rules.readable_forms(user).select_related("scope").order_by("scope__name", "code"))
    for row in rows:
        row.editable = rules.may_define(user, row.scope)
    return render(
        request,
        "reportforms/list.html",
        {"rows": rows, "may_add": rules.may_define_any(user)},
    )


def _editor(request, report: ReportForm | None):
    user = request.user
    instance = report or ReportForm(cells=["value"])
    data = request.POST if request.method == "POST" else None
    form = ReportFormForm(data, instance=instance, user=user)
    row_queryset = FormRow.objects.filter(report=report) if report else FormRow.objects.none()
    column_queryset = (
        FormColumn.objects.filter(report=report) if report else FormColumn.objects.none()
    )
    row_set = RowFormSet(
        data,
        instance=instance,
        prefix="rows",
        queryset=row_queryset.order_by("order", "pk"),
        initial=next_orders(row_queryset, RowFormSet.extra),
    )
    column_set = ColumnFormSet(
        data,
        instance=instance,
        prefix="columns",
        queryset=column_queryset.order_by("order", "pk"),
        initial=next_orders(column_queryset, ColumnFormSet.extra),
    )
    if data is not None:
        if report is None:
            rules.get_scope_or_404(user, data.get("scope") or None)
        valid = form.is_valid() & row_set.is_valid() & column_set.is_valid()
        if valid:

            def save():
                with transaction.atomic():
                    actions.bump(form.instance)
                    saved = form.save()
                    row_set.instance = column_set.instance = saved
                    row_set.save()
                    column_set.save()

            try:
                stored = form.saved(save)
            except ValidationError as exc:
                form.add_error(None, exc)
                stored = False
            if stored:
                messages.success(request, _("The report form was saved."))
                return redirect("reportforms:fill", pk=form.instance.pk)
    return render(
        request,
        "reportforms/edit.html",
        {"form": form, "rows": row_set, "columns": column_set, "report": report},
        status=422 if data is not None else 200,
    )


@login_required
def form_create(request):
    """A new form, for the nation (national administrators) or a province one administers."""
    if not rules.may_define_any(request.user):
        raise PermissionDenied
    return _editor(request, None)


@login_required
def form_edit(request, pk):
    """Change a form, its rows and its columns (its administrators only)."""
    return _editor(request, rules.get_form_or_404(request.user, pk, change=True))


def _filled(request, report: ReportForm):
    """The form filled for the query's unit, period and tree date, or the reason it is not."""
    query = FillForm(request.GET or None)
    valid = query.is_valid() if request.GET else True
    values = query.cleaned_data if request.GET and valid else {}
    unit_pk = values.get("unit")
    unit = (
        rules.get_unit_or_404(request.user, unit_pk)
        if unit_pk
        else rules.default_unit(request.user, report)
    )
    if unit is None or not valid:
        return query, unit, None
    period = values.get("period")
    if period is None and not report.period and report.columns == ColumnsKind.UNITS:
        period = _working_period(unit)
    try:
        filled = fill.fill(report, unit, period, values.get("on"), user=request.user)
    except fill.NoPeriod as exc:
        query.add_error("period", str(exc))
        return query, unit, None
    return query, unit, filled


def _working_period(unit) -> periods.Period:
    """The period a form without one opens on: the dashboard's (the latest year or half of
    the current phase begun that holds targets for the unit), else the current year."""
    from duan8.analytics import dashboard
    from duan8.framework.models import Phase

    phase = Phase.current()
    if phase is None:
        return periods.of("year", timezone.localdate())
    return dashboard.working_period(phase, unit)


@login_required
def form_fill(request, pk):
    """A form filled for a unit (the units it views), a period and a tree date: the same
    numbers as the download."""
    report = rules.get_form_or_404(request.user, pk)
    query, unit, filled = _filled(request, report)
    table, labels = [], []
    if filled is not None:
        labels = [CellKind(kind).label for kind in filled.kinds]
        for line in filled.lines:
            cells = [
                (value, kind in PERCENTS)
                for values in line.cells
                for kind, value in zip(filled.kinds, values, strict=True)
            ]
            table.append((line, cells))
    return render(
        request,
        "reportforms/fill.html",
        {
            "report": report,
            "query": query,
            "unit": unit,
            "filled": filled,
            "table": table,
            "kind_labels": labels,
            "editable": rules.may_define(request.user, report.scope),
        },
        status=200 if query.is_valid() or not request.GET else 422,
    )


@login_required
def form_download(request, pk):
    """The filled form as an Excel workbook, in Vietnamese."""
    report = rules.get_form_or_404(request.user, pk)
    with translation.override("vi"):
        query, unit, filled = _filled(request, report)
        if filled is None:
            return render(
                request,
                "reportforms/fill.html",
                {"report": report, "query": query, "unit": unit, "filled": None},
                status=422,
            )
        content = workbook.workbook(filled)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{workbook.filename(filled)}"'
    return response
