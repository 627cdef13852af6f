from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("", include("shenbao.web.urls")),
    path("accounts/", include("shenbao.accounts.urls")),
    path("units/", include("shenbao.organisations.urls")),
    path("calls/", include("shenbao.calls.urls")),
    path("applications/", include("shenbao.applications.urls")),
    path("attachments/", include("shenbao.attachments.urls")),
    path("rules/", include("shenbao.rules.urls")),
    path("review/", include("shenbao.review.urls")),
    path("evaluation/", include("shenbao.evaluation.urls")),
    path("publicity/", include("shenbao.evaluation.public_urls")),
    path("documents/", include("shenbao.documents.urls")),
    path("audit/", include("shenbao.audit.urls")),
    path("api/", include("shenbao.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # gettext() for the static scripts, in the language the person chose (docs/i18n.md).
    path("i18n/catalog.js", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

# Errors in the site's own frame and in Chinese; JSON under /api/ (shenbao/web/errors.py).
handler400 = "shenbao.web.errors.bad_request"
handler403 = "shenbao.web.errors.permission_denied"
handler404 = "shenbao.web.errors.page_not_found"
handler500 = "shenbao.web.errors.server_error"
