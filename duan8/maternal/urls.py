from django.urls import path

from duan8.maternal import views

app_name = "maternal"

urlpatterns = [
    path("mothers/", views.mine, name="mine"),
    path("units/<int:pk>/births/", views.birth_list, name="births"),
    path("units/<int:pk>/mothers/", views.mother_list, name="mothers"),
    path("units/<int:pk>/mothers/new/", views.mother_create, name="mother_create"),
    path("units/<int:pk>/births/import/", views.birth_import, name="import"),
    path("units/<int:pk>/births/template.xlsx", views.birth_template, name="template"),
    path("units/<int:pk>/births/export/", views.birth_export, name="export"),
    path("units/<int:pk>/duplicates/", views.duplicate_list, name="duplicates"),
    path("units/<int:pk>/personal-data-log/", views.access_log, name="access_log"),
    path("mothers/<int:pk>/", views.mother_detail, name="mother"),
    path("mothers/<int:pk>/edit/", views.mother_edit, name="mother_edit"),
    path("mothers/<int:pk>/births/new/", views.birth_create, name="birth_create"),
    path("births/<int:pk>/", views.birth_detail, name="birth"),
    path("births/<int:pk>/edit/", views.birth_edit, name="birth_edit"),
    path("births/<int:pk>/decide/", views.birth_decide, name="birth_decide"),
    path("duplicates/<int:pk>/review/", views.duplicate_review, name="duplicate_review"),
    path("maternal/rules/", views.rule_sets, name="rule_sets"),
    path("maternal/rules/new/", views.rule_set_create, name="rule_set_create"),
]
