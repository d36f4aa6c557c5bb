"""The package list, found automatically; everything else is in pyproject.toml.

Every subpackage of ``alliances`` is found by ``find_packages`` (a new one cannot be left out of
the wheel), plus ``alliances._data``, built from the repository's ``data/`` folder
(``package-dir`` in pyproject.toml). ``[tool.setuptools.packages.find]`` cannot add a package that
lies outside the folders it searches, hence this file.
"""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["alliances", "alliances.*"]) + ["alliances._data"])
