"""``glue``: name a computed value so the book's prose can quote it.

In the book build this is MyST-NB's :func:`myst_nb.glue` (the prose writes
``{glue:text}`name```). Where MyST-NB is not installed, e.g. when a chapter runs in
the browser with JupyterLite, the same call still works: it shows the value when
``display=True`` and otherwise does nothing, since there is no book to quote it in.

:func:`glue_change` glues a signed change as a magnitude plus a direction word, so
prose never reads "fell by about -42%"::

    glue_change("ext_tur_growth", growth, fmt="{:.0f}")   # growth = -41.7
    # prose: "Türkiye's spending {glue:text}`ext_tur_growth_dir` by about {glue:text}`ext_tur_growth`%"
    # reads: "Türkiye's spending fell by about 42%"
"""

import math

try:
    from myst_nb import glue
except ImportError:  # JupyterLite (Pyodide) or an install without the book toolchain

    def glue(name: str, variable: object, display: bool = True) -> None:
        """Show ``variable`` if ``display`` is true; nothing is recorded without MyST-NB."""
        if display:
            from IPython.display import display as show

            show(variable)


#: Direction words by default: (for a rise, for a fall, for no change).
DIRECTIONS = ("rose", "fell", "did not change")


def change_words(value: float, fmt: str = "{:.0f}", words: tuple[str, str, str] = DIRECTIONS) -> tuple[str, str]:
    """``(magnitude, direction)`` for a signed change: ``change_words(-41.7)`` is ``("42", "fell")``.

    The direction follows the *formatted* value, so a change that rounds to zero reads
    "did not change" rather than "fell by 0". ``words`` replaces the three direction
    words, e.g. ``("grew", "shrank", "stayed the same")``.
    """
    value = float(value)
    if math.isnan(value):
        raise ValueError("change_words: the change is NaN (missing data?); glue a value that exists")
    magnitude = fmt.format(abs(value))
    rise, fall, same = words
    if float(magnitude.replace(",", "")) == 0:
        return magnitude, same
    return magnitude, rise if value > 0 else fall


def glue_change(name: str, value: float, fmt: str = "{:.0f}",
                words: tuple[str, str, str] = DIRECTIONS) -> tuple[str, str]:
    """Glue ``name`` = the magnitude of ``value`` and ``name_dir`` = its direction word.

    Returns ``(magnitude, direction)`` as well, for use in the notebook itself.
    """
    magnitude, direction = change_words(value, fmt, words)
    glue(name, magnitude, display=False)
    glue(f"{name}_dir", direction, display=False)
    return magnitude, direction


__all__ = ["glue", "glue_change", "change_words"]
