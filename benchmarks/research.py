"""alliances.research against R's peacesciencer, timed side by side in the same run (not a test).

    .venv/bin/python benchmarks/research.py             # 3 runs of each side, alternating
    .venv/bin/python benchmarks/research.py --runs 1
    PSBENCH_LIB=/tmp/psbench/rlib .venv/bin/python benchmarks/research.py   # R packages in a private library

Scenarios (each run a fresh process, under ``/usr/bin/time -v`` for the peak resident set size):

- **dyad**: R ``create_dyadyears(directed = TRUE, subset_years = 1816:2014) |> add_atop_alliance() |>
  add_nmc() |> add_cow_mids() |> add_contiguity() |> add_democracy() |> add_peace_years()``
  (run by the peacesciencer bench tool's own worker, ``../shared/tools/peacesciencer-bench/bench.R``)
  against ``dyad_years(1816, 2014) |> add_atop |> add_nmc |> add_mids |> add_contiguity |>
  add_democracy |> add_peace_years``. Time = panel construction (data loading included, as R's
  lazy-loading is), not interpreter start-up or package import.
- **state**: R ``create_stateyears(system = "cow") |> add_nmc() |> add_democracy() |> add_sim_gdp_pop()``
  against a 1816-2022 state-year panel with *everything* (ATOP, NMC, MIDs, wars, UCDP, contiguity,
  majors, democracy, simulated GDP, rivalries, memberships, peace years): first call (cold: reading
  and hash-checking the data files) and the mean of 5 warm calls.

Targets: ours at least twice as fast and at most half the memory on the dyad panel, same rows;
the state-year panel with everything in under 1 s.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_R = ROOT.parent.parent / "shared" / "tools" / "peacesciencer-bench" / "bench.R"
if not BENCH_R.exists():
    BENCH_R = Path("/work/shared/tools/peacesciencer-bench/bench.R")
TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


def _vmhwm_kb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1])
    return float("nan")


def worker(scenario: str) -> None:
    t0 = time.perf_counter()
    from alliances import research as r
    res = {"scenario": scenario, "import_s": time.perf_counter() - t0}
    if scenario == "dyad":
        steps = [("dyad_years", lambda _: r.dyad_years(1816, 2014)), ("add_atop", r.add_atop),
                 ("add_nmc", r.add_nmc), ("add_mids", r.add_mids), ("add_contiguity", r.add_contiguity),
                 ("add_democracy", r.add_democracy), ("add_peace_years", r.add_peace_years)]
        d, total = None, 0.0
        for name, fn in steps:
            t = time.perf_counter()
            d = fn(d)
            res[f"step_{name}"] = time.perf_counter() - t
            total += res[f"step_{name}"]
        res.update(time_s=total, rows=len(d), cols=d.shape[1],
                   ref_dyadyears_1950=int((d.year == 1950).sum()), ref_dyadyears_2000=int((d.year == 2000).sum()),
                   ref_midonsets_1990_2000=int(d.cowmidonset[d.year.between(1990, 2000)].sum()),
                   ref_midonsets_all=int(d.cowmidonset.sum()), frame_mb=d.memory_usage(deep=True).sum() / 2**20)
    else:
        def run():
            return (r.state_years(1816, 2022, mry=True).pipe(r.add_atop).pipe(r.add_nmc).pipe(r.add_mids)
                    .pipe(r.add_wars).pipe(r.add_conflicts).pipe(r.add_contiguity).pipe(r.add_majors)
                    .pipe(r.add_democracy).pipe(r.add_gdp_pop).pipe(r.add_rivalries).pipe(r.add_memberships)
                    .pipe(r.add_peace_years))
        t = time.perf_counter()
        s = run()
        res.update(time_s=time.perf_counter() - t, rows=len(s), cols=s.shape[1],
                   first_year=int(s.year.min()), last_year=int(s.year.max()))
        t = time.perf_counter()
        for _ in range(5):
            run()
        res["warm_mean_s"] = (time.perf_counter() - t) / 5
    res["vmhwm_kb"] = _vmhwm_kb()
    print("RESULT " + json.dumps(res))


def _timed(cmd, env=None) -> tuple[str, float | None, float]:
    """Run ``cmd`` under /usr/bin/time -v: (stdout, peak RSS in MB or None, wall seconds)."""
    full = [TIME, "-v", *cmd] if TIME else cmd
    t = time.perf_counter()
    proc = subprocess.run(full, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    rss = None
    for line in proc.stderr.splitlines():
        if "Maximum resident set size" in line:
            rss = float(line.split(":")[-1]) / 1024
    return proc.stdout, rss, wall


def ours(scenario: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out, rss, wall = _timed([sys.executable, "-W", "error", __file__, "--worker", scenario], env)
    res = json.loads(next(l for l in out.splitlines() if l.startswith("RESULT "))[7:])
    res["peak_rss_mb"] = rss if rss is not None else res["vmhwm_kb"] / 1024
    res["process_s"] = wall
    return res


def peacesciencer(scenario: str) -> dict:
    name = {"dyad": "dyad_pipeline", "state": "state_pipeline"}[scenario]
    out, rss, wall = _timed(["Rscript", str(BENCH_R), "--worker", name, "--warm", "5"], dict(os.environ))
    line = next(l for l in out.splitlines() if l.startswith("PSBENCH"))
    res = {}
    for kv in line.split("\t")[1:]:
        k, _, v = kv.partition("=")
        try:
            res[k] = float(v)
        except ValueError:
            res[k] = v
    res["peak_rss_mb"] = rss if rss is not None else res["vmhwm_kb"] / 1024
    res["process_s"] = wall
    return res


def main(runs: int, with_r: bool) -> None:
    have_r = with_r and shutil.which("Rscript") and BENCH_R.exists()
    if with_r and not have_r:
        print("R or the peacesciencer bench tool is not available: reporting ours only\n")
    results = {("py", s): [] for s in ("dyad", "state")} | {("R", s): [] for s in ("dyad", "state")}
    for i in range(runs):
        for scenario in ("dyad", "state"):
            results[("py", scenario)].append(ours(scenario))
            if have_r:
                results[("R", scenario)].append(peacesciencer(scenario))
            print(f"run {i + 1} {scenario}: done", file=sys.stderr)
    load = os.getloadavg()
    print(f"# alliances.research vs peacesciencer ({runs} runs each, alternating; load average at the end "
          f"{load[0]:.1f} on {os.cpu_count()} cores)\n")
    med = lambda side, sc, key: statistics.median(r[key] for r in results[(side, sc)])  # noqa: E731
    top = lambda side, sc, key: max(r[key] for r in results[(side, sc)])  # noqa: E731
    print("| scenario | side | time median (s) | process median (s) | peak RSS (MB) | rows x cols |")
    print("|---|---|---:|---:|---:|---|")
    for sc in ("dyad", "state"):
        for side in ("py", "R") if have_r else ("py",):
            rr = results[(side, sc)][0]
            print(f"| {sc} | {'alliances.research' if side == 'py' else 'peacesciencer'} | "
                  f"{med(side, sc, 'time_s'):.2f} | {med(side, sc, 'process_s'):.2f} | "
                  f"{top(side, sc, 'peak_rss_mb'):.0f} | {int(rr['rows']):,} x {int(rr['cols'])} |")
    if have_r:  # the state panels differ in content (ours: everything, 1816-2022), so no ratio for them
        speed = med("R", "dyad", "time_s") / med("py", "dyad", "time_s")
        mem = top("py", "dyad", "peak_rss_mb") / top("R", "dyad", "peak_rss_mb")
        print(f"\ndyad panel: ours is {speed:.1f}x as fast (panel time; process {med('R', 'dyad', 'process_s') / med('py', 'dyad', 'process_s'):.1f}x), "
              f"peak memory {mem:.2f} of R's; rows {int(results[('py', 'dyad')][0]['rows']):,} vs "
              f"{int(results[('R', 'dyad')][0]['rows']):,}")
    py = results[("py", "dyad")]
    steps = [k for k in py[0] if k.startswith("step_")]
    print("\n| dyad step | ours median (s) |" + (" peacesciencer median (s) |" if have_r else ""))
    print("|---|---:|" + ("---:|" if have_r else ""))
    rsteps = {"dyad_years": "create_dyadyears", "add_atop": "add_atop_alliance", "add_mids": "add_cow_mids"}
    for k in steps:
        name = k.removeprefix("step_")
        line = f"| {name} | {statistics.median(r[k] for r in py):.2f} |"
        if have_r:
            rk = "step_" + rsteps.get(name, name)
            line += f" {statistics.median(r[rk] for r in results[('R', 'dyad')]):.2f} |"
        print(line)
    st = results[("py", "state")]
    print(f"\nstate-years {int(st[0]['first_year'])}-{int(st[0]['last_year'])} with everything "
          f"({int(st[0]['rows']):,} x {int(st[0]['cols'])}): first call {med('py', 'state', 'time_s'):.2f} s "
          f"(reads and hash-checks the data files), warm {med('py', 'state', 'warm_mean_s'):.3f} s per call")
    if have_r:
        print(f"peacesciencer state pipeline (NMC, democracy, GDP only): first call {med('R', 'state', 'time_s'):.2f} s, "
              f"warm {med('R', 'state', 'warm_mean_s'):.3f} s")
    d = py[0]
    print(f"\nreference numbers (ours): dyad-years 1950 {d['ref_dyadyears_1950']:,}, 2000 {d['ref_dyadyears_2000']:,}; "
          f"MID onsets 1990-2000 {d['ref_midonsets_1990_2000']:,}, 1816-2014 {d['ref_midonsets_all']:,}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--worker" in args:
        worker(args[args.index("--worker") + 1])
    else:
        runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 3
        main(runs, with_r="--no-r" not in args)
