"""Helper package for the open textbook *Military Alliances and International Relations*.

Every notebook starts with ``from alliances import data, plots, checks``:

- :mod:`alliances.data` loads the cited data in ``data/`` as tidy DataFrames;
- :mod:`alliances.plots` gives figures the house style (colour-blind-safe, labelled, sourced);
- :mod:`alliances.checks` gives friendly feedback on exercise answers.
"""

from . import checks, data, plots

__all__ = ["checks", "data", "plots"]
__version__ = "0.2.0"  # the edition: also in CITATION.cff and CHANGELOG.md (a test checks)
