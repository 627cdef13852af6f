"""What a person can do next with an application, worked out once for every page that offers it.

A page shows only the buttons that can work now: the unit queue one next step per row (the step for
that row's state), the batch buttons only for states on the page, nothing once the window is closed;
the recommender's buttons only until its list is confirmed; a return form only when the return would
be accepted. A step that cannot be undone carries `confirm`, the question the page asks first
(`data-confirm`, see web/static/shenbao/site.js), saying what cannot be undone.

The transitions themselves (services.py) still check everything: this module decides what to show,
and `test_steps.py` holds it to what the transitions accept.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.calls import windows

from .services import list_in_the_way

State = Application.State


@dataclass(frozen=True)
class Step:
    action: str  # the value the page posts
    label: str
    confirm: str = ""  # asked before the click goes: what the step cannot undo


APPROVE = Step("approve", _("审核通过"))
SEAL = Step(
    "seal",
    _("电子签章"),
    _(
        "签章后不能撤销：签章文件即加盖单位公章和法定代表人名章的正式申报书。如需修改，只能退回申报人，签章随之作废，改后须重新审核签章。确定签章吗？"
    ),
)
SEAL_SUBMIT = Step(
    "seal_submit",
    _("签章并报送"),
    _("签章并报送后，签章不能撤销，申报书交归口管理部门处理；归口管理部门处理后只能由其退回。确定签章并报送吗？"),
)
SUBMIT = Step(
    "submit",
    _("报送归口管理部门"),
    _("报送后申报书交归口管理部门处理，不能再修改；归口管理部门处理后只能由其退回。确定报送吗？"),
)
WITHDRAW = Step("withdraw", _("从归口管理部门撤回"))
RECOMMEND = Step("recommend", _("推荐"))
NOT_RECOMMEND = Step("not_recommend", _("不予推荐"))
CONFIRM_LIST = Step(
    "confirm",
    _("确认推荐项目清单"),
    _("确认后不能撤销：系统按当前推荐结果生成签章的推荐项目清单，之后不能再推荐、不予推荐或退回申报书。确定确认吗？"),
)
RETURN_BY_UNIT = Step(
    "return",
    _("退回修改"),
    _("退回后不能撤销：申报书回到申报人手中修改，已有的签章作废，改后须重新提交、审核和签章。确定退回吗？"),
)
RETURN_BY_RECOMMENDER = Step(
    "return",
    _("退回修改"),
    _("退回后不能撤销：申报书回到申报人手中修改，单位的签章作废，改后须重新提交、审核、签章和报送。确定退回吗？"),
)

# The next step of each state at the unit: one button per row.
UNIT_NEXT = {State.SUBMITTED: APPROVE, State.UNIT_APPROVED: SEAL, State.SEALED: SUBMIT}
# The unit's batch buttons in the order of the flow, each with the states it applies to.
UNIT_BATCH = (
    (APPROVE, {State.SUBMITTED}),
    (SEAL, {State.UNIT_APPROVED}),
    (SEAL_SUBMIT, {State.UNIT_APPROVED, State.SEALED}),
    (SUBMIT, {State.SEALED}),
    (WITHDRAW, {State.SUBMITTED_TO_RECOMMENDER}),
)
UNIT_ACTIONS = {step.action for step, _states in UNIT_BATCH}
RETURNED_BY_UNIT_FROM = State.at_unit()
RETURNED_BY_RECOMMENDER_FROM = {State.SUBMITTED_TO_RECOMMENDER, State.NOT_RECOMMENDED}


def unit_window_refusal(call, unit_id: int, recommender_id: int | None, now: dt.datetime) -> str:
    """Why the unit can do nothing in its queue now (the filing window closed), or ""."""
    return windows.refusal(call, "filing", now, _("单位审核"), unit=unit_id, recommender=recommender_id)


def unit_next_step(state: str, *, pending: bool = False) -> Step | None:
    """The one step a row of the unit queue offers: none while its seal is being made."""
    return None if pending else UNIT_NEXT.get(state)


def unit_batch_steps(states: set[str]) -> list[Step]:
    """The batch buttons that can work on some row of the page."""
    return [step for step, applies in UNIT_BATCH if applies & states]


def recommender_refusal(recommender_id: int, call, now: dt.datetime) -> str:
    """Why the recommender can no longer recommend or confirm: its list is confirmed (or being
    confirmed), or its window closed; "" while it can."""
    entry = list_in_the_way(recommender_id, call, now)
    if entry is not None:
        if entry.state == entry.State.CONFIRMING:
            return str(_("推荐项目清单正在确认，不能再修改推荐结果（二(二)4）。"))
        return str(_("推荐项目清单已确认，推荐结果不能再修改（二(二)4）。"))
    return windows.refusal(call, "recommendation", now, _("推荐"), recommender=recommender_id)


def return_step(application: Application, user: User, now: dt.datetime) -> Step | None:
    """The return this person may make of this application now, or None: the same checks, in the same
    order, as `services.return_to_applicant` and `services.return_to_unit` (test_steps.py)."""
    unit = application.unit
    filing_open = windows.is_open(application.call, "filing", now, unit=unit.pk, recommender=unit.recommender_id)
    if user.is_unit_admin and user.unit_id == application.unit_id:
        return RETURN_BY_UNIT if filing_open and application.state in RETURNED_BY_UNIT_FROM else None
    if user.is_recommender_staff and user.recommender_id and user.recommender_id == unit.recommender_id:
        if not filing_open or application.state not in RETURNED_BY_RECOMMENDER_FROM:
            return None
        return None if list_in_the_way(unit.recommender_id, application.call, now) else RETURN_BY_RECOMMENDER
    return None
