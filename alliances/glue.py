"""``glue``: name a computed value so the book's prose can quote it.

In the book build this is MyST-NB's :func:`myst_nb.glue` (the prose writes
``{glue:text}`name```). Where MyST-NB is not installed, e.g. when a chapter runs in
the browser with JupyterLite, the same call still works: it shows the value when
``display=True`` and otherwise does nothing, since there is no book to quote it in.
"""

try:
    from myst_nb import glue
except ImportError:  # JupyterLite (Pyodide) or an install without the book toolchain

    def glue(name: str, variable: object, display: bool = True) -> None:
        """Show ``variable`` if ``display`` is true; nothing is recorded without MyST-NB."""
        if display:
            from IPython.display import display as show

            show(variable)

__all__ = ["glue"]
