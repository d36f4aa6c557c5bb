"""Deprecated path, kept for one release: the nbgrader markup parser is
:mod:`alliances.grading.markup` and releasing is :mod:`alliances.grading.release`.

This module only re-exports what it used to define (see CHANGELOG.md, "Unreleased").
"""

from .grading.markup import (ANSWER_STUB, CODE_STUB, HIDDEN, MD_SOLUTION, SOLUTION, Exercise,  # noqa: F401
                             MarkupError, cell_key, exercises, is_answer, meta, student_cell)
from .grading.paths import read, sources  # noqa: F401
from .grading.release import answer_key, release, student_version  # noqa: F401

__all__ = ["MarkupError", "Exercise", "exercises", "student_version", "answer_key", "release"]
