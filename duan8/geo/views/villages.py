from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duan8.core import access, import_errors, jobs, roundtrip, sheets
from duan8.geo import resolver, villages
from duan8.geo.forms import ImportForm, ReviewForm, VillageForm
from duan8.geo.models import UnitKind


@login_required
def village_add(request, pk):
    commune = access.get_unit_or_404(request.user, pk, access.Action.ADMINISTER)
    if commune.kind != UnitKind.COMMUNE:
        messages.error(request, _("Villages are added under a commune."))
        return redirect("geo:unit", pk=commune.pk)
    form = VillageForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            village = villages.add(commune, form.cleaned_data["name"])
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("Village %(name)s added.") % {"name": village.name})
            return redirect("geo:unit", pk=commune.pk)
    return render(request, "geo/village_add.html", {"unit": commune, "form": form})


@login_required
def village_import(request, pk):
    scope = access.get_unit_or_404(request.user, pk, access.Action.ADMINISTER)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"on": scope.reference_day()}
    )
    errors, notes, annotated_url = [], [], None
    if request.method == "POST" and form.is_valid():
        try:
            large = jobs.large_import(
                request,
                "villages.import",
                scope,
                {"on": form.cleaned_data["on"].isoformat()},
                form.cleaned_data["file"],
                back=reverse("geo:unit", args=[scope.pk]),
            )
            if large is not None:
                return large
            created, notes = villages.import_rows(
                form.cleaned_data["file"], scope, form.cleaned_data["on"]
            )
        except sheets.ImportRefused as refused:
            errors = refused.errors
            annotated_url = import_errors.keep(
                request.user, form.cleaned_data["file"], errors, villages.COLUMNS
            )
        else:
            messages.success(request, _("%(n)d villages stored.") % {"n": len(created)})
            roundtrip.tell(request, created)
            for note in notes:
                messages.info(request, note)
            return redirect("geo:unit", pk=scope.pk)
    return render(
        request,
        "geo/village_import.html",
        {"unit": scope, "form": form, "errors": errors, "annotated_url": annotated_url},
    )


@login_required
def village_export(request, pk):
    """The villages under the unit today, in the import's columns: the file imports back."""
    scope = access.get_unit_or_404(request.user, pk)
    (found,) = villages.listed(request.user, request.GET, scope)
    return jobs.export(
        request, "villages.export", scope, found, back=reverse("geo:unit", args=[scope.pk])
    )


@login_required
def village_template(request, pk):
    scope = access.get_unit_or_404(request.user, pk)
    communes = (
        villages.communes_for_import(scope, scope.reference_day())
        .select_related("parent__parent")
        .order_by("path")[:5000]
    )
    rows = ([c.name, "", *resolver.context_names(c)[1:]] for c in communes)
    content = sheets.template(
        villages.COLUMNS,
        title=_("Template for importing villages: %(unit)s") % {"unit": scope.name},
        lists={
            "commune": resolver.names_for_lists(scope, [UnitKind.COMMUNE], scope.reference_day())
        },
        rows=rows,
    )
    return sheets.template_response(content, "danh-sach-thon-ban.xlsx")


@login_required
@require_POST
def village_review(request, pk):
    village = access.get_unit_or_404(request.user, pk, access.Action.ADMINISTER)
    if village.kind != UnitKind.VILLAGE or not village.needs_review:
        messages.error(request, _("Only a village carried across the reform is reviewed."))
        return redirect("geo:unit", pk=village.pk)
    form = ReviewForm(request.POST, communes=villages.review_choices(request.user, village))
    if form.is_valid():
        villages.confirm(village, form.cleaned_data["commune"])
        messages.success(request, _("The village's commune is confirmed."))
    else:
        messages.error(request, _("Choose a commune in force at the same time as the village."))
    return redirect("geo:unit", pk=village.pk)
