# Submitted applications and the unit admin, as the review tests make them.
from shenbao.review.tests.conftest import admin, make_submitted, submitted  # noqa: F401 (fixtures)
