import ipaddress
import logging

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shenbao.web import clock

logger = logging.getLogger(__name__)


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the person chose English with the switcher.

    The browser's Accept-Language is ignored on purpose: an English-language browser in a Chinese
    office should not get a half-translated system it did not ask for.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        # The page is rendered: the thread's next work (another request, a job, a test) starts from the
        # system's language, not from this person's choice.
        translation.activate(settings.LANGUAGE_CODE)
        return response


class ForwardedClientMiddleware:
    """Behind a proxy every request comes from the proxy's address: then REMOTE_ADDR becomes the
    client's, the last address in X-Forwarded-For that is not a trusted proxy's (settings.
    FORWARDED_ALLOW_IPS). Earlier entries are whatever the client wrote there, so they are never
    taken; a request that did not come through a trusted proxy keeps its own address. With
    TRUST_REQUEST_START, the proxy's X-Request-Start is when the person acted (shenbao/web/clock.py)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = set(settings.FORWARDED_ALLOW_IPS)

    def __call__(self, request):
        if self._trusted(request.META.get("REMOTE_ADDR", "")):
            if client := self._client(request.META.get("HTTP_X_FORWARDED_FOR", "")):
                request.META["REMOTE_ADDR"] = client
            if settings.TRUST_REQUEST_START and (stamp := request.META.get("HTTP_X_REQUEST_START")):
                request.acted_at = clock.front_received_at(stamp, timezone.now())
        return self.get_response(request)

    def _trusted(self, address: str) -> bool:
        return "*" in self.trusted or address in self.trusted

    def _client(self, forwarded: str) -> str | None:
        for address in reversed([a.strip() for a in forwarded.split(",")]):
            try:
                ipaddress.ip_address(address)
            except ValueError:
                return None  # not an address a proxy wrote: nothing to the left of it is trusted either
            if "*" in self.trusted or address not in self.trusted:
                return address
        return None


class StorageErrorMiddleware:
    """A file store that does not answer, or a stored file that is gone, reaches the person as one
    Chinese sentence (503 or 404), never as a bare "Server Error (500)" with a path or an endpoint;
    the technical detail goes to the log (issue 9 item 4)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from shenbao import storage

        if isinstance(exception, FileNotFoundError | storage.FileMissing) or _missing_object(exception):
            status, message = 404, _("文件已丢失，无法打开。请联系申报单位或科技厅重新上传或重新生成。")
        elif isinstance(exception, storage.StorageUnavailable) or _store_error(exception):
            status, message = 503, str(storage.StorageUnavailable())
        else:
            return None
        logger.error("storage error on %s", request.path, exc_info=exception)
        if request.path.startswith("/api/"):
            return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})
        return render(request, "web/storage_error.html", {"message": message}, status=status)


def _store_error(exception) -> bool:
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return False
    return isinstance(exception, BotoCoreError | ClientError)


def _missing_object(exception) -> bool:
    response = getattr(exception, "response", None)
    return isinstance(response, dict) and response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}


class BadInputMiddleware:
    """A value that cannot be read (`shenbao.parsing.BadInput`) is the sender's error: 400 with the
    parser's Chinese message naming the field and the rule, as JSON on the API, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.http import JsonResponse
        from django.shortcuts import render

        from shenbao.parsing import BadInput

        if not isinstance(exception, BadInput):
            return None
        message = str(exception)
        if request.path.startswith("/api/"):
            return JsonResponse({"error": message}, status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "web/bad_input.html", {"message": message}, status=400)


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response: scripts and styles only from our own
    static files, no inline script, event handler or style attribute, no plugins, no framing. A page
    that needs behaviour loads it from a static file (see web/static/shenbao/site.js). Django's admin,
    whose templates carry style attributes, may use inline styles but still no inline script."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if request.path.startswith("/admin/"):
            policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
