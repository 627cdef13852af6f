from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [path("<uuid:public_id>.pdf", views.application_pdf, name="application_pdf")]
