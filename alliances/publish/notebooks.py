"""The notebook edition: what a student sees when a chapter opens as a plain notebook.

The one place that decides it. From a chapter's source notebook (MyST markdown cells,
sphinx-exercise exercises, gated solutions, glue) and facts resolved by the web book's
Sphinx build (:class:`Book`: titles, exercise and figure numbers, glossary anchors,
citations, glued values), :func:`convert` makes a notebook that reads right in any Jupyter
front end with no extension (JupyterLab, Notebook 7, Colab, VS Code, JupyterLite):

- ``{glue:text}`` (and ``{glue}``) become the glued value from the executed notebook, with
  MyST-NB's formatting (``name:.1f``);
- ``{cite}``/``{cite:p}`` become "(Author Year)", ``{cite:t}`` "Author (Year)", linked to the
  web bibliography, and a "References" cell ends the chapter; ``{term}``, ``{doc}``, ``{ref}``
  and ``{numref}`` become links to the web book;
- ``{exercise}`` becomes "### Exercise 5.2: Title" (numbered as in the web book); dropdown
  admonitions (hints) become ``<details>``; other admonitions a block quote; ``(label)=``
  targets and MyST comments are dropped;
- form ``student``: every solution removed (as ``solutions.remove_solutions`` does for the
  student web book); ``self-study``: each solution kept as non-executable code
  in a collapsed ``<details>`` "Solution" (a hidden *executable* solution would overwrite the
  student's answer on "Run all");
- check cells and the Colab set-up cell are kept with their input hidden
  (``jupyter.source_hidden`` for JupyterLab, ``cellView: form`` + ``@title`` for Colab); the
  outputs of answer and check cells are cleared, so a check shows "not answered yet" when run.

Anything the converter does not know (a new role or directive) raises :class:`EditionError`.
The Sphinx side (collecting :class:`Book` from the build) is ``sphinx/notebook_edition.py``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import check_specs
from .solutions import (EditionError, is_check, is_solution_end, is_solution_start, solution_spans,
                        text_after_end, without_directives)

FORMS = ("student", "self-study")

# MyST constructs the converter handles (tests/publish/test_notebooks.py checks book/ uses no others).
ROLES = {"glue", "glue:text", "glue:", "cite", "cite:p", "cite:t", "cite:ps", "cite:ts", "term", "doc", "ref",
         "numref", "math", "sub", "sup"}
DIRECTIVES = {"exercise", "admonition", "note", "important", "tip", "warning", "caution", "attention", "hint",
              "seealso", "danger", "error", "figure", "glue:figure", "solution", "solution-start",
              "solution-end", "epigraph"}
CODE_TAGS = {"remove-input", "remove-cell", "hide-input", "remove-output", "hide-output"}

ROLE_RE = re.compile(r"\{([A-Za-z][\w:+-]*)\}`([^`]*)`")
FENCE_RE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[^}]+)\}[ \t]*(?P<arg>.*)$")
TARGET_RE = re.compile(r"^\([\w.:-]+\)=[ \t]*$")
# What must never remain in a generated markdown cell (tests use it too).
MYST_LEFTOVER_RE = re.compile(r"\{[A-Za-z][\w:+-]*\}`|^(?:`{3,}|:{3,})\{|^\([\w.:-]+\)=\s*$|^:(?:label|class|name|alt):",
                              re.M)


@dataclass
class Citation:
    label: str  # "Kaplan 2007"
    author: str  # "Kaplan"
    year: str
    url: str  # the entry in the web bibliography
    entry: str  # the formatted reference (markdown)


@dataclass
class Book:
    """Facts about the book that the web build resolved, for one edition run."""

    base_url: str  # the web book's root, ending in "/"
    titles: dict[str, str] = field(default_factory=dict)  # docname -> title
    labels: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # label -> (docname, anchor, text)
    numbers: dict[str, str] = field(default_factory=dict)  # exercise/figure label -> "5.2"
    terms: dict[str, str] = field(default_factory=dict)  # lower-case term -> URL
    citations: dict[str, Citation] = field(default_factory=dict)
    glue: dict[str, str] = field(default_factory=dict)  # glue name -> text/plain (this chapter)
    glue_images: dict[str, str] = field(default_factory=dict)  # glue name -> base64 PNG (this chapter)
    docname: str = ""  # the chapter being converted, e.g. "book/nato-structure-and-purpose"
    chapter: str = ""  # its number in the table of contents, e.g. "5"

    def url(self, docname: str, anchor: str = "") -> str:
        return f"{self.base_url}{docname}.html" + (f"#{anchor}" if anchor else "")


# ---------------------------------------------------------------- markdown


def _link(text: str, url: str) -> str:
    return f"[{text}]({url})"


def _split_target(content: str) -> tuple[str | None, str]:
    """``text <target>`` -> (text, target); ``target`` -> (None, target)."""
    match = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", content.strip())
    text, target = (match.group(1).strip(), match.group(2)) if match else (None, content)
    return text, " ".join(target.split())


def _glue_text(content: str, book: Book) -> str:
    name, _, spec = content.strip().partition(":")
    if name not in book.glue:
        raise EditionError(f"{book.docname}: no glued value named {name!r}")
    from ast import literal_eval

    text = book.glue[name]
    try:
        value = literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if not spec:
        return str(value)
    kind = spec[-1]
    if kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    elif kind == "s":
        value = str(value)
    return format(value, spec)


def _cite(role: str, content: str, book: Book, cited: list[str]) -> str:
    parts = []
    for key in (k.strip() for k in content.split(",")):
        if key not in book.citations:
            raise EditionError(f"{book.docname}: unknown citation {key!r}")
        if key not in cited:
            cited.append(key)
        c = book.citations[key]
        parts.append(_link(f"{c.author} ({c.year})", c.url) if role.startswith("cite:t") else _link(c.label, c.url))
    return "; ".join(parts) if role.startswith("cite:t") else "(" + "; ".join(parts) + ")"


def _doc_target(target: str, book: Book) -> str:
    base = str(Path(book.docname).parent)
    name = target.removesuffix(".md").removesuffix(".ipynb")
    doc = name.lstrip("/") if name.startswith("/") else str(Path(base, name)) if base != "." else name
    parts = []
    for part in doc.split("/"):  # resolve ../
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    doc = "/".join(parts)
    if doc not in book.titles:
        raise EditionError(f"{book.docname}: {{doc}} to an unknown page {target!r}")
    return doc


def render_role(role: str, content: str, book: Book, cited: list[str]) -> str:
    """Markdown for one MyST role."""
    if role in ("glue", "glue:text", "glue:"):
        return _glue_text(content, book)
    if role.startswith("cite"):
        return _cite(role, content, book, cited)
    text, target = _split_target(content)
    if role == "term":
        key = target.lower()
        if key not in book.terms:
            raise EditionError(f"{book.docname}: {{term}} {target!r} is not in the glossary")
        return _link(text or target, book.terms[key])
    if role == "doc":
        doc = _doc_target(target, book)
        return _link(text or book.titles[doc], book.url(doc))
    if role in ("ref", "numref"):
        if target not in book.labels:
            raise EditionError(f"{book.docname}: {{{role}}} to an unknown label {target!r}")
        doc, anchor, title = book.labels[target]
        if role == "numref":
            number = book.numbers.get(target)
            if number is None:
                raise EditionError(f"{book.docname}: {{numref}} {target!r} has no number")
            shown = (text or "Fig. %s").replace("%s", number).replace("{number}", number)
        else:
            shown = text or title
        return _link(shown, book.url(doc, anchor))
    if role == "math":
        return f"${content}$"
    if role in ("sub", "sup"):
        return f"<{role}>{content}</{role}>"
    raise EditionError(f"{book.docname}: MyST role {{{role}}} is not handled by the notebook edition")


def _parse_directive(lines: list[str], start: int):
    """Parse the directive opening at ``lines[start]``: (name, argument, options, body lines, next index)."""
    match = FENCE_RE.match(lines[start])
    fence, name, arg = match.group("fence"), match.group("name").strip(), match.group("arg").strip()
    options, body, i = {}, [], start + 1
    while i < len(lines) and (m := re.match(r"^:([\w-]+):\s*(.*)$", lines[i])):
        options[m.group(1)] = m.group(2).strip()
        i += 1
    depth = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^(`{3,}|:{3,})\{", line) and line.startswith(fence[0]):
            depth += 1
        elif re.fullmatch(re.escape(fence[0]) + "{%d,}[ \t]*" % len(fence), line):
            if depth == 0:
                return name, arg, options, body, i + 1
            depth -= 1
        body.append(line)
        i += 1
    raise EditionError(f"the {{{name}}} directive is not closed")


def _details(summary: str, body: str) -> str:
    # <details> on its own lines, a blank line after </summary> (JupyterLab renders it right)
    return f"<details>\n<summary>{summary}</summary>\n\n{body.strip()}\n\n</details>"


def _quote(title: str, body: str) -> str:
    text = f"**{title}**\n\n{body.strip()}" if body.strip() else f"**{title}**"
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines())


def render_directive(name, arg, options, body: str, book: Book, form: str, cited: list[str]) -> str:
    """Markdown for one MyST directive (its body already converted)."""
    dropdown = "dropdown" in options.get("class", "").split()
    if name == "exercise":
        label = options.get("label")
        number = book.numbers.get(label) if label else None
        if number is None:
            raise EditionError(f"{book.docname}: exercise {arg!r} has no label with a number in the web book")
        heading = f"### Exercise {number}" + (f": {arg}" if arg else "")
        return f"{heading}\n\n{body.strip()}".strip()
    if name in ("admonition",) or name in DIRECTIVES - {"exercise", "figure", "glue:figure", "solution",
                                                         "solution-start", "solution-end", "epigraph"}:
        title = arg if name == "admonition" else (arg or name.capitalize().replace("Seealso", "See also"))
        return _details(title, body) if dropdown else _quote(title, body)
    if name == "epigraph":
        return "\n".join(f"> {line}".rstrip() for line in body.strip().splitlines())
    if name in ("figure", "glue:figure"):
        label = options.get("name", "")
        alt = options.get("alt", "") or body.strip().splitlines()[0] if body.strip() else options.get("alt", "")
        number = book.numbers.get(label)
        caption = f"**Fig. {number}.** {body.strip()}" if number else body.strip()
        if name == "figure":
            image = f"![{alt}]({arg})"
        else:
            if arg not in book.glue_images:
                raise EditionError(f"{book.docname}: no glued figure named {arg!r}")
            image = f'<img src="data:image/png;base64,{book.glue_images[arg]}" alt="{alt}">'
        return f"{image}\n\n{caption}".strip()
    if name == "solution":
        return "" if form == "student" else _details("Solution", body)
    raise EditionError(f"{book.docname}: MyST directive {{{name}}} is not handled by the notebook edition")


ORDERED_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<number>\d{1,9})[.)][ \t]")


def list_lookalikes(text: str) -> list[int]:
    """Indices of the lines that start like an ordered-list item but continue a paragraph.

    A line wrapped before "2022. The ..." reads as a list item in JupyterLab (marked.js lets any
    number start a list inside a paragraph; CommonMark only 1). A line is a real item if it is the
    first line of a block, if its number is 1, or if an item numbered one less precedes it at the
    same indentation; lines in fenced code are never touched.
    """
    lines, found, fence, blank = text.split("\n"), [], None, True
    seen: set[tuple[str, int]] = set()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            blank = False
            continue
        if stripped.startswith(("```", "~~~")):
            fence, blank = stripped[:3], False
            continue
        match = ORDERED_RE.match(line)
        if match:
            key, number = match.group("indent"), int(match.group("number"))
            if not blank and number != 1 and (key, number - 1) not in seen:
                found.append(i)
            else:
                seen.add((key, number))
        blank = not stripped
    return found


def join_list_lookalikes(text: str) -> str:
    """``text`` with each :func:`list_lookalikes` line joined to the line before it."""
    lines = text.split("\n")
    for i in reversed(list_lookalikes(text)):
        lines[i - 1] = f"{lines[i - 1].rstrip()} {lines[i].strip()}"
        del lines[i]
    return "\n".join(lines)


def convert_markdown(source: str, book: Book, form: str = "student", cited: list[str] | None = None) -> str:
    """One markdown cell's source with every MyST construct rendered as plain (Jupyter) markdown."""
    cited = [] if cited is None else cited
    lines, out, i = source.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        if TARGET_RE.match(line) or re.match(r"^%( |$)", line):
            i += 1
            continue
        if FENCE_RE.match(line):
            name, arg, options, body, i = _parse_directive(lines, i)
            if name not in DIRECTIVES:
                raise EditionError(f"{book.docname}: MyST directive {{{name}}} is not handled by the notebook edition")
            inner = convert_markdown("\n".join(body), book, form, cited)
            arg = ROLE_RE.sub(lambda m: render_role(m.group(1), m.group(2), book, cited), arg)
            out.append(render_directive(name, arg, options, inner, book, form, cited))
            continue
        out.append(line)
        i += 1
    text = "\n".join(out)
    text = ROLE_RE.sub(lambda m: render_role(m.group(1), m.group(2), book, cited), text)
    return join_list_lookalikes(re.sub(r"\n{3,}", "\n\n", text).strip("\n"))


# ---------------------------------------------------------------- cells


def _hide_input(cell, title: str) -> None:
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    cell.metadata["cellView"] = "form"  # Colab: show the @title, hide the code
    if "@title" not in cell.source.split("\n", 1)[0]:
        cell.source = f"# @title {title}\n{cell.source}"


def _clean_code(cell, *, clear: bool) -> None:
    cell.source = "\n".join(line for line in cell.source.splitlines() if not line.strip().startswith("# NBVAL_"))
    if clear:
        cell.outputs, cell.execution_count = [], None
        return
    outputs = []
    for out in cell.get("outputs", []):
        if "data" in out:
            data = {k: v for k, v in out["data"].items()
                    if not k.startswith("application/papermill.record/") and "jupyter.widget" not in k}
            if not data:
                continue
            out = copy.deepcopy(out)
            out["data"] = data
            out.get("metadata", {}).pop("scrapbook", None)
        outputs.append(out)
    cell.outputs = outputs


def _solution_markdown(cells, book: Book, cited: list[str]) -> str:
    """The self-study rendering of one solution: its code fenced (not executable) and its prose."""
    parts = []
    for cell in cells:
        if cell.cell_type == "code":
            code = "\n".join(l for l in cell.source.splitlines() if not l.strip().startswith("# NBVAL_"))
            parts.append(f"```python\n{code}\n```")
        elif is_solution_start(cell) or is_solution_end(cell):
            text = without_directives(cell.source)
            if text.strip():
                parts.append(convert_markdown(text, book, "self-study", cited))
        else:
            parts.append(convert_markdown(cell.source, book, "self-study", cited))
    return _details("Solution", "\n\n".join(p for p in parts if p.strip()))


def convert(nb, book: Book, form: str = "student", executed=None, check_records=None) -> nbformat.NotebookNode:
    """The notebook edition of one chapter (a new notebook; ``nb`` is not changed).

    ``executed``: the executed copy the web book used; its outputs replace the stored ones
    (matched by cell id) so the notebook shows what the web book shows. ``check_records``: the
    chapter's recorded check calls (``check_specs.record``); with them each check cell becomes
    ``checks.check_exercise(...)`` without the formula of the answer (``check_specs``).
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}")
    nb = copy.deepcopy(nb)
    if executed is not None:
        outputs = {c.get("id"): c.get("outputs", []) for c in executed.cells if c.cell_type == "code"}
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.get("id") in outputs:
                cell.outputs = copy.deepcopy(outputs[cell.get("id")])
    if check_records is not None:
        check_specs.rewrite(nb, check_records)
    spans = solution_spans(nb)
    starts = {first: last for first, last in spans}
    after_solution = {last + 1 for _, last in spans}
    cited: list[str] = []
    cells, i = [], 0
    while i < len(nb.cells):
        cell = nb.cells[i]
        if i in starts:
            if form == "self-study":
                new = nbformat.v4.new_markdown_cell(_solution_markdown(nb.cells[i:starts[i] + 1], book, cited))
                new["id"] = f"{cell.get('id', i)}-solution"
                cells.append(new)
            else:  # keep text after {solution-end} in the closing cell
                rest = text_after_end(nb.cells[starts[i]].source)
                if rest.strip():
                    closing = copy.deepcopy(nb.cells[starts[i]])
                    closing.source = convert_markdown(rest, book, form, cited)
                    cells.append(closing)
            i = starts[i] + 1
            continue
        if cell.cell_type == "markdown":
            cell.source = convert_markdown(cell.source, book, form, cited)
            if cell.source.strip():
                cells.append(cell)
        elif cell.cell_type == "code":
            tags = set(cell.metadata.get("tags", []))
            unknown = {t for t in tags if t.startswith(("remove", "hide"))} - CODE_TAGS
            if unknown:
                raise EditionError(f"{book.docname}: cell tags {sorted(unknown)} are not handled")
            answer = re.match(r"^answer_\w+\s*=\s*\.\.\.", cell.source) is not None
            check = i in after_solution and is_check(cell)
            _clean_code(cell, clear=answer or check or bool(tags & {"remove-output"}))
            if check:
                _hide_input(cell, "Check your answer (run this cell)")
            elif cell.get("id") == "colab-setup" or "remove-cell" in tags:
                _hide_input(cell, "Set-up (run this cell first; it does something only in Colab)")
            elif tags & {"remove-input", "hide-input"}:
                _hide_input(cell, "Code")
            figure = cell.metadata.pop("mystnb", {})
            cells.append(cell)
            if "figure" in figure:
                label = figure["figure"].get("name", "")
                number = book.numbers.get(label)
                caption = convert_markdown(figure["figure"].get("caption", ""), book, form, cited)
                text = f"**Fig. {number}.** {caption}" if number else caption
                alt = figure.get("image", {}).get("alt")
                if alt:
                    text += "\n\n" + _details("Description of the figure", alt)
                new = nbformat.v4.new_markdown_cell(text)
                new["id"] = f"{cell.get('id', i)}-caption"
                cells.append(new)
        else:
            cells.append(cell)
        i += 1
    if cited:
        entries = "\n".join(f"- {book.citations[k].entry} [{book.citations[k].label}]({book.citations[k].url})"
                            for k in sorted(cited, key=lambda k: book.citations[k].label.lower()))
        ref = nbformat.v4.new_markdown_cell(f"## References\n\n{entries}")
        ref["id"] = "edition-references"
        cells.append(ref)
    if cells and cells[0].cell_type == "markdown":
        title, _, rest = cells[0].source.partition("\n")
        kind = "no solutions" if form == "student" else "for self-study: solutions collapsed"
        note = (f"*Chapter {book.chapter} of the notebook edition ({kind}) of the web book "
                f"[{book.titles.get('book/index', 'the web book')}]({book.url(book.docname)}).*")
        cells[0].source = f"{title}\n\n{note}\n{rest}" if title.startswith("# ") else f"{note}\n\n{cells[0].source}"
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    nb.metadata["alliances_edition"] = {"form": form, "source": f"{book.docname}.ipynb"}
    return nb


def leftover_myst(source: str) -> list[str]:
    """MyST-only syntax left in a markdown cell (empty if none)."""
    return [m.group(0) for m in MYST_LEFTOVER_RE.finditer(source)]
