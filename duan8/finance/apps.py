from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "duan8.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from duan8.finance import import_views, measures  # noqa: F401  (the fact sources)

        import_views.register()  # the Excel imports' and exports' background jobs
