from django.urls import path

from duan8.geo import views

app_name = "geo"

urlpatterns = [
    path("units/", views.browse, name="browse"),
    path("units/switch/", views.switch, name="switch"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/history/", views.unit_history, name="unit_history"),
]
