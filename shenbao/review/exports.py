"""The overview's applications as an Excel file (申报书总览), through `spreadsheets.workbook`: what
applicants typed stays text. One row per application with its state and recommender, read as columns
and JSON keys, never whole documents."""

from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from shenbao.applications.models import Application
from shenbao.documents.spreadsheets import Sheet, workbook

from .statistics import requested_fiscal


def overview_xlsx(call, applications) -> bytes:
    labels = dict(Application.State.choices)
    headers = [
        _("序号"),
        _("受理编号"),
        _("类别"),
        _("项目名称"),
        _("牵头单位"),
        _("项目负责人"),
        _("归口管理部门"),
        _("状态"),
        _("提交时间"),
        _("申请财政资金（元）"),
    ]
    values = applications.values_list(
        "receipt_no",
        "category",
        "title",
        "unit__name",
        KT("data__pi__name"),
        "unit__recommender__name",
        "state",
        "submitted_at",
        KT("data__budget__fiscal"),
    )
    table = [
        [
            i,
            receipt_no,
            category,
            title,
            unit,
            pi or "",
            recommender or "",
            labels.get(state, state),
            f"{submitted.astimezone(call.spec.tz):%Y-%m-%d %H:%M}" if submitted else "",
            requested_fiscal(fiscal),
        ]
        for i, (receipt_no, category, title, unit, pi, recommender, state, submitted, fiscal) in enumerate(values, 1)
    ]
    return workbook(Sheet(_("申报书总览"), headers, table, widths={3: 40, 4: 30, 6: 24, 7: 16, 8: 17}))
