"""Setting and changing a password: every rule's message in Chinese, on the new-password field, and a
confirmation once it is done."""

import re

import pytest
from django.urls import reverse

from conftest import TEST_PASSWORD
from shenbao.accounts.models import User
from shenbao.organisations.services import set_password_path

ENGLISH_WORDS = re.compile(r"[A-Za-z]{4,}")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def new_admin(make_user, unit):
    """A unit admin whose registration was just approved: no usable password yet, a one-time link."""
    user = make_user(User.Role.UNIT_ADMIN, unit=unit, real_name="其木格", username="12150000460099999X")
    user.set_unusable_password()
    user.save()
    return user


def _open_link(client, user):
    response = client.get(set_password_path(user), follow=True)
    assert response.context["validlink"]
    return response.request["PATH_INFO"]  # Django moves the token into the session and redirects


@pytest.mark.parametrize(
    "password, expected",
    [
        ("Ab1-", "密码太短：至少需要8个字符。"),
        ("password", "这是常见密码，容易被猜中，请换一个。"),
        ("20261114", "密码不能全是数字，请加入字母或符号。"),
        ("12150000460099999x", "密码与用户名太相似，容易被猜中，请换一个。"),
    ],
)
def test_each_password_rule_is_explained_in_chinese_on_the_new_password_field(client, new_admin, password, expected):
    page = _open_link(client, new_admin)
    response = client.post(page, {"new_password1": password, "new_password2": password})
    form = response.context["form"]
    assert expected in form.errors["new_password1"]
    assert "new_password2" not in form.errors
    for message in form.errors["new_password1"]:
        assert not ENGLISH_WORDS.search(message), message


def test_a_password_like_the_persons_id_number_or_mobile_is_refused(client, applicant):
    applicant.phone = "13912345678"
    applicant.save()
    client.force_login(applicant)
    for password in (applicant.id_number, "a" + applicant.phone):
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": TEST_PASSWORD, "new_password1": password, "new_password2": password},
        )
        errors = response.context["form"].errors["new_password1"]
        assert any("太相似" in e for e in errors), (password, errors)


def test_a_mismatched_confirmation_is_reported_on_the_confirmation_field(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Grassland-2026", "new_password2": "Grassland-2027"},
    )
    form = response.context["form"]
    assert form.errors["new_password2"] == ["两次输入的新密码不一致，请重新输入。"]
    assert "new_password1" not in form.errors


def test_a_wrong_old_password_is_reported_in_chinese(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": "Grassland-2026", "new_password2": "Grassland-2026"},
    )
    assert response.context["form"].errors["old_password"] == ["原密码不正确，请重新输入。"]


def test_the_rules_are_stated_as_one_chinese_sentence_inside_the_help_paragraph(client, applicant):
    client.force_login(applicant)
    body = client.get(reverse("accounts:password_change")).content.decode()
    # The id is the one Django's aria-describedby on the input names.
    assert 'aria-describedby="id_new_password1_helptext"' in body
    help_text = re.search(r'<div class="help" id="id_new_password1_helptext">(.*?)</div>', body, re.S).group(1)
    assert help_text.startswith("密码要求：") and "至少8个字符" in help_text and "不能全是数字" in help_text
    assert "<" not in help_text  # a <ul> inside a <p> closes it early and leaves a stray </p>
    assert len(re.findall(r"<p[ >]", body)) == body.count("</p>")


def test_setting_the_first_password_by_link_says_so_on_the_login_page(client, new_admin):
    page = _open_link(client, new_admin)
    response = client.post(page, {"new_password1": "Grassland-2026", "new_password2": "Grassland-2026"}, follow=True)
    assert response.request["PATH_INFO"] == reverse("accounts:login")
    assert _messages(response) == [f"密码已设置，请用用户名 {new_admin.username} 和新密码登录。"]


def test_changing_the_password_says_so(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Grassland-2026", "new_password2": "Grassland-2026"},
        follow=True,
    )
    assert _messages(response) == ["密码已修改。"]


def test_a_unit_admin_resetting_an_applicants_password_is_told_what_it_means(client, unit_admin, applicant):
    client.force_login(unit_admin)
    response = client.post(reverse("accounts:applicant_reset_password", args=[applicant.pk]))
    body = response.content.decode()
    assert f"已重置申报人 {applicant.real_name}（{applicant.username}）的密码" in body
    assert response.context["password"] in body
