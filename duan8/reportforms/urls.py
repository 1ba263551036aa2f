from django.urls import path

from duan8.reportforms import views

app_name = "reportforms"

urlpatterns = [
    path("report-forms/", views.form_list, name="list"),
    path("report-forms/new/", views.form_create, name="create"),
    path("report-forms/<int:pk>/", views.form_fill, name="fill"),
    path("report-forms/<int:pk>/edit/", views.form_edit, name="edit"),
    path("report-forms/<int:pk>/form.xlsx", views.form_download, name="download"),
]
