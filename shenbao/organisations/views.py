"""Registration pages: public register/lookup/status, and the reviewers' queue. Thin: parse, call
a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shenbao.calls.current import current_call
from shenbao.parsing import parse_uuid
from shenbao.web.clock import acted_at

from . import services
from .eligibility import RegistrationDateRule
from .forms import DecisionForm, LookupForm, RegistrationForm
from .models import Recommender, Unit
from .uscc import normalise

LOOKUP_LIMIT = 20


def _spec_or_404():
    call = current_call()
    if call is None:
        raise Http404(_("尚未发布申报批次"))
    return call.spec


def _division_choices():
    """For the registration-place datalist: each 盟市, 满洲里 and 二连浩特 with its code."""
    rows = []
    for recommender in Recommender.objects.filter(kind=Recommender.Kind.CITY, is_active=True):
        for prefix in recommender.divisions:
            rows.append((prefix.ljust(6, "0"), recommender.display_name))
    return rows


def register(request):
    spec = _spec_or_404()
    correcting = None
    token = request.POST.get("token") or request.GET.get("token")
    if token:
        # Only the private link corrects a rejected registration; without it, a registration of the
        # same code is a new record and the rejected one keeps its contacts and its link.
        correcting = Unit.objects.filter(
            tracking_token=parse_uuid(token, _("注册进度链接")), status=Unit.Status.REJECTED
        ).first()
        if correcting is None:
            raise Http404
    form = RegistrationForm(request.POST or None, spec=spec, correcting=correcting)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.register_unit(form.cleaned_data, request=request, existing=correcting)
        except services.RegistrationStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("注册信息已提交。请保存本页链接，随时查看审核进度。"))
            if form.registered_late:
                messages.warning(request, form.date_rule.warning())
            return redirect("organisations:registration_status", unit.tracking_token)
    return render(
        request,
        "organisations/register.html",
        {"form": form, "correcting": correcting, "divisions": _division_choices(), "token": token or ""},
    )


def registration_status(request, token):
    """The registrant's private page (its link is the secret): state, reason, how to log in."""
    unit = get_object_or_404(Unit.objects.select_related("recommender"), tracking_token=token)
    admin = unit.users.filter(role="unit_admin").first() if unit.status == Unit.Status.APPROVED else None
    set_password_link = services.set_password_path(admin) if admin and not admin.has_usable_password() else ""
    return render(
        request,
        "organisations/registration_status.html",
        {"unit": unit, "admin": admin, "set_password_link": set_password_link, "late": _late_warning(unit)},
    )


def _date_rule() -> RegistrationDateRule | None:
    call = current_call()
    return RegistrationDateRule.of(call.spec if call else None)


def _late_warning(unit: Unit) -> str:
    """一(一)1, for the registrant: the unit registered after the call's date cannot lead a project."""
    rule = _date_rule()
    return rule.warning() if rule and rule.is_late(unit.registered_on) else ""


def _late_flag(unit: Unit, rule: RegistrationDateRule | None) -> str:
    """一(一)1, for the reviewer of the registration."""
    return rule.flag(unit.registered_on) if rule and rule.is_late(unit.registered_on) else ""


def lookup(request):
    """Before registering: is the unit already there? Shows name, state and reviewer, never contacts."""
    form = LookupForm(request.GET or None)
    results = None
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        results = (
            Unit.objects.filter(Q(name__icontains=q) | Q(uscc=normalise(q)))
            .exclude(status=Unit.Status.REJECTED)
            .select_related("recommender")
            .order_by("name")[:LOOKUP_LIMIT]
        )
    return render(request, "organisations/lookup.html", {"form": form, "results": results, "limit": LOOKUP_LIMIT})


def _reviewer(user):
    if not (user.is_recommender_staff or user.is_department_staff):
        raise PermissionDenied
    return user


@login_required
def registration_queue(request):
    reviewer = _reviewer(request.user)
    status = request.GET.get("status", Unit.Status.PENDING)
    if status not in Unit.Status.values:
        status = Unit.Status.PENDING
    units = list(
        services.registrations_for(reviewer)
        .filter(status=status)
        .select_related("recommender")
        .order_by("created_at")[:500]
    )
    rule = _date_rule()
    for unit in units:
        unit.late_flag = _late_flag(unit, rule)
    return render(
        request,
        "organisations/registration_queue.html",
        {"units": units, "status": status, "statuses": Unit.Status.choices},
    )


def _reviewable(request, pk) -> Unit:
    """A registration the user may review; anyone else's is a 404, never data."""
    return get_object_or_404(services.registrations_for(_reviewer(request.user)).select_related("recommender"), pk=pk)


@login_required
def registration_detail(request, pk):
    unit = _reviewable(request, pk)
    return render(
        request,
        "organisations/registration_detail.html",
        {"unit": unit, "form": DecisionForm(), "late_flag": _late_flag(unit, _date_rule())},
    )


@login_required
@require_POST
def registration_decide(request, pk):
    unit = _reviewable(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        now = acted_at(request)
        try:
            if form.cleaned_data["decision"] == "approve":
                call = current_call()
                quota_type = call.spec.direct_quota_type if call else Recommender.QuotaType.OTHER
                admin = services.approve_registration(unit, request.user, now, quota_type=quota_type, request=request)
                messages.success(
                    request,
                    _("已通过“%(name)s”的注册，单位管理员账号 %(username)s 已生成并通知单位。")
                    % {"name": unit.name, "username": admin.username},
                )
            else:
                services.reject_registration(
                    unit, request.user, now, reason=form.cleaned_data["reason"], request=request
                )
                messages.success(request, _("已退回“%(name)s”的注册，原因已通知单位。") % {"name": unit.name})
            return redirect("organisations:registration_queue")
        except services.RegistrationStateError as error:
            form.add_error(None, str(error))
    return render(
        request,
        "organisations/registration_detail.html",
        {"unit": unit, "form": form, "late_flag": _late_flag(unit, _date_rule())},
        status=400,
    )
