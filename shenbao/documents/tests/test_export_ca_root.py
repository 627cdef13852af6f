"""`manage.py export_ca_root FILE`: the development CA's root, with which a person checks that a sealed
PDF is trusted (README, "Checking a sealed PDF")."""

import shutil
import subprocess

import pytest
from cryptography import x509
from django.core.management import call_command
from django.utils import timezone

from shenbao.documents import ca
from shenbao.documents.sealing import seal_application
from shenbao.review import services


def test_the_command_writes_the_root_that_issued_the_seals_as_pem_or_der(db, tmp_path, settings):
    pem, der = tmp_path / "shenbao-dev-ca.pem", tmp_path / "shenbao-dev-ca.cer"
    call_command("export_ca_root", str(pem))
    call_command("export_ca_root", str(der), "--der")
    root = ca.root().certificate
    assert x509.load_pem_x509_certificate(pem.read_bytes()) == root
    assert x509.load_der_x509_certificate(der.read_bytes()) == root
    leaf = ca.identity("unit", "u1", "某研究院", "某研究院")
    assert leaf.certificate.issuer == root.subject and leaf.chain == (root,)
    assert b"PRIVATE KEY" not in pem.read_bytes()


@pytest.mark.skipif(
    not (shutil.which("pdfsig") and shutil.which("certutil")), reason="poppler-utils or libnss3-tools missing"
)
def test_pdfsig_trusts_a_sealed_pdf_once_the_exported_root_is_in_its_certificate_store(submitted, admin, tmp_path):
    services.approve(submitted, admin, timezone.now())
    pdf = tmp_path / "sealed.pdf"
    pdf.write_bytes(seal_application(submitted, admin, timezone.now()).sealed_pdf.read())
    store, root = tmp_path / "nss", tmp_path / "shenbao-dev-ca.pem"
    store.mkdir()

    def pdfsig() -> str:
        return subprocess.run(
            ["pdfsig", "-nssdir", f"sql:{store}", str(pdf)], capture_output=True, text=True, check=False
        ).stdout

    # The README's steps, word for word.
    subprocess.run(["certutil", "-N", "-d", f"sql:{store}", "--empty-password"], check=True)
    assert pdfsig().count("Certificate issuer isn't Trusted.") == 2
    call_command("export_ca_root", str(root))
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{store}", "-n", "shenbao-dev-ca", "-t", ",C,", "-i", str(root)], check=True
    )
    output = pdfsig()
    assert output.count("Signature is Valid.") == 2 and output.count("Certificate is Trusted.") == 2
