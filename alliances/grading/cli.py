"""Instructor tools on the command line (``python -m alliances``).

    python -m alliances release [--source exercises] [--out release]
                                [--roster ROSTER.csv --secret SECRET_FILE] [--nbgrader COURSE_DIR]
    python -m alliances grade SUBMISSIONS_DIR [--source exercises] [--out grades] [--timeout 60]
                              [--jobs N] [--force] [--sandbox auto] [--image IMAGE] [--trusted]
                              [--roster ROSTER.csv [--secret SECRET_FILE]] [--format plain]
    python -m alliances grade EXPORT --lms canvas|moodle --set SET --roster ROSTER.csv [--keep latest|all] ...
    python -m alliances collect EXPORT --lms canvas|moodle --set SET --roster ROSTER.csv --out SUBMISSIONS_DIR
    python -m alliances gradebook [OUT_DIR] [--roster ROSTER.csv] [--format plain|canvas|moodle]
    python -m alliances image [--engine auto] [--tag TAG] [--base IMAGE] [--network host] [--context DIR]
"""

from __future__ import annotations

import argparse
import inspect
import signal
import subprocess
import sys
import warnings


def _default(func, name: str):
    """The default of ``func``'s parameter ``name``: the one place each default is written."""
    return inspect.signature(func).parameters[name].default


def _parser() -> argparse.ArgumentParser:
    from .batch import grade
    from .gradebook import gradebook
    from .release import release
    from .sandboxes import ENGINES
    from .sandboxes.containers import image_tag
    parser = argparse.ArgumentParser(prog="python -m alliances",
                                     description="Release and autograde the course's problem sets.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{release,collect,grade,gradebook,image}")
    rel = sub.add_parser("release", help="write student versions and answer keys of the problem sets")
    rel.add_argument("--source", default=_default(release, "source_dir"),
                     help="folder of source notebooks (default: %(default)s)")
    rel.add_argument("--out", default=_default(release, "out_dir"), help="output folder (default: %(default)s)")
    rel.add_argument("--roster", default=None, help="CSV with a 'folder' column: one version per student, "
                                                    "with the variants drawn for them (needs --secret)")
    rel.add_argument("--secret", default=None, metavar="SECRET_FILE",
                     help="the course secret the variants are drawn with: made (readable by you only) if missing; "
                          "keep it private, outside the release folder, and give the same file to grade")
    rel.add_argument("--nbgrader", default=None, metavar="COURSE_DIR",
                     help="also write the sources nbgrader reads: COURSE_DIR/source/<set>/<set>.ipynb in the "
                          "default variant, or with --roster one assignment per variant drawn, "
                          "COURSE_DIR/source/<set>-<label>/, and who gets which in COURSE_DIR/assignments.csv")
    col = sub.add_parser("collect", help="collect one problem set from a Canvas or Moodle download into "
                                         "SUBMISSIONS_DIR/<student>/<set>.ipynb, with mapping.csv")
    col.add_argument("export", metavar="EXPORT", help="the LMS download: a .zip (or .tar) file or a folder")
    col.add_argument("--out", required=True, metavar="SUBMISSIONS_DIR", help="new folder to collect into")
    col.add_argument("--force", action="store_true", help="replace SUBMISSIONS_DIR if collect wrote it")
    gra = sub.add_parser("grade", help="autograde SUBMISSIONS_DIR/<student>/<set>.ipynb, or an LMS download (--lms)")
    gra.add_argument("submissions", metavar="SUBMISSIONS_DIR",
                     help="folder with one folder per student; with --lms, the LMS download (EXPORT)")
    gra.add_argument("--source", default=_default(grade, "source_dir"),
                     help="folder of source notebooks (default: %(default)s)")
    gra.add_argument("--out", default=_default(grade, "out_dir"), help="output folder (default: %(default)s)")
    gra.add_argument("--timeout", type=int, default=_default(grade, "timeout"),
                     help="seconds allowed per cell (default: %(default)s)")
    gra.add_argument("--notebook-timeout", type=int, default=_default(grade, "notebook_timeout"),
                     help="seconds allowed per notebook (default: 5 x --timeout)")
    gra.add_argument("--jobs", type=int, default=_default(grade, "jobs"),
                     help="submissions graded at once (default: all cores)")
    gra.add_argument("--force", action="store_true", help="grade again although OUT holds a finished batch")
    gra.add_argument("--sandbox", default=_default(grade, "engine"), choices=["auto", *ENGINES],
                     help="where submissions run (default auto: the first of bubblewrap, podman, docker that works)")
    gra.add_argument("--image", default=_default(grade, "image"),
                     help="podman/docker only: run submissions in this image (built from Containerfile) "
                          "instead of this machine's Python, e.g. on macOS or Windows")
    gra.add_argument("--quiet", action="store_true", help="no progress bar or progress lines")
    gra.add_argument("--trusted", action="store_true",
                     help="grade without a sandbox (only for code you trust; needed where no sandbox works)")
    book = sub.add_parser("gradebook", help="recompute totals, gradebook and feedback (e.g. after entering "
                                            "hand-graded points in OUT/manual-grades.csv)")
    book.add_argument("out", nargs="?", default=_default(gradebook, "out_dir"), metavar="OUT_DIR",
                      help="output folder of grade (default: %(default)s)")
    img = sub.add_parser("image", help="build the container image that 'grade --image' runs submissions in "
                                       "(where this machine's Python cannot be mounted, e.g. macOS, Windows)")
    img.add_argument("--engine", default="auto", choices=["auto", "podman", "docker"],
                     help="container engine (default: podman if installed, else docker)")
    img.add_argument("--tag", default=image_tag(), help="image name (default: %(default)s)")
    img.add_argument("--base", default=None, help="base image with Python 3 and venv "
                                                  "(default: the official python image of this Python's version)")
    img.add_argument("--network", default=None, help="network of the build, passed to the engine (e.g. host)")
    img.add_argument("--context", default=None, help="only write the build context (Containerfile, pinned "
                                                     "requirements, package and data) into this folder")
    for p in (col, gra):
        p.add_argument("--lms", choices=["canvas", "moodle"], default=None, required=p is col,
                       help="the LMS the download comes from" + (" (collects it into OUT/submissions and "
                                                                  "writes OUT/mapping.csv first)" if p is gra else ""))
        p.add_argument("--set", dest="set_name", metavar="SET", default=None, help="the problem set the download holds "
                                                                    "(e.g. ps1-foundations)")
        p.add_argument("--keep", default="latest", choices=["latest", "all"],
                       help="latest: each student's latest notebook (default); all: also keep the others in .all/")
    col.add_argument("--roster", required=True, help="CSV mapping submission folders ('folder' column) to LMS identifiers")
    for p in (gra, book):
        p.add_argument("--roster", default=None, help="CSV mapping submission folders ('folder' column) to LMS identifiers")
        p.add_argument("--format", default=_default(gradebook, "fmt"), choices=["plain", "canvas", "moodle"],
                       help="gradebook file to write besides grades.csv (default: plain gradebook.csv)")
    gra.add_argument("--secret", default=None, metavar="SECRET_FILE",
                     help="the course secret of 'release --roster': each submission is graded against the variants "
                          "drawn for its folder (needs --roster; a folder not on it scores 0 on sets with variants)")
    return parser


def _say_collected(rows, where) -> None:
    decisions = [r["decision"] for r in rows]
    count = {k: sum(d.startswith(k) for d in decisions) for k in ("graded", "refused", "unmapped", "superseded",
                                                                  "not submitted")}
    late = sum(r["late"].startswith("late") and r["decision"].startswith("graded") for r in rows)
    print(f"Collected {count['graded']} notebook(s) ({late} late); {count['refused']} refused, {count['unmapped']} "
          f"unmapped, {count['superseded']} superseded, {count['not submitted']} not submitted: check {where}.")


def _interrupt(*_):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if argv is None:  # the command line: SIGTERM (a closed terminal, a killed job) stops as Ctrl-C does,
        signal.signal(signal.SIGTERM, _interrupt)  # so every temporary folder is removed
    from .markup import MarkupError
    from .release import release
    try:
        if args.command == "release":
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", UserWarning)
                written = release(args.source, args.out, roster=args.roster, secret=args.secret,
                                  nbgrader=args.nbgrader)
            for warning in caught:
                print(f"warning: {warning.message}", file=sys.stderr)
            if args.roster is None:
                print(f"Released {len(written) // (2 if args.nbgrader is None else 3)} problem set(s) into "
                      f"{args.out}/ (student/, key/, README.md)" +
                      ("." if args.nbgrader is None else f" and their sources into {args.nbgrader}/source/."))
            else:
                from .paths import sources
                people = {p.parent.name for p in written if p.parent.parent.name == "student"}
                print(f"Released {len(sources(args.source))} problem set(s) for {len(people)} student(s) into "
                      f"{args.out}/ (student/<folder>/, key/, variants.csv, README.md). Keep the course secret "
                      f"{args.secret} private and give it to grade --roster --secret.")
                if args.nbgrader:
                    print(f"nbgrader assignments (one per variant) in {args.nbgrader}/source/; who gets which: "
                          f"{args.nbgrader}/assignments.csv.")
        elif args.command == "image":
            import shutil
            from .sandboxes import build_image, image_context
            if args.context:
                image_context(args.context, args.base)
                print(f"Wrote the build context into {args.context}/ (build it with: docker build -t {args.tag} "
                      f"-f {args.context}/Containerfile {args.context})")
                return 0
            engine = args.engine if args.engine != "auto" else next(
                (e for e in ("podman", "docker") if shutil.which(e)), "podman")
            build_image(engine, args.tag, args.base, args.network)
            print(f"Built {args.tag}. Grade with: python -m alliances grade SUBMISSIONS_DIR --sandbox {engine} "
                  f"--image {args.tag}")
        elif args.command == "collect":
            from .intake import collect
            if not args.set_name:
                raise ValueError("collect needs --set (the problem set of this download).")
            rows = collect(args.export, args.lms, args.roster, args.set_name, args.out, keep=args.keep, force=args.force)
            _say_collected(rows, f"{args.out}/mapping.csv")
        elif args.command == "gradebook":
            from .gradebook import gradebook
            from .report import write
            rows = gradebook(args.out, roster=args.roster, fmt=args.format)
            write(args.out, rows)
            print(f"Recomputed {len({r['student'] for r in rows})} student(s): {args.out}/grades.csv, "
                  f"the gradebook, {args.out}/report.html and {args.out}/feedback/.")
        else:
            if args.timeout < 1:
                raise ValueError("--timeout must be at least 1 second.")
            if args.jobs is not None and args.jobs < 1:
                raise ValueError("--jobs must be at least 1.")
            from .batch import grade
            from .run import SandboxMissing
            submissions = args.submissions
            if args.lms:
                from pathlib import Path
                from .intake import MAPPING, collect
                if not args.set_name:
                    raise ValueError("--lms needs --set (the problem set of this download).")
                submissions = Path(args.out) / "submissions"
                if (Path(args.out) / "grades.csv").exists() and not args.force:
                    raise FileExistsError(f"{args.out} already holds a finished batch (grades.csv). Use --force to "
                                          "collect and grade again.")
                found = collect(args.submissions, args.lms, args.roster, args.set_name, submissions,
                                keep=args.keep, mapping=Path(args.out) / MAPPING, force=True)
                _say_collected(found, f"{args.out}/{MAPPING}")
            report = None
            if not args.quiet:
                from .progress import Progress
                report = Progress()
            try:
                rows = grade(submissions, args.source, args.out, timeout=args.timeout,
                             notebook_timeout=args.notebook_timeout, jobs=args.jobs, trusted=args.trusted,
                             force=args.force, roster=args.roster, fmt=args.format, engine=args.sandbox,
                             image=args.image, progress=report, secret=args.secret)
            except SandboxMissing as err:
                print(f"error: {err}", file=sys.stderr)
                return 1
            students = len({r["student"] for r in rows})
            print(f"Graded {students} student(s): {args.out}/grades.csv, {args.out}/gradebook"
                  f"{'' if args.format == 'plain' else '-' + args.format}.csv, {args.out}/report.html and "
                  f"{args.out}/feedback/.")
    except MarkupError as err:
        print(f"error: the problem set markup is wrong:\n{err}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as err:
        print(f"error: {err.cmd[0]} could not build the image (exit status {err.returncode}; its messages "
              "are above)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0

