"""``alliances.glue`` is MyST-NB's glue where MyST-NB is installed, and a harmless stand-in elsewhere."""

import importlib
import sys

import myst_nb

import alliances.glue


def test_glue_is_myst_nb_glue_in_the_book():
    assert alliances.glue.glue is myst_nb.glue


def test_glue_without_myst_nb_shows_or_ignores(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # as in JupyterLite: import fails
    fallback = importlib.reload(alliances.glue).glue
    try:
        assert fallback is not myst_nb.glue
        assert fallback("n_members", 32, display=False) is None
        assert capsys.readouterr().out == ""
        fallback("n_members", 32)
        assert capsys.readouterr().out.strip() == "32"
    finally:
        monkeypatch.undo()
        importlib.reload(alliances.glue)
    assert alliances.glue.glue is myst_nb.glue
