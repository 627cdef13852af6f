"""The API's error answer: JSON, always, with a Chinese `detail`.

The views answer their own refusals with `error_response`; `JsonErrorsMiddleware` turns every other
error under /api/ (an unknown route or a malformed id, an exception, Django's 400/403/404/500 pages,
a plain-text refusal) into the same shape, so the API's answers do not depend on the site's HTML
error pages. `error` repeats `detail` for clients written against the first version of v1.
"""

import json

from django.http import JsonResponse

# When the answer carries no sentence of its own: what the status means, in Chinese.
STATUS_DETAILS = {
    400: "请求无效，无法处理。",
    401: "缺少或无效的API令牌（Authorization: Bearer …）",
    403: "无权访问。",
    404: "请求的地址或对象不存在，或无权查看。",
    405: "不支持该请求方法。",
    413: "请求体过大。",
    429: "请求过于频繁，请稍后再试。",
    500: "服务器内部错误，已记录，请稍后重试或联系科技厅。",
    503: "服务暂时不可用，请稍后重试。",
}
# The realm named in WWW-Authenticate on every 401 (RFC 6750).
AUTHENTICATE = 'Bearer realm="shenbao API"'
# Headers of the answer that describe its old body, not the error.
_BODY_HEADERS = {"content-type", "content-length", "content-disposition", "content-encoding"}


def default_detail(status: int) -> str:
    if status in STATUS_DETAILS:
        return STATUS_DETAILS[status]
    return STATUS_DETAILS[500] if status >= 500 else STATUS_DETAILS[400]


def _body(detail: str, **extra) -> dict:
    return {"detail": detail, "error": detail, **extra}


def error_response(detail: str, status: int, **extra) -> JsonResponse:
    response = JsonResponse(_body(detail, **extra), status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = AUTHENTICATE
    return response


def _detail_of(response) -> tuple[str, dict]:
    """The sentence an error answer already carries (JSON `detail`/`error`, or short plain text),
    with the JSON object's other members; else the status's sentence."""
    content_type = response.get("Content-Type", "")
    body = b"" if response.streaming else response.content
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            detail = data.get("detail") or data.get("error")
            if isinstance(detail, str) and detail:
                return detail, {k: v for k, v in data.items() if k not in ("detail", "error")}
    if content_type.startswith("text/plain") and 0 < len(body) <= 500:
        text = body.decode("utf-8", "replace").strip()
        if text:
            return text, {}
    return default_detail(response.status_code), {}


def _in_shape(response) -> bool:
    if response.streaming or not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        data = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("detail"), str) and "error" in data


def as_json_error(response):
    """The same error in the shape `error_response` gives. The answer is changed in place, not
    replaced, so that its status and headers (Allow, Retry-After, the security headers) stay, and so
    that closing it stays Django's business (closing an answer ends the request)."""
    if not _in_shape(response):
        detail, extra = _detail_of(response)
        content = json.dumps(_body(detail, **extra), ensure_ascii=False).encode()
        if response.streaming:
            response.streaming_content = [content]
        else:
            response.content = content
        for header in _BODY_HEADERS:
            if response.has_header(header):
                del response[header]
        response["Content-Type"] = "application/json"
        if not response.streaming:
            response["Content-Length"] = str(len(content))
    if response.status_code == 401 and not response.has_header("WWW-Authenticate"):
        response["WWW-Authenticate"] = AUTHENTICATE
    return response
