"""Pages of spending norms (định mức chi) and estimates (dự toán). Who may do what is decided
by ``core.access`` (through ``finance.norms`` for the norms)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duan8.core import access
from duan8.core.formatting import format_million_dong, parse_date
from duan8.finance import estimates, norms
from duan8.finance.views import FIRST_YEAR, LAST_YEAR, _areas, _year


def _day(request) -> datetime.date:
    text = (request.GET.get("on") or "").strip()
    if not text:
        return timezone.localdate()
    try:
        return parse_date(text)
    except ValueError:
        raise Http404 from None


@login_required
def norm_list(request):
    """The norms, each version with its validity and legal source; administrators of a scope
    add norms there, change them from a day or close them."""
    user = request.user
    day = _day(request)
    scopes = norms.norm_scopes(user)
    form = None
    if scopes.exists():
        form = norms.NormForm(
            request.POST or None,
            user=user,
            areas=_areas(),
            initial={"valid_from": day},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                estimates.save_norm(form.instance)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Norm added."))
                return redirect("finance:norms")
    rows = (
        norms.readable_norms(user)
        .select_related("scope", "content_area")
        .order_by("scope__depth", "scope__name", "code", "-valid_from")
    )
    rows = list(rows)
    for row in rows:
        row.in_force = row.in_force_on(day)
        row.editable = norms.may_set_norms(user, row.scope)
    return render(
        request,
        "finance/norms.html",
        {"rows": rows, "day": day, "form": form},
        status=422 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def norm_change(request, pk):
    """A norm changed from a day (a new version) or closed from a day."""
    norm = norms.get_norm_or_404(request.user, pk)
    if request.POST.get("action") == "close":
        form = norms.NormCloseForm(request.POST)
        done = _("The norm is closed.")
    else:
        form = norms.NormChangeForm(request.POST)
        done = _("The norm is changed from that day; earlier estimates keep the old version.")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if "valid_until" in data:
                estimates.close_norm(norm, data["valid_until"])
            else:
                estimates.change_norm(norm, data.pop("valid_from"), **data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("finance:norms")


def _estimate_url(estimate) -> str:
    return reverse("finance:estimate", args=[estimate.pk])


@login_required
def estimate_list(request, pk):
    """The estimates of a unit (and the units below it) for a year; editors start one."""
    unit = access.get_unit_or_404(request.user, pk)
    year = _year(request)
    may_edit = access.can(request.user, access.Action.EDIT, unit)
    form = None
    if may_edit:
        form = norms.EstimateForm(
            request.POST or None,
            initial={"fiscal_year": year, "reference_date": timezone.localdate()},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        form.instance.unit = unit
        if form.is_valid():
            try:
                estimate = estimates.save_estimate(form.instance)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Estimate started: add its lines."))
                return redirect(_estimate_url(estimate))
    rows = list(norms.estimates_of(request.user, unit, year))
    for row in rows:
        row.total_million = format_million_dong(row.total)
    return render(
        request,
        "finance/estimates.html",
        {
            "unit": unit,
            "year": year,
            "years": range(max(FIRST_YEAR, year - 4), min(LAST_YEAR, year + 2)),
            "rows": rows,
            "form": form,
        },
        status=422 if form is not None and form.errors else 200,
    )


def _estimate_page(request, estimate, *, line_form=None, approve_form=None, status=200):
    user = request.user
    unit = estimate.unit
    draft = estimate.is_draft
    in_force = estimates.norms_in_force(unit, estimate.reference_date)
    if draft and access.can(user, access.Action.EDIT, unit) and line_form is None:
        line_form = norms.EstimateLineForm(norms=in_force, areas=_areas())
    if draft and access.can(user, access.Action.APPROVE, unit) and approve_form is None:
        approve_form = norms.ApproveForm(initial={"source": "central"})
    lines = list(estimate.lines.select_related("norm", "norm__scope", "content_area"))
    total = sum(line.amount for line in lines)
    return render(
        request,
        "finance/estimate.html",
        {
            "estimate": estimate,
            "unit": unit,
            "lines": lines,
            "total": total,
            "areas": estimates.totals_by_area(estimate),
            "flagged": sum(1 for line in lines if line.above_ceiling),
            "norms": in_force,
            "line_form": line_form if draft else None,
            "approve_form": approve_form if draft else None,
            "budget_lines": estimate.budget_lines.select_related("content_area"),
        },
        status=status,
    )


@login_required
def estimate_detail(request, pk):
    """An estimate's lines with their norms, ceiling flags and totals; editors add and remove
    lines while it is a draft."""
    if request.method != "POST":
        return _estimate_page(request, norms.get_estimate_or_404(request.user, pk))
    estimate = norms.get_estimate_or_404(request.user, pk, access.Action.EDIT)
    if request.POST.get("remove"):
        line = norms.get_estimate_line_or_404(estimate, request.POST["remove"])
        try:
            estimates.remove_line(line)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(_estimate_url(estimate))
    in_force = estimates.norms_in_force(estimate.unit, estimate.reference_date)
    form = norms.EstimateLineForm(request.POST, norms=in_force, areas=_areas())
    form.instance.estimate = estimate
    if form.is_valid():
        try:
            line = estimates.add_line(form.instance)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if line.above_ceiling:
                messages.warning(request, _("Line added; its unit amount is above the ceiling."))
            else:
                messages.success(request, _("Line added."))
            return redirect(_estimate_url(estimate))
    return _estimate_page(request, estimate, line_form=form, status=422)


@login_required
@require_POST
def estimate_approve(request, pk):
    """Approve the estimate: one budget line per content area, with the decision."""
    estimate = norms.get_estimate_or_404(request.user, pk, access.Action.APPROVE)
    form = norms.ApproveForm(request.POST)
    if form.is_valid():
        try:
            made = estimates.approve(estimate, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Estimate approved: %(count)d budget lines added.") % {"count": len(made)},
            )
            return redirect(_estimate_url(estimate))
    return _estimate_page(request, estimate, approve_form=form, status=422)
