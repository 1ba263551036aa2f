from django.urls import path

from duan8.reporting import views

app_name = "reporting"

urlpatterns = [
    path("units/<int:pk>/figures/", views.figure_form, name="figures"),
]
