"""Per-student variants (alliances/grading/variants.py): declaration, draw and rendering."""

import nbformat
import pytest

from alliances.grading import variants
from alliances.grading.markup import MarkupError


def _nb(groups, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(s) if s.startswith("#") else nbformat.v4.new_code_cell(s)
                for s in sources]
    if groups is not None:
        nb.metadata["alliances"] = {"variants": groups}
    return nb


YEARS = {"year": [{"year": 1913}, {"year": 1938}, {"year": 1980}]}


def test_render_writes_the_drawn_values_and_drops_the_declaration():
    nb = _nb(YEARS, "# How many states in {{year}}?", "n = int((nmc['year'] == {{ year }}).sum())")
    out = variants.render(nb, {"year": 2})
    assert out.cells[0].source == "# How many states in 1980?"
    assert "== 1980)" in out.cells[1].source
    assert "alliances" not in out.metadata
    assert variants.render(nb).cells[0].source.endswith("1913?")  # the default: the first record
    assert "{{year}}" in nb.cells[0].source  # the template is not changed


def test_a_notebook_without_variants_renders_as_it_is():
    nb = _nb(None, "x = f'{{literal}}'")
    assert variants.render(nb).cells[0].source == "x = f'{{literal}}'"
    assert variants.check(nb) == {}


def test_draw_depends_on_student_set_and_secret_only():
    groups = {"g": [{"a": i} for i in range(50)]}
    one = variants.draw(groups, b"s" * 32, "ann", "ps1")
    assert one == variants.draw(groups, b"s" * 32, "ann", "ps1")
    students = {variants.draw(groups, b"s" * 32, f"student{i}", "ps1")["g"] for i in range(200)}
    assert len(students) > 40  # spread over the records
    other = [variants.draw(groups, b"t" * 32, f"student{i}", "ps1")["g"] for i in range(20)]
    assert other != [variants.draw(groups, b"s" * 32, f"student{i}", "ps1")["g"] for i in range(20)]


@pytest.mark.parametrize("groups, source, problem", [
    ({"g": []}, "{{a}}", "non-empty list"),
    ({"g": [{"a": 1}, {"b": 2}]}, "{{a}} {{b}}", "has the fields"),
    ({"g": [{"a": [1]}]}, "{{a}}", "string or a number"),
    ({"g": [{"a": 1}, {"a": 1}]}, "{{a}}", "two identical records"),
    ({"g": [{"a": 1}], "h": [{"a": 2}]}, "{{a}}", "also a field of group"),
    (YEARS, "{{yaer}} {{year}}", "'{{yaer}}' is not a declared variant field"),
    (YEARS, "1913", "is used in no cell"),
])
def test_check_names_each_problem(groups, source, problem):
    with pytest.raises(MarkupError, match=problem.replace("{", r"\{").replace("}", r"\}")):
        variants.check(_nb(groups, source), "ps.ipynb")


def test_label_names_the_records():
    assert variants.label({"b": 0, "a": 2}) == "v3-1"


def test_secret_is_created_once_and_private(tmp_path):
    path = tmp_path / "secret.txt"
    made = variants.new_secret(path)
    assert variants.read_secret(path) == made and len(made) == 64
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        variants.new_secret(path)
    with pytest.raises(FileNotFoundError, match="release --roster"):
        variants.read_secret(tmp_path / "none.txt")
    (tmp_path / "short.txt").write_text("abc")
    with pytest.raises(ValueError, match="too short"):
        variants.read_secret(tmp_path / "short.txt")


def test_parametrised_lists_the_exercises_that_use_a_field():
    nb = _nb(YEARS, "# Exercise 1 in {{year}}", "n = ...", "assert n == {{year}}", "# Exercise 2", "m = ...",
             "assert m == 2")
    nb.cells[1].metadata["nbgrader"] = {"solution": True, "grade_id": "ex1-answer"}
    nb.cells[2].metadata["nbgrader"] = {"grade": True, "grade_id": "ex1", "points": 1}
    nb.cells[4].metadata["nbgrader"] = {"solution": True, "grade_id": "ex2-answer"}
    nb.cells[5].metadata["nbgrader"] = {"grade": True, "grade_id": "ex2", "points": 1}
    assert variants.parametrised(nb) == {"ex1": {"year"}}
