"""Pages of the maternal registry: mothers and births of a unit, their decisions with the
reasons for each criterion, the rule set versions, the review of possible duplicates, the
Excel import and the export of the personal list, and the log of who read personal data.

Personal data (CCCD, phone) shows in clear only to those ``access.sees_personal_data``
allows; each list and page of persons shown is logged (``privacy.record_access``), and a
personal list leaves the system only with ``access.may_export_personal_data`` and a purpose.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duan8.core import access, audit, import_errors, jobs, roundtrip, sheets, versions
from duan8.core.models import AuditEvent
from duan8.geo import paths
from duan8.geo.forms import ImportForm
from duan8.geo.models import AdminUnit, UnitKind
from duan8.maternal import actions, eligibility, imports, privacy
from duan8.maternal.forms import (
    BirthForm,
    ExportForm,
    JudgeAgainForm,
    MotherForm,
    ReviewForm,
    RuleSetForm,
)
from duan8.maternal.models import (
    Birth,
    Decision,
    DuplicateFlag,
    EthnicGroup,
    Mother,
    Outcome,
    PersonalDataAccess,
    ReviewState,
    RuleSet,
)

EXPORT_NAME = "ca-sinh.xlsx"
PAGE_SIZE = 50


def _source(request) -> str:
    return audit.current().source or audit.SOURCE_WEB


# Lists --------------------------------------------------------------------------------------


def _latest(field: str = "result"):
    return Subquery(
        Decision.objects.filter(birth=OuterRef("pk"))
        .order_by("-decided_at", "-pk")
        .values(field)[:1]
    )


def _open_flags(**link):
    return Exists(DuplicateFlag.objects.filter(state=ReviewState.OPEN, **link))


def births_of(user, query, unit):
    """The births of ``unit``'s subtree that ``user`` may read, filtered as the page asks
    (``year``, ``result``, ``flagged``), with their latest result (a one-item tuple, as a
    background export asks)."""
    records = access.scope_records(user, Birth.objects.within(unit))
    year = (query.get("year") or "").strip()
    if year:
        if not (year.isdecimal() and year.isascii() and 2000 <= int(year) <= 2100):
            raise Http404
        records = records.filter(date__year=int(year))
    records = records.annotate(
        latest_result=_latest(),
        flagged=_open_flags(birth=OuterRef("pk")) | _open_flags(other_birth=OuterRef("pk")),
    )
    result = query.get("result") or ""
    if result:
        if result not in Outcome.values and result != "none":
            raise Http404
        records = (
            records.filter(latest_result__isnull=True)
            if result == "none"
            else records.filter(latest_result=result)
        )
    if query.get("flagged") == "1":
        records = records.filter(flagged=True)
    return (records.select_related("mother", "unit__parent").order_by("-date", "pk"),)


def _masking(user, records, *, unit_of=lambda r: r.unit):
    """Each record with ``shown_citizen_id`` and ``shown_phone`` as ``user`` may read them."""
    for record in records:
        clear = access.sees_personal_data(user, unit_of(record))
        mother = record if isinstance(record, Mother) else record.mother
        record.shown_citizen_id = privacy.shown_citizen_id(mother.citizen_id, clear)
        record.shown_phone = privacy.shown_phone(mother.phone, clear)
        record.personal_in_clear = clear
    return records


@login_required
def mine(request):
    """The maternal registry of the unit being looked at."""
    from duan8.core.shell import current_unit

    unit = current_unit(request)
    if unit is None:
        return render(request, "geo/no_unit.html")
    return redirect("maternal:births", pk=unit.pk)


def _page_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def birth_list(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    (records,) = births_of(request.user, request.GET, unit)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    _masking(request.user, page.object_list)
    privacy.record_access(
        request.user, unit, "list", count=len(page.object_list), source=_source(request)
    )
    return render(
        request,
        "maternal/births.html",
        {
            "unit": unit,
            "page": page,
            "total": page.paginator.count,
            "query": _page_query(request),
            "year": request.GET.get("year", ""),
            "result": request.GET.get("result", ""),
            "flagged": request.GET.get("flagged", ""),
            "results": Outcome.choices,
            "may_edit": access.can(request.user, access.Action.EDIT, unit),
            "may_export": access.may_export_personal_data(request.user, unit),
            "may_administer": access.can(request.user, access.Action.ADMINISTER, unit),
            "export_form": ExportForm(),
            "open_flags": access.scope_records(
                request.user, DuplicateFlag.objects.within(unit).filter(state=ReviewState.OPEN)
            ).count(),
        },
    )


@login_required
def mother_list(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    records = access.scope_records(request.user, Mother.objects.within(unit))
    search = (request.GET.get("q") or "").strip()
    if search:
        from duan8.maternal.models import fold_name

        records = records.filter(name_key__contains=fold_name(search))
    records = (
        records.annotate(
            birth_count=Count("births", distinct=True),
            flagged=_open_flags(mother=OuterRef("pk")) | _open_flags(other_mother=OuterRef("pk")),
        )
        .select_related("unit__parent", "ethnic_group")
        .order_by("name_key", "pk")
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    _masking(request.user, page.object_list)
    privacy.record_access(
        request.user, unit, "list", count=len(page.object_list), source=_source(request)
    )
    return render(
        request,
        "maternal/mothers.html",
        {
            "unit": unit,
            "page": page,
            "total": page.paginator.count,
            "search": search,
            "query": _page_query(request),
            "may_edit": access.can(request.user, access.Action.EDIT, unit),
            "may_administer": access.can(request.user, access.Action.ADMINISTER, unit),
        },
    )


# Mothers ------------------------------------------------------------------------------------


def _villages(user, around: AdminUnit):
    """Villages in force today under ``around`` where ``user`` may register records."""
    villages = AdminUnit.objects.filter(kind=UnitKind.VILLAGE).current()
    villages = villages.filter(paths.prefix_q("path", around.path))
    return access.scope_units(user, access.Action.EDIT, villages).select_related("parent")


def _group_names():
    return list(EthnicGroup.objects.values_list("name", flat=True))


@login_required
def mother_create(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.EDIT)
    form = MotherForm(data=request.POST or None, villages=_villages(request.user, unit))
    if request.method == "POST" and form.is_valid():
        try:
            mother = actions.save_mother(form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": mother.full_name})
            return redirect("maternal:mother", pk=mother.pk)
    return render(
        request,
        "maternal/mother_form.html",
        {"unit": unit, "form": form, "group_names": _group_names()},
    )


def _mother_or_404(user, pk, action=access.Action.VIEW) -> Mother:
    return access.get_or_404(
        user,
        Mother.objects.select_related("unit__parent", "ethnic_group", "husband_ethnic_group"),
        action,
        pk=pk,
    )


def _flags_shown(user, flags):
    """Flags with the other record named only when ``user`` may read it."""
    flags = versions.attach(list(flags))  # each review form carries the version it shows
    for flag in flags:
        flag.other_visible = access.can(user, access.Action.VIEW, flag.other_mother.unit)
    return flags


@login_required
def mother_detail(request, pk):
    mother = _mother_or_404(request.user, pk)
    _masking(request.user, [mother])
    births = list(
        mother.births.select_related("unit").annotate(latest_result=_latest()).order_by("date")
    )
    flags = _flags_shown(
        request.user,
        DuplicateFlag.objects.filter(Q(mother=mother) | Q(other_mother=mother)).select_related(
            "other_mother__unit", "mother__unit", "birth", "other_birth"
        ),
    )
    privacy.record_access(request.user, mother.unit, "detail", count=1, source=_source(request))
    return render(
        request,
        "maternal/mother.html",
        {
            "mother": mother,
            "births": births,
            "flags": flags,
            "review_states": ReviewState.choices,
            "may_edit": access.can(request.user, access.Action.EDIT, mother.unit),
            "changes": AuditEvent.objects.for_object(mother).newest_first()[:50],
            "show_addresses": access.sees_addresses(request.user, mother.unit),
        },
    )


@login_required
def mother_edit(request, pk):
    mother = _mother_or_404(request.user, pk, access.Action.EDIT)
    if not access.sees_personal_data(request.user, mother.unit):
        raise PermissionDenied
    form = MotherForm(
        data=request.POST or None,
        instance=mother,
        villages=_villages(request.user, mother.unit.parent or mother.unit)
        | AdminUnit.objects.filter(pk=mother.unit_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.saved(lambda: actions.save_mother(form.instance))
        except ValidationError as error:
            form.add_error(None, error)
            saved = False
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("maternal:mother", pk=mother.pk)
    return render(
        request,
        "maternal/mother_form.html",
        {"unit": mother.unit, "form": form, "mother": mother, "group_names": _group_names()},
    )


# Births -------------------------------------------------------------------------------------


def _birth_villages(user, mother: Mother):
    """Villages of the mother's commune (of any date: the form lists those of the birth's
    date) where ``user`` may register records."""
    villages = AdminUnit.objects.filter(kind=UnitKind.VILLAGE)
    return access.scope_units(user, access.Action.EDIT, villages)


def _around(mother: Mother) -> AdminUnit:
    return mother.unit.parent or mother.unit


@login_required
def birth_create(request, pk):
    mother = _mother_or_404(request.user, pk, access.Action.EDIT)
    initial = {"unit": mother.unit_id}
    initial.update({k: request.GET[k] for k in ("date", "unit") if request.GET.get(k)})
    form = BirthForm(
        data=request.POST or None,
        initial=initial,
        villages=_birth_villages(request.user, mother),
        around=_around(mother),
    )
    form.instance.mother = mother
    if request.method == "POST" and form.is_valid():
        try:
            birth, decision = actions.save_birth(form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Birth registered and judged: %(result)s.")
                % {"result": decision.get_result_display()},
            )
            return redirect("maternal:birth", pk=birth.pk)
    return render(request, "maternal/birth_form.html", {"mother": mother, "form": form})


def _birth_or_404(user, pk, action=access.Action.VIEW) -> Birth:
    return access.get_or_404(
        user,
        Birth.objects.select_related("mother__unit", "mother__ethnic_group", "unit__parent"),
        action,
        pk=pk,
    )


@login_required
def birth_detail(request, pk):
    birth = _birth_or_404(request.user, pk)
    _masking(request.user, [birth])
    decisions = list(birth.decisions.select_related("rule_set", "decided_by"))
    latest = decisions[0] if decisions else None
    context = eligibility.Context()
    in_force = context.rule_set_on(birth.date, birth.unit)
    newer_rules = latest is not None and in_force is not None and latest.rule_set_id != in_force.pk
    flags = _flags_shown(
        request.user,
        DuplicateFlag.objects.filter(Q(birth=birth) | Q(other_birth=birth)).select_related(
            "other_mother__unit", "mother__unit", "birth", "other_birth"
        ),
    )
    privacy.record_access(request.user, birth.unit, "detail", count=1, source=_source(request))
    return render(
        request,
        "maternal/birth.html",
        {
            "birth": birth,
            "mother": birth.mother,
            "latest": latest,
            "earlier": decisions[1:],
            "in_force": in_force,
            "newer_rules": newer_rules,
            "flags": flags,
            "review_states": ReviewState.choices,
            "may_edit": access.can(request.user, access.Action.EDIT, birth.unit),
            "may_judge": access.can(request.user, access.Action.APPROVE, birth.unit),
            "judge_form": JudgeAgainForm(),
            "changes": AuditEvent.objects.for_object(birth).newest_first()[:50],
            "show_addresses": access.sees_addresses(request.user, birth.unit),
        },
    )


@login_required
def birth_edit(request, pk):
    birth = _birth_or_404(request.user, pk, access.Action.EDIT)
    form = BirthForm(
        data=request.POST or None,
        initial={k: request.GET[k] for k in ("date", "unit") if request.GET.get(k)},
        instance=birth,
        villages=_birth_villages(request.user, birth.mother),
        around=_around(birth.mother),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.saved(lambda: actions.save_birth(form.instance))
        except ValidationError as error:
            form.add_error(None, error)
            saved = False
        if saved:
            messages.success(request, _("Changes saved; the birth was judged again."))
            return redirect("maternal:birth", pk=birth.pk)
    return render(
        request, "maternal/birth_form.html", {"mother": birth.mother, "form": form, "birth": birth}
    )


@login_required
@require_POST
def birth_decide(request, pk):
    """Judge a birth again (approvers), with the reason; the earlier decisions stay."""
    birth = _birth_or_404(request.user, pk, access.Action.APPROVE)
    form = JudgeAgainForm(request.POST)
    if form.is_valid():
        decision = actions.judge_again(birth, form.cleaned_data["reason"])
        messages.success(
            request,
            _("Judged again: %(result)s.") % {"result": decision.get_result_display()},
        )
    else:
        messages.error(request, _("Say why the birth is judged again."))
    return redirect("maternal:birth", pk=birth.pk)


# Rule sets ----------------------------------------------------------------------------------


def _rule_scopes(user):
    """The scopes ``user`` may add a rule set version for: provinces they administer (every
    province for national administrators)."""
    provinces = AdminUnit.objects.filter(kind=UnitKind.PROVINCE)
    if access.is_national_admin(user):
        return provinces.current()
    return access.scope_units(user, access.Action.ADMINISTER, provinces)


def _may_add_rules(user) -> bool:
    return access.is_national_admin(user) or _rule_scopes(user).exists()


@login_required
def rule_sets(request):
    """Every rule set version, newest first (read by all signed in: officers check the rules
    their decisions follow)."""
    sets = RuleSet.objects.select_related("scope").prefetch_related("very_small_groups")
    return render(
        request,
        "maternal/rule_sets.html",
        {
            "rule_sets": sets.order_by("scope_id", "-valid_from"),
            "may_add": _may_add_rules(request.user),
        },
    )


@login_required
def rule_set_create(request):
    """A new version from a date (national administrators for the country or a province,
    province administrators for theirs); it starts from the version in force today."""
    if not _may_add_rules(request.user):
        raise PermissionDenied
    scopes = _rule_scopes(request.user)
    base = eligibility.rule_set_on(datetime.date.today())
    initial = {}
    if base is not None:
        initial = {
            field: getattr(base, field)
            for field in (
                "min_age",
                "requires_facility_birth",
                "requires_poor_household",
                "kinh_mother_with_minority_husband",
                "excludes_compulsory_insurance",
                "population_policy",
            )
        }
        initial["very_small_groups"] = list(base.very_small_groups.all())
    form = RuleSetForm(data=request.POST or None, initial=initial, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data.get("scope")
        if scope is None and not access.is_national_admin(request.user):
            form.add_error("scope", _("Only national administrators set the country's rules."))
        else:
            try:
                rule_set = actions.add_rule_set(
                    form.instance, form.cleaned_data["very_small_groups"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Rule set “%(name)s” applies to births from %(day)s.")
                    % {"name": rule_set.name, "day": rule_set.valid_from.strftime("%d/%m/%Y")},
                )
                return redirect("maternal:rule_sets")
    return render(request, "maternal/rule_set_form.html", {"form": form})


# Duplicates ---------------------------------------------------------------------------------


@login_required
def duplicate_list(request, pk):
    """The commune's possible duplicates to review (open first; ``?state=all`` for all)."""
    unit = access.get_unit_or_404(request.user, pk)
    flags = access.scope_records(request.user, DuplicateFlag.objects.within(unit))
    state = request.GET.get("state", "")
    if state != "all":
        flags = flags.filter(state=ReviewState.OPEN)
    flags = flags.select_related(
        "mother__unit", "other_mother__unit", "birth", "other_birth", "unit", "reviewed_by"
    )
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = _flags_shown(request.user, page.object_list)
    for flag in shown:
        _masking(request.user, [flag.mother], unit_of=lambda m: m.unit)
        if flag.other_visible:
            _masking(request.user, [flag.other_mother], unit_of=lambda m: m.unit)
    privacy.record_access(request.user, unit, "list", count=len(shown), source=_source(request))
    return render(
        request,
        "maternal/duplicates.html",
        {
            "unit": unit,
            "page": page,
            "flags": shown,
            "state": state,
            "query": _page_query(request),
            "may_edit": access.can(request.user, access.Action.EDIT, unit),
            "review_form": ReviewForm(),
            "states": ReviewState.choices,
            "may_administer": access.can(request.user, access.Action.ADMINISTER, unit),
        },
    )


@login_required
@require_POST
def duplicate_review(request, pk):
    flag = access.get_or_404(
        request.user, DuplicateFlag.objects.select_related("unit"), access.Action.EDIT, pk=pk
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.review(flag, data["state"], data["note"], request.user, data["version"])
        except versions.Stale as stale:
            messages.error(request, _stale_review(stale))
        else:
            messages.success(request, _("Review saved."))
    else:
        messages.error(request, _("Choose what the review found."))
    back = request.POST.get("next") or ""
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("maternal:mother", pk=flag.mother_id)


def _stale_review(stale: versions.Stale) -> str:
    from duan8.core import formatting

    stored = stale.record
    latest = max(stale.changes.values(), key=lambda change: change.at, default=None)
    found = stored.get_state_display() + (f" ({stored.note})" if stored.note else "")
    return _(
        "%(who)s reviewed this possible duplicate at %(when)s, after you opened the page: "
        "%(state)s. Your review was not saved; look at the records again."
    ) % {
        "who": latest.by if latest is not None else _("Someone"),
        "when": formatting.format_datetime(latest.at) if latest is not None else "",
        "state": found,
    }


# Excel --------------------------------------------------------------------------------------


def _list_url(unit) -> str:
    return reverse("maternal:births", args=[unit.pk])


class FileForm(ImportForm):
    on = None  # villages are read on each birth's own date


@login_required
def birth_import(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.EDIT)
    form = FileForm(request.POST or None, request.FILES or None)
    errors, annotated_url = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            large = jobs.large_import(
                request, "maternal.births.import", unit, {}, upload, back=_list_url(unit)
            )
            if large is not None:
                return large
            imported = imports.import_births(upload, unit)
        except sheets.ImportRefused as refused:
            errors = refused.errors
            annotated_url = import_errors.keep(request.user, upload, errors, imports.COLUMNS)
        else:
            messages.success(request, _("%(n)d births stored and judged.") % {"n": len(imported)})
            roundtrip.tell(request, imported)
            return redirect(_list_url(unit))
    return render(
        request,
        "maternal/import.html",
        {
            "unit": unit,
            "form": form,
            "errors": errors,
            "annotated_url": annotated_url,
            "columns": imports.COLUMNS,
        },
        status=422 if errors else 200,
    )


@login_required
def birth_template(request, pk):
    return template_response(access.get_unit_or_404(request.user, pk))


def template_response(unit):
    """The births import's blank workbook for ``unit`` (its villages, the 54 groups and the
    places and deliveries as drop-down lists): the page's and the API's."""
    from duan8.geo import resolver

    content = sheets.template(
        imports.COLUMNS,
        title=_("Template for importing births: %(unit)s") % {"unit": unit.name},
        lists={
            "unit": resolver.names_for_lists(unit, [UnitKind.VILLAGE], unit.reference_day()),
            "ethnic_group": _group_names(),
            "place": ["Cơ sở y tế", "Tại nhà", "Khác"],
            "delivery": ["Sinh thường", "Sinh mổ"],
        },
    )
    return sheets.template_response(content, "mau-nhap-ca-sinh.xlsx")


@login_required
@require_POST
def birth_export(request, pk):
    """The births list with the mothers' personal data, to Excel: only with the permission
    to export personal data, and a purpose, both logged. A large list is written by a
    background job."""
    unit = access.get_unit_or_404(request.user, pk)
    if not access.may_export_personal_data(request.user, unit):
        raise PermissionDenied
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the list is exported (at least 5 characters)."))
        return redirect(_list_url(unit))
    query = request.POST.copy()
    for name in ("csrfmiddlewaretoken", "purpose"):
        query.pop(name, None)
    (records,) = births_of(request.user, query, unit)
    count = records.count()
    privacy.record_access(
        request.user,
        unit,
        "export",
        purpose=form.cleaned_data["purpose"],
        count=count,
        source=_source(request),
    )
    if count <= jobs.ROWS:
        rows = imports.export_rows(records)
        return sheets.xlsx_response(imports.EXPORT_HEADERS, rows, EXPORT_NAME)
    from duan8.core.middleware import client_ip

    job = jobs.submit(
        "maternal.births.export",
        request.user,
        unit,
        {"query": query.urlencode(), "back": _list_url(unit)},
        source=audit.SOURCE_WEB,
        ip=client_ip(request),
    )
    return redirect("core:job", pk=job.pk)


# The log of personal data read --------------------------------------------------------------


@login_required
def access_log(request, pk):
    """Who read or exported the personal data of the unit's people, when, why and how many
    (the unit's administrators)."""
    unit = access.get_unit_or_404(request.user, pk, access.Action.ADMINISTER)
    entries = PersonalDataAccess.objects.filter(paths.prefix_q("unit_path", unit.path))
    what = request.GET.get("what", "")
    if what:
        if what not in PersonalDataAccess.What.values:
            raise Http404
        entries = entries.filter(what=what)
    page = Paginator(entries.select_related("unit"), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "maternal/access_log.html",
        {
            "unit": unit,
            "page": page,
            "what": what,
            "whats": PersonalDataAccess.What.choices,
            "query": _page_query(request),
        },
    )


# Background jobs ----------------------------------------------------------------------------


def _job_import(file, job, progress):
    return imports.import_births(file, job.unit, progress=progress)


def _export_records(user, query, unit):
    """What a background export writes: refused when its owner may no longer export the
    unit's personal data by the time it runs."""
    if not access.may_export_personal_data(user, unit):
        raise sheets.ImportRefused(
            [sheets.RowError(0, "", _("You may no longer export this unit's personal data."))]
        )
    return births_of(user, query, unit)


def register() -> None:
    from django.utils.translation import gettext_lazy

    jobs.register(
        jobs.import_kind(
            "maternal.births.import",
            _job_import,
            imports.COLUMNS,
            gettext_lazy("Import of births from Excel"),
        )
    )
    jobs.register(
        jobs.export_kind(
            "maternal.births.export",
            _export_records,
            imports.export_rows,
            imports.EXPORT_HEADERS,
            EXPORT_NAME,
            gettext_lazy("Export of births and mothers to Excel"),
        )
    )
