"""Sphinx side of the notebook edition (the conversion itself is ``alliances/publish/notebooks.py``).

1. Exercises are numbered per chapter, "Exercise 5.2", the same in the web book and in the
   notebooks: a chapter's number is its position in the table of contents (after the landing
   page), the second number counts the exercises in that page.
2. After an HTML build, every chapter notebook is converted with the facts the build resolved
   (titles, numbers, glossary anchors, citations) and the glued values of the executed
   notebook, into ``<outdir>/notebooks/student/`` and ``<outdir>/notebooks/self-study/``, with
   the source paths (``book/<chapter>.ipynb``). The download button, the JupyterLite site, the
   ``notebooks`` branch (Colab, Binder) and ``make lab`` use these files.
3. Each chapter is executed once more with its check calls recorded (``check_specs``), so that
   the check cells of the edition hold no formula of the answer. The records are cached in
   ``<outdir>/../.check-records`` under a key of the chapter's code, the library's modules
   (``alliances/*.py``, ``alliances/research/*.py``) and the data (``cache.data_fingerprint``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from .. import check_specs, notebooks
from ..stale_glue import glue_records


def toc_order(env) -> list[str]:
    """Documents in table-of-contents order, the landing page first."""
    order = []

    def walk(doc):
        if doc in order:
            return
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return order


def chapter_numbers(env) -> dict[str, int]:
    return {doc: i for i, doc in enumerate(toc_order(env)) if i > 0}


def renumber_exercises(app, env):
    """Exercise numbers per chapter: (chapter, k), k in the page's order. Idempotent."""
    chapters = chapter_numbers(env)
    for doc, kinds in env.toc_fignumbers.items():
        exercises = kinds.get("exercise")
        if exercises and doc in chapters:
            ordered = sorted(exercises, key=lambda label: exercises[label])
            kinds["exercise"] = {label: (chapters[doc], k) for k, label in enumerate(ordered, 1)}
    return []


def base_url(config) -> str:
    """The published web book: ``html_baseurl`` if set, else GitHub Pages of ``repository.url``."""
    if config.html_baseurl:
        return config.html_baseurl.rstrip("/") + "/"
    repo = (config.html_theme_options.get("repository_url") or "").removeprefix("https://github.com/").strip("/")
    owner, _, name = repo.partition("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def collect_book(app) -> notebooks.Book:
    env = app.env
    book = notebooks.Book(base_url=base_url(app.config))
    book.titles = {doc: title.astext() for doc, title in env.titles.items()}
    std = env.domaindata["std"]
    book.labels = {label: tuple(value) for label, value in std["labels"].items()}
    for (kind, name), (doc, anchor) in std["objects"].items():
        if kind == "term":
            book.terms[name.lower()] = book.url(doc, anchor)
    for doc, kinds in env.toc_fignumbers.items():
        for numbers in kinds.values():
            for label, number in numbers.items():
                book.numbers[label] = ".".join(map(str, number))
    from pybtex.richtext import Text  # noqa: F401 (pybtex comes with sphinxcontrib-bibtex)

    for citation in env.domaindata["cite"]["citations"]:
        entry = citation.entry
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [" ".join(p.last_names) or " ".join(p.first_names) for p in people]
        names = [n.replace("{", "").replace("}", "") for n in names]
        author = (names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2
                  else f"{names[0]} et al." if names else entry.fields.get("organization", citation.key))
        year = entry.fields.get("year", "n.d.")
        text = citation.formatted_entry.text.render_as("markdown").replace("\n", " ")
        book.citations[citation.key] = notebooks.Citation(
            label=f"{author} {year}", author=author, year=year,
            url=book.url(citation.bibliography_key.docname, citation.citation_id), entry=text)
    return book


def glued(executed, glue_json: Path) -> tuple[dict, dict]:
    """Glued values: MyST-NB's ``<doc>.glue.json`` beside the executed copy, else the notebook's records."""
    if glue_json.is_file():
        import json

        bundles = {name: out.get("data", {}) for name, out in json.loads(glue_json.read_text(encoding="utf-8")).items()}
        return ({n: d["text/plain"] for n, d in bundles.items() if "text/plain" in d},
                {n: d["image/png"] for n, d in bundles.items() if "image/png" in d})
    outputs = [out for cell in executed.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]
    return glue_records(outputs), glue_records(outputs, "image/png")


def check_records(nb, source: Path, cache_dir: Path, data_dir: Path) -> dict:
    """The recorded check calls of a chapter (``check_specs.record``), from the cache if current.

    The test run fills the cache while nbval executes the chapter (``alliances.publish.nbval_records``),
    so the book build of the same run executes nothing again.
    """
    path = check_specs.cache_path(nb, source.stem, cache_dir, data_dir)
    records = check_specs.cached(path)
    if records is None:
        records = check_specs.record(nb, source.parent)
        check_specs.store(path, records)
    return records


def write_edition(app, exception):
    if exception is not None or app.builder.format != "html" or not app.config.notebook_edition:
        return
    book = collect_book(app)
    chapters = chapter_numbers(app.env)
    out = Path(app.outdir) / "notebooks"
    shutil.rmtree(out, ignore_errors=True)
    executed_dir = Path(app.outdir).parent / "jupyter_execute"
    written = 0
    for doc in toc_order(app.env):
        source = Path(app.srcdir) / f"{doc}.ipynb"
        if not source.is_file():
            continue
        nb = nbformat.read(source, as_version=4)
        executed_path = executed_dir / f"{doc}.ipynb"
        executed = nbformat.read(executed_path, as_version=4) if executed_path.is_file() else nb
        book.glue, book.glue_images = glued(executed, executed_dir / f"{doc}.glue.json")
        book.docname, book.chapter = doc, str(chapters.get(doc, ""))
        records = check_records(nb, source, Path(app.outdir).parent / ".check-records", Path(app.srcdir) / "data") \
            if check_specs.check_cells(nb) else None
        for form in notebooks.FORMS:
            result = notebooks.convert(nb, book, form, executed=executed, check_records=records)
            target = out / form / f"{doc}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(result, target)
            written += 1
        images = source.parent / "images"
        for form in notebooks.FORMS:
            if images.is_dir() and not (out / form / Path(doc).parent / "images").exists():
                shutil.copytree(images, out / form / Path(doc).parent / "images")
    app.notebook_edition_count = written


def setup(app):
    app.add_config_value("notebook_edition", True, "env")
    app.add_config_value("notebook_edition_branch", "notebooks", "html")
    app.connect("env-get-updated", renumber_exercises, priority=900)
    app.connect("build-finished", write_edition)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
