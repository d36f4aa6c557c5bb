"""How a batch says how it is going (plain lines off a terminal, a tqdm bar on one) and the class
report it leaves (report.html: distributions, share right, frequent mistakes, figures with alt text)."""

import html
import io
import re

import pytest

from alliances.grading import report
from alliances.grading.progress import Progress

ROWS = [("ex1", 2, 2, "passed"), ("ex2", 0, 3, "timeout")]


def test_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    progress = Progress(stream=out)
    progress.start(2)
    progress.done("ann", "ps1", ROWS)
    progress.done("new\nline", "ps1", [("ex1", 2, 2, "passed"), ("ex2", 3, 3, "passed")])
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "Grading 2 submission(s)."
    assert re.fullmatch(r"\[1/2\] ann / ps1: 2/5 points; 1 failed so far; about \d+ s left", lines[1]), lines[1]
    assert lines[2] == "[2/2] new line / ps1: 5/5 points; 1 failed so far; done"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_bar_on_a_terminal():
    import tqdm  # noqa: F401  (the grading extra installs it)
    out = Terminal()
    progress = Progress(stream=out)
    progress.start(2)
    progress.done("ann", "ps1", ROWS)
    progress.done("bob", "ps1", ROWS)
    progress.close()
    text = out.getvalue()
    assert "2/2" in text and "failed=2" in text and "[1/2]" not in text


def grade_rows():
    rows = []
    for i, (p1, r1, p2, r2) in enumerate([(2, "passed", 3, "passed"), (0, "not answered", 3, "passed"),
                                          (0, "AssertionError: Not quite: 99 is too high.", 0, "timeout"),
                                          (0, "AssertionError: Not quite: 99 is too high.", 0, "not answered")]):
        rows += [{"student": f"s{i}", "set": "ps1", "exercise": "ex1", "points": p1, "max_points": 2, "reason": r1},
                 {"student": f"s{i}", "set": "ps1", "exercise": "ex2", "points": p2, "max_points": 3, "reason": r2}]
    rows.append({"student": "s0", "set": "ps2", "exercise": "essay", "points": "", "max_points": 4,
                 "reason": "graded by hand"})
    return rows


def test_class_report_has_distributions_share_right_and_mistakes(tmp_path):
    path = report.write(tmp_path, grade_rows())
    assert path == tmp_path / "report.html"
    text = path.read_text()
    assert "<h2>ps1</h2>" in text and "<h2>ps2</h2>" in text
    assert text.count("data:image/png;base64,") == 2
    alts = re.findall(r'alt="([^"]+)"', text)
    assert alts[0].startswith("ps1: histogram of points per student") and "ex1 25%, ex2 50%" in html.unescape(alts[0])
    assert "<td>ex1</td><td>4</td><td>25%</td><td>0: 3, 2: 1</td>" in text
    mistakes = text[text.index("Most frequent mistakes"):text.index("<h2>ps2</h2>")]
    assert mistakes.index("2 × AssertionError: Not quite: 99 is too high.") < mistakes.index("1 × not answered")
    assert "ex2:</p><ol><li>1 × timeout</li><li>1 × not answered</li></ol>" in mistakes
