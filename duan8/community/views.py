from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from duan8.analytics import reading
from duan8.community import actions
from duan8.community.forms import CommunityModelForm
from duan8.community.models import CommunityModel, ModelKind
from duan8.core import access, import_errors, jobs, roundtrip, sheets
from duan8.core.models import AuditEvent
from duan8.framework import periods
from duan8.geo.forms import ImportForm
from duan8.geo.models import AdminUnit, UnitKind

COUNTS = {"established": "established_in", "maintained": "maintained_at_end_of"}
EXPORT_NAME = "mo-hinh.xlsx"


def _kind(request, default: str | None = None) -> str | None:
    kind = request.GET.get("kind") or request.POST.get("kind") or default
    if kind and kind not in ModelKind.values:
        raise Http404
    return kind


def _filtered(request, unit):
    return filtered(request.user, request.GET, unit)


def filtered(user, query, unit):
    """The models counted under the unit on the tree date of the list (see
    ``reading.records_day``), by kind and by what a figure counts in a period: what the
    list shows ``user`` for ``query`` (a page's, or the one a background export keeps)."""
    kind = query.get("kind") or None
    if kind and kind not in ModelKind.values:
        raise Http404
    period, count = None, query.get("count", "")
    if query.get("period"):
        try:
            period = periods.parse(query["period"])
        except ValueError:
            raise Http404 from None
    day = reading.records_day(unit, period, reading.day_asked(query))
    records = CommunityModel.objects.within(unit, on=day).prefetch_related("unit__parent")
    records = access.scope_records(user, records)
    if kind:
        records = records.filter(kind=kind)
    if period is not None and count in COUNTS:
        records = getattr(records, COUNTS[count])(period)
    return records.order_by("unit_id", "name", "pk"), kind, period, count, day


@login_required
def mine(request):
    """Mô hình: the registry of the unit being looked at."""
    from duan8.core.shell import current_unit

    unit = current_unit(request)
    if unit is None:
        return render(request, "geo/no_unit.html")
    return redirect("community:list", pk=unit.pk)


@login_required
def model_list(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    records, kind, period, count, day = _filtered(request, unit)
    page = Paginator(records, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "community/list.html",
        {
            "unit": unit,
            "page": page,
            "total": page.paginator.count,
            "kind": kind,
            "period": period,
            "count": count,
            "day": day,
            "kinds": ModelKind.choices,
            "may_edit": access.can(request.user, access.Action.EDIT, unit),
            "query": request.GET.urlencode(),
        },
    )


def _units_for_form(user):
    """Communes and villages the officer may edit; the form lists those of the record's date
    (see ``UnitsOnTheRecordDate``)."""
    units = AdminUnit.objects.filter(kind__in=[UnitKind.COMMUNE, UnitKind.VILLAGE])
    return access.scope_units(user, access.Action.EDIT, units)


def _typed(request, date_field: str) -> dict:
    """The date and unit the form sends when its date changes (a GET), as the form's initial."""
    return {name: request.GET[name] for name in (date_field, "unit") if request.GET.get(name)}


@login_required
def model_create(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.EDIT)
    kind = _kind(request, ModelKind.COMMUNICATION_TEAM)
    form = CommunityModelForm(
        data=request.POST or None,
        initial=_typed(request, "established_on"),
        kind=kind,
        units=_units_for_form(request.user),
        around=unit,
    )
    if request.method == "POST" and form.is_valid():
        model = actions.save(form.instance)
        messages.success(request, _("%(name)s registered.") % {"name": model.name})
        return redirect("community:detail", pk=model.pk)
    return render(
        request,
        "community/form.html",
        {
            "unit": unit,
            "form": form,
            "kind": kind,
            "kind_label": ModelKind(kind).label,
        },
    )


@login_required
def model_detail(request, pk):
    model = access.get_or_404(request.user, CommunityModel.objects.select_related("unit"), pk=pk)
    return render(
        request,
        "community/detail.html",
        {
            "model": model,
            "history": model.history.all(),
            "changes": AuditEvent.objects.for_object(model).newest_first()[:50],
            "may_edit": access.can(request.user, access.Action.EDIT, model.unit),
            "show_addresses": access.sees_addresses(request.user, model.unit),
        },
    )


@login_required
def model_edit(request, pk):
    model = access.get_or_404(
        request.user, CommunityModel.objects.select_related("unit"), access.Action.EDIT, pk=pk
    )
    form = CommunityModelForm(
        data=request.POST or None,
        initial=_typed(request, "established_on"),
        instance=model,
        kind=model.kind,
        units=_units_for_form(request.user),
        around=model.unit.parent or model.unit,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved(lambda: actions.save(form.instance))
    ):
        messages.success(request, _("Changes saved."))
        return redirect("community:detail", pk=model.pk)
    return render(
        request,
        "community/form.html",
        {
            "unit": model.unit,
            "form": form,
            "kind": model.kind,
            "kind_label": model.get_kind_display(),
            "model": model,
        },
    )


def _list_url(unit, query: str = "") -> str:
    return reverse("community:list", args=[unit.pk]) + (f"?{query}" if query else "")


@login_required
def model_export(request, pk):
    """The list as a workbook in the import's columns: it imports back unchanged. A list of
    more than ``jobs.ROWS`` records is written by a background job."""
    unit = access.get_unit_or_404(request.user, pk)
    records, *_rest = _filtered(request, unit)
    return jobs.export(
        request, "community.export", unit, records, back=_list_url(unit, request.GET.urlencode())
    )


@login_required
def model_template(request, pk):
    """The import's template: its columns, drop-down lists of the kinds and of the communes
    and villages of the unit today, and an instructions sheet."""
    from duan8.geo import resolver

    unit = access.get_unit_or_404(request.user, pk)
    content = sheets.template(
        actions.COLUMNS,
        title=_("Template for importing community models: %(unit)s") % {"unit": unit.name},
        lists={
            "unit": resolver.names_for_lists(
                unit, [UnitKind.COMMUNE, UnitKind.VILLAGE], unit.reference_day()
            ),
            "kind_text": [str(label) for _value, label in ModelKind.choices],
        },
    )
    return sheets.template_response(content, "mau-nhap-mo-hinh.xlsx")


@login_required
def model_import(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.EDIT)
    kind = _kind(request, ModelKind.COMMUNICATION_TEAM)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"on": unit.reference_day()}
    )
    errors, annotated_url = [], None
    if request.method == "POST" and form.is_valid():
        existing = request.POST.get("existing", roundtrip.SKIP)
        try:
            large = jobs.large_import(
                request,
                "community.import",
                unit,
                {"kind": kind, "on": form.cleaned_data["on"].isoformat(), "existing": existing},
                form.cleaned_data["file"],
                back=_list_url(unit, f"kind={kind}"),
            )
            if large is not None:
                return large
            created = actions.import_rows(
                form.cleaned_data["file"], unit, kind, form.cleaned_data["on"], existing=existing
            )
        except sheets.ImportRefused as refused:
            errors = refused.errors
            annotated_url = import_errors.keep(
                request.user, form.cleaned_data["file"], errors, actions.COLUMNS
            )
        else:
            messages.success(request, _("%(n)d models stored.") % {"n": len(created)})
            roundtrip.tell(request, created)
            return redirect(f"{request.path.rsplit('import/', 1)[0]}?kind={kind}")
    return render(
        request,
        "community/import.html",
        {
            "unit": unit,
            "form": form,
            "errors": errors,
            "annotated_url": annotated_url,
            "kind": kind,
            "kinds": ModelKind.choices,
            "columns": actions.COLUMNS,
        },
    )
