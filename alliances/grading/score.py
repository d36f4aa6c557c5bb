"""Score an executed submission: points and a one-line reason for each exercise."""

from __future__ import annotations

import re

from .limits import OUTPUT_CAP

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(_ANSI.sub("", str(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


AVAILABLE = "pandas, numpy, scipy and matplotlib"

_MODULE = re.compile(r"No module named '([^']+)'")


def _error(reply: dict) -> str:
    """The error of a reply as one plain line: a failed test's own sentence (without
    "AssertionError:"), a missing library named as such, else like a traceback's last line."""
    value, ename = _one_line(reply.get("evalue", "")), reply.get("ename", "Error")
    if ename == "AssertionError" and value:
        return value
    if ename == "ModuleNotFoundError":
        found = _MODULE.search(value)
        module = found.group(1) if found else "a module"
        return f"this problem set can be solved with {AVAILABLE}; {module} is not available"
    return f"{ename}: {value}" if value else ename


def score(nb, found, replies, stop, why, capped) -> list[tuple[str, float, float, str]]:
    """(exercise, points, max_points, reason) for each exercise of the executed notebook."""
    rows = []
    for ex in found:
        if ex.manual:
            rows.append((ex.grade_id, "", ex.points, "graded by hand"))
            continue
        reply = replies.get(ex.index, {})
        if stop is not None and ex.index >= stop:
            result = (0, why)
        elif reply.get("status", "ok") == "ok":
            carried = reply.get("carried")
            result = (ex.points, f"passed: the right method on your own answer (builds on your {carried}; "
                                 "the mistake is marked there)" if carried else "passed")
        else:
            result = (0, _error(reply))
            for a in ex.answers:
                answer = replies.get(a, {})
                if answer.get("status") == "error":
                    ename = answer.get("ename")
                    result = (0, "not answered" if ename == "NotImplementedError" else "timeout"
                              if ename == "GraderTimeout" else "kernel died" if ename == "KernelDied"
                              else f"error in your answer: {_error(answer)}")
                    break
        points, reason = result
        if capped:
            reason += f"; output capped at {OUTPUT_CAP // 1_000_000} MB"
        rows.append((ex.grade_id, points, ex.points, reason))
    return rows
