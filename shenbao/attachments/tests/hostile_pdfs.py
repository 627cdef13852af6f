"""Hostile PDFs built byte by byte, for the upload tests and `bench/hostile_upload.py`."""

import zlib

import pikepdf

MB = 1 << 20


def object_stream_bomb(padding_mb: int) -> bytes:
    """A one-page PDF whose catalogue, page tree and page sit in a compressed object stream padded
    with `padding_mb` MiB of whitespace: a reader must inflate all of it to find the pages."""
    objects = [b"<</Type/Catalog/Pages 3 0 R>>", b"<</Type/Pages/Kids[4 0 R]/Count 1>>"]
    objects.append(b"<</Type/Page/Parent 3 0 R/MediaBox[0 0 595 842]>>")
    offsets, body = [], b""
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    header = b" ".join(f"{n} {o}".encode() for n, o in zip((2, 3, 4), offsets, strict=True)) + b"\n"
    inflated_head = header + body
    stream = _deflate_then_spaces(inflated_head, padding_mb)  # the padding follows the objects
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    xref = {}
    xref[1] = len(out)
    out += (
        f"1 0 obj\n<</Type/ObjStm/N 3/First {len(header)}/Filter/FlateDecode/Length {len(stream)}>>\nstream\n".encode()
    )
    out += stream + b"\nendstream\nendobj\n"
    xref[5] = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff", _row(1, xref[1], 0)]
    rows += [_row(2, 1, i) for i in range(3)]
    rows.append(_row(1, xref[5], 0))
    data = b"".join(rows)
    out += f"5 0 obj\n<</Type/XRef/Size 6/W[1 4 2]/Root 2 0 R/Length {len(data)}>>\nstream\n".encode()
    out += data + b"\nendstream\nendobj\n"
    out += f"startxref\n{xref[5]}\n%%EOF\n".encode()
    return bytes(out)


def _row(kind: int, field2: int, field3: int) -> bytes:
    return kind.to_bytes(1, "big") + field2.to_bytes(4, "big") + field3.to_bytes(2, "big")


def _deflate_then_spaces(head: bytes, padding_mb: int) -> bytes:
    """zlib data inflating to `head` and then `padding_mb` MiB of spaces, built in milliseconds: after a
    full flush a deflate block does not refer back, so one compressed MiB of spaces repeats as it is."""
    chunk = b" " * MB
    compressor = zlib.compressobj(9)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = zlib.adler32(head)
    for _ in range(padding_mb):
        checksum = zlib.adler32(chunk, checksum)
    # b"\x03\x00": an empty final block with fixed codes; then the Adler-32 of everything inflated.
    return first + block * padding_mb + b"\x03\x00" + checksum.to_bytes(4, "big")


def with_catalog_entries(extra: dict, *, pages: int = 1) -> bytes:
    """A sound PDF whose catalogue carries `extra` (e.g. an /OpenAction running JavaScript)."""
    import io

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    for key, value in extra.items():
        pdf.Root[key] = value
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def normal_pdf(megabytes: int) -> bytes:
    """A sound PDF of about `megabytes` MiB (incompressible page content, like a colour scan)."""
    import io
    import os

    pdf = pikepdf.new()
    pdf.add_blank_page()
    image = pikepdf.Stream(pdf, os.urandom(megabytes * MB))
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()
