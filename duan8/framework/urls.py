from django.urls import path

from duan8.framework import views

app_name = "framework"

urlpatterns = [
    path("framework/", views.browse, name="browse"),
    path("framework/projects/<int:pk>/phases/new/", views.phase_add, name="phase_add"),
    path("framework/phases/<int:pk>/areas/new/", views.content_area_add, name="content_area_add"),
    path("framework/areas/<int:pk>/indicators/new/", views.indicator_add, name="indicator_add"),
    path("framework/indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("framework/indicators/<int:pk>/definitions/new/", views.version_add, name="version_add"),
    path("units/<int:pk>/targets/", views.targets, name="targets"),
    path("units/<int:pk>/allocation/", views.allocate, name="allocate"),
    path("units/<int:pk>/allocation.xlsx", views.allocate_export, name="allocate_export"),
    path("units/<int:pk>/allocation/import/", views.allocate_import, name="allocate_import"),
    path(
        "units/<int:pk>/allocation/template.xlsx",
        views.allocate_template,
        name="allocate_template",
    ),
]
