"""The package's shape cannot rot: every folder of alliances/ is a package the wheel finds, the
grading recipe ships as a file, ``import alliances`` stays cheap, and the old module paths still
re-export the new ones (for one version; CHANGELOG.md)."""

import subprocess
import sys

from setuptools import find_packages

from helpers import ROOT


def test_every_folder_of_the_package_is_found_for_the_wheel():
    folders = {p.parent for p in (ROOT / "alliances").rglob("*.py") if "__pycache__" not in p.parts}
    packages = set(find_packages(str(ROOT), include=["alliances", "alliances.*"]))
    missing = sorted(str(f.relative_to(ROOT)) for f in folders
                     if ".".join(f.relative_to(ROOT).parts) not in packages)
    assert not missing, f"folders without __init__.py (left out of the wheel): {missing}"
    assert "Containerfile" in (ROOT / "pyproject.toml").read_text()
    assert (ROOT / "alliances" / "grading" / "sandboxes" / "Containerfile").is_file()


def test_import_alliances_imports_nothing_heavy():
    code = ("import sys, alliances; heavy = {'pandas', 'numpy', 'matplotlib', 'nbformat', 'IPython'} & set(sys.modules); "
            "print(sorted(heavy)); from alliances import data; print('pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "True"], done.stdout + done.stderr


def test_old_module_paths_reexport_the_new_ones():
    from alliances import edition, grade, gluecheck, release, sandbox
    from alliances.grading import batch, client, gradebook, markup, protocol, run, sandboxes
    from alliances.grading import release as releasing
    from alliances.publish import notebooks, solutions, stale_glue, workspace
    assert sandbox.encode is protocol.encode and sandbox.Worker is client.Worker
    assert sandbox.find_sandbox is sandboxes.find_sandbox
    assert grade.grade is batch.grade and grade.grade_one is run.grade_one and grade.gradebook is gradebook.gradebook
    assert release.release is releasing.release and release.exercises is markup.exercises
    assert edition.convert is notebooks.convert and edition.remove_solutions is solutions.remove_solutions
    assert edition.copy_missing is workspace.copy_missing and gluecheck.glue_records is stale_glue.glue_records


def test_the_cli_defaults_are_the_functions_defaults():
    import inspect
    from alliances.grading.batch import grade
    from alliances.grading.cli import _parser
    args = _parser().parse_args(["grade", "subs"])
    defaults = {k: v.default for k, v in inspect.signature(grade).parameters.items()}
    assert (args.source, args.out, args.timeout, args.notebook_timeout, args.jobs, args.sandbox, args.image) == tuple(
        defaults[k] for k in ("source_dir", "out_dir", "timeout", "notebook_timeout", "jobs", "engine", "image"))
