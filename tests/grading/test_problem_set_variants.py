"""Per-student variants of the course's problem sets (issue #27): declared well, on at least half of
each set's autograded exercises, and telling students apart.

For each set: the set-up cell runs once in a fresh Python process, then each variant (variant r:
record r of every group) runs in a fork of it: its key's answers in order, each followed by the
exercise's test cell of its own variant (which must pass, its visible check included: a check
that calls the key wrong in some variant reads wrong there) and of every variant that differs from
it in one group the exercise uses (which must fail: a notebook copied from a classmate earns
nothing there). As when grading, the tests of each variant run in a namespace of their own (the
set-up, that variant's earlier tests and the answers so far); another variant's checker runs only
the tests it is asked about, or all of them in order if one needs a name an earlier test defines. A test passed through "error carried forward" counts as
passed. The same audit runs on a small synthetic set (``helpers.variant_demo``), right and broken.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from alliances.grading import markup, release, variants
from helpers import ROOT, variant_demo

pytestmark = pytest.mark.slow  # every variant of every set executed (about a minute)

SOURCE = ROOT / "exercises" / "source"
SETS = sorted(release.sources(SOURCE))

# Runs in a fresh Python: the set-up once, then each variant in a fork (a clean copy of the set-up).
RUNNER = r"""
import json, os, sys
os.environ.setdefault("MPLBACKEND", "Agg")
job = json.load(open(sys.argv[1]))
ns = {"__name__": "__main__"}
exec(compile(job["setup"], "setup", "exec"), ns)
setup = dict(ns)
from alliances import checks

def test(code, checker, own=False):
    checks._CARRIED.clear()
    checker.pop("fb", None)
    try:
        exec(compile(code, "test", "exec"), checker)
        fb = checker.get("fb")
        if own and isinstance(fb, checks.Feedback) and not fb:  # the visible check calls the key wrong
            return f"visible check: {fb.message}"[:300]
        return "passed" + (" (error carried forward)" if checks._CARRIED else "")
    except BaseException as err:
        return f"{type(err).__name__}: {err}"[:300]
    finally:
        checks._CARRIED.clear()

for n, run in enumerate(job["runs"]):
    pid = os.fork()
    if pid == 0:
        found, answers, checkers, earlier = [], {}, {}, {}
        own = run[0][2][0][0] if run else None  # the label of this run's variant
        for exercise, answer, tests in run:
            before = {k: id(v) for k, v in ns.items()}
            try:
                exec(compile(answer, exercise, "exec"), ns)
            except BaseException as err:
                found.append([exercise, "answer", f"{type(err).__name__}: {err}"[:300]])
            answers.update({k: v for k, v in ns.items() if before.get(k) != id(v)})
            for label, code, record in tests:  # each variant's tests in a checker of their own
                earlier.setdefault(label, []).append(code)
                if label == own or record:  # its own: every test; another: the ones it changes
                    checker = checkers.setdefault(label, dict(setup))
                    checker.update(answers)
                    outcome = test(code, checker, label == own)
                    if outcome.startswith("NameError"):  # it needs what a test it skipped defined: all, in order
                        checker = checkers[label] = dict(setup)
                        checker.update(answers)
                        outcome = [test(c, checker, label == own) for c in earlier[label]][-1]
                    if record:
                        found.append([exercise, label, outcome])
        with open(f"{sys.argv[1]}.{n}", "w") as f:
            json.dump(found, f)
        os._exit(0)
    os.waitpid(pid, 0)
"""


def _describe(groups, choice) -> str:
    """The values of the groups not at their default, e.g. ``year=1952, n_joined=2``."""
    fields = {f for g in groups if choice[g] for f in groups[g][0]}
    return ", ".join(f"{k}={v}" for k, v in variants.values(groups, choice).items() if k in fields) or "default"


def audit(nb, name: str, folder, tmp) -> tuple[list[str], list[str]]:
    """Run every variant of ``nb`` (its set-up in ``folder``): (its own key failing its tests, a
    key passing another variant's test of an exercise that variant's fields make different)."""
    groups = variants.check(nb, name)
    found = [e for e in markup.exercises(nb, name) if not e.manual]
    used = variants.parametrised(nb, name)
    owner = {f: g for g, records in groups.items() for f in records[0]}
    # run r: record r of every group (cycling through a shorter group), so each record has its run
    choices = [{g: r % len(groups[g]) for g in groups} for r in range(max(map(len, groups.values()), default=1))]
    rendered = {}

    def cells(choice):
        key = variants.label(choice)
        if key not in rendered:
            rendered[key] = variants.render(nb, choice).cells
        return rendered[key]

    runs, names = [], []
    for choice in choices:  # against each variant that differs in one group
        others = [({**choice, g: r}, g) for g in groups for r in range(len(groups[g])) if r != choice[g]]
        run = []
        for ex in found:
            uses = {owner[f] for f in used.get(ex.grade_id, ())}
            tests = [(variants.label(choice), cells(choice)[ex.index].source, True)]
            tests += [(variants.label(other), cells(other)[ex.index].source, g in uses) for other, g in others]
            answer = "\n".join(cells(choice)[i].source for i in ex.answers if cells(choice)[i].cell_type == "code")
            run.append((ex.grade_id, answer, tests))
        runs.append(run)
        names.append(variants.label(choice))
    job = tmp / f"{name}.json"
    setup = next(c.source for c in cells(choices[0]) if markup.meta(c).get("grade_id") == "setup")
    job.write_text(json.dumps({"setup": setup, "runs": runs}))
    done = subprocess.run([sys.executable, "-c", RUNNER, str(job)], cwd=folder, capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, MPLBACKEND="Agg"))
    assert done.returncode == 0, done.stderr[-3000:]
    own, copies = [], []
    for n, (label, choice) in enumerate(zip(names, choices)):
        result = tmp / f"{name}.json.{n}"
        assert result.exists(), f"{name} {label}: the run died ({done.stderr[-2000:]})"
        for exercise, test_label, outcome in json.loads(result.read_text()):
            what = f"{name} {exercise}, key of {label} ({_describe(groups, choice)})"
            if test_label == "answer":
                own.append(f"{what}: its answer raises {outcome}")
            elif test_label == label and not outcome.startswith("passed"):
                own.append(f"{what}: fails its own test: {outcome}")
            elif test_label != label and outcome.startswith("passed"):
                copies.append(f"{what}: passes the test of {test_label} ({outcome})")
    return own, copies


@pytest.fixture(scope="module")
def audits(tmp_path_factory):
    """The audit of every set that declares variants (sets without are audited in their default)."""
    tmp = tmp_path_factory.mktemp("variants")
    with ThreadPoolExecutor(max_workers=2) as pool:  # each audit is a process of its own
        found = pool.map(lambda name: audit(release.read(SOURCE / name / f"{name}.ipynb"), name, SOURCE / name, tmp),
                         SETS)
        return dict(zip(SETS, found))


@pytest.mark.parametrize("name", SETS)
def test_the_variants_of_every_set_are_declared_right(name):
    variants.check(release.read(SOURCE / name / f"{name}.ipynb"), f"{name}.ipynb")


@pytest.mark.parametrize("name", SETS)
def test_at_least_half_of_each_sets_autograded_exercises_have_variants(name):
    """Issue #27 item 5 (fails on a set until its variants are written: variants-ps-a/-ps-b)."""
    nb = release.read(SOURCE / name / f"{name}.ipynb")
    auto = [e.grade_id for e in markup.exercises(nb, name) if not e.manual]
    varied = variants.parametrised(nb, name)
    assert 2 * len(varied) >= len(auto), f"{name}: only {sorted(varied)} of {auto} have variants"


@pytest.mark.parametrize("name", SETS)
def test_the_key_of_every_variant_passes_its_own_tests(name, audits):
    own, _ = audits[name]
    assert not own, "\n".join(own)


@pytest.mark.parametrize("name", SETS)
def test_a_key_copied_to_another_variant_fails_every_exercise_that_variant_changes(name, audits):
    _, copies = audits[name]
    assert not copies, "\n".join(copies)


# --- the audit itself, on the demo set (helpers.variant_demo: exercise 1 asks about a year) ----

def test_the_audit_passes_a_well_made_set(tmp_path):
    assert audit(variant_demo(), "demo", tmp_path, tmp_path) == ([], [])


def test_the_audit_runs_each_variants_tests_in_a_namespace_of_their_own(tmp_path):
    """As in the grader's checker, a later test may use what an earlier test of its variant defined."""
    nb = variant_demo()
    ex1, ex2 = (next(c for c in nb.cells if c.id == i) for i in ("ex1", "ex2"))
    ex1.source = "_n = {{n_joined}}\n" + ex1.source.replace("expected={{n_joined}}", "expected=_n")
    ex2.source += "\nassert n_founders == _n"
    assert audit(nb, "demo", tmp_path, tmp_path) == ([], [])


def test_the_audit_finds_variants_that_do_not_tell_students_apart(tmp_path):
    nb = variant_demo()  # 1982 and 1999: one country joined in each, so a copy passes
    nb.metadata["alliances"]["variants"]["year"] = [{"year": 1949, "n_joined": 3}, {"year": 1982, "n_joined": 1},
                                                    {"year": 1999, "n_joined": 1}]
    own, copies = audit(nb, "demo", tmp_path, tmp_path)
    assert own == [] and sorted(copies) == [
        "demo ex1, key of v2 (year=1982, n_joined=1): passes the test of v3 (passed)",
        "demo ex1, key of v3 (year=1999, n_joined=1): passes the test of v2 (passed)"], copies


def test_the_audit_finds_a_variant_whose_key_fails_its_own_test(tmp_path):
    nb = variant_demo()  # a wrong expected value in the third record
    nb.metadata["alliances"]["variants"]["year"][2]["n_joined"] = 4
    own, copies = audit(nb, "demo", tmp_path, tmp_path)
    assert len(own) == 1 and own[0].startswith("demo ex1, key of v3 (year=1955, n_joined=4): fails its own test: "
                                               "AssertionError: Not quite: 1 is too low."), own
    assert copies == []


def test_the_audit_finds_a_visible_check_that_calls_a_variants_key_wrong(tmp_path):
    nb = variant_demo()  # a visible range that fits 1949 and 1952, not 1955 (one country joined)
    ex1 = next(c for c in nb.cells if c.id == "ex1")
    ex1.source += "\nfb = checks.check_between(n_founders, 2, 10)\nfb"
    own, copies = audit(nb, "demo", tmp_path, tmp_path)
    assert len(own) == 1 and own[0].startswith("demo ex1, key of v3 (year=1955, n_joined=1): fails its own test: "
                                               "visible check: "), own
