from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("unit/", views.unit_queue, name="unit_queue"),
    path("unit/action/", views.unit_action, name="unit_action"),
    path("unit/progress.json", views.unit_progress, name="unit_progress"),
    path("unit/jobs/<int:pk>/retry/", views.retry_job, name="retry_job"),
    path("recommender/", views.recommender_queue, name="recommender_queue"),
    path("recommender/action/", views.recommender_action, name="recommender_action"),
    # The letter is downloaded where it is named and uploaded on a route of its own: when the upload
    # (POST only) held lists/<pk>/letter/, every download of the letter was answered 405.
    path("lists/<int:pk>/letter/", views.list_letter, name="list_letter"),
    path("lists/<int:pk>/letter/upload/", views.upload_letter, name="upload_letter"),
    path("lists/<int:pk>/<slug:kind>/", views.list_file, name="list_file"),
    path("overview/", views.overview, name="overview"),
    path("extensions/", views.window_extensions, name="window_extensions"),
    path("overview/applications.xlsx", views.export_applications, name="export_applications"),
    path("inbox/", views.inbox, name="inbox"),
    path("<uuid:public_id>/return/", views.return_application, name="return"),
    path("<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
]
