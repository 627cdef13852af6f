"""Opening an untrusted PDF in a child process that cannot hurt the web worker.

A PDF can be a decompression bomb (a small compressed object stream that inflates to gigabytes) or
make the parser spin. The web worker never parses uploads itself: `inspect_in_child` starts
this file as a script in isolated mode, which first lowers its own address-space and CPU-time
limits with `resource.setrlimit` (so the limits hold whatever the parser does), then opens the file
with pikepdf and prints what it found as one JSON line. The parent also stops it after a wall-clock
timeout. Running the limits inside the child (not in `preexec_fn`) keeps it safe in threaded workers.

This module imports neither Django nor anything of shenbao at the top, so the child starts in ~0.1 s.
"""

import json
import subprocess
import sys
from dataclasses import dataclass


def gettext_noop(name: str) -> str:
    """Marks a name for the catalogue (makemessages). The child reports names as written here, for it
    runs without Django; uploads.py shows them in the reader's language."""
    return name


# Names whose presence anywhere in the file means it can act when opened: scripts, launching programs,
# carried files, actions run on open or on events, forms that send data out, rich media.
ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": gettext_noop("自动动作(AA)"),
    "/EmbeddedFile": gettext_noop("嵌入文件"),
    "/EmbeddedFiles": gettext_noop("嵌入文件"),
    "/EF": gettext_noop("嵌入文件"),
    "/RichMedia": gettext_noop("多媒体内容"),
    "/XFA": gettext_noop("XFA表单"),
}
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": gettext_noop("启动程序(Launch)"),
    "/SubmitForm": gettext_noop("提交表单(SubmitForm)"),
    "/ImportData": gettext_noop("导入数据(ImportData)"),
    "/GoToE": gettext_noop("嵌入文件跳转(GoToE)"),
    "/RichMediaExecute": gettext_noop("多媒体内容"),
}
# /Type or /Subtype values that mark a carried file, whoever refers to it.
ACTIVE_TYPES = {
    "/EmbeddedFile": gettext_noop("嵌入文件"),
    "/FileAttachment": gettext_noop("嵌入文件"),
    "/RichMedia": gettext_noop("多媒体内容"),
}


@dataclass(frozen=True)
class Inspection:
    """What the child found; `outcome` is ok, password, encrypted, corrupt or ceiling."""

    outcome: str
    pages: int = 0
    active: tuple[str, ...] = ()


def _active_content(pdf) -> list[str]:
    """Every dictionary of the file, indirect objects and the ones nested directly inside them."""
    import pikepdf

    found = []
    stack = [pdf.trailer, *pdf.objects]
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            children = list(obj.items())
            for key, value in children:
                if key in ACTIVE_KEYS:
                    found.append(ACTIVE_KEYS[key])
                if key == "/S" and isinstance(value, pikepdf.Name) and str(value) in ACTIVE_ACTIONS:
                    found.append(ACTIVE_ACTIONS[str(value)])
                if key in ("/Type", "/Subtype") and isinstance(value, pikepdf.Name) and str(value) in ACTIVE_TYPES:
                    found.append(ACTIVE_TYPES[str(value)])
                if key == "/OpenAction" and isinstance(value, pikepdf.Dictionary) and value.get("/S") != "/GoTo":
                    found.append(gettext_noop("打开时执行的动作(OpenAction)"))  # an action, not just a page to show
            children = [value for _, value in children]
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        # Indirect children are visited once, as members of pdf.objects.
        stack.extend(c for c in children if isinstance(c, (pikepdf.Dictionary, pikepdf.Array)) and not c.is_indirect)
    return sorted(set(found))


def inspect_file(source) -> dict:
    """Runs in the child: open `source` (a path or a file object) and report."""
    import pikepdf

    try:
        # Warnings go to stderr: qpdf reports an allocation refused by the ceiling only as a warning.
        with pikepdf.open(source, suppress_warnings=False) as pdf:
            if pdf.is_encrypted:  # an owner (permissions) password opens without asking, but still restricts
                return {"outcome": "encrypted"}
            return {"outcome": "ok", "pages": len(pdf.pages), "active": _active_content(pdf)}
    except pikepdf.PasswordError:
        return {"outcome": "password"}
    except MemoryError:
        return {"outcome": "ceiling"}
    except (pikepdf.PdfError, ValueError, OSError, RecursionError, RuntimeError):
        return {"outcome": "corrupt"}


# The child yields the CPU to the web workers' short requests: on deadline day an upload waiting a
# little longer is better than every autosave beside it waiting. Not lower: the parent's wall-clock
# timeout must still hold a file that is only large, never refuse it for having been starved.
CHILD_NICENESS = 5


def _child(path: str, memory_bytes: int, cpu_seconds: int) -> None:
    import io
    import os
    import resource

    os.nice(CHILD_NICENESS)  # before pikepdf is imported: the import is most of a small file's cost

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it only reads
    source = io.BytesIO(sys.stdin.buffer.read()) if path == "-" else path
    print(json.dumps(inspect_file(source)))


def inspect_in_child(path: str | None, data: bytes | None, *, memory_bytes: int, seconds: int) -> Inspection:
    """Inspect a file on disk (`path`) or in memory (`data`) within the ceilings."""
    # -I: isolated, so neither the environment nor this file's folder changes what the child imports.
    command = [sys.executable, "-I", __file__, path or "-", str(memory_bytes), str(seconds)]
    try:
        done = subprocess.run(
            command,
            input=data if path is None else None,
            capture_output=True,
            timeout=seconds + 5,
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed it
        return Inspection("ceiling")
    try:
        report = json.loads(done.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        # Killed by a limit (SIGKILL, SIGXCPU) or aborted by the allocator: no report.
        return Inspection("ceiling")
    if report["outcome"] == "corrupt" and b"bad_alloc" in done.stderr:  # qpdf gave up for want of memory
        return Inspection("ceiling")
    return Inspection(report["outcome"], report.get("pages", 0), tuple(report.get("active", ())))


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
