"""The course's problem sets in exercises/source/<set>/<set>.ipynb: markup, student versions, and grading of key, blank and wrong answers.

Every set is graded three times in one batch (three "students": the answer key, the blank
student version, and a version whose every answer is a plausible mistake from
tests/fixtures/problem-set-wrong-answers.json). The key must earn full points, the blank
version 0 with "not answered", and each mistake 0 with the exercise's hint in the reason.
"""

import json
import re
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest

from alliances.grading import markup, release, run, variants
from helpers import ROOT

pytestmark = pytest.mark.slow  # every problem set graded three ways (minutes)

EXERCISES = ROOT / "exercises"
SOURCE = EXERCISES / "source"  # nbgrader's course layout: source/<set>/<set>.ipynb
STUDENT = EXERCISES / "student"  # what students open: no solutions
WRONG = json.loads((ROOT / "tests" / "fixtures" / "problem-set-wrong-answers.json").read_text())
SETS = sorted(release.sources(SOURCE))


def source(name):
    """The set in its default variant (the first record of each group), as tests execute it."""
    return variants.render(release.read(SOURCE / name / f"{name}.ipynb"))


def test_sources_are_in_nbgrader_layout_and_no_student_folder_holds_a_solution():
    """Issue #25: the authoring sets sit in source/<set>/<set>.ipynb; exercises/ and exercises/student/
    (where students are sent) hold no notebook with solutions or hidden tests."""
    assert SETS and all((SOURCE / s / f"{s}.ipynb").is_file() for s in SETS)
    assert not list(EXERCISES.glob("*.ipynb"))
    for path in STUDENT.glob("*.ipynb"):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text, path
    assert sorted(p.stem for p in STUDENT.glob("*.ipynb")) == SETS


def auto_exercises(name):
    return [e for e in release.exercises(source(name), name) if not e.manual]


def test_there_are_five_sets_with_at_least_thirty_autograded_exercises():
    assert len(SETS) >= 5, SETS
    assert sum(len(auto_exercises(s)) for s in SETS) >= 30


@pytest.mark.parametrize("name", SETS)
def test_every_exercise_has_points_a_hint_and_a_check_with_that_hint(name):
    nb = source(name)
    for ex in auto_exercises(name):
        assert ex.points > 0, ex.grade_id
        text = nb.cells[ex.answers[0] - 1].source
        unit = "point" if ex.points == 1 else "points"
        assert re.search(rf"\({ex.points:g} {unit}\)", text), f"{name} {ex.grade_id}: no '({ex.points:g} {unit})' in the title"
        hint = re.search(r"<summary>Hint</summary>\s*(.+?)\s*</details>", text, re.S)
        assert hint, f"{name} {ex.grade_id}: no hint"
        test = nb.cells[ex.index].source
        assert "checks.check_" in test and "### BEGIN HIDDEN TESTS" in test, f"{name} {ex.grade_id}"
        assert hint.group(1).strip() in test, f"{name} {ex.grade_id}: the checks should give the hint"


@pytest.mark.parametrize("name", SETS)
def test_committed_student_version_matches_the_source(name):
    committed = nbformat.read(STUDENT / f"{name}.ipynb", as_version=4)
    fresh = release.student_version(source(name), name)
    assert [(c.cell_type, c.source, c.metadata) for c in committed.cells] == \
           [(c.cell_type, c.source, c.metadata) for c in fresh.cells], \
        f"exercises/student/{name}.ipynb is out of date: run `make problem-sets`"
    assert all(not c.get("outputs") for c in committed.cells if c.cell_type == "code")


def solution_lines(nb):
    """Lines inside solution and hidden-test blocks that are specific enough to search for."""
    found = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if text.startswith(("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "<!-- BEGIN SOLUTION")):
                inside = True
            elif text.startswith(("### END SOLUTION", "### END HIDDEN TESTS", "<!-- END SOLUTION")):
                inside = False
            elif inside and len(text) > 25:
                found.append(text)
    return found


@pytest.mark.parametrize("name", SETS)
def test_no_solution_or_hidden_test_survives_in_the_student_versions(name, tmp_path):
    release.release(SOURCE, tmp_path)
    secret = solution_lines(source(name))
    assert len(secret) >= 5
    for path in (tmp_path / "student" / f"{name}.ipynb", STUDENT / f"{name}.ipynb"):
        text = path.read_text()
        leaked = [line for line in secret if json.dumps(line)[1:-1] in text]
        assert not leaked, f"{path} shows solution text: {leaked[:3]}"
        assert "HIDDEN TESTS" not in text


def _grade_job(job):
    subs, student, name = job
    found = release.exercises(source(name), name)
    return [(student, name, *row) for row in
            run.grade_one(Path(subs) / student / f"{name}.ipynb", source(name), found, timeout=60)]


# Chains of two exercises for "error carried forward": (set, earlier exercise, later exercise) and
# the answer cells changed from the key: the earlier one wrong (from the wrong-answer fixture).
ECF = {
    "ps1-foundations": {"ex7-answer": WRONG["ps1-foundations"]["ex7-answer"]},
    "ps3-change-and-challenge": {
        "ex6-answer": WRONG["ps3-change-and-challenge"]["ex6-answer"],
        "ex5-answer": "both = allies.dropna(subset=['gdp_usd_mn', 'share_gdp_pct'])\n"
                      "burden_corr = float(both['gdp_usd_mn'].corr(both['share_gdp_pct'], method='spearman'))"},
}
CHAINS = [("ps1-foundations", "ex7", "ex8"), ("ps3-change-and-challenge", "ex6", "ex7")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade key, blank and wrong versions of every set in parallel; rows by (student, set, exercise)."""
    subs = tmp_path_factory.mktemp("submissions")
    for name in SETS:
        key = source(name)
        blank = release.student_version(key, name)
        wrong = release.student_version(key, name)
        for i, cell in enumerate(wrong.cells):
            cell.source = WRONG[name].get(markup.cell_key(cell, i), cell.source)
        for student, nb in (("key", key), ("blank", blank), ("wrong", wrong)):
            (subs / student).mkdir(exist_ok=True)
            nbformat.write(nb, subs / student / f"{name}.ipynb")
    # error carried forward: a wrong earlier answer, then the right method on it (and scipy's Spearman)
    (subs / "ecf").mkdir()
    for name, changes in ECF.items():
        nb = source(name)
        for i, cell in enumerate(nb.cells):
            cell.source = changes.get(markup.cell_key(cell, i), cell.source)
        nbformat.write(nb, subs / "ecf" / f"{name}.ipynb")
    jobs = [(str(subs), s, n) for s in ("key", "blank", "wrong") for n in SETS] + [(str(subs), "ecf", n) for n in ECF]
    # Two worker processes (each grading runs its own kernels); spawn keeps them clean.
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = [row for rows in pool.map(_grade_job, jobs) for row in rows]
    return {(s, n, e): (points, most, why) for s, n, e, points, most, why in results}


def test_every_set_is_in_the_wrong_answer_fixture():
    assert sorted(WRONG) == SETS
    for name in SETS:
        ids = [e.grade_id for e in auto_exercises(name)]
        assert sorted(k for k in WRONG[name] if k.endswith("-answer")) == sorted(f"{i}-answer" for i in ids)
        assert sorted(k for k in WRONG[name] if k.endswith("-visible")) == sorted(f"{i}-visible" for i in ids), \
            f"{name}: every exercise needs at least one typical mistake that its visible check recognises"
        assert all(WRONG[name][f"{i}-visible"] for i in ids)


# --- the visible checks, as a student runs them (no hidden tests) ---------------------------

def _without_hidden_tests(src):
    return re.sub(r"^### BEGIN HIDDEN TESTS\n.*?^### END HIDDEN TESTS\n", "", src, flags=re.S | re.M)


def _visible_run(name):
    """One kernel per set: the set-up cell, then each exercise's solution and visible check in
    order (nothing else: no hidden tests, no later cells), then every recorded typical mistake
    followed by that exercise's visible check and its solution again (to restore the state)."""
    from nbclient import NotebookClient

    nb = source(name)
    setup = next(c for c in nb.cells if markup.meta(c).get("grade_id") == "setup")
    cells, tags = [nbformat.v4.new_code_cell(setup.source)], ["setup"]
    answer_of, check_of = {}, {}
    for ex in auto_exercises(name):
        answer_of[ex.grade_id] = "\n".join(nb.cells[i].source for i in ex.answers)
        check_of[ex.grade_id] = _without_hidden_tests(nb.cells[ex.index].source)
        cells += [nbformat.v4.new_code_cell(answer_of[ex.grade_id]), nbformat.v4.new_code_cell(check_of[ex.grade_id])]
        tags += [("key-answer", ex.grade_id), ("key-check", ex.grade_id)]
    # the key's numeric answers, for a write-up that quotes them (test_the_model_write_up_quotes_the_keys_numbers)
    cells.append(nbformat.v4.new_code_cell(
        "import json as _json, numbers as _numbers\n"
        "print(_json.dumps({_k: float(_v) for _k, _v in dict(globals()).items()\n"
        "                   if not _k.startswith('_') and isinstance(_v, _numbers.Real) and not isinstance(_v, bool)}))"))
    tags.append(("key-values",))
    for ex in auto_exercises(name):
        for n, mistake in enumerate(WRONG[name][f"{ex.grade_id}-visible"]):
            cells += [nbformat.v4.new_code_cell(mistake["code"]), nbformat.v4.new_code_cell(check_of[ex.grade_id]),
                      nbformat.v4.new_code_cell(answer_of[ex.grade_id])]
            tags += [("mistake", ex.grade_id, n), ("mistake-check", ex.grade_id, n), ("restore", ex.grade_id)]
    blank = release.student_version(nb, name)
    for ex in auto_exercises(name):
        stub = "\n".join(blank.cells[i].source for i in ex.answers)
        names = re.findall(r"^(\w+) = \.\.\.", stub, re.M)
        funcs = re.findall(r"^def (\w+)\(", stub, re.M)
        mistyped = "\n".join([f"{v} = {{'a': 'dict'}}" for v in names] + [f"def {f}(*args, **kwargs):\n    return 'text'" for f in funcs])
        assert names or funcs, f"{name} {ex.grade_id}: no answer variable or function in the student cell"
        for kind, code in (("blank", stub), ("mistyped", mistyped)):
            cells += [nbformat.v4.new_code_cell(code), nbformat.v4.new_code_cell(check_of[ex.grade_id]),
                      nbformat.v4.new_code_cell(answer_of[ex.grade_id])]
            tags += [(kind, ex.grade_id), (f"{kind}-check", ex.grade_id), ("restore", ex.grade_id)]
    run = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    NotebookClient(run, timeout=120, allow_errors=True, resources={"metadata": {"path": str(SOURCE)}}).execute()

    def said(cell):
        return "\n".join(o.get("text", "") if o.output_type == "stream" else
                          f"{o.get('ename')}: {o.get('evalue')}" if o.output_type == "error" else
                          o.get("data", {}).get("text/plain", "") for o in cell.outputs)

    def styled(cell):  # the Feedback box, as the chapters show it
        return any("alliances-feedback" in o.get("data", {}).get("text/html", "") for o in cell.outputs
                   if o.output_type in ("execute_result", "display_data"))

    return [(tag, said(cell), any(o.output_type == "error" for o in cell.outputs), styled(cell))
            for tag, cell in zip(tags, run.cells)]


@pytest.fixture(scope="module")
def visible_runs():
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        return dict(zip(SETS, pool.map(_visible_run, SETS)))


@pytest.mark.parametrize("name", SETS)
def test_each_solution_runs_after_only_the_set_up_and_earlier_solutions(name, visible_runs):
    """The set-up cell loads everything the set uses, and every key answer passes its visible check."""
    for tag, said, failed, _ in visible_runs[name]:
        if tag == "setup" or tag[0] in ("key-answer", "key-check", "restore"):
            assert not failed, f"{name} {tag}: {said}"
        if tag != "setup" and tag[0] == "key-check":
            assert "Plausible" in said or "Correct!" in said, f"{name} {tag}: {said}"


# the numbers the model write-up of PS6 (exercise 8, default variant) quotes, as it writes them, from the key's answers
QUOTED = {"n_allied": "{:,.0f}", "n_allied_onsets": "{:,.0f}", "rate_unequal": "{:.1f}", "rate_equal": "{:.1f}",
          "odds_ratio": "{:.2f}", "ci_low": "{:.2f}", "ci_high": "{:.2f}", "odds_ratio_log": "{:.2f}"}


def test_the_model_write_up_quotes_the_keys_numbers(visible_runs):
    """PS6's model answer for exercise 8 types the estimates of the key's default variant (a write-up cannot glue):
    each must be what the key computes, so a change of data or method that moves them fails here."""
    name = "ps6-research-project"
    values = json.loads(next(said for tag, said, _, _ in visible_runs[name] if tag == ("key-values",)))
    write_up = next(c.source for c in source(name).cells if markup.meta(c).get("grade_id") == "ex8-answer")
    stale = {key: form.format(values[key]) for key, form in QUOTED.items() if form.format(values[key]) not in write_up}
    assert not stale, f"{name}: the model write-up does not quote the key's {stale} (update the text)"


@pytest.mark.parametrize("name", SETS)
def test_typical_mistakes_get_a_specific_message_from_the_visible_check(name, visible_runs):
    """Issue #16: a student who makes one of the usual mistakes learns it before submitting."""
    for tag, said, failed, styled in visible_runs[name]:
        if tag != "setup" and tag[0] == "mistake":
            mistake = WRONG[name][f"{tag[1]}-visible"][tag[2]]
            assert failed == mistake.get("raises", False), \
                f"{name} {tag}: the recorded mistake {'does not raise' if failed is False else 'fails to run'}: {said}"
        if tag != "setup" and tag[0] == "mistake-check":
            mistake = WRONG[name][f"{tag[1]}-visible"][tag[2]]
            # issue #25: the styled Feedback, never a traceback (the visible check no longer raises)
            shown = said.strip().splitlines()[-1] if said.strip() else ""  # the box comes after what the answer printed
            assert not failed and styled and shown.startswith("Not quite: ") and "Plausible" not in said, \
                f"{name} {tag[1]}: the visible check did not catch {mistake['code']!r}: {said}"
            assert mistake["says"] in said, f"{name} {tag[1]}: expected {mistake['says']!r} in {said!r}"
            assert "Traceback" not in said and "AssertionError" not in said


@pytest.mark.parametrize("name", SETS)
def test_a_blank_or_mistyped_answer_gets_a_message_from_the_visible_check_never_a_traceback(name, visible_runs):
    """Issue #16 item 2: the student version's blank answer, and a dict or a function returning text."""
    seen = set()
    for tag, said, failed, styled in visible_runs[name]:
        if tag != "setup" and tag[0] in ("blank-check", "mistyped-check"):
            seen.add(tag)
            assert not failed and styled and said.startswith("Not quite: "), f"{name} {tag}: {said}"
            if tag[0] == "blank-check":
                assert "not answered yet" in said, f"{name} {tag}: {said}"
    assert len(seen) == 2 * len(auto_exercises(name))


@pytest.mark.parametrize("name", SETS)
def test_the_key_earns_full_points(name, graded):
    for ex in auto_exercises(name):
        assert graded["key", name, ex.grade_id] == (ex.points, ex.points, "passed")


@pytest.mark.parametrize("name", SETS)
def test_the_blank_student_version_scores_zero_and_says_not_answered(name, graded):
    for ex in auto_exercises(name):
        assert graded["blank", name, ex.grade_id] == (0, ex.points, "not answered")
    manual = [e for e in release.exercises(source(name), name) if e.manual]
    assert manual and all(graded["blank", name, e.grade_id][2] == "graded by hand" for e in manual)


@pytest.mark.parametrize("name", SETS)
def test_a_plausible_wrong_answer_scores_zero_and_gets_the_hint(name, graded):
    nb = source(name)
    for ex in auto_exercises(name):
        points, _, why = graded["wrong", name, ex.grade_id]
        hint = re.search(r"<summary>Hint</summary>\s*(.+?)\s*</details>",
                         nb.cells[ex.answers[0] - 1].source, re.S).group(1).strip()
        assert points == 0, f"{name} {ex.grade_id}: the wrong answer passed"
        assert not why.startswith("AssertionError") and "Not quite" in why and f"Hint: {hint[:60]}" in why, \
            f"{name} {ex.grade_id}: {why}"  # issue #25: a plain sentence, no "AssertionError:"


@pytest.mark.parametrize("name, earlier, later", CHAINS)
def test_error_carried_forward_marks_one_mistake_once(name, earlier, later, graded):
    """Issue #25: the right method on the student's own wrong earlier answer earns the later
    exercise's points, saying it builds on the earlier one, which alone loses its points; the wrong
    method on it earns nothing (the "wrong" student: test_a_plausible_wrong_answer_scores_zero...)."""
    points, most, why = graded["ecf", name, earlier]
    assert points == 0 and "Not quite" in why, why
    points, most, why = graded["ecf", name, later]
    number = earlier.removeprefix("ex")
    assert (points, why) == (most, f"passed: the right method on your own answer (builds on your exercise {number}; "
                                   "the mistake is marked there)"), why
    others = [e.grade_id for e in auto_exercises(name) if e.grade_id not in (earlier, later)]
    assert all(graded["ecf", name, e][0] == graded["ecf", name, e][1] for e in others), \
        [(e, graded["ecf", name, e]) for e in others]


def test_spearman_with_scipy_works_in_the_grading_sandbox(graded):
    """Issue #25 item 4: Series.corr(method="spearman") needs scipy, which the kit installs."""
    points, most, why = graded["ecf", "ps3-change-and-challenge", "ex5"]
    assert (points, why) == (most, "passed"), why


def test_exercises_readme_table_matches_the_sets():
    """exercises/README.md lists each set's exercise count and points; keep it true."""
    text = (EXERCISES / "README.md").read_text()
    for name in SETS:
        found = release.exercises(source(name), name)
        auto, manual = [e for e in found if not e.manual], [e for e in found if e.manual]
        row = re.search(rf"^\| `{name}` \|.*\| (\d+) \(\+(\d+) by hand\) \| (\d+) \+ (\d+) \|$", text, re.M)
        assert row, f"exercises/README.md has no row for {name}"
        assert [int(g) for g in row.groups()] == [len(auto), len(manual), sum(e.points for e in auto),
                                                 sum(e.points for e in manual)], f"{name}: README row is out of date"


def test_guide_and_readme_quote_the_right_number_of_exercises():
    total = sum(len(auto_exercises(s)) for s in SETS)
    written = sum(e.manual for s in SETS for e in release.exercises(source(s), s))
    assert f"have {total} autograded exercises and {written} short" in (ROOT / "book" / "instructor-guide.md").read_text()
    assert f"({total} autograded exercises and {written} written answers" in (ROOT / "README.md").read_text()


def test_every_set_tests_a_hypothesis():
    """Issue #17: every set has a hypothesis test (an autograded verdict, interpreted by hand)."""
    for name in SETS:
        text = "\n".join(c.source for c in source(name).cells)
        if name == "ps3-change-and-challenge":  # the exploitation hypothesis: rank correlation, then ex8
            assert "hypothesis" in text and "burden_corr" in text
            continue
        assert "Testing a hypothesis" in text and "verdict = ..." in text, name
        assert "exercise 8" in text.split("Testing a hypothesis")[1], f"{name}: the written answer should interpret the test"


def test_the_visible_check_accepts_the_right_method_on_a_wrong_earlier_answer():
    """Issue #25: PS1 ex8's visible check, after a wrong ex7 (fractions) and the right method on it,
    says it builds on exercise 7 instead of "this looks like a fraction"; the wrong method still gets
    its message."""
    from nbclient import NotebookClient

    name = "ps1-foundations"
    nb = source(name)
    cell = {markup.cell_key(c, i): c for i, c in enumerate(nb.cells)}
    check = _without_hidden_tests(cell["ex8"].source)
    code = [cell["setup"].source, cell["ex7-answer"].source, "bloc_shares = bloc_shares / 100",
            cell["ex8-answer"].source, check,
            "min_combined = float((bloc_shares['nato'] + bloc_shares['warsaw-pact']).max())", check]
    run_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in code],
                                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    NotebookClient(run_nb, timeout=120, resources={"metadata": {"path": str(SOURCE)}}).execute()

    def shown(c):
        return " ".join(o.get("data", {}).get("text/plain", "") for o in c.outputs if o.output_type == "execute_result")

    right_method, wrong_method = shown(run_nb.cells[4]), shown(run_nb.cells[6])
    assert "builds on your bloc_shares from exercise 7" in right_method and "Not quite" not in right_method, right_method
    assert wrong_method.startswith("Not quite: "), wrong_method
