from django.urls import path

from . import views

app_name = "rules"
urlpatterns = [
    path("registries/", views.registries, name="registries"),
    path("registries/<slug:kind>/template.xlsx", views.template, name="registry_template"),
    path("registries/<slug:kind>/upload/", views.upload, name="registry_upload"),
    path("registries/imports/<int:pk>/apply/", views.apply, name="registry_apply"),
    path("registries/imports/<int:pk>/rollback/", views.rollback, name="registry_rollback"),
]
