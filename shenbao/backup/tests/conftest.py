from shenbao.review.tests.conftest import admin, make_submitted, staff, submitted  # noqa: F401 (fixtures)
