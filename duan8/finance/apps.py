from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "duan8.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from duan8.finance import measures  # noqa: F401  (registers the fact sources)
