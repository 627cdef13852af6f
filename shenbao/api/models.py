import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

INVALID = "缺少或无效的API令牌（Authorization: Bearer …）"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a unit's own research-management system. Only its hash is stored; it acts
    as its user, with that user's permissions and nothing more."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)
    # The owner's password, as Django's session hash of it, when the token was issued: a changed or
    # reset password ends every token issued before, as it ends every session.
    password_fingerprint = models.CharField(max_length=128, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("API令牌")

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """A new token; the key is returned once and never stored."""
        key = "sb_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=digest(key), password_fingerprint=user.get_session_auth_hash()
        )
        return token, key

    def refusal(self) -> tuple[int, str] | None:
        """Why this token may not act now (HTTP status, message), or None when it may: revoked, its owner
        disabled, the owner's password changed or reset since it was issued, or a first password to set."""
        user = self.user
        if self.revoked or not user.is_active:
            return 401, INVALID
        if not constant_time_compare(self.password_fingerprint, user.get_session_auth_hash()):
            return 401, "API令牌已失效：账号密码在签发后已修改或重置，请登录后重新申请令牌。"
        if user.must_change_password:
            return 403, "请先登录网页修改初始密码，然后才能使用API令牌。"
        return None
