"""alliances.grading.plan: what each code cell is, and which names a test receives from the sandbox."""

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from alliances.grading import plan


def cell(source, **nbgrader):
    return new_code_cell(source, metadata={"nbgrader": nbgrader} if nbgrader else {})


def test_a_test_receives_the_answers_it_reads_not_every_answer_so_far():
    """A large intermediate answer (a panel of 800,000 rows) is not encoded for tests that never read it."""
    nb = new_notebook(cells=[
        new_markdown_cell("Intro"),
        cell("import pandas as pd\nYEARS = range(1946, 2015)"),
        cell("### BEGIN SOLUTION\npanel = pd.DataFrame({'year': YEARS})\nrows = len(panel)\n### END SOLUTION"),
        cell("assert rows == 69", grade=True, points=1, grade_id="ex1"),
        cell("### BEGIN SOLUTION\nshare = 1.0\n### END SOLUTION"),
        cell("def _helper(v):\n    return v\nassert _helper(share) == 1.0 and len(panel) and missing", grade=True, points=1,
             grade_id="ex2"),
    ])
    assert plan.plan(nb) == [(1, "setup", []), (2, "answer", []), (3, "test", ["rows"]), (4, "answer", []),
                             (5, "test", ["missing", "panel", "share"])]
