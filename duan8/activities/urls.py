from django.urls import path

from duan8.activities import views

app_name = "activities"

urlpatterns = [
    path("activities/", views.mine, name="mine"),
    path("units/<int:pk>/activities/", views.activity_list, name="list"),
    path("units/<int:pk>/activities/new/", views.activity_create, name="create"),
    path("units/<int:pk>/activities/import/", views.activity_import, name="import"),
    path("units/<int:pk>/activities/template.xlsx", views.activity_template, name="template"),
    path("units/<int:pk>/activities.xlsx", views.activity_export, name="export"),
    path("activities/<int:pk>/", views.activity_detail, name="detail"),
    path("activities/<int:pk>/documents/", views.attachment_add, name="attachment_add"),
    path("documents/<int:pk>/", views.attachment_download, name="attachment"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="edit"),
    path("units/<int:pk>/trainers/", views.trainers, name="trainers"),
    path("trainers/<int:pk>/qualifications/", views.qualification_add, name="qualification_add"),
    path("units/<int:pk>/appointments/", views.appointment_add, name="appointment_add"),
]
