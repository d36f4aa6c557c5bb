"""Deprecated path, kept for one release: the comparison of glue records is :mod:`alliances.publish.stale_glue`
(see CHANGELOG.md, "Unreleased")."""

from .publish.stale_glue import glue_differences, glue_records  # noqa: F401

__all__ = ["glue_records", "glue_differences"]
