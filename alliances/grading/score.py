"""Score an executed submission: points and a one-line reason for each exercise."""

from __future__ import annotations

import re

from .limits import OUTPUT_CAP

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(_ANSI.sub("", str(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(reply: dict) -> str:
    """The error of a reply as one line, like a traceback's last line."""
    value = _one_line(reply.get("evalue", ""))
    return f"{reply.get('ename', 'Error')}: {value}" if value else reply.get("ename", "Error")


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
            result = (ex.points, "passed")
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
