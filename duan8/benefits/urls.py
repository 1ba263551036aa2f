from django.urls import path

from duan8.benefits import views

app_name = "benefits"

urlpatterns = [
    path("benefits/", views.mine, name="mine"),
    path("benefits/packages/", views.package_list, name="packages"),
    path("benefits/packages/<int:pk>/", views.package_detail, name="package"),
    path("benefits/amounts/<int:pk>/", views.amount_change, name="amount"),
    path("units/<int:pk>/benefits/", views.unit_entitlements, name="unit"),
    path("units/<int:pk>/benefits/payments/export/", views.payments_export, name="payments_export"),
    path("benefits/births/<int:pk>/", views.birth_entitlements, name="birth"),
    path("benefits/entitlements/<int:pk>/", views.entitlement_act, name="entitlement"),
]
