from django.shortcuts import redirect, render
from django.templatetags.static import static

from shenbao.calls.current import current_call

from .home import home_context


def home(request):
    """Each role lands on its own page with what it must do next."""
    context = home_context(request.user)
    return render(request, context.pop("template"), context)


def help_page(request):
    """三、申报咨询: the consultation table of the call file."""
    call = current_call()
    rows = call.spec.consultation if call else ()
    return render(request, "web/help.html", {"call": call, "rows": rows})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page's <link rel=icon> says: send them to the SVG."""
    return redirect(static("shenbao/favicon.svg"))
