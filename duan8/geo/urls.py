from django.urls import path

from duan8.geo.views import areas, classifications, units, villages

app_name = "geo"

urlpatterns = [
    path("units/", units.browse, name="browse"),
    path("units/switch/", units.switch, name="switch"),
    path("units/<int:pk>/", units.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", units.unit_edit, name="unit_edit"),
    path("units/<int:pk>/history/", units.unit_history, name="unit_history"),
    path("units/<int:pk>/villages/new/", villages.village_add, name="village_add"),
    path("units/<int:pk>/villages/import/", villages.village_import, name="village_import"),
    path(
        "units/<int:pk>/villages/template.xlsx", villages.village_template, name="village_template"
    ),
    path("units/<int:pk>/villages.xlsx", villages.village_export, name="village_export"),
    path("units/<int:pk>/review/", villages.village_review, name="village_review"),
    path(
        "units/<int:pk>/classifications/new/",
        classifications.classification_add,
        name="classification_add",
    ),
    path(
        "units/<int:pk>/classifications/import/",
        classifications.classification_import,
        name="classification_import",
    ),
    path(
        "units/<int:pk>/classifications/template.xlsx",
        classifications.classification_template,
        name="classification_template",
    ),
    path(
        "units/<int:pk>/classifications.xlsx",
        classifications.classification_export,
        name="classification_export",
    ),
    path(
        "classifications/<int:pk>/delete/",
        classifications.classification_delete,
        name="classification_delete",
    ),
    path("units/<int:pk>/project-area/", areas.project_area, name="project_area"),
    path(
        "units/<int:pk>/project-area/propose/",
        areas.project_area_propose,
        name="project_area_propose",
    ),
    path("units/<int:pk>/project-area/add/", areas.project_area_add, name="project_area_add"),
    path("project-area/<int:pk>/", areas.project_area_entry, name="project_area_entry"),
]
