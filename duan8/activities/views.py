from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duan8.activities import actions
from duan8.activities.forms import (
    ActivityForm,
    ActivityImportForm,
    AppointmentForm,
    AttachmentForm,
    QualificationForm,
    TrainerForm,
)
from duan8.activities.models import (
    Activity,
    ActivityKind,
    Attachment,
    Trainer,
    TrainerAppointment,
    TrainingProgramme,
)
from duan8.analytics import reading
from duan8.core import access, import_errors, jobs, roundtrip, sheets, versions
from duan8.core.models import AuditEvent
from duan8.framework import periods
from duan8.geo.models import AdminUnit, UnitKind


def _choice(request, name, values, default=None):
    value = request.GET.get(name) or request.POST.get(name) or default
    if value and value not in values:
        raise Http404
    return value


@login_required
def mine(request):
    from duan8.core.shell import current_unit

    unit = current_unit(request)
    if unit is None:
        return render(request, "geo/no_unit.html")
    return redirect("activities:list", pk=unit.pk)


def _filtered(request, unit):
    return filtered(request.user, request.GET, unit)


def _asked(query, name, values):
    value = query.get(name) or None
    if value and value not in values:
        raise Http404
    return value


def filtered(user, query, unit):
    """The activities counted under the unit on the tree date of the list (see
    ``reading.records_day``), by kind, programme and period: what the list shows ``user``
    for ``query`` (a page's, or the one a background export keeps)."""
    kind = _asked(query, "kind", ActivityKind.values)
    programme = _asked(query, "programme", TrainingProgramme.values)
    period = None
    if query.get("period"):
        try:
            period = periods.parse(query["period"])
        except ValueError:
            raise Http404 from None
    day = reading.records_day(unit, period, reading.day_asked(query))
    records = Activity.objects.within(unit, on=day).select_related("unit")
    records = access.scope_records(user, records)
    if kind:
        records = records.filter(kind=kind)
    if programme:
        records = records.filter(programme=programme, is_training_of_trainers=False)
    if period is not None:
        records = records.held_in(period)
    return records.order_by("-start_on", "pk"), kind, programme, period, day


@login_required
def activity_list(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    records, kind, programme, period, day = _filtered(request, unit)
    page = Paginator(records, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/list.html",
        {
            "unit": unit,
            "page": page,
            "total": page.paginator.count,
            "kind": kind,
            "programme": programme,
            "period": period,
            "day": day,
            "kinds": ActivityKind.choices,
            "may_edit": access.can(request.user, access.Action.EDIT, unit),
            "query": request.GET.urlencode(),
        },
    )


EXPORT_NAME = "hoat-dong.xlsx"


def _list_url(unit, query: str = "") -> str:
    return reverse("activities:list", args=[unit.pk]) + (f"?{query}" if query else "")


@login_required
def activity_export(request, pk):
    """The list in the import's columns; more than ``jobs.ROWS`` records are written by a
    background job."""
    unit = access.get_unit_or_404(request.user, pk)
    records, *_rest = _filtered(request, unit)
    return jobs.export(
        request, "activities.export", unit, records, back=_list_url(unit, request.GET.urlencode())
    )


@login_required
def activity_template(request, pk):
    """The import's template: its columns, drop-down lists of the kinds and of the unit's
    communes today, and an instructions sheet."""
    from duan8.geo import resolver

    unit = access.get_unit_or_404(request.user, pk)
    content = sheets.template(
        actions.COLUMNS,
        title=_("Template for importing activities: %(unit)s") % {"unit": unit.name},
        lists={
            "unit": resolver.names_for_lists(
                unit, [UnitKind.DISTRICT, UnitKind.COMMUNE], unit.reference_day()
            ),
            "kind_text": [str(label) for _value, label in ActivityKind.choices],
            "programme": [str(label) for _value, label in TrainingProgramme.choices],
        },
    )
    return sheets.template_response(content, "mau-nhap-hoat-dong.xlsx")


@login_required
def activity_import(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.EDIT)
    form = ActivityImportForm(request.POST or None, request.FILES or None)
    errors, annotated_url = [], None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {"dialogue_level": data["dialogue_level"], "event_form": data["event_form"]}
        existing = request.POST.get("existing", roundtrip.SKIP)
        try:
            large = jobs.large_import(
                request,
                "activities.import",
                unit,
                {"kind": data["kind"], "details": details, "existing": existing},
                data["file"],
                back=_list_url(unit, f"kind={data['kind']}"),
            )
            if large is not None:
                return large
            created = actions.import_rows(
                data["file"], unit, data["kind"], details, existing=existing
            )
        except sheets.ImportRefused as refused:
            errors = refused.errors
            annotated_url = import_errors.keep(request.user, data["file"], errors, actions.COLUMNS)
        else:
            messages.success(request, _("%(n)d activities stored.") % {"n": len(created)})
            roundtrip.tell(request, created)
            return redirect(f"{reverse('activities:list', args=[unit.pk])}?kind={data['kind']}")
    return render(
        request,
        "activities/import.html",
        {
            "unit": unit,
            "form": form,
            "errors": errors,
            "annotated_url": annotated_url,
            "columns": actions.COLUMNS,
        },
    )


@login_required
@require_POST
def attachment_add(request, pk):
    activity = access.get_or_404(
        request.user, Activity.objects.select_related("unit"), access.Action.EDIT, pk=pk
    )
    form = AttachmentForm(request.POST, request.FILES, instance=Attachment(activity=activity))
    if form.is_valid():
        form.save()
        messages.success(request, _("Document attached."))
    else:
        messages.error(request, "; ".join(m for ms in form.errors.values() for m in ms))
    return redirect("activities:detail", pk=activity.pk)


@login_required
def attachment_download(request, pk):
    attachment = access.get_or_404(
        request.user,
        Attachment.objects.select_related("activity__unit"),
        pk=pk,
        unit_of=lambda a: a.activity.unit,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.file.name.rsplit("/", 1)[-1]
    )


def _form(request, unit, kind, instance=None):
    """The activity form on ``unit``'s page; its unit list follows the first day typed."""
    units = AdminUnit.objects.exclude(kind=UnitKind.NATION)
    return ActivityForm(
        data=request.POST or None,
        initial={name: request.GET[name] for name in ("start_on", "unit") if request.GET.get(name)},
        instance=instance,
        kind=kind,
        units=access.scope_units(request.user, access.Action.EDIT, units),
        around=unit,
        trainers=actions.citable_trainers(request.user, unit),
        appointments=actions.citable_appointments(request.user, unit),
    )


def _save(request, form):
    try:
        activity = actions.record(form.instance, form.cleaned_data.get("trainers", []))
    except versions.Stale as stale:  # saved by someone else since the form's own check
        form.refuse(stale, stale.record)
        return None
    except ValidationError as exc:
        for field, problems in exc.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        return None
    return activity


@login_required
def activity_create(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.EDIT)
    kind = _choice(request, "kind", ActivityKind.values, ActivityKind.TRAINING)
    form = _form(request, unit, kind)
    if request.method == "POST" and form.is_valid():
        activity = _save(request, form)
        if activity is not None:
            messages.success(request, _("%(title)s recorded.") % {"title": activity.title})
            return redirect("activities:detail", pk=activity.pk)
    return render(
        request,
        "activities/form.html",
        {
            "unit": unit,
            "form": form,
            "kind": kind,
            "kind_label": ActivityKind(kind).label,
        },
    )


@login_required
def activity_detail(request, pk):
    activity = access.get_or_404(
        request.user,
        Activity.objects.select_related("unit", "appointment__official_document__issuer"),
        pk=pk,
    )
    payments = list(activity.disbursements.select_related("line").order_by("date", "pk"))
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "trainers": activity.trainers.all(),
            "attachments": activity.attachments.all(),
            "payments": payments,
            "payments_total": sum(d.amount for d in payments),
            "attachment_form": AttachmentForm(),
            "changes": AuditEvent.objects.for_object(activity).newest_first()[:50],
            "may_edit": access.can(request.user, access.Action.EDIT, activity.unit),
            "show_addresses": access.sees_addresses(request.user, activity.unit),
        },
    )


@login_required
def activity_edit(request, pk):
    activity = access.get_or_404(
        request.user, Activity.objects.select_related("unit"), access.Action.EDIT, pk=pk
    )
    form = _form(request, activity.unit.parent or activity.unit, activity.kind, instance=activity)
    if request.method == "POST" and form.is_valid():
        if _save(request, form) is not None:
            messages.success(request, _("Changes saved."))
            return redirect("activities:detail", pk=activity.pk)
    return render(
        request,
        "activities/form.html",
        {
            "unit": activity.unit,
            "form": form,
            "kind": activity.kind,
            "kind_label": activity.get_kind_display(),
            "activity": activity,
        },
    )


@login_required
def trainers(request, pk):
    """The register of trainers kept by a unit, with the trainings of trainers they completed."""
    unit = access.get_unit_or_404(request.user, pk)
    may_edit = access.can(request.user, access.Action.EDIT, unit)
    form = TrainerForm(data=request.POST or None, instance=Trainer(unit=unit))
    if request.method == "POST":
        if not may_edit:
            raise access.PermissionDenied
        if form.is_valid():
            form.save()
            messages.success(request, _("Trainer added."))
            return redirect("activities:trainers", pk=unit.pk)
    register = Trainer.objects.filter(unit=unit).prefetch_related("qualifications")
    return render(
        request,
        "activities/trainers.html",
        {
            "unit": unit,
            "trainers": register,
            "form": form,
            "may_edit": may_edit,
            "qualification_form": QualificationForm(),
            "appointments": TrainerAppointment.objects.filter(unit=unit)
            .select_related("official_document__issuer")
            .prefetch_related("trainers"),
            "appointment_form": AppointmentForm(
                trainers=actions.appointable_trainers(request.user, unit)
            ),
        },
    )


@login_required
@require_POST
def qualification_add(request, pk):
    trainer = access.get_or_404(
        request.user, Trainer.objects.select_related("unit"), access.Action.EDIT, pk=pk
    )
    form = QualificationForm(request.POST)
    form.instance.trainer = trainer
    if form.is_valid():
        form.save()
        messages.success(request, _("Training of trainers recorded."))
    else:
        messages.error(
            request,
            _("The training of trainers could not be recorded: %(errors)s")
            % {"errors": "; ".join(m for ms in form.errors.values() for m in ms)},
        )
    return redirect("activities:trainers", pk=trainer.unit_id)


@login_required
@require_POST
def appointment_add(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.EDIT)
    form = AppointmentForm(request.POST, trainers=actions.appointable_trainers(request.user, unit))
    form.instance.unit = unit
    if form.is_valid():
        form.save()
        messages.success(request, _("Appointment decision recorded."))
    else:
        messages.error(
            request,
            _("The decision could not be recorded: %(errors)s")
            % {"errors": "; ".join(m for ms in form.errors.values() for m in ms)},
        )
    return redirect("activities:trainers", pk=unit.pk)
