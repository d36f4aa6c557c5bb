"""``python -m alliances.publish <command> [args]``: the publishing pipeline's commands.

    cache [BUILD_DIR] [DATA_DIR]          clear the execution cache if data/ changed (make book)
    lite [OUT]                            the JupyterLite site (make book)
    student-book [OUT]                    the student web book (make student-book)
    pdf [--form full|student] ...         a PDF edition (make pdf)
    workspace EDITION_DIR WORK_DIR [PROBLEM_SETS_DIR]
                                          copy the chapters and the student problem sets into a working folder (make lab)
    pages                                 every page of _toc.yml, one a line
"""

from __future__ import annotations

import sys


def _pages(argv: list[str]) -> int:
    from .toc import pages
    print("\n".join(pages()))
    return 0


def _workspace(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        sys.exit("usage: python -m alliances.publish workspace EDITION_DIR WORK_DIR [PROBLEM_SETS_DIR]")
    from .workspace import main
    return main(*argv)


def _module(name: str):
    def run(argv: list[str]) -> int:
        from importlib import import_module
        return import_module(f"alliances.publish.{name}").main(argv) or 0
    return run


COMMANDS = {"cache": _module("cache"), "lite": _module("lite"), "student-book": _module("student_book"),
            "pdf": _module("pdf"), "workspace": _workspace, "pages": _pages}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        sys.exit(__doc__.rstrip() + "\n")
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
