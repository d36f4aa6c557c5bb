"""alliances.research.add_peace_years against peacesciencer's cowmidspell, row for row (not a test: needs R).

    PSBENCH_LIB=/tmp/psbench/rlib PYTHONPATH=. python benchmarks/peace_years.py            # 1816-2014
    PSBENCH_LIB=/tmp/psbench/rlib PYTHONPATH=. python benchmarks/peace_years.py 1946 2014

R: ``create_dyadyears(directed = TRUE, subset_years = start:end) |> add_cow_mids() |> add_peace_years()``
(peacesciencer; its spells come from stevemisc::ps_btscs on cowmidongoing). Python: ``dyad_years(start, end)
|> add_mids |> add_peace_years``. Prints the rows compared and the rows that differ (0 expected); exits 1 if
any row differs or the two panels do not have the same dyad-years. Run on 2026-12-07: 1,836,630 rows
(1816-2014), 0 differ; tests/research/test_panels.py keeps three dyads of that run as fixtures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

R_SCRIPT = """suppressMessages({{library(peacesciencer); library(dplyr)}})
d <- create_dyadyears(directed = TRUE, subset_years = {start}:{end}) |> add_cow_mids() |> add_peace_years()
write.csv(select(d, ccode1, ccode2, year, cowmidongoing, cowmidspell), "{out}", row.names = FALSE)
"""


def main(start: int = 1816, end: int = 2014) -> int:
    from alliances import research as r
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "spells.csv"
        env = dict(os.environ)
        if os.environ.get("PSBENCH_LIB"):
            env["R_LIBS"] = os.environ["PSBENCH_LIB"]
        subprocess.run(["Rscript", "-e", R_SCRIPT.format(start=start, end=end, out=out)], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs = pd.read_csv(out)
    ours = r.dyad_years(start, end).pipe(r.add_mids).pipe(r.add_peace_years)
    m = ours[["ccode1", "ccode2", "year", "cowmidongoing", "peace_years"]].merge(
        theirs, on=["ccode1", "ccode2", "year"], how="outer", indicator=True, suffixes=("", "_r"))
    unmatched = int((m["_merge"] != "both").sum())
    differ = m[m["peace_years"].astype("float").fillna(-1) != m["cowmidspell"].fillna(-1)]
    print(f"{start}-{end}: {len(m):,} dyad-years, {unmatched} in one panel only, {len(differ):,} differ")
    if len(differ):
        print(differ.head(20).to_string())
    return int(bool(unmatched or len(differ)))


if __name__ == "__main__":
    sys.exit(main(*map(int, sys.argv[1:3])))
