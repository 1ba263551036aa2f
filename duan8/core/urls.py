from django.urls import path

from duan8.analytics import views as analytics_views
from duan8.core import views

app_name = "core"

urlpatterns = [
    path("", analytics_views.home, name="overview"),
    path("healthz", views.healthz, name="healthz"),
]
