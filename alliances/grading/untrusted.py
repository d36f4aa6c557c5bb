"""Read a submissions folder as untrusted input: nothing is read through a link, a device or a FIFO.

``scan(folder)`` lists ``folder/<student>/<set>.ipynb`` without following links; ``read(folder,
student, file)`` returns a notebook's bytes, opened relative to the folder with ``O_NOFOLLOW`` at
every step, or raises :class:`Refused` with a plain reason. So a student folder or a notebook that
is a symbolic link (to a file, a folder, another submission, the answer key), a hard link (a file
with other names, perhaps outside the folder), a device, a FIFO or a socket is never opened for
reading: the submission scores 0 with the reason. Names are used as they are (unicode, spaces,
newlines, 255 bytes); a name that is not valid UTF-8 is shown with backslash escapes and refused
(it could not be written to a CSV file as it is).

A folder ``<student>`` may also hold ``<set>.ipynb.refused`` (written by ``intake.collect`` when it
refused what the LMS export held for that student): the submission then scores 0 with the reason
in that file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_NOTEBOOK = 50 * 1024 ** 2  # bytes of one submitted notebook
REFUSED = ".refused"  # suffix of a note "this submission was refused" next to where the notebook would be
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR = _FLAGS | getattr(os, "O_DIRECTORY", 0)


class Refused(Exception):
    """A submission that is not read, with the reason (shown to the student and the instructor)."""


def display(name: str) -> str:
    """``name`` as text that can be written anywhere (undecodable bytes as backslash escapes)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str | None:
    """Why a file of this mode is not a plain file, or None."""
    for test, what in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
                       (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return what
    return None if stat.S_ISREG(mode) else "not a regular file"


def scan(folder) -> tuple[list[str], dict, dict]:
    """(students, {(student, set): file name}, {student: reason}) of ``folder``, by names only.

    A student is a folder of ``folder`` not starting with "."; an entry that is a symbolic link (to
    a folder or anything else) is a student too, refused with the reason (third value); plain files
    (``mapping.csv``, notes) are not students. Each ``*.ipynb`` (or ``*.ipynb.refused``) name in a
    student's real folder is a submission of the set it names (``read`` then checks the file itself).
    """
    root = Path(folder)
    students, handed, refused = [], {}, {}
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            students.append(entry.name)
            refused[entry.name] = "refused: the student's folder is a symbolic link, not read"
            continue
        if not entry.is_dir(follow_symlinks=False):
            continue
        students.append(entry.name)
        if display(entry.name) != entry.name:
            refused[entry.name] = "refused: the folder name is not valid UTF-8"
            continue
        try:
            names = sorted(os.listdir(entry.path))
        except OSError as err:
            refused[entry.name] = f"refused: the student's folder could not be listed ({err.strerror})"
            continue
        for name in names:
            stem = name[: -len(REFUSED)] if name.endswith(".ipynb" + REFUSED) else name
            if stem.endswith(".ipynb") and not stem.startswith("."):
                handed.setdefault((entry.name, stem[: -len(".ipynb")]), name)
    return students, handed, refused


def read(folder, student: str, file: str, limit: int = MAX_NOTEBOOK) -> bytes:
    """The bytes of ``folder/student/file``, never through a link; :class:`Refused` with the reason."""
    if display(student) != student or display(file) != file:
        raise Refused("refused: the file or folder name is not valid UTF-8")
    fds = []
    try:
        # the folder itself is the instructor's choice (it may be reached through a link); below it, nothing is
        fds.append(os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)))
        for part, flags in ((student, _DIR), (file, _FLAGS)):
            info = os.stat(part, dir_fd=fds[-1], follow_symlinks=False)
            what = _kind(info.st_mode)
            if part == student and what == "a folder":
                what = None
            if what is not None:
                where = "the student's folder" if part == student else "the notebook"
                raise Refused(f"refused: {where} is {what}, not read")
            try:
                fds.append(os.open(part, flags, dir_fd=fds[-1]))
            except OSError as err:  # ELOOP: replaced by a link since
                raise Refused(f"refused: {part!r} could not be opened safely ({err.strerror})") from None
        info = os.fstat(fds[-1])
        what = _kind(info.st_mode)
        if what is not None:
            raise Refused(f"refused: the notebook is {what}, not read")
        if info.st_nlink > 1:
            raise Refused("refused: the notebook is a hard link (a file with other names, perhaps outside "
                          "the submissions), not read")
        if info.st_size > limit:
            raise Refused(f"refused: the notebook is larger than {limit // 1024 ** 2} MB")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fds[-1], 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise Refused(f"refused: the notebook is larger than {limit // 1024 ** 2} MB")
        return b"".join(chunks)
    except FileNotFoundError:
        raise Refused("refused: the notebook disappeared") from None
    finally:
        for fd in reversed(fds):
            os.close(fd)
