"""Compare a notebook's stored glue records with freshly computed ones (no MyST-NB import).

Used by the repository's ``conftest.py`` during the nbval run and by the tests: a glued
number that differs from the stored notebook would be published stale by the book build.
"""


def glue_records(outputs, mime: str = "text/plain") -> dict[str, str]:
    """``{name: content}`` of the glue records in a cell's outputs (stored or freshly executed).

    MyST-NB stores each glued value as a ``display_data`` output whose metadata names it
    (``scrapbook.name``) and whose MIME types carry a prefix; by default the content is the
    ``text/plain`` form, the one ``{glue:text}`` prints (``mime="image/png"`` gives glued figures;
    records without that type are left out).
    """
    records = {}
    for out in outputs:
        meta = (out.get("metadata") or {}).get("scrapbook")
        if not meta or "name" not in meta:
            continue
        prefix = meta.get("mime_prefix", "")
        data = out.get("data") or {}
        content = data.get(prefix + mime, data.get(mime))
        if content is None:
            if mime != "text/plain":
                continue
            content = ""
        records[meta["name"]] = "".join(content) if isinstance(content, list) else content
    return records


def glue_differences(stored: dict[str, str], fresh: dict[str, str]) -> list[str]:
    """Human-readable differences between stored and freshly computed glue records."""
    problems = []
    for name in sorted(stored.keys() | fresh.keys()):
        if name not in fresh:
            problems.append(f"glue '{name}': stored {stored[name]} but no longer glued")
        elif name not in stored:
            problems.append(f"glue '{name}': now {fresh[name]} but not in the stored outputs")
        elif stored[name] != fresh[name]:
            problems.append(f"glue '{name}': stored {stored[name]}, now {fresh[name]}")
    return problems


__all__ = ["glue_records", "glue_differences"]
