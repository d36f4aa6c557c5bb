"""The grader's reasons (issue #25): plain sentences, a missing library named, error carried forward."""

from alliances.grading import markup
from alliances.grading.score import _error, score


def test_a_failed_test_gives_its_own_sentence_without_assertionerror():
    assert _error({"ename": "AssertionError", "evalue": "Not quite: 99 is too high. Hint: count."}) == \
        "Not quite: 99 is too high. Hint: count."
    assert _error({"ename": "AssertionError", "evalue": ""}) == "AssertionError"
    assert _error({"ename": "NameError", "evalue": "name 'x' is not defined"}) == "NameError: name 'x' is not defined"


def test_a_missing_library_is_named_as_such():
    why = _error({"ename": "ModuleNotFoundError", "evalue": "No module named 'pingouin'"})
    assert why == "this problem set can be solved with pandas, numpy, scipy and matplotlib; pingouin is not available"


def test_error_carried_forward_is_said_in_the_reason():
    found = [markup.Exercise("ex7", 3, 1, [0]), markup.Exercise("ex8", 2, 3, [2])]
    replies = {0: {"status": "ok"}, 1: {"status": "error", "ename": "AssertionError", "evalue": "Not quite: values differ."},
               2: {"status": "ok"}, 3: {"status": "ok", "carried": "exercise 7"}}
    rows = score(None, found, replies, None, "", False)
    assert rows == [("ex7", 0, 3, "Not quite: values differ."),
                    ("ex8", 2, 2, "passed: the right method on your own answer (builds on your exercise 7; "
                                  "the mistake is marked there)")]
    answer_failed = {0: {"status": "error", "ename": "ModuleNotFoundError", "evalue": "No module named 'pingouin'"},
                     1: {"status": "error", "ename": "NameError", "evalue": "x"}}
    assert score(None, found[:1], answer_failed, None, "", False)[0][3] == \
        "error in your answer: this problem set can be solved with pandas, numpy, scipy and matplotlib; pingouin is not available"
