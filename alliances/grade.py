"""Deprecated path, kept for one release: grading now lives in :mod:`alliances.grading`
(``batch.grade``, ``run.grade_one``, ``gradebook.gradebook``, ``plan``, ``score``).

This module only re-exports what it used to define (see CHANGELOG.md, "Unreleased").
"""

from .grading.batch import grade  # noqa: F401
from .grading.gradebook import CANVAS, FIELDS, MOODLE, gradebook  # noqa: F401
from .grading.limits import OUTPUT_CAP, STARTUP  # noqa: F401
from .grading.paths import RESULTS  # noqa: F401
from .grading.plan import assemble, plan  # noqa: F401
from .grading.run import SandboxMissing, grade_one, run  # noqa: F401
from .grading.score import score  # noqa: F401

__all__ = ["grade", "grade_one", "gradebook", "OUTPUT_CAP", "SandboxMissing"]
