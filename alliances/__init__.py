"""Helper package for the open textbook *Military Alliances and International Relations*.

Every notebook starts with ``from alliances import data, plots, checks``:

- :mod:`alliances.data` loads the cited data in ``data/`` as tidy DataFrames;
- :mod:`alliances.plots` gives figures the house style (colour-blind-safe, labelled, sourced);
- :mod:`alliances.checks` gives friendly feedback on exercise answers.

The package holds three jobs: this library (``data``, ``plots``, ``checks``, ``maps``,
``explore``, ``glue``), the grading system (:mod:`alliances.grading`, ``python -m alliances``)
and the publishing pipeline (:mod:`alliances.publish`, ``python -m alliances.publish``).
``import alliances`` imports none of them: each module is imported when first used
(``alliances.data``) or named (``from alliances import data``), so a tool that needs only
``__version__`` does not pay for pandas and matplotlib.
"""

from importlib import import_module

__all__ = ["checks", "data", "plots"]
__version__ = "0.2.0"  # the version of the book (text, data, package): also in CITATION.cff and CHANGELOG.md (a test checks)

_LAZY = {"checks", "data", "plots", "maps", "explore", "glue", "grading", "publish", "research"}


def __getattr__(name: str):
    if name in _LAZY:
        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY)
