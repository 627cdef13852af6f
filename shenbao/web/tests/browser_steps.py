"""Steps the browser tests take the same way: logging in through the login page, and out."""

from conftest import TEST_PASSWORD


def log_in(page, user, password: str = TEST_PASSWORD) -> None:
    """Log `user` (a User, or a username) in, and wait until a page shows them logged in."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(getattr(user, "username", user))
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出").wait_for()


def log_out(page) -> None:
    page.get_by_role("button", name="退出").click()
