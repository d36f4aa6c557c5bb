"""Put the version and the data vintage in every page's footer.

The version is ``alliances.__version__`` (one version for text, data and package: CHANGELOG.md);
the vintage is the last year each data file covers, read from the titles of the resources in
``data/datapackage.json`` (each ends with its years, e.g. "..., 1816-2022"), so the footer cannot
drift from the data the book was built with.
"""

import json
import re
from pathlib import Path

_YEARS = re.compile(r"(\d{4})[-–](\d{4})")


def vintage(package: Path | None = None) -> str:
    """'alliances to 2025, nmc to 2022, ...': the last year of each resource whose title gives years.

    The package is the one the notebooks load (``alliances.data.data_dir()``), also when the book is
    built from a copy of its sources (the student web book).
    """
    from alliances import data

    package = package or data.data_dir() / "datapackage.json"
    resources = json.loads(package.read_text(encoding="utf-8"))["resources"]
    last = [(r["name"], m[-1][1]) for r in resources if (m := _YEARS.findall(r.get("title", "")))]
    return ", ".join(f"{name} to {year}" for name, year in last)


def _footer(app, config):
    import alliances

    options = dict(config.html_theme_options or {})
    changelog = f'{options.get("repository_url", "")}/blob/{options.get("repository_branch", "main")}/CHANGELOG.md'
    note = (f'<p>Version {alliances.__version__} (<a href="{changelog}">changelog</a>). '
            f'Data vintage: {vintage()}.</p>')
    options["extra_footer"] = (options.get("extra_footer") or "") + note
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
