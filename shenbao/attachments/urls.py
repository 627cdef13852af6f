from django.urls import path

from . import views

app_name = "attachments"
urlpatterns = [
    path("<uuid:public_id>/", views.attachment_list, name="list"),
    path("<uuid:public_id>/upload/", views.upload, name="upload"),
    path("<uuid:public_id>/<uuid:attachment_id>/", views.download, name="download"),
    path("<uuid:public_id>/<uuid:attachment_id>/delete/", views.delete, name="delete"),
]
