"""Reuse and citation: licence files, CITATION.cff, one version for the edition, changelog, CI."""

import json
import re

import jsonschema
import yaml

import alliances
from helpers import ROOT

VERSION = alliances.__version__


def test_licence_files():
    mit = (ROOT / "LICENSE").read_text()
    assert mit.startswith("MIT License") and "Permission is hereby granted, free of charge" in mit
    assert (ROOT / "LICENSES" / "MIT.txt").read_text() == mit
    cc = (ROOT / "LICENSES" / "CC-BY-4.0.txt").read_text()
    assert cc.startswith("Creative Commons Attribution 4.0 International")
    assert "Section 3 – License Conditions" in cc and len(cc) > 15_000  # the whole legal code
    readme = (ROOT / "README.md").read_text()
    licence = readme[readme.index("## Licence"):]
    for name in ("LICENSE", "LICENSES/CC-BY-4.0.txt", "data/README.md", "CITATION.cff"):
        assert name in licence, f"README's Licence section does not mention {name}"


def test_citation_cff_is_valid_and_current():
    schema = json.loads((ROOT / "tests" / "fixtures" / "citation-cff-1.2.0.schema.json").read_text())
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    jsonschema.validate(cff, schema, format_checker=jsonschema.FormatChecker())
    assert cff["version"] == VERSION == cff["preferred-citation"]["edition"]
    assert set(cff["license"]) == {"CC-BY-4.0", "MIT"}
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cff["repository-code"] == config["repository"]["url"]


def test_invalid_citation_is_caught():
    """The schema check can fail: a misspelt key or a bad licence id is rejected."""
    schema = json.loads((ROOT / "tests" / "fixtures" / "citation-cff-1.2.0.schema.json").read_text())
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    for broken in ({**cff, "licence": "MIT"}, {**cff, "license": ["CC-BY-4"]}):
        try:
            jsonschema.validate(broken, schema)
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"schema accepted {broken}")


def test_one_version_everywhere():
    from importlib.metadata import version
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert version("alliances") == VERSION, "reinstall the package (make test does) after changing the version"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    match = re.search(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert match, "CHANGELOG.md has no release heading"
    assert match.groups() == (VERSION, cff["date-released"]), "the newest changelog entry is not this version"
    assert f"[{VERSION}]: " in changelog


def test_ci_runs_the_tests_and_the_build():
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on:` as True
    assert {"push", "pull_request"} <= set(triggers)
    jobs = flow["jobs"]
    steps = lambda job: " ".join(s.get("run", "") for s in jobs[job]["steps"])
    assert "bash .ci/run" in steps("test")
    assert "make book" in steps("build")
    assert set(jobs["deploy"]["needs"]) == {"test", "build"}
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_footer_shows_version_and_data_vintage(built_book):
    from alliances.publish.sphinx import version_footer as footer
    package = json.loads((ROOT / "data" / "datapackage.json").read_text())
    vintage = footer.vintage()
    assert vintage.count(" to ") >= len(package["resources"]) - 3, vintage
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    for page in ("book/index.html", "book/introduction.html", "book/glossary.html"):
        html = (built_book / page).read_text(encoding="utf-8")
        assert f"Version {VERSION}" in html and f"Data vintage: {vintage}." in html, page
        assert f'{config["repository"]["url"]}/blob/main/CHANGELOG.md' in html
