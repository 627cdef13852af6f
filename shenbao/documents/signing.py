"""PAdES signatures with a visible seal, applied by pyHanko on the server (no browser plug-in), and
their validation against the configured trust roots.

Each signature is an incremental update, so a document sealed by the unit and then by its legal
representative carries both, and either breaks if a byte of the document changes.
"""

import io
import logging
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import ca


class SealingFailed(RuntimeError):
    """Rendering or signing failed; nothing was stored and the application did not change state."""


def _asn1_certificate(certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _signer(identity: ca.Identity) -> signers.SimpleSigner:
    key = asn1_keys.PrivateKeyInfo.load(
        identity.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    registry = SimpleCertificateStore.from_certs([_asn1_certificate(c) for c in identity.chain])
    return signers.SimpleSigner(
        signing_cert=_asn1_certificate(identity.certificate), signing_key=key, cert_registry=registry
    )


@dataclass(frozen=True)
class Seal:
    """One signature to apply: who signs, the field's name, where the picture goes on the last page."""

    identity: ca.Identity
    field_name: str
    picture: object  # a PIL image
    box: tuple[int, int, int, int]  # PDF points, from the bottom left
    reason: str
    page: int = -1


def apply_seals(pdf: bytes, seals: list[Seal]) -> bytes:
    """The document with each seal applied in turn (PAdES baseline, SHA-256)."""
    try:
        for seal in seals:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            style = StaticStampStyle(background=PdfImage(seal.picture), border_width=0)
            meta = signers.PdfSignatureMetadata(
                field_name=seal.field_name,
                reason=seal.reason,
                subfilter=fields.SigSeedSubFilter.PADES,
                md_algorithm="sha256",
            )
            spec = fields.SigFieldSpec(seal.field_name, on_page=seal.page, box=seal.box)
            output = io.BytesIO()
            signers.PdfSigner(meta, _signer(seal.identity), stamp_style=style, new_field_spec=spec).sign_pdf(
                writer, output=output
            )
            pdf = output.getvalue()
    except Exception as error:  # pyHanko raises many kinds; the caller needs one, in Chinese
        logging.getLogger(__name__).exception("signing failed")
        raise SealingFailed(_("电子签章失败：签章证书或签章服务暂不可用（详情已记入系统日志）")) from error
    return pdf


@dataclass(frozen=True)
class SignatureCheck:
    field_name: str
    signer: str
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # the certificate chains to a trust root
    covers_whole_file: bool

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted


def check_signatures(pdf: bytes) -> list[SignatureCheck]:
    """Validate every signature of a document against the configured trust roots (pyHanko)."""
    roots = [_asn1_certificate(c) for c in ca.trust_roots()]
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    checks = []
    for signature in reader.embedded_signatures:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        status = validate_pdf_signature(signature, context)
        checks.append(
            SignatureCheck(
                field_name=signature.field_name,
                signer=status.signing_cert.subject.human_friendly,
                intact=status.intact and status.valid,
                trusted=status.trusted,
                covers_whole_file=signature.coverage.name == "ENTIRE_FILE",
            )
        )
    return checks
