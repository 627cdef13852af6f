"""Refused attempts on objects are audit events.

A signed-in person who gets 403 or 404 from a URL that names an object (an id in the path) either
mistyped a link or tried another unit's, another bureau's or another person's object: both are worth
a line in the chain (`access.refused`), with the URL's name and ids, so that probing is visible.
Pages without an object id (a role's wrong menu) and anonymous requests are not recorded.
"""

from .log import record

REFUSED = (403, 404)


class RefusedAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            response.status_code in REFUSED
            and match is not None
            and (match.args or match.kwargs)
            and user is not None
            and user.is_authenticated
        ):
            record(
                "access.refused",
                actor=user,
                object_type=(match.view_name or "")[:64],
                object_id="/".join(str(v) for v in (*match.args, *match.kwargs.values()))[:64],
                after={"method": request.method, "path": request.path[:300], "status": response.status_code},
                request=request,
            )
        return response
