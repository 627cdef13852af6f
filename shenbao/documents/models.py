from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningIdentity(models.Model):
    """A certificate and its private key (encrypted with SEAL_KEY_PASSPHRASE) held by shenbao's own
    development CA: the CA itself, a unit's seal, a legal representative's seal, a recommender's seal.

    Kept in the database, not on a worker's disk, so every stateless web worker can seal."""

    class Kind(models.TextChoices):
        ROOT = "root", _("根证书（开发用CA）")
        UNIT = "unit", _("单位电子公章")
        LEGAL_REPRESENTATIVE = "legal_rep", _("法定代表人电子名章")
        RECOMMENDER = "recommender", _("推荐单位电子公章")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    owner = models.CharField(_("所属（统一社会信用代码或代码）"), max_length=64)
    subject = models.CharField(_("证书主体"), max_length=200)
    certificate_pem = models.TextField()
    key_pem = models.TextField(_("私钥（加密）"))
    not_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("签章证书")
        constraints = [models.UniqueConstraint(fields=["kind", "owner"], name="one_identity_per_owner_and_kind")]

    def __str__(self) -> str:
        return self.subject
