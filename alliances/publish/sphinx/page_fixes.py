"""Small fixes to the theme's HTML, applied while each page is written.

1. Drop duplicate <script> entries. sphinx-thebe and sphinx-togglebutton register their inline
   configuration scripts twice under Jupyter Book 1 (once with filename ``None``, once with
   ``''``), so every page declared ``const THEBE_JS_URL`` twice and the browser logged a
   SyntaxError. Keep the first copy.
2. Name the sidebar's expand/collapse toggles. pydata-sphinx-theme renders them as
   ``<summary>`` elements holding only an icon, which screen readers announce without a name
   (axe-core rule ``summary-name``, impact serious). Give each an ``aria-label``.
3. Docutils marks bibliography entries ``role="doc-biblioentry"`` inside a ``role="list"``;
   that role is deprecated and axe-core reports the list as lacking list items
   (``aria-required-children``, critical). Use ``role="listitem"``.
4. Make the JupyterLite launch link relative to the page. The theme appends ``?path=...`` to
   ``launch_buttons.jupyterlite_url`` as given; ``lite/lab/index.html`` would then resolve
   below ``book/`` on chapter pages. Rewrite it relative to the site root, so the link works
   wherever the site is published (a GitHub Pages project path, a local folder).
5. Point students at the notebook edition (``notebook_edition.py``): the download button
   gives ``notebooks/student/<page>.ipynb`` instead of the authoring source, and the Binder and
   Colab buttons open the ``notebook_edition_branch`` (``notebooks``), to which the publishing
   workflow pushes the student notebooks at the source's paths.
6. Hide the glue bookkeeping: in each code cell's displayed source, the statements that only
   call ``glue(...)``/``glue_change(...)`` (and the imports of ``alliances.glue``) are removed
   (``alliances.publish.glue_lines``) when the page is read; the computation, the cell's
   outputs and the notebooks keep every line. A cell left with no code shows no source box.
"""

from docutils import nodes
from markupsafe import Markup

from ..glue_lines import without_glue

_TOGGLE = '<summary><span class="toctree-toggle" role="presentation">'
_NAMED = '<summary aria-label="Show or hide the sections of this chapter"><span class="toctree-toggle" role="presentation">'


def _dedupe(context):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", None) or "", getattr(script, "attributes", {}).get("body"))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _name_toggles(context):
    make = context.get("generate_toctree_html")
    if make is None:
        return

    def named(*args, **kwargs):
        return Markup(str(make(*args, **kwargs)).replace(_TOGGLE, _NAMED))

    context["generate_toctree_html"] = named


def _relative_jupyterlite(context):
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            url = button.get("url", "")
            if button.get("text") == "JupyterLite" and "://" not in url and not url.startswith("/"):
                path, _, query = url.partition("?")
                button["url"] = f"{context['pathto'](path, 1)}?{query}"


def _notebook_edition(app, context):
    branch = app.config.html_theme_options.get("repository_branch", "main")
    target = getattr(app.config, "notebook_edition_branch", None)
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            url = button.get("url", "")
            if url.endswith(".ipynb") and "_sources/" in url:
                button["url"] = url.replace("_sources/", "notebooks/student/", 1)
            elif target and button.get("text") == "Binder":
                button["url"] = url.replace(f"/{branch}?urlpath=", f"/{target}?urlpath=", 1)
            elif target and button.get("text") == "Colab":
                button["url"] = url.replace(f"/blob/{branch}/", f"/blob/{target}/", 1)


def _fix(app, pagename, templatename, context, doctree):
    _dedupe(context)
    _notebook_edition(app, context)
    _name_toggles(context)
    _relative_jupyterlite(context)
    if "body" in context:
        context["body"] = context["body"].replace(' role="doc-biblioentry"', ' role="listitem"')


def _hide_glue(app, doctree):
    for box in list(doctree.findall(nodes.container)):
        if "cell_input" not in box.get("classes", []):
            continue
        for block in list(box.findall(nodes.literal_block)):
            source = block.astext()
            shown = without_glue(source)
            if shown == source:
                continue
            if not shown.strip():
                box.parent.remove(box)
                break
            block.children = [nodes.Text(shown)]
            block.rawsource = shown


def setup(app):
    app.connect("html-page-context", _fix, priority=900)
    app.connect("doctree-read", _hide_glue)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
