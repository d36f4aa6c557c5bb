"""Deprecated path, kept for one release: the notebook edition is :mod:`alliances.publish.notebooks`,
solutions are :mod:`alliances.publish.solutions` and the working folder :mod:`alliances.publish.workspace`.

This module only re-exports what it used to define (see CHANGELOG.md, "Unreleased");
``python -m alliances.edition workspace SRC DST`` still works.
"""

import sys

from .publish.notebooks import *  # noqa: F401,F403
from .publish.notebooks import (CODE_TAGS, DIRECTIVES, FENCE_RE, MYST_LEFTOVER_RE, ROLE_RE, ROLES,  # noqa: F401
                                TARGET_RE, FORMS, Book, Citation, convert, convert_markdown, leftover_myst,
                                render_directive, render_role)
from .publish.solutions import EditionError, is_check, remove_solutions, solution_spans  # noqa: F401
from .publish.workspace import copy_missing  # noqa: F401

if __name__ == "__main__":  # python -m alliances.edition workspace SRC DST
    from .publish.__main__ import main
    sys.exit(main(sys.argv[1:]))
