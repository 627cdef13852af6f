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


def error_response(detail: str, status: int, **extra) -> JsonResponse:
    response = JsonResponse(
        {"detail": detail, "error": detail, **extra}, status=status, json_dumps_params={"ensure_ascii": False}
    )
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
                extra = {k: v for k, v in data.items() if k not in ("detail", "error")}
                return detail, extra
    if content_type.startswith("text/plain") and 0 < len(body) <= 500:
        text = body.decode("utf-8", "replace").strip()
        if text:
            return text, {}
    return default_detail(response.status_code), {}


def as_json_error(response):
    """The same error as `error_response` gives, keeping the original's status and headers (Allow,
    Retry-After, the security headers); an answer already in that shape is returned as it is."""
    if response.get("Content-Type", "").startswith("application/json") and not response.streaming:
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("detail"), str) and "error" in data:
            if response.status_code == 401 and not response.has_header("WWW-Authenticate"):
                response["WWW-Authenticate"] = AUTHENTICATE
            return response
    detail, extra = _detail_of(response)
    answer = error_response(detail, response.status_code, **extra)
    for name, value in response.headers.items():
        if name.lower() not in _BODY_HEADERS:
            answer.headers.setdefault(name, value)
    answer.cookies = response.cookies
    if hasattr(response, "close"):
        response.close()
    return answer
