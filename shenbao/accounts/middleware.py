from django.shortcuts import redirect
from django.urls import reverse

# Pages a user who must change the password may still reach.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/help/")


class PasswordChangeRequiredMiddleware:
    """A new account, or one whose password an admin reset, sets its own password first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(_ALLOWED_PREFIXES)
        ):
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)
