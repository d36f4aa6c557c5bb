"""Hostile and cheating submissions of the demo problem set, generated (not committed).

``write(folder, key_path, other_path)`` writes ``folder/<student>/problem-set-demo.ipynb`` for each
attack in ATTACKS and returns EXPECTED: {student: {exercise: (points, reason or None)}}, what the
honest part of each submission deserves (a cheat that worked would score more). Run as a script
to write them for a look: ``python tests/grading/hostile.py OUT_DIR KEY.ipynb OTHER.ipynb``.

Two more catalogues attack what happens before any code runs: ``UNTRUSTED`` (links, hard links,
FIFOs, devices, sockets in the submissions folder; ``write_untrusted``, graded in
``test_untrusted.py``) and ``ARCHIVE_ATTACKS`` (hostile members of an LMS download or of a zip a
student submitted; ``test_intake.py``). Each scores 0 with the reason given.
"""

import sys
from pathlib import Path

import nbformat

from alliances.grading import release
from alliances.publish.toc import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "problem-set-demo.ipynb"
SET = "problem-set-demo"
EX1 = 'n_founders = int((members["joined"] == 1949).sum())'
EX2 = 'def joined_after(year):\n    return sorted(members.loc[members["joined"] > year, "country"])'

# Runs the solutions found in any notebook it can read: full points if a file read gets through.
STEAL = '''
import glob, json, os
from pathlib import Path
places = {targets!r}
pids = [p for p in os.listdir("/proc") if p.isdigit()]
places += [f"/proc/{{p}}/root{{t}}" for p in pids for t in {targets!r}]
places += [f"/proc/{{p}}/cwd/{{Path(t).name}}" for p in pids for t in {targets!r}]
places += [f"/proc/{{p}}/cwd/../{{Path(t).parent.name}}/{{Path(t).name}}" for p in pids for t in {targets!r}]
for place in places:
    try:
        cells = json.loads(Path(place).read_text())["cells"]
    except Exception:
        continue
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code" and "BEGIN SOLUTION" in text:
            exec(text, globals())
'''

PATCH_CHECKS = '''
import builtins, sys
import alliances.checks as checks_module
class Yes:
    message = "Right."
    def __bool__(self):
        return True
class Anything:
    def __eq__(self, other):
        return True
    def __len__(self):
        return 1
for name in dir(checks_module):
    if name.startswith("check_"):
        setattr(checks_module, name, lambda *a, **k: Yes())
sys.modules["alliances.checks"] = checks_module
builtins.AssertionError = type("AssertionError", (Exception,), {})
builtins.sorted = lambda *a, **k: Anything()
n_founders = Anything()
'''

NETWORK = '''
import socket, urllib.request
try:
    urllib.request.urlopen("https://pypi.org/simple/", timeout=5)
    reached = True
except Exception:
    reached = False
try:
    socket.create_connection(("1.1.1.1", 53), timeout=5)
    reached = True
except Exception:
    pass
n_founders = int((members["joined"] == 1949).sum()) if not reached else -1
'''

FLOOD = '''
import os, sys
for i in range(3000):
    os.write(1, b"flood " * 200)
    os.write(2, b"flood " * 200)
    sys.stdout.write("flood " * 200)
''' + EX1

WRITE_OUTSIDE = '''
from pathlib import Path
for target in {targets!r}:
    try:
        Path(target).write_text("overwritten")
    except OSError:
        pass
''' + EX1

KILL_GRADER = '''
import os, signal
for pid in range(1, 40000):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
'''

FORGE = '''
import json, os
for fd in range(3, 64):
    try:
        os.write(fd, b'{"status": "ok", "output": 0}\\n' * 5)
    except OSError:
        pass
'''

# A few bytes that the checker would rebuild as 4 GB: the sandbox's own encoder, patched, hands over a
# number as a two-element array of 500-million-character strings (the checker runs under a memory limit).
HUGE_VALUE = '''
import gc
for serve in [f for f in gc.get_objects() if callable(f) and getattr(f, "__name__", "") == "_serve"]:
    space = serve.__globals__  # the sandbox's module, whatever it is called
    space["encode"] = lambda value, functions=None, real=space["encode"]: (
        {"__t": "ndarray", "dtype": "<U500000000", "v": ["a", "b"]} if type(value) is int else real(value, functions))
''' + EX1
UNREBUILT = ("Not quite: expected a number, but your answer is Unsupported: <value that could not be "
             "rebuilt (MemoryError) (cannot be.... Hint: Compare the joined column with 1949.")

# student: (answer of ex1, answer of ex2, expected {exercise: (points, reason or None)})
ATTACKS = {
    "h01-patch-checks": (PATCH_CHECKS, "def joined_after(year):\n    return Anything()",
                         {"ex1": (0, None), "ex2": (0, None)}),
    "h02-steal-key": ("{steal}", "{steal}", {"ex1": (0, None), "ex2": (0, None)}),
    "h03-fork-bomb": (EX1, "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
                      {"ex1": (2, "passed"), "ex2": (0, None)}),
    "h04-memory-bomb": ("blob = bytearray(64 * 1024 ** 3)\n" + EX1, EX2,
                        {"ex1": (0, "error in your answer: MemoryError"), "ex2": (3, "passed")}),
    "h05-network": (NETWORK, EX2, {"ex1": (2, "passed"), "ex2": (3, "passed")}),
    "h06-sys-exit": (EX1, "import sys\nsys.exit(0)\n" + EX2, {"ex1": (2, "passed"), "ex2": (0, None)}),
    "h07-loop": ("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass", EX2,
                 {"ex1": (0, "timeout"), "ex2": (3, "passed")}),
    "h08-flood": (FLOOD, EX2, {"ex1": (2, "passed; output capped at 1 MB"),
                               "ex2": (3, "passed; output capped at 1 MB")}),
    "h09-write-outside": ("{write}", EX2, {"ex1": (2, "passed"), "ex2": (3, "passed")}),
    "h10-kill-everything": (EX1, KILL_GRADER, {"ex1": (2, "passed"), "ex2": (0, None)}),
    "h11-forge-protocol": (FORGE, FORGE, {"ex1": (0, None), "ex2": (0, None)}),
    "h12-slow-function": (EX1, "def joined_after(year):\n    while True:\n        pass",
                          {"ex1": (2, "passed"), "ex2": (0, None)}),
    "h15-huge-value": (HUGE_VALUE, EX2, {"ex1": (0, UNREBUILT), "ex2": (3, "passed")}),
}


def write(folder, key_path, other_path, targets=()) -> dict:
    """Write the hostile submissions into ``folder``; return what each deserves."""
    targets = [str(key_path), str(other_path), *map(str, targets)]
    expected = {}
    for student, (ans1, ans2, deserve) in ATTACKS.items():
        nb = release.student_version(nbformat.read(FIXTURE, as_version=4))
        for cell in nb.cells:
            answer = {"ex1-answer": ans1, "ex2-answer": ans2}.get(cell.get("id"))
            if answer is not None:
                cell.source = answer.replace("{steal}", STEAL.format(targets=targets)).replace(
                    "{write}", WRITE_OUTSIDE.format(targets=targets))
        (Path(folder) / student).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, Path(folder) / student / f"{SET}.ipynb")
        expected[student] = deserve
    for student, data in (("h13-not-json", b"\x00\x01 not a notebook \xff"),
                          ("h14-json-not-notebook", b'{"cells": "nope", "metadata": 7}')):
        (Path(folder) / student).mkdir(parents=True, exist_ok=True)
        (Path(folder) / student / f"{SET}.ipynb").write_bytes(data)
        expected[student] = {"ex1": (0, "could not read notebook"), "ex2": (0, "could not read notebook")}
    return expected


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    print(write(*sys.argv[1:]))


# Untrusted folders: a submission that is not a plain file in a real folder is never read (it
# would read the answer key, block the batch on a FIFO or read a device). Each attack is data:
# student: (what the entry is, the reason it must score 0 with). Written by ``write_untrusted``.
LINK_REASON = "refused: the notebook is a symbolic link, not read"
UNTRUSTED = {
    "u01-link-to-key": ("symlink", LINK_REASON),
    "u02-relative-link": ("relative symlink", LINK_REASON),
    "u03-folder-link": ("folder symlink", "refused: the student's folder is a symbolic link, not read"),
    "u04-hard-link": ("hard link", "refused: the notebook is a hard link (a file with other names, perhaps "
                                   "outside the submissions), not read"),
    "u05-fifo": ("fifo", "refused: the notebook is a FIFO (named pipe), not read"),
    "u06-dangling-link": ("dangling symlink", LINK_REASON),
    "u07-link-to-device": ("symlink to /dev/zero", LINK_REASON),
    "u08-device": ("character device", "refused: the notebook is a device, not read"),
    "u09-notebook-is-folder": ("folder", "refused: the notebook is a folder, not read"),
    "u10-socket": ("socket", "refused: the notebook is a socket, not read"),
}


def write_untrusted(folder, key_path, elsewhere) -> dict:
    """Write the UNTRUSTED entries into ``folder`` (``elsewhere``: a folder outside it, same file
    system, for the hard link and the linked folder); return {student: {exercise: (0, reason)}}
    for the entries this system can make (a device needs root)."""
    import os
    import shutil
    import socket
    folder, elsewhere = Path(folder), Path(elsewhere)
    elsewhere.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(key_path, elsewhere / f"{SET}.ipynb")
    expected = {}
    for student, (kind, reason) in UNTRUSTED.items():
        target = folder / student / f"{SET}.ipynb"
        if kind == "folder symlink":
            (folder / student).symlink_to(elsewhere, target_is_directory=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                if kind == "symlink":
                    target.symlink_to(key_path)
                elif kind == "relative symlink":
                    target.symlink_to(os.path.relpath(elsewhere / f"{SET}.ipynb", target.parent))
                elif kind == "hard link":
                    os.link(elsewhere / f"{SET}.ipynb", target)
                elif kind == "fifo":
                    os.mkfifo(target)
                elif kind == "dangling symlink":
                    target.symlink_to(folder / "nowhere" / "x.ipynb")
                elif kind == "symlink to /dev/zero":
                    target.symlink_to("/dev/zero")
                elif kind == "character device":
                    os.mknod(target, 0o600 | __import__("stat").S_IFCHR, os.makedev(1, 5))  # /dev/zero
                elif kind == "folder":
                    target.mkdir()
                elif kind == "socket":
                    here = os.getcwd()
                    os.chdir(target.parent)  # a socket's path is limited to about 100 bytes
                    try:
                        with socket.socket(socket.AF_UNIX) as sock:
                            sock.bind(target.name)
                    finally:
                        os.chdir(here)
            except (PermissionError, OSError):
                shutil.rmtree(target.parent)
                continue
        expected[student] = {"ex1": (0, reason), "ex2": (0, reason)}
    return expected


# Hostile archives (an LMS export or a zip a student submitted): attack: (zip or tar, the members
# as data, the reason every such member is refused with). Each refused member of a student is a
# submission that scores 0 with the reason (tests/grading/test_intake.py grades some end to end).
def _zip_link():
    import stat
    return [("leeann_101_1_problem-set-demo.ipynb", b"/etc/passwd", stat.S_IFLNK | 0o777)]


def _zip_device():
    import stat
    return [("leeann_101_1_problem-set-demo.ipynb", b"", stat.S_IFCHR | 0o600)]


def _zip_bomb():
    return [("leeann_101_1_problem-set-demo.ipynb", b" " * (20 * 1024 ** 2))]


def _zip_in_zip_in_zip():
    import io
    import zipfile

    def z(name, data):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as f:
            f.writestr(name, data)
        return buffer.getvalue()
    return [("leeann_101_1_a.zip", z("b.zip", z("c.ipynb", b"{}")))]


def _too_large():
    import os
    return [("leeann_101_1_problem-set-demo.ipynb", os.urandom(51 * 1024 ** 2))]


def _tar(kind, name="leeann_101_1_problem-set-demo.ipynb", link="/etc/passwd"):
    import tarfile
    return lambda: [(name, getattr(tarfile, kind), b"", link)]


ARCHIVE_ATTACKS = {
    "a01-zip-symlink": ("zip", _zip_link, "refused: a symbolic link"),
    "a02-zip-absolute": ("zip", lambda: [("/etc/cron.d/problem-set-demo.ipynb", b"{}")], "refused: an absolute path"),
    "a03-zip-climbs-out": ("zip", lambda: [("../../problem-set-demo.ipynb", b"{}")],
                           "refused: a path that climbs out of the archive"),
    "a04-zip-windows-climbs-out": ("zip", lambda: [("..\\..\\problem-set-demo.ipynb", b"{}")],
                                   "refused: a path that climbs out of the archive"),
    "a05-zip-drive-letter": ("zip", lambda: [("C:/Users/x/problem-set-demo.ipynb", b"{}")], "refused: an absolute path"),
    "a06-zip-device": ("zip", _zip_device, "refused: not a plain file"),
    "a07-zip-bomb": ("zip", _zip_bomb, "refused: compressed"),
    "a08-zip-nested-too-deep": ("zip", _zip_in_zip_in_zip, "refused: an archive nested deeper than 2 levels"),
    "a09-zip-too-large": ("zip", _too_large, "refused: 53,477,376 bytes uncompressed"),
    "a10-tar-symlink": ("tar", _tar("SYMTYPE"), "refused:"),
    "a11-tar-hard-link": ("tar", _tar("LNKTYPE"), "refused:"),
    "a12-tar-device": ("tar", _tar("CHRTYPE", link=""), "refused:"),
    "a13-tar-fifo": ("tar", _tar("FIFOTYPE", link=""), "refused:"),
    "a14-tar-climbs-out": ("tar", lambda: [("../../problem-set-demo.ipynb", __import__("tarfile").REGTYPE, b"{}")],
                           "refused: a path that climbs out of the archive"),
    "a16-tar-bomb": ("tar", lambda: [("leeann_101_1_problem-set-demo.ipynb", __import__("tarfile").REGTYPE,
                                       bytes(60 * 1024 ** 2))], "refused: 62,914,560 bytes uncompressed"),
    "a15-tar-absolute": ("tar", lambda: [("/etc/problem-set-demo.ipynb", __import__("tarfile").REGTYPE, b"{}")],
                         "refused: an absolute path"),
}
