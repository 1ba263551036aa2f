from django.urls import path

from duan8.reporting import cycle_views, views

app_name = "reporting"

urlpatterns = [
    path("units/<int:pk>/figures/", views.figure_form, name="figures"),
    path("reports/", cycle_views.cycle_page, name="cycle"),
    path("reports/calendar/", cycle_views.regimes, name="regimes"),
    path("reports/calendar/add/", cycle_views.regime_form, name="regime_add"),
    path("reports/calendar/<int:pk>/", cycle_views.regime_form, name="regime"),
    path("units/<int:pk>/reports/<str:code>/", cycle_views.submission_page, name="submission"),
]
