"""Instructor tools on the command line: ``python -m alliances release|grade|gradebook|image``.

The commands live in :mod:`alliances.grading.cli` (``--help`` lists every flag).
"""

import sys

from .grading.cli import main

if __name__ == "__main__":
    sys.exit(main())
