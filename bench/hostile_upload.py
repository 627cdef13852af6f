"""Hostile uploads: what opening a decompression bomb costs the web worker, next to a normal PDF.

    .venv/bin/python bench/hostile_upload.py [--padding-mb 1024] [--unguarded]

Each case runs in a fresh process standing in for a web worker (Django set up, as in production) that
passes one upload through `check_pdf`, the check every uploaded PDF goes through. Printed per case:
the worker's peak RSS, the time, and the outcome. The bomb is a 1 MB PDF whose pages sit in a
compressed object stream padded with --padding-mb MiB of whitespace (issue #8). --unguarded also
shows the same bomb opened with pikepdf inside the worker, as before the ceiling (needs ~2.5 GB).
Target: the worker's peak RSS with the bomb stays within a few MB of the normal 10 MB PDF's.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _worker(case: str, path: str) -> None:
    """Runs in the child: one upload through the check, then report."""
    import _django  # noqa: F401  (Django set up like a web worker)
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from shenbao.attachments.uploads import UploadRefused, check_pdf

    started = time.perf_counter()
    if case == "unguarded":
        import pikepdf

        try:
            with pikepdf.open(path) as pdf:
                outcome = f"accepted, {len(pdf.pages)} page(s)"
        except pikepdf.PdfError as error:
            outcome = f"failed: {error}"
    else:
        upload = TemporaryUploadedFile("upload.pdf", "application/pdf", Path(path).stat().st_size, None)
        upload.file.close()
        upload.file = open(path, "rb")
        upload.temporary_file_path = lambda: path
        try:
            checked = check_pdf(upload, 11 * 1024 * 1024, "二(一)3")
            outcome = f"accepted, {checked.pages} page(s)"
        except UploadRefused as error:
            outcome = f"refused: {error}"
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mb": peak_mb, "seconds": seconds, "outcome": outcome}))


def _run(case: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", case, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--padding-mb", type=int, default=1024)
    parser.add_argument("--unguarded", action="store_true")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return
    from shenbao.attachments.tests.hostile_pdfs import normal_pdf, object_stream_bomb

    with tempfile.TemporaryDirectory() as folder:
        normal, bomb = Path(folder, "normal.pdf"), Path(folder, "bomb.pdf")
        normal.write_bytes(normal_pdf(10))
        bomb.write_bytes(object_stream_bomb(args.padding_mb))
        cases = [
            (f"normal PDF ({normal.stat().st_size / 1048576:.1f} MB)", "checked", normal),
            (f"bomb ({bomb.stat().st_size / 1048576:.1f} MB, {args.padding_mb} MiB inflated)", "checked", bomb),
        ]
        if args.unguarded:
            cases.append(("bomb opened inside the worker (before)", "unguarded", bomb))
        results = [(label, _run(case, path)) for label, case, path in cases]
    print(f"{'upload':<44}{'worker peak RSS MB':>20}{'seconds':>10}  outcome")
    for label, result in results:
        print(f"{label:<44}{result['peak_mb']:>20.0f}{result['seconds']:>10.2f}  {result['outcome'][:60]}")
    normal_peak, bomb_peak = results[0][1]["peak_mb"], results[1][1]["peak_mb"]
    print(
        f"web worker peak RSS: bomb {bomb_peak:.0f} MB, normal 10 MB PDF {normal_peak:.0f} MB "
        f"(ratio {bomb_peak / normal_peak:.2f})"
    )


if __name__ == "__main__":
    main()
