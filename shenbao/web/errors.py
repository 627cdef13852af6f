"""The pages a person sees when something goes wrong: the site's own header, a Chinese explanation of
what happened and what to do, and a way back. Django's own pages are bare and in English.

The JSON API answers JSON here too, so that a client never has to parse an HTML page (shenbao.api's
JsonErrorsMiddleware gives it the API's shape, {"detail": …, "error": …}, whatever answered); the
token pages under /api/tokens/ are pages for people.
"""

import logging
import re

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
PAGES_FOR_PEOPLE_UNDER_API = ("/api/tokens/",)
TEMPLATE = "web/error.html"
# A sentence a view chose to show (raise Http404("尚未发布申报批次")) is Chinese; Django's own
# ("No Application matches the given query.") is English and names models: not for people.
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def is_api(request) -> bool:
    path = request.path
    return path.startswith(API_PREFIX) and not path.startswith(PAGES_FOR_PEOPLE_UNDER_API)


def _texts(status: int) -> tuple[str, str]:
    """(heading, explanation) for a status: what happened and what the person can do."""
    return {
        400: (
            _("请求无法处理"),
            _("浏览器发送的请求不完整或格式不正确。请返回上一页，刷新后重试；如仍出现，请联系申报咨询电话。"),
        ),
        403: (
            _("没有权限访问此页面"),
            _(
                "当前登录的账号无权查看或办理此页面的内容。请确认登录的是正确的账号"
                "（申报人、单位管理员、归口管理部门或科技厅）；如确需办理，请联系本单位管理员或归口管理部门。"
            ),
        ),
        404: (
            _("页面不存在"),
            _("您要访问的页面不存在，或者您无权查看该内容。请检查网址是否完整，或从首页重新进入。"),
        ),
        500: (
            _("系统出现错误"),
            _("服务器处理请求时出错，错误已记录。请稍后重试；如临近截止时间仍无法办理，请拨打申报咨询电话。"),
        ),
    }[status]


def _chosen_sentence(exception) -> str:
    message = str(exception or "")
    return message if CHINESE.search(message) else ""


def _respond(request, status: int, *, heading: str, explanation: str, detail: str = "") -> HttpResponse:
    if is_api(request):
        return JsonResponse({"error": detail or heading}, status=status, json_dumps_params={"ensure_ascii": False})
    context = {"status": status, "heading": heading, "explanation": explanation, "detail": detail}
    try:
        return render(request, TEMPLATE, context, status=status)
    except Exception:  # a failing context processor (the database) must not hide the page itself
        logger.exception("error page %s rendered without the request's context", status)
        return _plain(context, status)


def _plain(context: dict, status: int) -> HttpResponse:
    """The page from a plain context: no request, no context processors, no database."""
    try:
        body = loader.get_template(TEMPLATE).render({**context, "plain": True})
    except Exception:  # the last resort is a sentence, never Django's English page
        logger.exception("error page %s could not be rendered", status)
        body = f"<!doctype html><html lang=zh-CN><meta charset=utf-8><title>{context['heading']}</title>"
        body += f"<h1>{context['heading']}</h1><p>{context['explanation']}</p><p><a href=/>返回首页</a></p>"
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    heading, explanation = _texts(400)
    return _respond(request, 400, heading=heading, explanation=explanation)


def permission_denied(request, exception=None):
    heading, explanation = _texts(403)
    return _respond(request, 403, heading=heading, explanation=explanation, detail=_chosen_sentence(exception))


def page_not_found(request, exception=None):
    heading, explanation = _texts(404)
    return _respond(request, 404, heading=heading, explanation=explanation, detail=_chosen_sentence(exception))


def server_error(request):
    """Rendered from a plain context: whatever failed (the database, a context processor) may fail again."""
    heading, explanation = _texts(500)
    if is_api(request):
        return JsonResponse({"error": heading}, status=500, json_dumps_params={"ensure_ascii": False})
    return _plain({"status": 500, "heading": heading, "explanation": explanation, "detail": ""}, 500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: most often a form left open too long, or signed out in another window."""
    logger.warning("CSRF failure on %s: %s", request.path, reason)
    return _respond(
        request,
        403,
        heading=_("页面已过期，请刷新后重试"),
        explanation=_(
            "为保护您的账号，提交表单时须带有本站签发的安全标记，本次提交的标记已失效或缺失。"
            "页面打开时间过长、已在其他窗口退出或重新登录、浏览器禁止了 Cookie 时会出现此提示。"
            "请返回上一页，刷新页面后重新提交；尚未保存的内容请先复制留存。"
        ),
    )
