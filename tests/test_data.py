"""The data package: valid, hashed, loadable, and right about the facts the book quotes."""

import shutil

import pandas as pd
import pytest
from frictionless import Package

from alliances import data

DATA = data.data_dir()


# --- the package as a whole ------------------------------------------------------------

@pytest.fixture(scope="module")
def report():
    return Package(str(DATA / "datapackage.json")).validate()


def test_frictionless_package_is_valid(report):
    problems = [f"{t.name}: {e.message}" for t in report.tasks for e in t.errors[:5]]
    assert report.valid, "\n".join(problems)


def test_every_resource_is_hashed_sourced_and_licensed():
    pkg = Package(str(DATA / "datapackage.json"))
    for res in pkg.resources:
        assert res.hash and len(res.hash.removeprefix("sha256:")) == 64, res.name
        assert res.sources and all(s.get("title") for s in res.sources), res.name
        assert res.licenses, res.name
        assert res.schema.primary_key or res.name == "membership_events", f"{res.name} has no primary key"
        for field in res.schema.fields:
            assert field.description, f"{res.name}.{field.name} has no description"


def test_every_data_file_is_in_the_package():
    described = {r["path"] for r in data._package(str(DATA))["resources"]}
    on_disk = {p.name for p in DATA.glob("*.csv")}
    assert on_disk == described


def test_codebook_documents_every_resource():
    codebook = (DATA / "README.md").read_text()
    for name in data.resource_names():
        assert f"`{data._resource(name)['path']}`" in codebook, f"{name} missing from data/README.md"


# --- loaders -----------------------------------------------------------------------------

def test_loaders_give_typed_frames():
    nmc = data.load("nmc")
    assert str(nmc["cow_code"].dtype) == "Int64" and str(nmc["milex"].dtype) == "float64"
    assert data.load("countries")["cow_code"].is_unique


def test_load_returns_a_copy():
    a = data.load("countries")
    a.loc[0, "country"] = "changed"
    assert data.load("countries").loc[0, "country"] != "changed"


def test_unknown_resource_names_the_choices():
    with pytest.raises(data.DataError, match="no data resource called 'nope'.*countries"):
        data.load("nope")


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of data/ that the loaders use (so tests can damage it)."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    monkeypatch.setenv(data.ENV_VAR, str(copy))
    return copy


def test_missing_file_names_file_and_fix(data_copy):
    (data_copy / "countries.csv").unlink()
    with pytest.raises(data.DataError, match=r"data/countries.csv is missing.*git checkout"):
        data.countries()


def test_damaged_file_names_file_and_fix(data_copy):
    path = data_copy / "countries.csv"
    path.write_text(path.read_text().replace("Canada", "Kanada"))
    with pytest.raises(data.DataError, match=r"data/countries.csv has been changed or damaged.*git checkout"):
        data.countries()


def test_missing_package_says_where_to_look(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    with pytest.raises(data.DataError, match="No data package found.*ALLIANCES_DATA_DIR"):
        data.countries()


# --- countries ---------------------------------------------------------------------------

def test_country_identities():
    c = data.countries().set_index("cow_code")
    assert c.loc[2, "iso3"] == "USA" and c.loc[365, "iso3"] == "RUS"
    assert c.loc[265, "iso3"] == "DDR" and c.loc[315, "iso3"] == "CSK"
    assert c.loc[260, "iso3"] == "DEU" and c.loc[255, "iso3"] == "DEU"
    assert c["country"].notna().all()


# --- spending ----------------------------------------------------------------------------

def test_nmc_spending_units_and_coverage():
    s = data.spending()
    usa = s[(s["iso3"] == "USA")].set_index("year")["milex"]
    # thousands of current USD: hundreds of billions of dollars in the 2020s, never trillions
    assert 5e8 < usa[2022] < 1.5e9
    assert s["year"].min() == 1816 and s["year"].max() == 2022
    assert (s["milex"].dropna() >= 0).all()
    assert s["iso3"].isna().sum() < len(s) * 0.05  # almost every state-year has an ISO3 code
