from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPassword.as_view(),
        name="set_password",
    ),
    path("applicants/", views.applicant_list, name="applicant_list"),
    path("applicants/new/", views.applicant_create, name="applicant_create"),
    path("applicants/<int:pk>/active/", views.applicant_set_active, name="applicant_set_active"),
    path("applicants/<int:pk>/reset-password/", views.applicant_reset_password, name="applicant_reset_password"),
]
