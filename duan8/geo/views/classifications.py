from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duan8.core import access, import_errors, jobs, roundtrip, sheets
from duan8.geo import classify
from duan8.geo.forms import ClassificationForm, ImportForm
from duan8.geo.models import Classification


@login_required
def classification_add(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    access.require_on_province(request.user, access.Action.ADMINISTER, unit)
    form = ClassificationForm(
        data=request.POST or None, unit=unit, initial={"valid_from": unit.valid_from}
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Classification saved."))
        return redirect("geo:unit", pk=unit.pk)
    return render(request, "geo/classification_add.html", {"unit": unit, "form": form})


@login_required
@require_POST
def classification_delete(request, pk):
    item = access.get_or_404(request.user, Classification.objects.select_related("unit"), pk=pk)
    access.require_on_province(request.user, access.Action.ADMINISTER, item.unit)
    item.delete()
    messages.success(request, _("Classification removed."))
    return redirect("geo:unit", pk=item.unit_id)


@login_required
def classification_export(request, pk):
    """The classifications of the units under this one today, in the import's columns."""
    scope = access.get_unit_or_404(request.user, pk)
    (found,) = classify.listed(request.user, request.GET, scope)
    return jobs.export(
        request, "classifications.export", scope, found, back=reverse("geo:unit", args=[scope.pk])
    )


@login_required
def classification_template(request, pk):
    """The classification import's template: lists of the units under this one today and of
    the classifications, and an instructions sheet."""
    from django.utils import translation

    from duan8.geo import resolver
    from duan8.geo.models import ClassificationKind, UnitKind

    scope = access.get_unit_or_404(request.user, pk)
    with translation.override("vi"):
        kinds = [str(label) for _value, label in ClassificationKind.choices]
    content = sheets.template(
        classify.COLUMNS,
        title=_("Template for importing classifications: %(unit)s") % {"unit": scope.name},
        lists={
            "unit": resolver.names_for_lists(
                scope, [UnitKind.COMMUNE, UnitKind.VILLAGE], scope.reference_day()
            ),
            "kind": kinds,
        },
    )
    return sheets.template_response(content, "mau-nhap-phan-loai.xlsx")


@login_required
def classification_import(request, pk):
    scope = access.get_unit_or_404(request.user, pk)
    access.require_on_province(request.user, access.Action.ADMINISTER, scope)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"on": scope.reference_day()}
    )
    errors, annotated_url = [], None
    if request.method == "POST" and form.is_valid():
        existing = request.POST.get("existing", roundtrip.SKIP)
        try:
            large = jobs.large_import(
                request,
                "classifications.import",
                scope,
                {"on": form.cleaned_data["on"].isoformat(), "existing": existing},
                form.cleaned_data["file"],
                back=reverse("geo:unit", args=[scope.pk]),
            )
            if large is not None:
                return large
            created = classify.import_rows(
                form.cleaned_data["file"], scope, form.cleaned_data["on"], existing=existing
            )
        except sheets.ImportRefused as refused:
            errors = refused.errors
            annotated_url = import_errors.keep(
                request.user, form.cleaned_data["file"], errors, classify.COLUMNS
            )
        else:
            messages.success(request, _("%(n)d classifications stored.") % {"n": len(created)})
            roundtrip.tell(request, created)
            return redirect("geo:unit", pk=scope.pk)
    return render(
        request,
        "geo/classification_import.html",
        {
            "unit": scope,
            "form": form,
            "errors": errors,
            "annotated_url": annotated_url,
            "columns": classify.COLUMNS,
        },
    )
