"""shenbao's own certificate authority, for development and demonstrations.

A real deployment replaces it with the regional CA (内蒙古数字证书认证有限公司): SEAL_TRUST_ROOTS names
the trusted roots and SEAL_SIGNER the signing backend (settings). Keys are made with `cryptography`
and stored encrypted (PKCS#8, passphrase SEAL_KEY_PASSPHRASE) in the database.
"""

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SigningIdentity

ROOT_OWNER = "shenbao-dev-ca"
ROOT_YEARS, LEAF_YEARS = 20, 3


@dataclass(frozen=True)
class Identity:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...]  # issuers, up to the root


def _passphrase() -> bytes:
    return settings.SEAL_KEY_PASSPHRASE.encode()


def _encrypt(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase()),
    ).decode()


def _load(row: SigningIdentity) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    certificate = x509.load_pem_x509_certificate(row.certificate_pem.encode())
    key = serialization.load_pem_private_key(row.key_pem.encode(), password=_passphrase())
    return certificate, key


def _bounded(text: str, limit: int = 64) -> str:
    """`text` cut to the X.509 bound (64) as the cryptography library counts it, in UTF-8 bytes, on a
    character boundary: a unit name of 22 or more Chinese characters would otherwise fail to seal."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _bounded(organisation)),
            x509.NameAttribute(NameOID.COMMON_NAME, _bounded(common_name)),
        ]
    )


def _store(kind, owner, certificate, key) -> SigningIdentity:
    try:
        with transaction.atomic():
            return SigningIdentity.objects.create(
                kind=kind,
                owner=owner,
                subject=certificate.subject.rfc4514_string(),
                certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
                key_pem=_encrypt(key),
                not_after=certificate.not_valid_after_utc,
            )
    except IntegrityError:  # another worker made it at the same moment: use theirs
        return SigningIdentity.objects.get(kind=kind, owner=owner)


def root() -> Identity:
    row = SigningIdentity.objects.filter(kind=SigningIdentity.Kind.ROOT, owner=ROOT_OWNER).first()
    if row is None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = _name("shenbao 开发测试根证书（非正式CA）", "shenbao")
        now = timezone.now()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * ROOT_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        row = _store(SigningIdentity.Kind.ROOT, ROOT_OWNER, certificate, key)
    certificate, key = _load(row)
    return Identity(certificate, key, ())


def identity(kind: str, owner: str, common_name: str, organisation: str) -> Identity:
    """The signing identity of a unit, a legal representative or a recommender; issued on first use."""
    authority = root()
    row = SigningIdentity.objects.filter(kind=kind, owner=owner).first()
    if row is None or row.not_after <= timezone.now():
        if row is not None:
            row.delete()
        key = ec.generate_private_key(ec.SECP256R1())
        now = timezone.now()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name, organisation))
            .issuer_name(authority.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * LEAF_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.certificate.public_key()), critical=False
            )
            .sign(authority.key, hashes.SHA256())
        )
        row = _store(kind, owner, certificate, key)
    certificate, key = _load(row)
    return Identity(certificate, key, (authority.certificate,))


def trust_roots() -> list[x509.Certificate]:
    """The roots a sealed document is validated against: SEAL_TRUST_ROOTS (PEM files) or this CA."""
    paths = settings.SEAL_TRUST_ROOTS
    if paths:
        roots = []
        for path in paths:
            with open(path, "rb") as handle:
                roots.extend(x509.load_pem_x509_certificates(handle.read()))
        return roots
    return [root().certificate]
