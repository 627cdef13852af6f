from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shenbao.audit import log

from . import services
from .forms import ApplicantForm
from .passwords import ChinesePasswordChangeForm, ChineseSetPasswordForm


class PasswordChange(auth_views.PasswordChangeView):
    """Also the first-login page: a new account sets its own password here."""

    template_name = "accounts/password_change.html"
    form_class = ChinesePasswordChangeForm
    success_url = reverse_lazy("web:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.user.must_change_password:
            self.request.user.must_change_password = False
            self.request.user.save(update_fields=["must_change_password"])
        log.record("account.password_changed", actor=self.request.user, obj=self.request.user, request=self.request)
        messages.success(self.request, _("密码已修改。"))
        return response


class SetPassword(auth_views.PasswordResetConfirmView):
    """The one-time link with which a new unit admin sets the first password; audited."""

    template_name = "accounts/set_password.html"
    form_class = ChineseSetPasswordForm
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        log.record("account.password_set", actor=form.user, obj=form.user, request=self.request)
        messages.success(
            self.request, _("密码已设置，请用用户名 %(username)s 和新密码登录。") % {"username": form.user.username}
        )
        return response


@login_required
def applicant_list(request):
    applicants = services.applicants_of(request.user).order_by("-is_active", "real_name")
    return render(request, "accounts/applicant_list.html", {"applicants": applicants})


@login_required
def applicant_create(request):
    services.applicants_of(request.user)  # unit admins only
    form = ApplicantForm(request.POST or None, unit=request.user.unit)
    if request.method == "POST" and form.is_valid():
        user, password = services.create_applicant(request.user, form.account_values(), request=request)
        messages.success(
            request,
            _("已开设申报人账号 %(username)s（%(name)s）。") % {"username": user.username, "name": user.real_name},
        )
        # Rendered, not redirected: the temporary password is shown this once and stored nowhere.
        return render(request, "accounts/temporary_password.html", {"account": user, "password": password, "new": True})
    return render(request, "accounts/applicant_form.html", {"form": form})


def _own_applicant(request, pk):
    return get_object_or_404(services.applicants_of(request.user), pk=pk)


@login_required
@require_POST
def applicant_set_active(request, pk):
    applicant = _own_applicant(request, pk)
    active = request.POST.get("active") == "1"
    services.set_active(request.user, applicant, active, request=request)
    messages.success(
        request,
        (
            _("已启用申报人账号 %(username)s（%(real_name)s）。")
            if active
            else _("已停用申报人账号 %(username)s（%(real_name)s）。")
        )
        % {"username": applicant.username, "real_name": applicant.real_name},
    )
    return redirect("accounts:applicant_list")


@login_required
@require_POST
def applicant_reset_password(request, pk):
    applicant = _own_applicant(request, pk)
    password = services.reset_password(request.user, applicant, request=request)
    messages.success(
        request,
        _("已重置申报人 %(name)s（%(username)s）的密码：原密码已失效，申报人须用下面的临时密码登录并设置自己的密码。")
        % {"name": applicant.real_name, "username": applicant.username},
    )
    return render(request, "accounts/temporary_password.html", {"account": applicant, "password": password})
