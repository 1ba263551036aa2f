"""The activities registry's background jobs: imports and exports of national size."""

from django.utils.translation import gettext_lazy as _

from duan8.activities import actions, views
from duan8.core import jobs


def _import(file, job, progress):
    params = job.params
    return actions.import_rows(
        file,
        job.unit,
        params["kind"],
        params.get("details", {}),
        existing=params.get("existing", "skip"),
        progress=progress,
    )


def register() -> None:
    jobs.register(
        jobs.import_kind(
            "activities.import", _import, actions.COLUMNS, _("Import of activities from Excel")
        )
    )
    jobs.register(
        jobs.export_kind(
            "activities.export",
            views.filtered,
            actions.export_rows,
            actions.EXPORT_HEADERS,
            views.EXPORT_NAME,
            _("Export of activities to Excel"),
        )
    )
