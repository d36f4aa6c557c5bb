"""Hostile and cheating submissions of the demo problem set, generated (not committed).

``write(folder, key_path, other_path)`` writes ``folder/<student>/problem-set-demo.ipynb`` for each
attack in ATTACKS and returns EXPECTED: {student: {exercise: (points, reason or None)}}, what the
honest part of each submission deserves (a cheat that worked would score more). Run as a script
to write them for a look: ``python tests/grading/hostile.py OUT_DIR KEY.ipynb OTHER.ipynb``.
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
