from django.urls import path

from duan8.documents import views

app_name = "documents"

urlpatterns = [
    path("register/", views.mine, name="mine"),
    path("units/<int:pk>/register/", views.register, name="register"),
    path("units/<int:pk>/register/new/", views.generate, name="generate"),
    path("register/<int:pk>/", views.document, name="document"),
    path("register/<int:pk>/refresh/", views.refresh, name="refresh"),
    path("register/<int:pk>/issue/", views.issue, name="issue"),
    path("register/<int:pk>/delete/", views.delete, name="delete"),
    path("register/<int:pk>/document.docx", views.download_docx, name="docx"),
    path("register/<int:pk>/document.pdf", views.download_pdf, name="pdf"),
    path("units/<int:pk>/letterhead/", views.letterhead, name="letterhead"),
    path("units/<int:pk>/document-templates/", views.template_list, name="templates"),
    path("document-templates/<int:pk>/", views.template_file, name="template_file"),
    path("document-templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("document-templates/default.docx", views.default_template, name="default_template"),
]
