from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "duan8.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from duan8.core import locks
        from duan8.reporting import (
            cycle,
            measures,  # noqa: F401  (registers the measure)
        )

        locks.register(cycle.approved_lock)
