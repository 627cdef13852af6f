from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/<uuid:token>/", views.registration_status, name="registration_status"),
    path("lookup/", views.lookup, name="lookup"),
    path("registrations/", views.registration_queue, name="registration_queue"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration_detail"),
    path("registrations/<int:pk>/decide/", views.registration_decide, name="registration_decide"),
]
