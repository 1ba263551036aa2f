"""Village and classification imports of national size run as background jobs."""

from django.utils.translation import gettext_lazy as _

from duan8.core import access, jobs
from duan8.geo import classify, villages


def _villages(file, job, progress):
    import datetime

    progress("reading")
    imported, notes = villages.import_rows(
        file, job.unit, datetime.date.fromisoformat(job.params["on"])
    )
    imported.notes = notes
    return imported


def _classifications(file, job, progress):
    import datetime

    progress("reading")
    return classify.import_rows(
        file,
        job.unit,
        datetime.date.fromisoformat(job.params["on"]),
        existing=job.params.get("existing", "skip"),
    )


def _may_administer(user, unit) -> bool:
    return access.can(user, access.Action.ADMINISTER, unit)


def _may_classify(user, unit) -> bool:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    try:
        access.require_on_province(user, access.Action.ADMINISTER, unit)
    except (PermissionDenied, Http404):
        return False
    return True


def _headers(columns) -> list[str]:
    return [c.header for c in columns]


def register() -> None:
    jobs.register(
        jobs.export_kind(
            "villages.export",
            villages.listed,
            villages.export_rows,
            _headers(villages.COLUMNS),
            villages.EXPORT_NAME,
            _("Export of villages to Excel"),
        )
    )
    jobs.register(
        jobs.export_kind(
            "classifications.export",
            classify.listed,
            classify.export_rows,
            _headers(classify.COLUMNS),
            classify.EXPORT_NAME,
            _("Export of classifications to Excel"),
        )
    )
    jobs.register(
        jobs.import_kind(
            "villages.import",
            _villages,
            villages.COLUMNS,
            _("Import of villages from Excel"),
            may=_may_administer,
        )
    )
    jobs.register(
        jobs.import_kind(
            "classifications.import",
            _classifications,
            classify.COLUMNS,
            _("Import of classifications from Excel"),
            may=_may_classify,
        )
    )
