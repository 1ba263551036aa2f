from django.urls import path

from duan8.analytics import views

app_name = "analytics"

urlpatterns = [
    path("units/<int:pk>/dashboard/", views.unit_dashboard, name="dashboard"),
    path("units/<int:pk>/dashboard.xlsx", views.dashboard_export, name="dashboard_export"),
]
