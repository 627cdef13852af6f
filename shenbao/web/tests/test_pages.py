from django.urls import reverse

from conftest import TEST_PASSWORD
from shenbao.accounts.models import User


def test_the_public_home_page_is_in_chinese_and_offers_registration(client, call):
    response = client.get("/")
    assert response.status_code == 200
    assert "新单位注册" in response.content.decode()
    assert 'lang="zh-CN"' in response.content.decode()


def test_the_help_page_shows_the_consultation_table_of_the_call(client, call):
    body = client.get(reverse("web:help")).content.decode()
    assert "0471-6328616" in body and "电子印章办理" in body and "内蒙古数字证书认证有限公司" in body


def test_each_role_lands_on_its_own_home_page(client, applicant, unit_admin, recommender_staff, department_staff):
    expected = {
        applicant: "我的申报",
        unit_admin: "管理申报人账号",
        recommender_staff: "待审核单位注册",
        department_staff: "科技厅工作台",
    }
    for user, text in expected.items():
        client.force_login(user)
        assert text in client.get("/").content.decode(), user.role
        client.logout()


def test_pages_switch_to_english(client, call):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert 'lang="en"' in body and "Register a new unit" in body and "新单位注册" not in body


def test_a_user_who_must_change_the_password_is_sent_to_do_so_first(client, applicant):
    applicant.must_change_password = True
    applicant.save()
    client.post(reverse("accounts:login"), {"username": applicant.username, "password": TEST_PASSWORD})
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Grassland-2026", "new_password2": "Grassland-2026"},
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=applicant.pk).must_change_password
    assert client.get("/").status_code == 200


def test_an_english_browser_still_gets_chinese_unless_the_person_switches(client, call):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-CN"' in body
