"""Write the root certificate of shenbao's development CA, so that a sealed PDF can be checked as
trusted in pdfsig or Adobe Reader (README, "Checking a sealed PDF"). The private key never leaves
the database."""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.management.base import BaseCommand

from shenbao.documents import ca


class Command(BaseCommand):
    help = "Write the development CA's root certificate (PEM, or DER with --der) to FILE ('-' for standard output)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the certificate, e.g. shenbao-dev-ca.pem; - for stdout")
        parser.add_argument("--der", action="store_true", help="binary DER (a .cer file) instead of PEM text")

    def handle(self, *args, file, der, **options):
        certificate = ca.root().certificate  # made on first use, as the first seal would
        encoding = serialization.Encoding.DER if der else serialization.Encoding.PEM
        data = certificate.public_bytes(encoding)
        if file == "-" and der:
            self.stdout.buffer.write(data)
        elif file == "-":
            self.stdout.write(data.decode(), ending="")
        else:
            Path(file).write_bytes(data)
            self.stderr.write(f"Wrote {certificate.subject.rfc4514_string()} to {file}")
        if settings.SEAL_TRUST_ROOTS:
            self.stderr.write(
                "Note: SEAL_TRUST_ROOTS is set, so sealed PDFs are validated against those roots; this is "
                "shenbao's development CA, which signs only when SEAL_IDENTITY_PROVIDER is left at its default."
            )
