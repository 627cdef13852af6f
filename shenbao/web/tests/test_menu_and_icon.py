"""The top menu offers each role what it uses; the site has an icon."""

from django.contrib.staticfiles import finders
from django.urls import reverse


def _menu(client, user) -> str:
    client.force_login(user)
    body = client.get("/").content.decode()
    client.logout()
    return body[body.index('<nav aria-label="主导航"') : body.index("</nav>")]


def test_applicants_have_no_api_entry_in_the_menu_but_find_the_tokens_from_the_help_page(client, applicant):
    tokens = reverse("api:tokens")
    assert tokens not in _menu(client, applicant)
    client.force_login(applicant)
    assert tokens in client.get(reverse("web:help")).content.decode()


def test_the_roles_that_integrate_systems_have_the_api_entry(client, unit_admin, recommender_staff, department_staff):
    for user in (unit_admin, recommender_staff, department_staff):
        assert reverse("api:tokens") in _menu(client, user), user.role


def test_every_page_names_its_icon_and_favicon_ico_leads_to_it(client, call):
    body = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/shenbao/favicon.svg" type="image/svg+xml">' in body
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/shenbao/favicon.svg"
    icon = finders.find("shenbao/favicon.svg")
    assert icon and open(icon, encoding="utf-8").read().startswith("<svg")
