"""How a batch is going: a progress bar on a terminal, plain lines otherwise.

On a terminal (``stream.isatty()``) and with tqdm installed (the ``grading`` extra), a tqdm bar
shows done/total, the submissions that failed so far (not graded: refused, unreadable, grader
error, timeout, kernel died) and the time left. Otherwise one plain line per graded submission
(``[3/40] ann / ps1-foundations: 4/6 points; 1 failed so far; about 2 min left``), fit for a log.
"""

from __future__ import annotations

import sys
import time

FAILED = ("refused", "could not read", "grader error", "timeout", "kernel died")


def failed(rows) -> bool:
    """Whether a graded submission failed (some exercise was not graded for a reason of the grader's)."""
    return any(str(r[3]).startswith(FAILED) for r in rows)


class Progress:
    """``start(total)``, then ``done(student, set, rows)`` for each submission, then ``close()``."""

    def __init__(self, stream=None, bar: bool | None = None):
        self.stream = stream or sys.stdout
        if bar is None:
            bar = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar, self.total, self.count, self.failures, self.started = None, 0, 0, 0, time.monotonic()
        self.want_bar = bar

    def start(self, total: int) -> None:
        self.total, self.started = total, time.monotonic()
        if self.want_bar and total:
            try:
                from tqdm import tqdm
            except ImportError:  # the grading extra not installed: plain lines
                return
            self.bar = tqdm(total=total, unit="submission", file=self.stream, dynamic_ncols=True,
                            desc="grading", postfix={"failed": 0})
        elif total:
            print(f"Grading {total} submission(s).", file=self.stream, flush=True)

    def done(self, student: str, name: str, rows) -> None:
        self.count += 1
        self.failures += failed(rows)
        if self.bar is not None:
            self.bar.set_postfix(failed=self.failures, refresh=False)
            self.bar.update(1)
            return
        got = sum(float(r[1]) for r in rows if r[1] != "")
        most = sum(float(r[2]) for r in rows)
        spent = time.monotonic() - self.started
        left = spent / self.count * (self.total - self.count)
        when = f"about {left / 60:.0f} min left" if left >= 90 else f"about {left:.0f} s left"
        print(f"[{self.count}/{self.total}] {' '.join(student.split())} / {name}: {got:g}/{most:g} points; "
              f"{self.failures} failed so far; {when if self.count < self.total else 'done'}",
              file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
