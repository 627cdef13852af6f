"""The public 公示 page: no login."""

from django.urls import path

from . import views

app_name = "publicity"
urlpatterns = [path("<slug:code>/", views.publicity, name="page")]
