"""alliances.research.inference: each wrapper against a direct SciPy/statsmodels call or a textbook value.

Also: the same seed gives the same numbers, bad input gets a clear error, the alliance-duration data
built from ATOP's member file match that file's alliance counts, and importing the module does not
import SciPy or statsmodels.
"""

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats import proportion

from alliances.research import inference
from helpers import ROOT

A = [1.2, 2.5, 1.9, 3.1, 2.2, 1.7]          # two small groups, as in the chapters (6 and 7 "states")
B = [1.0, 1.4, 0.9, 1.6, 1.1, 2.0, 1.3]


def median_difference(x, y, axis):
    return np.median(x, axis=axis) - np.median(y, axis=axis)


def test_tidy_columns_come_first():
    table = inference.share_difference((3, 5), (1, 7))
    assert list(table.columns[:8]) == inference.COLUMNS
    assert len(table) == 1


# ------------------------------------------------------------------------ permutation test

def test_permutation_textbook_exact_p():
    """{1,2,3} vs {4,5,6}: of the 20 relabellings, 2 give a mean difference as extreme as -3."""
    row = inference.permutation_test([1, 2, 3], [4, 5, 6], "mean").iloc[0]
    assert row["estimate"] == pytest.approx(-3)
    assert row["p_value"] == pytest.approx(2 / 20)
    assert "exact" in row["method"] and "20 relabellings" in row["method"]
    assert row["n"] == 6 and np.isnan(row["ci_low"])


def test_permutation_matches_scipy_and_is_exact_for_small_groups():
    row = inference.permutation_test(A, B, labels=("NATO", "CSTO")).iloc[0]
    direct = stats.permutation_test((np.array(A), np.array(B)), median_difference, vectorized=True,
                                    rng=np.random.default_rng(0))
    assert row["term"] == "median(NATO) - median(CSTO)"
    assert row["estimate"] == pytest.approx(direct.statistic) == pytest.approx(np.median(A) - np.median(B))
    assert row["p_value"] == pytest.approx(direct.pvalue)
    assert math.comb(13, 6) == 1716 <= 9999 and "exact" in row["method"]
    # exact: the seed does not matter
    assert inference.permutation_test(A, B, seed=99).iloc[0]["p_value"] == row["p_value"]


def test_permutation_monte_carlo_is_deterministic_with_the_seed():
    first = inference.permutation_test(A, B, "mean", n_resamples=500, seed=1)
    again = inference.permutation_test(A, B, "mean", n_resamples=500, seed=1)
    other = inference.permutation_test(A, B, "mean", n_resamples=500, seed=2)
    pd.testing.assert_frame_equal(first, again)
    assert first.iloc[0]["p_value"] != other.iloc[0]["p_value"]
    assert "500 random relabellings (seed 1)" in first.iloc[0]["method"]
    direct = stats.permutation_test((np.array(A), np.array(B)), lambda x, y, axis: x.mean(axis) - y.mean(axis),
                                    vectorized=True, n_resamples=500, rng=np.random.default_rng(1))
    assert first.iloc[0]["p_value"] == pytest.approx(direct.pvalue)


def test_permutation_one_sided_and_callable_statistic():
    greater = inference.permutation_test(A, B, "mean", alternative="greater").iloc[0]["p_value"]
    less = inference.permutation_test(A, B, "mean", alternative="less").iloc[0]["p_value"]
    assert greater < 0.05 < less
    spread = inference.permutation_test(A, B, statistic=np.ptp).iloc[0]
    assert spread["term"] == "ptp(a) - ptp(b)"
    assert spread["estimate"] == pytest.approx(np.ptp(A) - np.ptp(B))


# ------------------------------------------------------------------------ bootstrap

def test_bootstrap_difference_matches_scipy():
    row = inference.bootstrap_ci(A, B).iloc[0]
    direct = stats.bootstrap((np.array(A), np.array(B)), median_difference, vectorized=True, method="percentile",
                             rng=np.random.default_rng(0))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(direct.confidence_interval))
    assert row["std_error"] == pytest.approx(direct.standard_error)
    assert row["estimate"] == pytest.approx(np.median(A) - np.median(B))
    assert row["ci_low"] <= row["estimate"] <= row["ci_high"] and np.isnan(row["p_value"])
    assert "percentile" in row["method"]


def test_bootstrap_one_group_mean_is_bca_and_deterministic():
    table = inference.bootstrap_ci(A, statistic="mean", confidence_level=0.9, seed=3)
    direct = stats.bootstrap((np.array(A),), lambda x, axis: np.mean(x, axis=axis), vectorized=True,
                             confidence_level=0.9, rng=np.random.default_rng(3))
    row = table.iloc[0]
    assert row["term"] == "mean(a)" and row["n"] == 6 and "90% BCa" in row["method"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(direct.confidence_interval))
    pd.testing.assert_frame_equal(table, inference.bootstrap_ci(A, statistic="mean", confidence_level=0.9, seed=3))
    assert not table.equals(inference.bootstrap_ci(A, statistic="mean", confidence_level=0.9, seed=4))


# ------------------------------------------------------------------------ difference in shares

def test_share_difference_textbook_fisher_tea_tasting():
    """Fisher's lady tasting tea: 3 of 4 cups right against 1 of 4; two-sided p = 34/70."""
    row = inference.share_difference((3, 4), (1, 4)).iloc[0]
    assert row["estimate"] == pytest.approx(0.5)
    assert row["p_value"] == pytest.approx(34 / 70)


def test_share_difference_matches_statsmodels_and_scipy():
    a, b = [1, 1, 0, 1, 0], [False, False, True, False, False, False, False]
    row = inference.share_difference(a, b, labels=("allied", "not allied")).iloc[0]
    low, high = proportion.confint_proportions_2indep(3, 5, 1, 7, method="newcomb", compare="diff")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    assert row["p_value"] == pytest.approx(stats.fisher_exact([[3, 2], [1, 6]]).pvalue)
    assert row["term"] == "share(allied) - share(not allied)"
    assert (row["share_a"], row["share_b"], row["n"]) == (0.6, 1 / 7, 12)
    boschloo = inference.share_difference(a, b, test="boschloo").iloc[0]
    assert boschloo["p_value"] == pytest.approx(stats.boschloo_exact([[3, 2], [1, 6]]).pvalue)
    assert boschloo["p_value"] < row["p_value"]  # Boschloo's test is the more powerful


def test_share_difference_from_values_equals_from_counts():
    pd.testing.assert_frame_equal(inference.share_difference([1, 0, 1], [0, 0, 0, 1]),
                                  inference.share_difference((2, 3), (1, 4)))


# ------------------------------------------------------------------------ logit

@pytest.fixture(scope="module")
def panel():
    """A directed dyad-year panel (both orders of 40 pairs, 15 years) with a 0/1 outcome and a dyad effect."""
    rng = np.random.default_rng(7)
    pairs = [(a, b) for a, b in zip(rng.choice(np.arange(2, 1000), 40, replace=False),
                                    rng.choice(np.arange(1000, 1999), 40, replace=False))]
    rows = []
    for a, b in pairs:
        allied, effect = rng.integers(0, 2), rng.normal(0, 1.5)
        for year in range(2000, 2015):
            for one, two in ((a, b), (b, a)):
                risk = 1 / (1 + np.exp(-(-1 + 0.8 * allied + effect)))
                rows.append({"ccode1": one, "ccode2": two, "year": year, "allied": allied,
                             "distance": rng.uniform(100, 5000), "dispute": int(rng.random() < risk)})
    return pd.DataFrame(rows)


def test_logit_matches_statsmodels_clustered_on_the_dyad(panel):
    import statsmodels.formula.api as smf

    table = inference.logit("dispute ~ allied + np.log(distance)", panel).set_index("term")
    dyad = panel[["ccode1", "ccode2"]].min(axis=1).astype(str) + "-" + panel[["ccode1", "ccode2"]].max(axis=1).astype(str)
    direct = smf.logit("dispute ~ allied + np.log(distance)", panel).fit(
        disp=False, cov_type="cluster", cov_kwds={"groups": pd.factorize(dyad)[0]})
    assert table["estimate"].to_numpy() == pytest.approx(direct.params.to_numpy())
    assert table["std_error"].to_numpy() == pytest.approx(direct.bse.to_numpy())
    assert table["p_value"].to_numpy() == pytest.approx(direct.pvalues.to_numpy())
    assert table["ci_low"].to_numpy() == pytest.approx(direct.conf_int()[0].to_numpy())
    assert table["odds_ratio"].to_numpy() == pytest.approx(np.exp(direct.params.to_numpy()))
    assert table["odds_ratio_high"].to_numpy() == pytest.approx(np.exp(direct.conf_int()[1].to_numpy()))
    assert (table["n"] == 1200).all() and (table["n_clusters"] == 40).all()  # A-B and B-A: one cluster
    assert "clustered on dyad (40 clusters)" in table["method"].iloc[0]
    ordinary = inference.logit("dispute ~ allied + np.log(distance)", panel, cluster=None).set_index("term")
    assert ordinary.loc["allied", "estimate"] == pytest.approx(table.loc["allied", "estimate"])
    assert ordinary.loc["allied", "std_error"] < table.loc["allied", "std_error"]  # years of one dyad are not independent


def test_logit_drops_rows_with_missing_values_and_their_clusters(panel):
    holes = panel.assign(distance=panel["distance"].mask(panel.index % 7 == 0))
    kept = holes.dropna(subset=["distance"])
    assert (inference.logit("dispute ~ allied + distance", holes).drop(columns="method").equals(
        inference.logit("dispute ~ allied + distance", kept).drop(columns="method")))
    other = inference.logit("dispute ~ allied", panel.assign(pair=panel["ccode1"]), cluster="pair")
    assert other["n_clusters"].iloc[0] == 80


def test_logit_reads_the_research_panels_nullable_columns(panel):
    """Columns as alliances.research makes them (Int8 with <NA>, Float32) give the float64/NaN result."""
    holes = panel.assign(distance=panel["distance"].mask(panel.index % 9 == 0),
                         dispute=panel["dispute"].mask(panel.index % 11 == 0))
    nullable = holes.astype({"dispute": "Int8", "allied": "Int8", "distance": "Float64"})
    assert nullable["dispute"].isna().any()
    pd.testing.assert_frame_equal(inference.logit("dispute ~ allied + distance", nullable),
                                  inference.logit("dispute ~ allied + distance", holes))


def test_logit_errors(panel):
    with pytest.raises(ValueError, match="empty"):
        inference.logit("dispute ~ allied", panel.iloc[:0])
    with pytest.raises(ValueError, match="ccode2"):
        inference.logit("dispute ~ allied", panel.drop(columns="ccode2"))
    with pytest.raises(ValueError, match="no column 'region'"):
        inference.logit("dispute ~ allied", panel, cluster="region")
    with pytest.raises(ValueError, match="missing values"):
        inference.logit("dispute ~ allied", panel.assign(pair=np.nan), cluster="pair")


# ------------------------------------------------------------------------ durations (ATOP)

@pytest.fixture(scope="module")
def durations():
    return inference.alliance_durations()


def test_durations_match_the_atop_member_file(durations):
    raw = pd.read_csv(ROOT / "data" / "atop_members.csv")
    assert len(durations) == raw["atopid"].nunique() == 789  # the codebook's count
    assert durations["atopid"].is_unique
    in_force = raw.groupby("atopid")["yrexit"].apply(lambda exits: (exits == 0).any())
    assert (~durations.set_index("atopid")["ended"]).sum() == in_force.sum()
    assert in_force.sum() == raw.groupby("atopid")["ineffect"].max().sum()  # ATOP's own in-force flag agrees
    assert durations["end"].isna().sum() == in_force.sum()
    assert (durations["duration"] > 0).all() and durations["start_year"].between(1815, 2018).all()
    assert durations["members"].sum() == raw.groupby("atopid")["member"].nunique().sum()
    nato = durations.set_index("atopid").loc[3180]
    assert nato["start"] == pd.Timestamp("1949-04-04") and not nato["ended"] and nato["founders"] == 12
    assert nato["duration"] == pytest.approx((pd.Timestamp("2018-12-31") - pd.Timestamp("1949-04-04")).days / 365.25)
    assert nato["defense"] == 1 and nato["bilateral"] == 0


def test_durations_agree_with_atop_alliance_level_file(durations):
    level = pd.read_csv(ROOT / "data" / "atop_alliance_provisions.csv.gz").set_index("atopid").sort_index()
    built = durations.set_index("atopid").sort_index()
    assert built.index.tolist() == level.index.tolist()
    assert built["start"].dt.year.tolist() == level["begyr"].tolist()
    assert built["ended"].tolist() == (level["ineffect"] == 0).tolist()
    ended = built["ended"].to_numpy()
    assert built["end"].dt.year[ended].astype(int).tolist() == level["endyr"][ended].tolist()
    extra = inference.alliance_durations(provisions=["wartime", "milcon"])
    assert extra["wartime"].sum() == level["wartime"].sum() and len(extra) == 789
    with pytest.raises(ValueError, match="not ATOP alliance-level provision columns"):
        inference.alliance_durations(provisions=["wartime", "no_such_column"])


def test_kaplan_meier_matches_survfuncright(durations):
    km = inference.kaplan_meier(durations)
    direct = SurvfuncRight(durations["duration"].to_numpy(), durations["ended"].to_numpy(float))
    curve = km[km["term"] == "survival"]
    assert curve["estimate"].to_numpy() == pytest.approx(direct.surv_prob)
    assert curve["std_error"].to_numpy() == pytest.approx(direct.surv_prob_se)
    assert curve["ci_low"].to_numpy() == pytest.approx(direct.simultaneous_cb(transform="arcsin")[0], nan_ok=True)
    median = km[km["term"] == "median duration"].iloc[0]
    assert median["estimate"] == pytest.approx(direct.quantile(0.5))
    assert (median["ci_low"], median["ci_high"]) == pytest.approx(direct.quantile_ci(0.5))
    assert median["ci_low"] < median["estimate"] < median["ci_high"] and median["n"] == 789


def test_kaplan_meier_without_censoring_is_the_share_still_going():
    """Textbook: with no censoring the Kaplan-Meier curve is the share of durations longer than t."""
    table = pd.DataFrame({"duration": [2.0, 3.0, 3.0, 5.0, 8.0], "ended": [1, 1, 1, 1, 1]})
    km = inference.kaplan_meier(table, times=[1, 2, 4, 8, 9])
    assert km["estimate"].iloc[:4].tolist() == pytest.approx([1.0, 0.8, 0.4, 0.0])
    assert np.isnan(km["estimate"].iloc[4])  # past the longest duration: unknown
    assert km["term"].tolist() == ["survival"] * 5 + ["median duration"]
    assert km["estimate"].iloc[5] == 3.0


def test_kaplan_meier_by_group(durations):
    km = inference.kaplan_meier(durations, group="defense")
    other = km[(km["group"] == 0) & (km["term"] == "median duration")].iloc[0]
    assert np.isnan(other["estimate"]) and np.isnan(other["ci_high"])  # over half of other pacts outlive the data
    assert other["ci_low"] > 0
    km = inference.kaplan_meier(durations, group="bilateral", times=[10])
    assert km["group"].tolist() == [0, 0, 1, 1]
    assert km.groupby("group")["n"].first().sum() == 789
    alone = inference.kaplan_meier(durations[durations["bilateral"] == 1], times=[10])
    assert km["estimate"].iloc[2] == pytest.approx(alone["estimate"].iloc[0])


def test_cox_matches_phreg(durations):
    table = inference.cox("duration ~ defense + bilateral", durations).set_index("term")
    direct = PHReg.from_formula("duration ~ defense + bilateral", durations,
                                status=durations["ended"].astype(float).to_numpy(), ties="efron").fit()
    assert table["estimate"].to_numpy() == pytest.approx(direct.params)
    assert table["std_error"].to_numpy() == pytest.approx(direct.bse)
    assert table["p_value"].to_numpy() == pytest.approx(direct.pvalues)
    assert table["hazard_ratio_low"].to_numpy() == pytest.approx(np.exp(direct.conf_int()[:, 0]))
    assert (table["n"] == 789).all() and (table["n_events"] == durations["ended"].sum()).all()


def test_cox_drops_rows_with_missing_covariates(durations):
    holes = durations.assign(start_year=durations["start_year"].where(durations.index % 5 > 0))
    with_holes = inference.cox("duration ~ defense + start_year", holes)
    dropped = inference.cox("duration ~ defense + start_year", holes.dropna(subset=["start_year"]))
    pd.testing.assert_frame_equal(with_holes, dropped)
    assert with_holes["n"].iloc[0] == len(durations) - len(durations[durations.index % 5 == 0])


# ------------------------------------------------------------------------ bad input

@pytest.mark.parametrize("call, message", [
    (lambda: inference.permutation_test([], B), "group 'a' has 0 value"),
    (lambda: inference.permutation_test(A, [1.0, np.nan, 2.0]), r"group 'b' has missing values \(NaN\) at positions \[1\]"),
    (lambda: inference.permutation_test(A, ["x", "y"]), "expected numbers"),
    (lambda: inference.permutation_test(A, B, statistic="mode"), "'median', 'mean' or a function"),
    (lambda: inference.bootstrap_ci([1.0], B), "at least 2 needed"),
    (lambda: inference.bootstrap_ci(pd.Series([1.0, None, 3.0]), labels=("NATO", "x")), "group 'NATO' has missing"),
    (lambda: inference.share_difference([], [1, 0]), "has 0 value"),
    (lambda: inference.share_difference([1, 2], [1, 0]), "0/1 or True/False"),
    (lambda: inference.share_difference((6, 5), (1, 4)), "successes <= trials"),
    (lambda: inference.share_difference((1, 5), (1, 4), test="chi2"), "'fisher' or 'boschloo'"),
    (lambda: inference.kaplan_meier(pd.DataFrame({"duration": [], "ended": []})), "empty"),
    (lambda: inference.kaplan_meier(pd.DataFrame({"duration": [1.0, np.nan], "ended": [1, 0]})), "'duration' has missing"),
    (lambda: inference.cox("duration ~ x", pd.DataFrame({"duration": [1.0], "x": [1]})), "no column 'ended'"),
])
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_importing_the_module_imports_neither_scipy_nor_statsmodels():
    code = ("import sys, alliances.research.inference; "
            "print(sorted(m for m in ('scipy', 'statsmodels') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------ rank correlation

def test_rank_correlation_matches_scipy_spearman_and_a_paired_bootstrap():
    rng = np.random.default_rng(3)
    x = rng.normal(size=25)
    y = x + rng.normal(size=25)
    row = inference.rank_correlation(x, y, labels=("gdp", "burden"), n_resamples=999, seed=4).iloc[0]
    expected = stats.spearmanr(x, y)
    assert row["term"] == "spearman(gdp, burden)" and row["n"] == 25
    assert row["estimate"] == pytest.approx(expected.statistic)
    assert row["p_value"] == pytest.approx(expected.pvalue)
    boot = stats.bootstrap((x, y), lambda a, b: stats.spearmanr(a, b).statistic, paired=True, vectorized=False,
                           method="percentile", n_resamples=999, rng=np.random.default_rng(4))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (boot.confidence_interval.low, boot.confidence_interval.high))
    assert row["ci_low"] < row["estimate"] < row["ci_high"]


def test_rank_correlation_resamples_pairs_not_each_variable():
    # perfectly concordant pairs: every paired resample keeps rho = 1 (ties aside), so the interval's top is 1
    x = np.arange(12.0)
    row = inference.rank_correlation(x, x ** 3, n_resamples=499).iloc[0]
    assert row["estimate"] == pytest.approx(1.0)
    assert row["ci_high"] == pytest.approx(1.0) and row["ci_low"] == pytest.approx(1.0)


def test_rank_correlation_is_deterministic_and_degenerate_resamples_give_no_interval():
    x, y = [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0], [2.0, 7.0, 1.0, 8.0, 2.5, 8.5, 1.8, 2.8]
    first = inference.rank_correlation(x, y, n_resamples=499, seed=7)
    assert first.equals(inference.rank_correlation(x, y, n_resamples=499, seed=7))
    tiny = inference.rank_correlation([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], n_resamples=99).iloc[0]
    assert tiny["estimate"] == pytest.approx(1.0) and np.isnan(tiny["ci_low"]) and np.isnan(tiny["ci_high"])


@pytest.mark.parametrize("call, message", [
    (lambda: inference.rank_correlation([1.0, 2.0], [1.0, 2.0]), "at least 3 needed"),
    (lambda: inference.rank_correlation([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0]), "must be pairs"),
    (lambda: inference.rank_correlation([1.0, np.nan, 3.0], [1.0, 2.0, 3.0]), "missing values"),
])
def test_rank_correlation_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
