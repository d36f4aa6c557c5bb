"""Drop duplicate <script> entries from each page.

sphinx-thebe and sphinx-togglebutton register their inline configuration scripts twice under
Jupyter Book 1 (once with filename ``None``, once with ``''``), so every page declared
``const THEBE_JS_URL`` twice and the browser logged a SyntaxError. Keep the first copy.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", None) or "", getattr(script, "attributes", {}).get("body"))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
