from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_start, name="start"),
    path("import/", views.import_json, name="import"),
    path("schema/application-2.schema.json", views.schema, name="schema"),
    path("schema/application-1.schema.json", views.schema, {"format": "shenbao.application/1"}, name="schema-1"),
    path("<uuid:public_id>/review/", views.formal_review, name="review"),
    path("<uuid:public_id>/export.json", views.export_json, name="export"),
    path("<uuid:public_id>/submit/", views.submit, name="submit"),
    path("<uuid:public_id>/hand-over/", views.hand_over, name="hand_over"),
    path("<uuid:public_id>/<slug:slug>/", views.section_page, name="section"),
    path("<uuid:public_id>/<slug:slug>/panels/", views.section_panels, name="section_panels"),
]
