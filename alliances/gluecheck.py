"""Deprecated path, kept for one release: the glue check is :mod:`alliances.publish.gluecheck`
(see CHANGELOG.md, "Unreleased")."""

from .publish.gluecheck import glue_differences, glue_records  # noqa: F401

__all__ = ["glue_records", "glue_differences"]
