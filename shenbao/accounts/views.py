from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse_lazy

from .models import User


class PasswordChange(auth_views.PasswordChangeView):
    """Also the first-login page: a new account sets its own password here."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.user.must_change_password:
            self.request.user.must_change_password = False
            self.request.user.save(update_fields=["must_change_password"])
        messages.success(self.request, "密码已修改。")
        return response


@login_required
def applicant_list(request):
    if not request.user.is_unit_admin:
        raise PermissionDenied
    applicants = User.objects.filter(unit=request.user.unit, role=User.Role.APPLICANT).order_by("real_name")
    return render(request, "accounts/applicant_list.html", {"applicants": applicants})
