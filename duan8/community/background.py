"""The community registry's background jobs: imports and exports of national size."""

import datetime

from django.utils.translation import gettext_lazy as _

from duan8.community import actions, views
from duan8.core import jobs


def _import(file, job, progress):
    params = job.params
    return actions.import_rows(
        file,
        job.unit,
        params["kind"],
        datetime.date.fromisoformat(params["on"]),
        existing=params.get("existing", "skip"),
        progress=progress,
    )


def register() -> None:
    jobs.register(
        jobs.import_kind(
            "community.import", _import, actions.COLUMNS, _("Import of community models from Excel")
        )
    )
    jobs.register(
        jobs.export_kind(
            "community.export",
            views.filtered,
            actions.export_rows,
            actions.EXPORT_HEADERS,
            views.EXPORT_NAME,
            _("Export of community models to Excel"),
        )
    )
