from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportFormsConfig(AppConfig):
    name = "duan8.reportforms"
    label = "reportforms"
    verbose_name = _("Report forms")
