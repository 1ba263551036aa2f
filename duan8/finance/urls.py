from django.urls import path

from duan8.finance import views

app_name = "finance"

urlpatterns = [
    path("finance/", views.mine, name="mine"),
    path("finance/checkpoints/", views.checkpoints, name="checkpoints"),
    path("units/<int:pk>/finance/", views.unit_finance, name="unit"),
    path("units/<int:pk>/finance/lines/", views.line_add, name="line_add"),
    path("units/<int:pk>/finance/disbursements/", views.disbursement_add, name="disburse"),
    path("units/<int:pk>/finance/close/", views.year_close, name="close"),
]
