from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("acceptance/", views.acceptance_queue, name="acceptance"),
    path("acceptance/action/", views.acceptance_batch, name="acceptance_batch"),
    path("acceptance/<uuid:public_id>/", views.acceptance_decide, name="decide"),
    path("status/<uuid:public_id>/", views.status, name="status"),
    path("status/<uuid:public_id>/appeal/", views.appeal, name="appeal"),
    path("avoid/<uuid:public_id>/", views.avoid_list, name="avoid"),
    path("snapshots/<uuid:public_id>/", views.snapshots, name="snapshots"),
    path("experts/", views.experts, name="experts"),
    path("experts/template.xlsx", views.expert_template, name="expert_template"),
    path("experts/import/", views.expert_import, name="expert_import"),
    path("experts/import/<int:pk>/", views.expert_import_confirm, name="expert_import_confirm"),
    path("experts/<int:pk>/", views.expert_edit, name="expert_edit"),
    path("groups/", views.groups, name="groups"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("sheets/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("funding/<slug:kind>/", views.funding_file, name="funding_file"),
    path("expert/", views.expert_home, name="expert_home"),
    path("expert/profile/", views.expert_profile, name="expert_profile"),
    path("expert/<uuid:public_id>/", views.assignment, name="assignment"),
    path("expert/<uuid:public_id>/pdf/", views.assignment_pdf, name="assignment_pdf"),
    path("expert/<uuid:public_id>/autosave/", views.autosave, name="autosave"),
]
