import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duan8.activities.models import Activity
from duan8.analytics import reading
from duan8.core import access
from duan8.core.formatting import parse_date
from duan8.finance import actions, summary
from duan8.finance.forms import CheckpointForm, DisbursementForm, LineForm, TransferForm
from duan8.finance.models import BudgetLine, Checkpoint, FundSource, Transfer
from duan8.framework.models import ContentArea
from duan8.geo.models import AdminUnit, UnitKind

FIRST_YEAR, LAST_YEAR = 2021, 2100


@login_required
def mine(request):
    from duan8.core.shell import current_unit

    unit = current_unit(request)
    if unit is None:
        return render(request, "geo/no_unit.html")
    return redirect("finance:unit", pk=unit.pk)


def _year(request) -> int:
    text = request.POST.get("year") or request.GET.get("year") or ""
    if not text:
        return timezone.localdate().year
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise Http404
    return int(text)


def _as_of(request, year: int) -> datetime.date:
    text = (request.POST.get("as_of") or request.GET.get("as_of") or "").strip()
    if text:
        try:
            return parse_date(text)
        except ValueError:
            raise Http404 from None
    return min(timezone.localdate(), datetime.date(year, 12, 31))


def _page_url(unit, year: int, request=None) -> str:
    url = f"{reverse('finance:unit', args=[unit.pk])}?year={year}"
    as_of = request and (request.POST.get("as_of") or "").strip()
    if as_of:
        url += "&" + urlencode({"as_of": as_of})
    return url


def _editable_units(user, unit, year: int):
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    units = AdminUnit.objects.subtree(unit).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=start),
        kind__in=[UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE],
        valid_from__lt=end,
    )
    return access.scope_units(user, access.Action.EDIT, units).order_by("path")


def _lines(user, unit, year: int, day: datetime.date):
    lines = BudgetLine.objects.within(unit, on=day).filter(fiscal_year=year)
    return access.scope_records(user, lines)


def _areas():
    return ContentArea.objects.select_related("phase").order_by("phase__start", "order", "code")


def _activities(user, unit, year: int, day: datetime.date):
    """The activities a disbursement of the year may have paid: held in the year or in the
    next (carried-over money), by units the user may edit."""
    found = Activity.objects.within(unit, on=day).filter(
        start_on__gte=datetime.date(year, 1, 1), start_on__lt=datetime.date(year + 2, 1, 1)
    )
    return access.scope_records(user, found, access.Action.EDIT).order_by("-start_on", "pk")


def _receivers_below(user, unit, year: int):
    """The units money may be handed to: those below the unit during the year."""
    return _editable_units(user, unit, year).exclude(pk=unit.pk)


def _spending_lines(user, unit, year: int, day: datetime.date):
    return access.scope(user, _lines(user, unit, year, day), access.Action.EDIT)


def _forms(request, unit, year, day, line_form=None, disbursement_form=None, transfer_form=None):
    user = request.user
    if not access.can(user, access.Action.EDIT, unit):
        return None, None, None
    if line_form is None:
        line_form = LineForm(
            initial={"fiscal_year": year, "source": FundSource.CENTRAL},
            units=_editable_units(user, unit, year),
            areas=_areas(),
        )
    if disbursement_form is None:
        disbursement_form = DisbursementForm(
            lines=_spending_lines(user, unit, year, day),
            activities=_activities(user, unit, year, day),
            prefix="spend",
        )
    if transfer_form is None:
        transfer_form = TransferForm(
            lines=_spending_lines(user, unit, year, day),
            units=_receivers_below(user, unit, year),
            prefix="hand",
        )
    return line_form, disbursement_form, transfer_form


def _transfers(lines):
    return (
        Transfer.objects.filter(Q(from_line__in=lines) | Q(to_line__in=lines))
        .select_related("from_line__unit", "to_line__unit")
        .order_by("date", "pk")
    )


def _render(
    request,
    unit,
    year,
    *,
    line_form=None,
    disbursement_form=None,
    transfer_form=None,
    status=200,
):
    as_of = _as_of(request, year)
    day = summary.tree_day(unit, year, reading.requested_day(request))
    rates = summary.rates(unit, year, as_of, day)
    visible = _lines(request.user, unit, year, day)
    lines = (
        visible.with_disbursed()
        .select_related("unit", "content_area", "carried_from", "official_document__issuer")
        .order_by("unit__path", "source", "pk")
    )
    for line in lines:
        line.available = line.amount - line.disbursed_total - line.transferred_total
    line_form, disbursement_form, transfer_form = _forms(
        request, unit, year, day, line_form, disbursement_form, transfer_form
    )
    transfers = list(_transfers(visible))
    for record in transfers:
        record.may_cancel = transfer_form is not None and access.can(
            request.user, access.Action.EDIT, record.from_line.unit
        )
    passed = summary.last_checkpoint(year, as_of)
    context = {
        "unit": unit,
        "year": year,
        "years": range(max(FIRST_YEAR, year - 4), year + 2),
        "as_of": as_of,
        "day": day,
        "table": summary.table(unit, year, day),
        "rates": rates,
        "lines": lines,
        "lagging": summary.lagging(unit, year, as_of, day),
        "checkpoint": passed,
        "below_checkpoint": passed is not None
        and rates.total.available
        and rates.total.rate < passed[1],
        "line_form": line_form,
        "disbursement_form": disbursement_form,
        "transfer_form": transfer_form,
        "transfers": transfers,
        "may_close": access.can(request.user, access.Action.ADMINISTER, unit),
        "closed": actions.active_close(unit, year),
    }
    return render(request, "finance/unit.html", context, status=status)


@login_required
def unit_finance(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    return _render(request, unit, _year(request))


@login_required
@require_POST
def line_add(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    access.require(request.user, access.Action.EDIT, unit)
    year = _year(request)
    form = LineForm(
        request.POST,
        units=_editable_units(request.user, unit, year),
        areas=_areas(),
    )
    if form.is_valid():
        try:
            actions.save_line(form.instance)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Budget line added."))
            return redirect(_page_url(unit, form.instance.fiscal_year, request))
    return _render(request, unit, year, line_form=form)


@login_required
@require_POST
def disbursement_add(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    access.require(request.user, access.Action.EDIT, unit)
    year = _year(request)
    day = summary.tree_day(unit, year)
    form = DisbursementForm(
        request.POST,
        lines=_spending_lines(request.user, unit, year, day),
        activities=_activities(request.user, unit, year, day),
        prefix="spend",
    )
    if form.is_valid():
        try:
            actions.record_disbursement(form.instance)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Disbursement recorded."))
            return redirect(_page_url(unit, year, request))
    return _render(request, unit, year, disbursement_form=form)


@login_required
@require_POST
def transfer_add(request, pk):
    """Hand money of one of the unit's lines to a unit below (editors of the unit)."""
    unit = access.get_unit_or_404(request.user, pk)
    access.require(request.user, access.Action.EDIT, unit)
    year = _year(request)
    day = summary.tree_day(unit, year)
    form = TransferForm(
        request.POST,
        lines=_spending_lines(request.user, unit, year, day),
        units=_receivers_below(request.user, unit, year),
        prefix="hand",
    )
    if form.is_valid():
        try:
            form.save()
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Money handed to the unit below."))
            return redirect(_page_url(unit, year, request))
    return _render(request, unit, year, transfer_form=form, status=422)


@login_required
@require_POST
def transfer_cancel(request, pk):
    """Undo a transfer (editors of the giving unit), while the receiver has not used it."""
    record = access.get_or_404(
        request.user,
        Transfer.objects.select_related("from_line__unit", "to_line__unit"),
        access.Action.EDIT,
        unit_of=lambda found: found.from_line.unit,
        pk=pk,
    )
    giver = record.from_line.unit
    year = record.from_line.fiscal_year
    try:
        actions.cancel_transfer(record)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Transfer cancelled."))
    return redirect(_page_url(giver, year, request))


@login_required
def year_close(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    access.require(request.user, access.Action.ADMINISTER, unit)
    year = _year(request)
    receivers = actions.receivers(unit, year)
    by_pk = {str(u.pk): u for u in receivers}
    to_unit = {}
    for name, value in request.POST.items():
        if name.startswith("to_") and value in by_pk:
            to_unit[access.clean_pk(name[3:])] = by_pk[value]
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reopen":
                actions.reopen(unit, year, request.POST.get("reason", ""))
                messages.success(request, _("The year is reopened."))
            else:
                actions.close(unit, year, request.POST.get("document", ""), to_unit)
                messages.success(request, _("The year is closed; unspent money carried over."))
            return redirect(_page_url(unit, year))
        except ValidationError as exc:
            error = " ".join(exc.messages)
    proposal = actions.propose_close(unit, year, to_unit)
    abolished = {
        item.line.unit_id
        for item in proposal.carry
        if not item.line.unit.is_valid_on(datetime.date(year + 1, 1, 1))
    }
    return render(
        request,
        "finance/close.html",
        {
            "unit": unit,
            "year": year,
            "proposal": proposal,
            "receivers": receivers,
            "abolished": abolished,
            "error": error,
        },
        status=200 if error is None else 422,
    )


def _small(text) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 2 else 0


@login_required
def checkpoints(request):
    """The disbursement checkpoints: read by everyone, changed by national administrators."""
    form = CheckpointForm()
    if request.method == "POST":
        access.require_national_admin(request.user)
        if request.POST.get("delete"):
            found = Checkpoint.objects.filter(pk=access.clean_pk(request.POST["delete"])).first()
            if found is not None:
                found.delete()
            return redirect("finance:checkpoints")
        existing = Checkpoint.objects.filter(
            month=_small(request.POST.get("month")), day=_small(request.POST.get("day"))
        ).first()
        form = CheckpointForm(request.POST, instance=existing)
        if form.is_valid():
            form.save()
            messages.success(request, _("Checkpoint saved."))
            return redirect("finance:checkpoints")
    return render(
        request,
        "finance/checkpoints.html",
        {
            "checkpoints": summary.checkpoints(),
            "stored": Checkpoint.objects.exists(),
            "form": form,
            "may_change": access.is_national_admin(request.user),
        },
    )
