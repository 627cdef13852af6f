from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("lookup/", views.lookup, name="lookup"),
    path("registrations/", views.registration_queue, name="registration_queue"),
]
