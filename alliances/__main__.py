"""Instructor tools on the command line.

    python -m alliances release [--source exercises] [--out release]
    python -m alliances grade SUBMISSIONS_DIR [--source exercises] [--out grades] [--timeout 60]
"""

from __future__ import annotations

import argparse
import sys
import warnings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m alliances",
                                     description="Release and autograde the course's problem sets.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{release,grade}")
    rel = sub.add_parser("release", help="write student versions and answer keys of the problem sets")
    rel.add_argument("--source", default="exercises", help="folder of source notebooks (default: exercises)")
    rel.add_argument("--out", default="release", help="output folder (default: release)")
    gra = sub.add_parser("grade", help="autograde SUBMISSIONS_DIR/<student>/<set>.ipynb")
    gra.add_argument("submissions", metavar="SUBMISSIONS_DIR", help="folder with one folder per student")
    gra.add_argument("--source", default="exercises", help="folder of source notebooks (default: exercises)")
    gra.add_argument("--out", default="grades", help="output folder (default: grades)")
    gra.add_argument("--timeout", type=int, default=60, help="seconds allowed per cell (default: 60)")
    gra.add_argument("--notebook-timeout", type=int, default=None,
                     help="seconds allowed per notebook (default: 5 x --timeout)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .release import MarkupError, release
    try:
        if args.command == "release":
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", UserWarning)
                written = release(args.source, args.out)
            for warning in caught:
                print(f"warning: {warning.message}", file=sys.stderr)
            print(f"Released {len(written) // 2} problem set(s) into {args.out}/ "
                  f"(student/, key/, README.md).")
        else:
            if args.timeout < 1:
                raise ValueError("--timeout must be at least 1 second.")
            from .grade import grade
            rows = grade(args.submissions, args.source, args.out, timeout=args.timeout,
                         notebook_timeout=args.notebook_timeout)
            students = len({r["student"] for r in rows})
            print(f"Graded {students} student(s): {args.out}/grades.csv and {args.out}/feedback/.")
    except MarkupError as err:
        print(f"error: the problem set markup is wrong:\n{err}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
