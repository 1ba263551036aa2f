from django.urls import path

from duan8.finance import estimate_views, import_views, views

app_name = "finance"

urlpatterns = [
    path("finance/", views.mine, name="mine"),
    path("finance/checkpoints/", views.checkpoints, name="checkpoints"),
    path("units/<int:pk>/finance/", views.unit_finance, name="unit"),
    path("units/<int:pk>/finance/lines/", views.line_add, name="line_add"),
    path("units/<int:pk>/finance/disbursements/", views.disbursement_add, name="disburse"),
    path("units/<int:pk>/finance/close/", views.year_close, name="close"),
    path("units/<int:pk>/finance/transfers/", views.transfer_add, name="transfer"),
    path("finance/transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("finance/norms/", estimate_views.norm_list, name="norms"),
    path("finance/norms/<int:pk>/", estimate_views.norm_change, name="norm"),
    path("units/<int:pk>/finance/estimates/", estimate_views.estimate_list, name="estimates"),
    path("finance/estimates/<int:pk>/", estimate_views.estimate_detail, name="estimate"),
    path(
        "finance/estimates/<int:pk>/approve/",
        estimate_views.estimate_approve,
        name="estimate_approve",
    ),
    # Excel: import (editors), export and templates (those who see the unit)
    path("units/<int:pk>/finance/lines/import/", import_views.lines_import, name="lines_import"),
    path("units/<int:pk>/finance/lines.xlsx", import_views.lines_export, name="lines_export"),
    path(
        "units/<int:pk>/finance/lines/template.xlsx",
        import_views.lines_template,
        name="lines_template",
    ),
    path(
        "units/<int:pk>/finance/disbursements/import/",
        import_views.disbursements_import,
        name="disbursements_import",
    ),
    path(
        "units/<int:pk>/finance/disbursements.xlsx",
        import_views.disbursements_export,
        name="disbursements_export",
    ),
    path(
        "units/<int:pk>/finance/disbursements/template.xlsx",
        import_views.disbursements_template,
        name="disbursements_template",
    ),
]
