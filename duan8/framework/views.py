from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from duan8.analytics import reading
from duan8.core import access, import_errors, sheets
from duan8.core.formatting import format_amount, parse_amount
from duan8.core.shell import current_unit
from duan8.framework import actions, allocation, periods
from duan8.framework.forms import (
    ContentAreaForm,
    IndicatorForm,
    PhaseForm,
    TargetForm,
    VersionForm,
)
from duan8.framework.models import ContentArea, Indicator, Phase, Programme, Project, Target
from duan8.geo.forms import ImportForm
from duan8.geo.models import AdminUnit


def _phase(request) -> Phase:
    pk = request.GET.get("phase") or request.POST.get("phase")
    if pk:
        return get_object_or_404(Phase, pk=access.clean_pk(pk))
    phase = Phase.current()
    if phase is None:
        raise Http404
    return phase


def _period(request, phase: Phase, unit=None) -> periods.Period:
    """The period asked for; by default the one with work in it for ``unit`` (the latest
    that has begun and holds its targets), not the phase."""
    code = request.GET.get("period") or request.POST.get("period")
    if not code:
        if unit is None:
            return phase.period
        from duan8.analytics import dashboard

        return dashboard.working_period(phase, unit)
    try:
        period = periods.parse(code)
    except ValueError:
        raise Http404 from None
    if period.start < phase.start or period.end > phase.end:
        raise Http404
    return period


@login_required
def browse(request):
    """Chỉ tiêu: the framework, programme by programme, down to the indicators."""
    programmes = Programme.objects.prefetch_related(
        "projects__phases__content_areas__indicators__versions"
    )
    return render(
        request,
        "framework/browse.html",
        {
            "programmes": programmes,
            "can_edit": access.is_national_admin(request.user),
        },
    )


@login_required
def phase_add(request, pk):
    access.require_national_admin(request.user)
    project = get_object_or_404(Project, pk=pk)
    form = PhaseForm(data=request.POST or None, instance=Phase(project=project))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Phase added."))
        return redirect("framework:browse")
    return render(request, "framework/phase_add.html", {"project": project, "form": form})


@login_required
def content_area_add(request, pk):
    access.require_national_admin(request.user)
    phase = get_object_or_404(Phase, pk=pk)
    form = ContentAreaForm(data=request.POST or None, instance=ContentArea(phase=phase))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Content area added."))
        return redirect("framework:browse")
    return render(
        request,
        "framework/simple_form.html",
        {
            "title": _("Add a content area"),
            "subject": phase,
            "form": form,
        },
    )


@login_required
def indicator_add(request, pk):
    access.require_national_admin(request.user)
    area = get_object_or_404(ContentArea.objects.select_related("phase"), pk=pk)
    form = IndicatorForm(data=request.POST or None, instance=Indicator(content_area=area))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            indicator = actions.add_indicator(area, **data)
        except Exception as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Indicator added."))
            return redirect("framework:indicator", pk=indicator.pk)
    return render(
        request,
        "framework/simple_form.html",
        {
            "title": _("Add an indicator"),
            "subject": area,
            "form": form,
        },
    )


@login_required
def indicator_detail(request, pk):
    indicator = get_object_or_404(Indicator.objects.select_related("content_area__phase"), pk=pk)
    unit = current_unit(request)
    targets = Target.objects.filter(indicator=indicator).select_related(
        "unit", "official_document__issuer"
    )
    targets = access.scope(request.user, targets).order_by("period_start", "unit__path")[:200]
    return render(
        request,
        "framework/indicator.html",
        {
            "indicator": indicator,
            "versions": indicator.versions.select_related("numerator", "denominator"),
            "targets": targets,
            "unit": unit,
            "can_edit": access.is_national_admin(request.user),
        },
    )


@login_required
def version_add(request, pk):
    access.require_national_admin(request.user)
    indicator = get_object_or_404(Indicator, pk=pk)
    current = indicator.versions.order_by("-valid_from").first()
    form = VersionForm(
        data=request.POST or None,
        instance=None,
        initial=current.measurement() if current else None,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        valid_from = data.pop("valid_from")
        try:
            actions.change_definition(indicator, valid_from, **data)
        except Exception as exc:  # ValidationError from the model, shown on the form
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request,
                _("The new definition applies from %(day)s.")
                % {"day": valid_from.strftime("%d/%m/%Y")},
            )
            return redirect("framework:indicator", pk=indicator.pk)
    return render(request, "framework/version_add.html", {"indicator": indicator, "form": form})


@login_required
def targets(request, pk):
    """A unit's own targets for a phase and period, and the form to set them."""
    unit = access.get_unit_or_404(request.user, pk)
    phase = _phase(request)
    period = _period(request, phase, unit)
    may_set = access.can_set_target(request.user, unit)
    form = TargetForm(data=request.POST or None, phase=phase, initial={"period": period.code})
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.set_target(
                    data["indicator"],
                    unit,
                    periods.parse(data["period"]),
                    data["value"],
                    revise=data["revise"],
                    doc_number=data["doc_number"],
                    doc_date=data["doc_date"],
                    doc_issuer=data["doc_issuer"],
                )
            except Exception as exc:
                form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Target saved."))
                return redirect(
                    f"{reverse('framework:targets', args=[unit.pk])}"
                    f"?phase={phase.pk}&period={data['period']}"
                )
    day = reading.requested_day(request)
    return render(
        request,
        "framework/targets.html",
        {
            "unit": unit,
            "phase": phase,
            "period": period,
            "phases": Phase.objects.all(),
            "show_tree_date": True,
            "tree_day": reading.tree_date(unit, period, day),
            "unit_exists": unit.is_valid_on(reading.tree_date(unit, period, day)),
            "on": day,
            "targets": _target_rows(unit, period, day),
            "form": form,
            "may_set": may_set,
            "may_allocate": access.can(request.user, access.Action.EDIT, unit),
        },
    )


def _target_rows(unit, period, day):
    """The unit's targets for the period on the tree date, its own and those carried from the
    former units it stands for, each with what was achieved (one reading path)."""
    carried = reading.targets_of(unit, period, day)
    indicators = Indicator.objects.in_bulk(list(carried))
    values = reading.read_many(indicators.values(), [unit], period, day)
    own = {
        t.indicator_id: t
        for t in Target.objects.for_period(period)
        .filter(unit=unit)
        .select_related("official_document__issuer")
    }
    sources = AdminUnit.objects.in_bulk(
        {pk for found in carried.values() for pk in found.target_from}
    )
    rows = []
    for pk, indicator in sorted(indicators.items(), key=lambda item: item[1].code):
        rows.append(
            {
                "indicator": indicator,
                "own": own.get(pk),
                "reading": values[(pk, unit.pk)],
                "carried_from": [sources[s] for s in carried[pk].target_from if s in sources],
            }
        )
    return rows


def _grid_values(request, grid):
    """(values, kept, read, read_kept, errors) read from the grid form; numbers written the
    Vietnamese way. Each cell carries the value it had when the grid was opened (``o-`` + its
    name): only the cells the officer changed are taken, with that value to check against."""
    values, kept, read, read_kept, errors = {}, {}, {}, {}, []

    def take(name, problem):
        """(changed, value, value read) of one input; (False, …) when it is unreadable."""
        try:
            value = parse_amount(request.POST[name])
        except ValueError:
            errors.append(problem)
            return False, None, None
        if f"o-{name}" not in request.POST:  # a form from before cells carried their value
            return True, value, None
        try:
            was = parse_amount(request.POST[f"o-{name}"])
        except ValueError:
            return True, value, None
        return value != was, value, was

    for child in grid.children:
        for column in grid.columns:
            name = f"c-{child.pk}-{column.indicator.pk}"
            if name not in request.POST:
                continue
            problem = _(
                "%(unit)s, %(code)s: “%(text)s” is not a number of 0 or more with at most two "
                "decimals."
            ) % {"unit": child.name, "code": column.indicator.code, "text": request.POST[name]}
            changed, value, was = take(name, problem)
            if changed:
                cell = (child.pk, column.indicator.pk)
                values[cell] = value
                if f"o-{name}" in request.POST:
                    read[cell] = was
    for column in grid.columns:
        name = f"k-{column.indicator.pk}"
        if column.target is not None and name in request.POST:
            problem = _("%(code)s: the part carried out here must be a number of 0 or more.") % {
                "code": column.indicator.code
            }
            changed, value, was = take(name, problem)
            if changed:
                kept[column.indicator.pk] = value or Decimal(0)
                if f"o-{name}" in request.POST:
                    read_kept[column.indicator.pk] = was
    return values, kept, read, read_kept, errors


@login_required
def allocate(request, pk):
    """The allocation grid: children × indicators, with what is left or over-allocated."""
    unit = access.get_unit_or_404(request.user, pk)
    phase = _phase(request)
    period = _period(request, phase, unit)
    may_edit = access.can(request.user, access.Action.EDIT, unit)
    grid = allocation.grid(unit, phase, period)
    errors, over, refreshed = [], [], {}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        values, kept, read, read_kept, errors = _grid_values(request, grid)
        if not errors:
            try:
                allocation.save(
                    unit,
                    phase,
                    period,
                    values,
                    kept=kept,
                    reason=request.POST.get("reason", "") if request.POST.get("confirm") else "",
                    read=read,
                    read_kept=read_kept,
                )
            except allocation.StaleCells as exc:
                errors = exc.messages()
                refreshed = {cell.name: format_amount(cell.stored) for cell in exc.cells}
            except allocation.OverAllocation as exc:
                over = exc.columns
            except allocation.AllocationRefused as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Allocation saved."))
                return redirect(_grid_url(unit, phase, period))
    typed = request.POST if request.method == "POST" else {}
    return render(
        request,
        "framework/allocate.html",
        {
            "unit": unit,
            "phase": phase,
            "period": period,
            "grid": grid,
            "errors": errors,
            "over": over,
            "may_edit": may_edit,
            "phases": Phase.objects.all(),
            "rows": list(grid.form_rows(typed, refreshed)),
            "kept_cells": list(grid.kept_cells(typed, refreshed)),
            # The targets of the grid, for the documents that allocated them.
            "decided": [c.target for c in grid.columns if c.target] + list(grid.cells.values()),
        },
    )


def _grid_url(unit, phase, period) -> str:
    return f"{reverse('framework:allocate', args=[unit.pk])}?phase={phase.pk}&period={period.code}"


@login_required
def allocate_export(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    phase = _phase(request)
    period = _period(request, phase, unit)
    headers, rows = allocation.export_rows(allocation.grid(unit, phase, period))
    return sheets.xlsx_response(headers, rows, f"phan-bo-{period.code}.xlsx")


@login_required
def allocate_template(request, pk):
    """The allocation import's template: the current allocation of the units below, an
    instructions sheet naming each indicator, and the list of the units."""
    unit = access.get_unit_or_404(request.user, pk)
    phase = _phase(request)
    period = _period(request, phase, unit)
    result = allocation.grid(unit, phase, period)
    _headers, rows = allocation.export_rows(result)
    content = sheets.template(
        allocation.columns(result.indicators),
        title=_("Allocation by %(unit)s, %(period)s") % {"unit": unit.name, "period": period.label},
        lists={"unit": [row[0] for row in rows]},
        rows=rows,
    )
    return sheets.template_response(content, f"mau-phan-bo-{period.code}.xlsx")


@login_required
def allocate_import(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.EDIT)
    phase = _phase(request)
    period = _period(request, phase, unit)
    form = ImportForm(request.POST or None, request.FILES or None, initial={"on": period.start})
    form.fields.pop("on")
    errors, annotated_url = [], None
    if request.method == "POST" and form.is_valid():
        try:
            values = allocation.read_sheet(form.cleaned_data["file"], unit, phase, period)
            allocation.save(
                unit,
                phase,
                period,
                values,
                reason=request.POST.get("reason", "") if request.POST.get("confirm") else "",
            )
        except sheets.ImportRefused as refused:
            errors = refused.errors
            annotated_url = import_errors.keep(request.user, form.cleaned_data["file"], errors)
        except allocation.OverAllocation as exc:
            errors = [
                _("Over-allocated: %(codes)s. Tick the confirmation and give a reason.")
                % {"codes": ", ".join(c.indicator.code for c in exc.columns)}
            ]
        except allocation.AllocationRefused as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Allocation imported."))
            return redirect(_grid_url(unit, phase, period))
    return render(
        request,
        "framework/allocate_import.html",
        {
            "unit": unit,
            "phase": phase,
            "period": period,
            "form": form,
            "errors": errors,
            "annotated_url": annotated_url,
        },
    )
