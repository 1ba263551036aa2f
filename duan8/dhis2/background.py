"""DHIS2 dataValueSets in and out as background jobs (``duan8.core.jobs``), for sets larger
than a request carries (``POST /api/v1/dhis2/imports`` and ``/dhis2/exports``).

An import job runs the same import as the request (``imports.run``: the whole set checked,
nothing stored on a conflict, else everything in one transaction through the page's save
path) in its owner's name, with her rights when it runs. Its result is the DHIS2 import
summary (``result["summary"]``); a set with conflicts is a refused job whose
``result["errors"]`` lists them too, as every refused import does. An export job writes the
dataValueSet (JSON or DHIS2's CSV) as the job's file.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duan8.core import access, jobs, sheets
from duan8.core.models import Job
from duan8.dhis2 import export, imports
from duan8.dhis2.periods import parse_either

IMPORT = "dhis2.import"
EXPORT = "dhis2.export"
JSON = "application/json"
CSV = "text/csv"


class SetRefused(sheets.ImportRefused):
    """A set with conflicts: nothing stored; ``result`` keeps the import summary."""

    def __init__(self, errors, result: dict) -> None:
        super().__init__(errors)
        self.result = result


def home_unit(user):
    """The unit a job of ``user`` is filed under when the set itself names its units: the
    unit of her widest role (the nation for national administrators and for anyone
    without a role)."""
    from duan8.accounts.models import ROLE_RANK, Membership
    from duan8.geo.models import AdminUnit

    if not access.is_national_admin(user):
        held = Membership.objects.filter(user=user).select_related("unit")
        widest = sorted(held, key=lambda m: (len(m.unit.path), -ROLE_RANK[m.role], m.unit.pk))
        if widest:
            return widest[0].unit
    return AdminUnit.objects.filter(parent__isnull=True).order_by("path", "pk").first()


def _import(job: Job, progress: jobs.Progress) -> dict:
    params = job.params
    body = jobs.path_of(job.upload).read_bytes()
    progress("validating", 0, 0)
    try:
        values = imports.read(
            body, csv_format=params.get("format") == "csv", limit=imports.MAX_JOB_VALUES
        )
    except imports.Unreadable as exc:
        raise sheets.ImportRefused([sheets.RowError(0, "", str(exc))]) from None
    del body
    summary = imports.run(
        job.owner, values, dry_run=params.get("dry_run", False), progress=progress
    )
    found = summary.as_dict()
    if summary.conflicts:
        errors = [sheets.RowError(c.row, "", f"{c.object}: {c.value}") for c in summary.conflicts]
        raise SetRefused(errors, {"summary": found})
    stored = not summary.dry_run
    return {
        "summary": found,
        # What the job's page shows of any import: the records stored.
        "created": summary.imported if stored else 0,
        "updated": summary.updated if stored else 0,
        "notes": [found["description"]],
    }


def _export(job: Job, progress: jobs.Progress) -> dict:
    params = job.params
    if not access.can(job.owner, access.Action.VIEW, job.unit):
        raise sheets.ImportRefused([sheets.RowError(0, "", _("You may no longer view this unit."))])
    periods = [parse_either(text) for text in params["periods"]]
    options = {"children": params.get("children", True), "data_set": params.get("data_set")}
    progress("writing", 0, 0)
    if params.get("format") == "csv":
        text = export.as_csv(job.owner, job.unit, periods, **options)
        rows = max(0, text.count("\n") - 1)
        filename, content_type = "dataValueSet.csv", f"{CSV}; charset=utf-8"
    else:
        found = export.as_json(job.owner, job.unit, periods, **options)
        rows = len(found["dataValues"])
        text = json.dumps(found, ensure_ascii=False)
        filename, content_type = "dataValueSet.json", JSON
    output = f"{job.pk}-{filename}"
    path = jobs.path_of(output)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return {"rows": rows, "filename": filename, "content_type": content_type, "output": output}


def register() -> None:
    jobs.register(
        jobs.Kind(IMPORT, _import, label=gettext_lazy("Import of a DHIS2 data value set"))
    )
    jobs.register(
        jobs.Kind(EXPORT, _export, label=gettext_lazy("Export of a DHIS2 data value set"))
    )
