from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("v1/openapi.json", views.openapi, name="openapi"),
    path("v1/applications", views.applications_collection, name="applications"),
    path("v1/review", views.review_document, name="review"),
    path("v1/applications/<uuid:public_id>", views.application_detail, name="application"),
    path("v1/applications/<uuid:public_id>/findings", views.application_findings, name="findings"),
    path("v1/applications/<uuid:public_id>/seal", views.seal, name="seal"),
    path("v1/applications/<uuid:public_id>/pdf", views.application_pdf, name="pdf"),
    *[
        path(f"v1/applications/<uuid:public_id>/{name}", view, name=f"transition-{name}")
        for name, view in views.transition_views.items()
    ],
    path("v1/lists/confirm", views.confirm_list, name="confirm_list"),
    path("v1/lists/<int:pk>/<slug:kind>", views.list_file, name="list_file"),
]
