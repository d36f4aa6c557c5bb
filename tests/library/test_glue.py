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


def test_change_words_give_magnitude_and_direction():
    from alliances.glue import change_words

    assert change_words(-41.7) == ("42", "fell")
    assert change_words(12.3, fmt="{:.1f}") == ("12.3", "rose")
    assert change_words(-0.2) == ("0", "did not change")  # rounds to zero: no "fell by 0"
    assert change_words(-5, words=("grew", "shrank", "held")) == ("5", "shrank")
    assert change_words(-1234.6, fmt="{:,.0f}") == ("1,235", "fell")


def test_change_words_refuses_nan():
    import pytest

    from alliances.glue import change_words

    with pytest.raises(ValueError, match="NaN"):
        change_words(float("nan"))


def test_glue_change_glues_magnitude_and_direction(monkeypatch):
    calls = []
    monkeypatch.setattr(alliances.glue, "glue", lambda name, value, display=True: calls.append((name, value, display)))
    assert alliances.glue.glue_change("tur_growth", -41.7) == ("42", "fell")
    assert calls == [("tur_growth", "42", False), ("tur_growth_dir", "fell", False)]
