from django.urls import path

from duan8.community import views

app_name = "community"

urlpatterns = [
    path("models/", views.mine, name="mine"),
    path("units/<int:pk>/models/", views.model_list, name="list"),
    path("units/<int:pk>/models/new/", views.model_create, name="create"),
    path("units/<int:pk>/models/import/", views.model_import, name="import"),
    path("units/<int:pk>/models/template.xlsx", views.model_template, name="template"),
    path("units/<int:pk>/models.xlsx", views.model_export, name="export"),
    path("models/<int:pk>/", views.model_detail, name="detail"),
    path("models/<int:pk>/edit/", views.model_edit, name="edit"),
]
