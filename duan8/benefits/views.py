"""Pages of the support packages: packages, items and amounts (read by everyone signed in,
set by national or province administrators), a unit's entitlements and payment list, a
birth's entitlements with the payment steps, and the Excel payment list. Who may do what is
decided by ``core.access`` (through ``benefits.amounts`` for packages and amounts)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duan8.analytics import reading
from duan8.benefits import amounts, entitlements, export
from duan8.benefits.forms import (
    AmountChangeForm,
    AmountCloseForm,
    AmountForm,
    CountsForm,
    ExportForm,
    ItemForm,
    PackageForm,
    PayForm,
    RejectForm,
)
from duan8.benefits.models import Entitlement, EntitlementState
from duan8.core import access
from duan8.core.sheets import XLSX
from duan8.framework import periods
from duan8.maternal import privacy
from duan8.maternal.models import Birth


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Packages, items and amounts ----------------------------------------------------------------


@login_required
def package_list(request):
    """The packages one reads, each with its items; administrators add packages for the
    scopes they set (the nation, their province)."""
    user = request.user
    scopes = amounts.settable_scopes(user)
    form = PackageForm(request.POST or None, user=user) if scopes.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                package = amounts.save(form.instance)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Package added: add its items and their amounts."))
                return redirect("benefits:package", pk=package.pk)
    rows = (
        amounts.readable_packages(user)
        .select_related("scope")
        .prefetch_related("items")
        .order_by("scope__depth", "scope__name", "order", "code", "pk")
    )
    return render(
        request,
        "benefits/packages.html",
        {"rows": rows, "form": form},
        status=422 if form is not None and form.errors else 200,
    )


def _package_page(request, package, *, item_form=None, amount_form=None, status=200):
    user = request.user
    day = timezone.localdate()
    may_change = amounts.may_set(user, package.scope)
    if may_change and item_form is None:
        item_form = ItemForm(prefix="item")
    scopes = amounts.amount_scopes(user, package)
    if amount_form is None and scopes.exists() and package.items.exists():
        amount_form = AmountForm(user=user, package=package, prefix="amount")
    readable = amounts.readable_amounts(user)
    items = list(package.items.order_by("order", "code", "pk"))
    for item in items:
        item.versions = list(
            readable.filter(item=item)
            .select_related("scope", "previous")
            .order_by("scope__depth", "scope__name", "-valid_from")
        )
        for version in item.versions:
            version.in_force = version.in_force_on(day)
            version.editable = amounts.may_set(user, version.scope) and not version.valid_until
    return render(
        request,
        "benefits/package.html",
        {
            "package": package,
            "items": items,
            "may_change": may_change,
            "item_form": item_form if may_change else None,
            "amount_form": amount_form if scopes.exists() else None,
        },
        status=status,
    )


@login_required
def package_detail(request, pk):
    """A package's items with every amount version one reads; its administrators add items,
    those who set amounts (the nation, a province) add amounts."""
    user = request.user
    if request.method != "POST":
        return _package_page(request, amounts.get_package_or_404(user, pk))
    package = amounts.get_package_or_404(user, pk)
    if request.POST.get("action") == "item":
        package = amounts.get_package_or_404(user, pk, change=True)
        form = ItemForm(request.POST, prefix="item")
        form.instance.package = package
        if form.is_valid():
            try:
                amounts.save(form.instance)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Item added."))
                return redirect("benefits:package", pk=package.pk)
        return _package_page(request, package, item_form=form, status=422)
    if not amounts.amount_scopes(user, package).exists():
        raise PermissionDenied
    form = AmountForm(request.POST, user=user, package=package, prefix="amount")
    if form.is_valid():
        try:
            amounts.save(form.instance)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Amount added."))
            return redirect("benefits:package", pk=package.pk)
    return _package_page(request, package, amount_form=form, status=422)


@login_required
@require_POST
def amount_change(request, pk):
    """An amount changed from a day (a new version) or closed from a day."""
    version = amounts.get_amount_or_404(request.user, pk, change=True)
    if request.POST.get("action") == "close":
        form = AmountCloseForm(request.POST)
        done = _("The amount is closed.")
    else:
        form = AmountChangeForm(request.POST)
        done = _(
            "The amount is changed from that day; entitlements computed earlier keep the old "
            "version."
        )
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if "valid_until" in data:
                amounts.close_amount(version, data["valid_until"])
            else:
                amounts.change_amount(version, data.pop("valid_from"), **data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, done)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("benefits:package", pk=version.item.package_id)


# A unit's entitlements ------------------------------------------------------------------------


@login_required
def mine(request):
    from duan8.core.shell import current_unit

    unit = current_unit(request)
    if unit is None:
        return render(request, "geo/no_unit.html")
    return redirect("benefits:unit", pk=unit.pk)


def _period(request) -> periods.Period:
    code = (request.POST.get("period") or request.GET.get("period") or "").strip()
    if not code:
        return periods.parse(str(timezone.localdate().year))
    try:
        return periods.parse(code)
    except ValueError:
        raise Http404 from None


def _state(request) -> str:
    state = (request.POST.get("state") or request.GET.get("state") or "").strip()
    if state and state not in EntitlementState.values:
        raise Http404
    return state


@login_required
def unit_entitlements(request, pk):
    """The entitlements of the births counted under a unit: eligible births awaiting a
    proposal, then the entitlements by state — paid ones in the period by their payment
    date, the others whatever their date — with their totals."""
    user = request.user
    unit = access.get_unit_or_404(user, pk)
    period = _period(request)
    state = _state(request)
    day = reading.records_day(unit, period, reading.requested_day(request))
    rows = entitlements.entitlements_of(user, unit, day)
    if state:
        rows = rows.filter(state=state)
    rows = rows.exclude(state=EntitlementState.PAID, paid_on__lt=period.start).exclude(
        state=EntitlementState.PAID, paid_on__gte=period.end
    )
    rows = list(rows.order_by("birth__unit__path", "-birth__date", "birth", "item__order", "pk"))
    totals = {value: 0 for value in EntitlementState.values}
    for row in rows:
        totals[row.state] += row.amount
    awaiting = list(entitlements.awaiting_proposal(user, unit, day)[:200])
    mothers = {row.birth.mother_id for row in rows} | {birth.mother_id for birth in awaiting}
    if mothers:
        privacy.record_access(user, unit, "list", count=len(mothers))
    return render(
        request,
        "benefits/unit.html",
        {
            "unit": unit,
            "period": period,
            "state": state,
            "states": EntitlementState.choices,
            "rows": rows,
            "totals": [
                (label, totals[value]) for value, label in EntitlementState.choices if totals[value]
            ],
            "awaiting": awaiting,
            "may_export": access.may_export_personal_data(user, unit),
        },
    )


# A birth's entitlements -------------------------------------------------------------------


def _birth_or_404(user, pk, action=access.Action.VIEW) -> Birth:
    return access.get_or_404(
        user, Birth.objects.select_related("mother__ethnic_group", "unit__parent"), action, pk=pk
    )


def _years() -> list[int]:
    today = timezone.localdate()
    return [today.year - 1, today.year]


def _birth_page(request, birth, *, counts_form=None, forms_by_pk=None, status=200):
    user = request.user
    found = entitlements.preview(birth, counts_form.counts() if counts_form is not None else None)
    may_edit = access.can(user, access.Action.EDIT, birth.unit)
    may_approve = access.can(user, access.Action.APPROVE, birth.unit)
    if may_edit and found.eligible and counts_form is None:
        counts_form = CountsForm(lines=found.lines)
    forms_by_pk = forms_by_pk or {}
    stored = list(
        birth.entitlements.select_related(
            "item__package", "amount_version__scope", "budget_line__unit", "approved_by"
        ).order_by("item__package__order", "item__order", "pk")
    )
    for entitlement in stored:
        entitlement.may_approve = may_approve and entitlement.state == EntitlementState.PROPOSED
        entitlement.may_reject = may_approve and entitlement.state in (
            EntitlementState.PROPOSED,
            EntitlementState.APPROVED,
        )
        entitlement.may_pay = may_edit and entitlement.state == EntitlementState.APPROVED
        if entitlement.may_pay:
            entitlement.pay_form = forms_by_pk.get(entitlement.pk) or PayForm(
                lines=entitlements.payable_lines(user, entitlement, _years()),
                initial={"paid_on": timezone.localdate()},
                prefix=f"pay{entitlement.pk}",
            )
    proposable = (
        may_edit
        and found.eligible
        and any(line.existing is None and line.configured for line in found.lines)
    )
    return render(
        request,
        "benefits/birth.html",
        {
            "birth": birth,
            "preview": found,
            "stored": stored,
            "counts_form": counts_form if proposable else None,
        },
        status=status,
    )


@login_required
def birth_entitlements(request, pk):
    """A birth's entitlements: every item that reaches its province with the amount in force
    on its date or "not configured", the occasions of counted items and the proposal
    (editors), then the stored entitlements with their payment steps."""
    if request.method != "POST":
        return _birth_page(request, _birth_or_404(request.user, pk))
    birth = _birth_or_404(request.user, pk, access.Action.EDIT)
    found = entitlements.preview(birth)
    form = CountsForm(request.POST, lines=found.lines)
    if form.is_valid():
        try:
            made = entitlements.propose(birth, form.counts())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(n)d entitlements proposed.") % {"n": len(made)})
            return redirect("benefits:birth", pk=birth.pk)
    return _birth_page(request, birth, counts_form=form, status=422)


@login_required
@require_POST
def entitlement_act(request, pk):
    """A payment step: approve or reject (the unit's approvers), pay (its editors)."""
    user = request.user
    action = request.POST.get("action")
    needed = {
        "approve": access.Action.APPROVE,
        "reject": access.Action.APPROVE,
        "pay": access.Action.EDIT,
    }.get(action)
    queryset = Entitlement.objects.select_related("birth__unit", "birth__mother", "item")
    entitlement = access.get_or_404(user, queryset, unit_of=lambda e: e.birth.unit, pk=pk)
    if needed is None:
        raise Http404
    access.require(user, needed, entitlement.birth.unit)
    back = redirect("benefits:birth", pk=entitlement.birth_id)
    try:
        if action == "approve":
            entitlements.approve(entitlement)
            messages.success(request, _("Entitlement approved."))
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the entitlement is rejected."))
                return back
            entitlements.reject(entitlement, form.cleaned_data["reason"])
            messages.success(request, _("Entitlement rejected."))
        else:
            lines = entitlements.payable_lines(user, entitlement, _years())
            form = PayForm(request.POST, lines=lines, prefix=f"pay{entitlement.pk}")
            if not form.is_valid():
                return _birth_page(
                    request, entitlement.birth, forms_by_pk={entitlement.pk: form}, status=422
                )
            data = form.cleaned_data
            try:
                entitlements.pay(
                    entitlement,
                    paid_on=data["paid_on"],
                    payer=data["payer"],
                    voucher=data["voucher"],
                    line=data["budget_line"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                return _birth_page(
                    request, entitlement.birth, forms_by_pk={entitlement.pk: form}, status=422
                )
            messages.success(request, _("Payment recorded."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return back


# The payment list in Excel ------------------------------------------------------------------


@login_required
def payments_export(request, pk):
    """The payment list of a unit for a period in Excel, with a signature column: a personal
    list, for those who may export personal data, for a reason kept in the log."""
    user = request.user
    unit = access.get_unit_or_404(user, pk)
    if not access.may_export_personal_data(user, unit):
        raise PermissionDenied
    period = _period(request)
    form = ExportForm(request.POST or None, initial={"state": _state(request)})
    if request.method == "POST" and form.is_valid():
        day = reading.records_day(unit, period, reading.requested_day(request))
        listed = list(
            entitlements.payment_list(user, unit, period, day, form.cleaned_data["state"] or None)
        )
        privacy.record_access(
            user,
            unit,
            "export",
            purpose=form.cleaned_data["purpose"],
            count=len({row.birth.mother_id for row in listed}),
        )
        response = HttpResponse(export.workbook(unit, period, listed), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{export.filename(unit, period)}"'
        return response
    return render(
        request,
        "benefits/export.html",
        {"unit": unit, "period": period, "form": form},
        status=422 if form.errors else 200,
    )
