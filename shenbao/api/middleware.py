from .errors import as_json_error

# Pages for people under /api/ (issuing and revoking tokens, signed in with a session): they answer
# HTML like the rest of the site. Everything else under /api/ is for programs.
PAGES_FOR_PEOPLE = frozenset({"api:tokens", "api:revoke"})


def speaks_json(request) -> bool:
    if not request.path.startswith("/api/"):
        return False
    match = getattr(request, "resolver_match", None)
    return match is None or match.view_name not in PAGES_FOR_PEOPLE


class JsonErrorsMiddleware:
    """Every error answer under /api/ is JSON with a Chinese `detail` (see errors.py): an unknown
    route or malformed id (Django's 404), an exception (Django's 500, logged as usual before this
    sees it), CSRF or permission refusals, a method not allowed. Placed near the top of MIDDLEWARE so
    that it sees what every middleware below it answers; it keeps their headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 400 and speaks_json(request):
            return as_json_error(response)
        return response
