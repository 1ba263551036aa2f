from django.urls import path

from duan8.analytics import views as analytics_views
from duan8.core import import_errors, views

app_name = "core"

urlpatterns = [
    path("", analytics_views.home, name="overview"),
    path("healthz", views.healthz, name="healthz"),
    path("imports/errors/<str:token>.xlsx", import_errors.download, name="import_errors"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/file", views.job_file, name="job_file"),
]
