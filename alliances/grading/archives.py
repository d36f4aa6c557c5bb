"""Read an LMS export (a zip or tar file, or a folder) as untrusted input, without extracting it.

``members(path)`` lists every file of the export as :class:`Member` (its path inside the export,
its bytes if it is a notebook, or why it was refused). Nothing is written anywhere and the export is
never modified: members are read from the archive into memory, one bounded read each, and only the
notebooks are kept. Refused, with the reason (each a mapping row; the student's submission then
scores 0 with it):

- a symbolic or hard link, a device, a FIFO, anything not a plain file (zip: the Unix mode in the
  external attributes; tar: ``tarfile.data_filter`` plus no links at all; a folder: ``lstat``);
- an absolute path, a drive letter, or a path with ``..`` (it would climb out of the archive);
- an encrypted member;
- a member larger than ``MAX_FILE`` bytes (declared or actually read), or compressed more than
  ``MAX_RATIO`` to 1 (a zip bomb), or read beyond ``MAX_NESTED`` bytes for an archive inside the
  export (so one student's zip cannot use up the budget of the others) or ``MAX_TOTAL`` bytes for
  the whole export;
- an archive inside an archive deeper than ``MAX_DEPTH`` (a student's zip in the LMS zip is depth 2),
  with more than ``MAX_FILES`` members, or a tar whose members' declared sizes add up to more than
  its budget (stepping over a member of a compressed tar decompresses it).

A top-level export that cannot be opened or has too many members raises :class:`ArchiveRefused`.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_FILES = 5000                # members of one archive
MAX_FILE = 50 * 1024 ** 2       # bytes of one member (a notebook with figures is a few MB)
MAX_TOTAL = 1024 ** 3           # bytes read from one export, nested archives included
MAX_NESTED = 2 * MAX_FILE       # bytes read from one archive inside the export (a student's zip)
MAX_RATIO = 100                 # uncompressed / compressed size of a member over 1 MB
MAX_DEPTH = 2                   # the export, and archives inside it
NOTEBOOK = ".ipynb"
ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


class ArchiveRefused(ValueError):
    """The export itself cannot be read safely."""


@dataclass
class Member:
    path: tuple          # names from the export down (a nested archive adds its members' names)
    data: bytes | None   # the bytes of a notebook, else None
    refused: str | None  # why it was not read, else None
    date: tuple | None = None  # (year, month, day, hour, minute, second) the archive records, if any


def _is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVES)


def _unsafe_name(name: str) -> str | None:
    """Why a member name is unsafe (absolute, drive letter, ``..``), or None."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "refused: an absolute path"
    if ".." in parts:
        return "refused: a path that climbs out of the archive (..)"
    if "\x00" in name:
        return "refused: a NUL byte in the name"
    return None


def _size(n: int) -> str:
    return f"{n // 1024 ** 2} MB" if n >= 1024 ** 2 else f"{n:,} bytes"


class _Budget:
    """Bytes left to read: ``cap`` for this archive, and what its parents have left."""

    def __init__(self, cap: int = MAX_TOTAL, parent: "_Budget | None" = None):
        self.cap, self.parent, self.read = cap, parent, 0

    def left(self) -> int:
        mine = self.cap - self.read
        return mine if self.parent is None else min(mine, self.parent.left())

    def add(self, n: int) -> None:
        self.read += n
        if self.parent is not None:
            self.parent.add(n)

    def take(self, stream, declared: int) -> bytes | str:
        """Read at most MAX_FILE bytes and what is left of the budget; the reason if more."""
        cap = min(MAX_FILE, self.left())
        if declared > cap:
            return (f"refused: {declared:,} bytes uncompressed (over {MAX_FILE // 1024 ** 2} MB)" if declared > MAX_FILE
                    else self.over())
        data = stream.read(cap + 1)
        self.add(len(data))
        if len(data) > cap:
            return (f"refused: more than {cap:,} bytes uncompressed (the archive lies about its size)"
                    if cap == MAX_FILE else self.over())
        return data

    def over(self) -> str:
        if self.parent is not None and self.cap - self.read <= self.parent.left():
            return f"refused: an archive inside the export holds over {_size(self.cap)}"
        return f"refused: the export holds over {MAX_TOTAL // 1024 ** 3} GB"


def _wanted(name: str) -> bool:
    return name.lower().endswith(NOTEBOOK) or _is_archive(name)


def _zip(stream, prefix: tuple, depth: int, budget: _Budget) -> list[Member]:
    found = []
    with zipfile.ZipFile(stream) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_FILES:
            raise ArchiveRefused(f"more than {MAX_FILES} files in one archive")
        for info in infos:
            name = info.filename
            if info.is_dir():
                continue
            path = prefix + tuple(p for p in name.replace("\\", "/").split("/") if p)
            mode = info.external_attr >> 16  # Unix mode, if the zip was made on Unix; no type bits: a file
            why = _unsafe_name(name)
            if why is None and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
                why = "refused: a symbolic link" if stat.S_ISLNK(mode) else "refused: not a plain file (device, FIFO)"
            if why is None and info.flag_bits & 0x1:
                why = "refused: encrypted"
            if why is None and info.file_size > 1024 ** 2 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                why = (f"refused: compressed {info.file_size // max(info.compress_size, 1):,} to 1 "
                       f"(over {MAX_RATIO} to 1: a zip bomb?)")
            if why is not None or not _wanted(name):
                found.append(Member(path, None, why, tuple(info.date_time)))
                continue
            try:
                with archive.open(info) as f:
                    data = budget.take(f, info.file_size)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as err:
                data = f"refused: could not be read ({err})"
            found += _member(path, data, tuple(info.date_time), depth, budget)
    return found


def _tar(stream, prefix: tuple, depth: int, budget: _Budget) -> list[Member]:
    found, declared = [], 0
    with tarfile.open(fileobj=stream, mode="r:*") as archive:
        count = 0
        for info in archive:
            count += 1
            if count > MAX_FILES:
                raise ArchiveRefused(f"more than {MAX_FILES} files in one archive")
            declared += max(info.size, 0)  # a compressed tar is decompressed to step over a member: bound that work
            if declared > budget.cap:
                raise ArchiveRefused(f"it unpacks to more than {_size(budget.cap)}")
            if info.isdir():
                continue
            path = prefix + tuple(p for p in info.name.split("/") if p)
            why = _unsafe_name(info.name)
            if why is None:
                try:
                    tarfile.data_filter(info, "/nonexistent-destination")
                except tarfile.FilterError as err:
                    why = f"refused: {err}"
            if why is None and not info.isreg():
                why = ("refused: a symbolic link" if info.issym() else "refused: a hard link" if info.islnk()
                       else "refused: not a plain file (device, FIFO)")
            if why is not None or not _wanted(info.name):
                found.append(Member(path, None, why))
                continue
            data = budget.take(archive.extractfile(info), info.size)
            found += _member(path, data, None, depth, budget)
    return found


def _member(path, data, date, depth, budget) -> list[Member]:
    if isinstance(data, str):
        return [Member(path, None, data, date)]
    if not _is_archive(path[-1]):
        return [Member(path, data, None, date)]
    if depth + 1 > MAX_DEPTH:
        return [Member(path, None, f"refused: an archive nested deeper than {MAX_DEPTH} levels", date)]
    try:
        inner = _open(io.BytesIO(data), path[-1], path, depth + 1, _Budget(MAX_NESTED, budget))
    except ArchiveRefused as err:
        return [Member(path, None, f"refused: {err}", date)]
    return inner or [Member(path, None, "refused: an archive without files", date)]


def _open(stream, name: str, prefix: tuple, depth: int, budget: _Budget) -> list[Member]:
    try:
        if name.lower().endswith(".zip"):
            return _zip(stream, prefix, depth, budget)
        return _tar(stream, prefix, depth, budget)
    except ArchiveRefused:
        raise
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, ValueError, RuntimeError) as err:
        raise ArchiveRefused(f"not a readable archive ({type(err).__name__}: {err})") from None


def _folder(root: Path, budget: _Budget) -> list[Member]:
    from .untrusted import Refused, _kind, display
    found, count = [], 0
    for dirpath, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]:
            count += 1
            if count > MAX_FILES:
                raise ArchiveRefused(f"more than {MAX_FILES} files in the folder")
            rel = Path(dirpath, name).relative_to(root)
            path = tuple(display(p) for p in rel.parts)
            what = _kind(os.lstat(Path(dirpath, name)).st_mode)
            if what is not None:
                found.append(Member(path, None, f"refused: {what}"))
                continue
            if not _wanted(name):
                found.append(Member(path, None, None))
                continue
            try:
                data = _read_plain(Path(dirpath), name)
            except Refused as err:
                found.append(Member(path, None, str(err)))
                continue
            budget.add(len(data))
            if budget.read > MAX_TOTAL:
                found.append(Member(path, None, f"refused: the export holds over {MAX_TOTAL // 1024 ** 3} GB"))
                continue
            found += _member(path, data, None, 1, budget)
    return found


def _read_plain(folder: Path, name: str) -> bytes:
    """A plain file's bytes, never through a link (``untrusted.read`` on one level)."""
    from .untrusted import read
    return read(folder.parent, folder.name, name, MAX_FILE)


def members(export) -> list[Member]:
    """Every file of ``export`` (a .zip, .tar(.gz) or a folder), notebooks read, the rest refused or listed."""
    path, budget = Path(export).resolve(), _Budget()  # the path is the instructor's; what is inside is not
    if path.is_dir():
        return _folder(path, budget)
    if not path.is_file():
        raise FileNotFoundError(f"There is no LMS export {path} (a .zip file or a folder).")
    if not _is_archive(path.name):
        raise ArchiveRefused(f"{path.name} is not a .zip or .tar file")
    with open(path, "rb") as f:
        return _open(f, path.name, (), 1, budget)


def posix(path: tuple) -> str:
    """A member's path as text (``a/b.zip/c.ipynb``)."""
    return str(PurePosixPath(*path)) if path else ""
