"""Autograde submitted problem sets (nbgrader markup, no nbgrader database), in sandboxes.

``batch.grade(SUBMISSIONS, "exercises", "grades")`` reads ``SUBMISSIONS/<student>/<set>.ipynb`` and
writes into ``grades/``: ``grades.csv`` (student, set, exercise, points, max_points, reason),
``gradebook.csv`` (one row per student: points per set and in all), ``feedback/<student>/<set>.md``,
``manual-grades.csv`` (hand-graded exercises, to fill in; ``gradebook.gradebook()`` reads it back)
and ``report.html`` (the class report). A submission that is not a plain file in a real folder
(a link, a device, a FIFO) is never read and scores 0 with the reason (``untrusted.py``).

How a submission is scored (details in ``run.py``, ``protocol.py`` and ``sandboxes/``). The notebook is rebuilt from the source:
only the student's answer cells (matched by nbgrader ``grade_id`` or cell id) come from the
submission. Two processes run it:

- the **sandbox** (bubblewrap, or else a Podman or Docker container: no network, read-only system,
  only a small tmpfs writable, no view of the sources, keys, other submissions or the grader;
  memory, process, CPU-time and file-size limits) runs the set-up and answer cells; it never sees
  a test cell;
- the **checker**, a clean process that never runs student code, runs the source's set-up and
  test cells (hidden tests included). Before each test cell it receives, as JSON data, the values
  of the names the test reads and the answer cells define. A function answer arrives as a proxy
  that calls the student's function in the sandbox and gets back only its JSON result; a figure
  arrives as a JSON description, redrawn. Each grading process keeps one checker and resets it
  (namespace and figures cleared) between submissions, so a submission costs one Python start,
  not two; a checker that failed or ran out of time is replaced.

So student code can change only the values it hands over, never the checks, the expected values
or the test cells. A test cell scores its points if it runs without error. An answer cell that runs
longer than ``timeout`` seconds is stopped ("timeout"); a sandbox that dies or ignores the stop
is started again (the cells that ran before are replayed) and that cell scores 0 ("timeout" /
"kernel died"), so later answers still count. Any other failure becomes rows with 0 points and
the reason; the batch goes on. Submissions are graded in parallel
(``jobs``); results are kept per submission under ``.results/`` so an interrupted batch resumes.

A set with variants is graded against its default variant, or, with ``roster`` and ``secret``,
against the variant drawn for the submission's folder (never anything in the notebook).

``engine="auto"`` takes the first sandbox that works here (bubblewrap, Podman, Docker; see
``sandboxes.find_sandbox``); ``image`` runs submissions in a container image with the package
installed instead of this machine's Python. Without any sandbox the grader refuses to run unless
``trusted=True`` (the checks are still out of the students' reach, but their code runs unconfined,
as you).


Where each part lives (one job per module):

- ``cli.py``: ``python -m alliances release|collect|grade|gradebook|image``;
- ``intake.py``: collecting a Canvas or Moodle download into ``SUBMISSIONS/<student>/<set>.ipynb``
  with ``mapping.csv``; ``archives.py``: reading a zip, tar or folder export as untrusted input
  (links, climbing paths, devices, bombs refused); ``untrusted.py``: reading the submissions
  folder without following links; ``spreadsheet.py``: the one CSV writer (formula cells
  neutralised); ``progress.py``: the progress bar or lines; ``report.py``: the class report;
- ``markup.py``: the nbgrader markup parser; ``variants.py``: per-student variants (declared in the
  source's metadata, drawn per student under the course secret, rendered); ``release.py``: student
  versions and answer keys (per student with a roster);
- ``paths.py``: every path (problem sets of a source folder; what a batch writes);
- ``plan.py``: the notebook to run and what each cell is; ``run.py``: one submission in a sandbox
  and the checker; ``score.py``: points and reasons; ``batch.py``: many submissions, resumable;
  ``gradebook.py``: totals, LMS gradebooks and feedback;
- ``protocol.py``: the JSON answer protocol and its size limits; ``limits.py``: resource limits;
- ``worker.py``: the worker loop of both workers; ``client.py``: the grader's side of a worker and
  the warm checker;
- ``sandboxes/``: choosing an engine (``__init__.py``), what a sandbox sees (``common.py``),
  ``bubblewrap.py``, ``containers.py`` (with the ``Containerfile``) and ``trusted.py``.

Importing this package imports nothing heavy; import the module you need.
"""
