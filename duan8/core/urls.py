from django.urls import path

from duan8.core import views

app_name = "core"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("healthz", views.healthz, name="healthz"),
]
