# Two commands do all set-up on a fresh machine with only python3:
#   make book   build the web book into _build/html (creates .venv and installs on first use)
#   make test   run every test: package, data, notebooks (nbval) and the -W book build
# Also: make lab (the chapters and problem sets in JupyterLab), make notebooks (re-execute and store outputs),
# make test-fast (the library tier, under a minute). Words (edition, release, check...): CONTRIBUTING.md, "Glossary".

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book student-book pdf test test-fast lab instructor-lab workspace notebooks student problem-sets data clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Notebooks are executed first on both cores into jupyter-cache (the cache Jupyter Book reads);
# the build then re-executes only what is still missing and fails on any error. The cache keys
# on code only, so `python -m alliances.publish cache` first clears it (and the rendered pages) whenever any
# file in data/ changed since the last build: no page can show numbers from old data.
CACHE := _build/.jupyter_cache

book: $(STAMP)
	mkdir -p _build
	$(BIN)/python -m alliances.publish cache _build data
	yes | $(BIN)/jcache notebook -p $(CACHE) add book/*.ipynb > /dev/null
	$(BIN)/jcache project -p $(CACHE) execute --executor local-parallel --timeout 120 --verbosity WARNING
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python -m alliances.publish lite
	@echo "Open _build/html/index.html in a browser (JupyterLite: _build/html/lite, served over http)."

# The student web book: every solution removed (alliances/publish/student_book.py) -> _build/student/_build/html
student-book: $(STAMP)
	$(BIN)/python -m alliances.publish student-book _build/student

# The PDF editions (alliances/publish/pdf.py: the built pages printed by headless Chromium, offline):
# full (solutions at the end of each chapter) and student (no solutions), into _build/pdf and
# _build/html/pdf, where the web book's landing page links to them.
pdf: book student-book
	$(BIN)/python -m alliances.publish pdf --form full
	$(BIN)/python -m alliances.publish pdf --form student
	mkdir -p _build/html/pdf && cp _build/pdf/*.pdf _build/html/pdf/

# The suite runs on up to four cores (pytest-xdist): tests/conftest.py groups the tests (nbval's chapters
# with the book build first, on one worker; the container tests together; every other file whole) and
# orders them (the readers of the built book last); --no-loadscope-reorder keeps that order.
# PYTEST_ARGS: more pytest options (benchmarks/suite.py adds --durations).
test: $(STAMP)
	bash tools/provision.sh
	$(BIN)/python -m pytest --numprocesses auto --maxprocesses 4 --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

# The library tier alone, in under a minute: the tests of the library students import and of the
# data, without the book build, notebooks, the browser, containers or slow tests. tests/ mirrors the
# package (library, data, grading, publish, book, packaging); `make test` runs every tier.
FAST := not browser and not containers and not book and not notebooks and not slow and not wheel
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "$(FAST)" tests/library tests/data tests/research

# The student's workspace $(WORK): the chapters (the notebook edition the book build writes,
# alliances/publish/notebooks.py) in $(WORK)/book/ and the student problem sets (exercises/student/, no
# solutions) in $(WORK)/problem-sets/, copied only where a file is not there yet, so a rebuild or
# `git pull` never overwrites a student's answers. Fresh copy: delete the file, rerun. JupyterLab runs
# with the workspace's own settings ($(WORK)/.jupyter): nbgrader's instructor tools are switched off there.
WORK    ?= my-notebooks
EDITION ?= _build/html/notebooks/student

workspace: $(STAMP)
	@test -d $(EDITION) || $(MAKE) book
	$(BIN)/python -m alliances.publish workspace $(EDITION) $(WORK) exercises/student

lab: workspace
	JUPYTER_CONFIG_PATH=$(abspath $(WORK))/.jupyter $(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) \
	  --ServerApp.root_dir=$(WORK) --LabApp.default_url=/lab/tree/book/nato-structure-and-purpose.ipynb

# The instructor's JupyterLab on the repository, with nbgrader's tools (formgrader, Create Assignment).
instructor-lab: $(STAMP)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root)

# Re-execute every notebook in place so stored outputs (compared by nbval) are current.
notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False book/*.ipynb

# Release the problem sets: regenerate their committed student versions (a test fails when they
# drift). `make student` is the old name of this target, kept for one release.
problem-sets: $(STAMP)
	$(BIN)/python -m alliances release --source exercises/source --out release
	rm -rf exercises/student && cp -r release/student exercises/student

student: problem-sets

# Rebuild data/ from raw copies in ../shared/sources and re-hash data/datapackage.json.
data: $(STAMP)
	$(BIN)/python tools/curate_data.py sources

clean:
	rm -rf _build
