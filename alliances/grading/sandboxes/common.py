"""What every sandbox shares: the engines, and what a sandbox sees of this machine (``view``)."""

from __future__ import annotations

import sys
from pathlib import Path

ENGINES = ("bubblewrap", "podman", "docker")  # tried in this order by find_sandbox("auto")

PROGRAM = {"bubblewrap": "bwrap", "podman": "podman", "docker": "docker"}

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/ld.so.cache", "/etc/ld.so.conf",
          "/etc/ld.so.conf.d", "/etc/fonts", "/etc/localtime", "/etc/alternatives")  # visible, read-only


def view(hide) -> tuple[set[Path], list[Path]]:
    """What a sandbox sees of this machine besides ``SYSTEM``, read-only: (binds, masks).

    The binds are this Python installation, this package and its data; the masks are the folders
    of ``hide`` (sources, keys, other submissions, the grader's) that lie inside a bind, shown as
    empty read-only folders instead.
    """
    import alliances
    from ...data import data_dir
    package, data = Path(alliances.__file__).resolve().parent, data_dir().resolve()
    binds = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), package, data,
             Path(sys.executable).resolve().parent.parent}
    masks = [h.resolve() for h in hide if any(h.resolve().is_relative_to(b) for b in binds)]
    return binds, masks
