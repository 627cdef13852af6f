"""Opening an untrusted PDF in a child process that cannot hurt the web worker.

A PDF can be a decompression bomb (a small compressed object stream that inflates to gigabytes) or
make the parser spin. The web worker never parses uploads itself: `inspect_in_child` has a child
forked from a fork server (see `_context`), which first lowers its own address-space and CPU-time
limits with `resource.setrlimit` (so the limits hold whatever the parser does), then opens the file
with pikepdf and sends back what it found. The parent also stops it after a wall-clock timeout.

This module imports neither Django nor anything of shenbao, so the fork server stays small.
"""

import multiprocessing
import multiprocessing.forkserver
import os
import threading
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
# What qpdf's own error output may hold (a warning per broken object): enough to find "bad_alloc".
STDERR_KEPT = 64 * 1024

_forkserver = None
_forkserver_lock = threading.Lock()


def _context():
    """A fork server per web worker that has imported pikepdf once: a child forked from it starts in
    milliseconds. A fresh interpreter per upload spent most of a 10 MB file's check importing pikepdf
    (0.1-0.3 s of CPU each), and on deadline day that was a core of its own. The server is
    single-threaded, so forking it is safe where forking a threaded web worker is not."""
    global _forkserver
    with _forkserver_lock:
        if _forkserver is None:
            context = multiprocessing.get_context("forkserver")
            # "__main__" too: a child would otherwise import the program's main script again (gunicorn's,
            # manage.py), every time; preloaded, the server has it and its children skip it.
            context.set_forkserver_preload(["__main__", __name__, "pikepdf"])
            _forkserver = context
        return _forkserver


def start_fork_server() -> None:
    """Start the fork server now (a web worker at start-up), not on the first upload."""
    _context()
    multiprocessing.forkserver.ensure_running()


class _StderrKept:
    """The child's file descriptor 2 (where qpdf writes) into a pipe, read by a thread, the first
    STDERR_KEPT bytes kept: a full pipe must never block the parser."""

    def __init__(self):
        reading, writing = os.pipe()
        os.dup2(writing, 2)
        os.close(writing)
        self.kept = bytearray()
        self._reading = reading
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self):
        while chunk := os.read(self._reading, 65536):
            if len(self.kept) < STDERR_KEPT:
                self.kept += chunk[: STDERR_KEPT - len(self.kept)]

    def close(self) -> bytes:
        os.close(2)  # the last writer: the thread reads to the end
        self._thread.join(timeout=2)
        return bytes(self.kept)


def _forked_child(path: str | None, data: bytes | None, memory_bytes: int, cpu_seconds: int, answer) -> None:
    """In the child: lower its priority, catch qpdf's error output, set the ceilings (after the thread
    that reads the output has its stack), open the file, send the report."""
    import io
    import resource

    os.nice(CHILD_NICENESS)
    stderr = _StderrKept()
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it only reads
    report = inspect_file(io.BytesIO(data) if path is None else path)
    report["bad_alloc"] = b"bad_alloc" in stderr.close()
    answer.send(report)


def inspect_in_child(path: str | None, data: bytes | None, *, memory_bytes: int, seconds: int) -> Inspection:
    """Inspect a file on disk (`path`) or in memory (`data`) within the ceilings."""
    context = _context()
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_forked_child, args=(path, data, memory_bytes, seconds, sending), daemon=True)
    child.start()
    sending.close()
    report = None
    try:
        if receiving.poll(seconds + 5):
            report = receiving.recv()
    except (EOFError, OSError):
        pass  # killed by a limit (SIGKILL, SIGXCPU) or aborted by the allocator: no report
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiving.close()
    if report is None:
        return Inspection("ceiling")
    if report["outcome"] == "corrupt" and report.get("bad_alloc"):  # qpdf gave up for want of memory
        return Inspection("ceiling")
    return Inspection(report["outcome"], report.get("pages", 0), tuple(report.get("active", ())))
