"""Uncertainty for the book's comparisons: thin wrappers over SciPy and statsmodels.

Every function here hands the work to a well-kept library (:func:`scipy.stats.permutation_test`,
:func:`scipy.stats.bootstrap`, :mod:`statsmodels.stats.proportion`, statsmodels' ``Logit``,
``SurvfuncRight`` and ``PHReg``) and returns a **tidy table**, one row per quantity, that a
chapter can glue from:

========== ==============================================================================
column     meaning
========== ==============================================================================
term       what the row estimates (e.g. ``"median(NATO) - median(CSTO)"``, a model term)
estimate   the estimate itself (a difference, a coefficient on the log-odds scale, ...)
std_error  its standard error (NaN where the method gives none)
ci_low     lower end of the confidence interval (NaN where the method gives none)
ci_high    upper end of the confidence interval
p_value    p-value of the test of no difference / no effect (NaN where there is no test)
n          number of observations used
method     the method, in words, with its settings (for a table note or a footnote)
========== ==============================================================================

Random resampling is seeded (``seed=0`` unless given), so a chapter's numbers are the same on
every run. SciPy and statsmodels are imported inside the functions, so ``import alliances``
stays fast.
"""

from __future__ import annotations

import math
import warnings
from typing import Callable

import numpy as np
import pandas as pd

__all__ = [
    "permutation_test",
    "bootstrap_ci",
    "share_difference",
    "rank_correlation",
    "logit",
    "alliance_durations",
    "kaplan_meier",
    "cox",
]

COLUMNS = ["term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n", "method"]
STATISTICS = {"median": np.median, "mean": np.mean}
#: Last day that ATOP v5.1 covers: alliances still in force then are censored on this day.
ATOP_END = pd.Timestamp("2018-12-31")


def _tidy(rows: list[dict]) -> pd.DataFrame:
    """Rows as a DataFrame with the tidy columns first (extra columns after them)."""
    table = pd.DataFrame(rows)
    extra = [c for c in table.columns if c not in COLUMNS]
    return table[COLUMNS + extra]


def _sample(values, name: str, minimum: int = 1) -> np.ndarray:
    """One group as a 1-D float array; a clear ValueError for an empty group, NaN or text."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"group {name!r}: expected numbers, got {values!r:.80}") from error
    if array.ndim != 1:
        raise ValueError(f"group {name!r}: expected a 1-D list of numbers, got shape {array.shape}")
    if array.size < minimum:
        raise ValueError(f"group {name!r} has {array.size} value(s); at least {minimum} needed")
    missing = np.flatnonzero(np.isnan(array))
    if missing.size:
        raise ValueError(f"group {name!r} has missing values (NaN) at positions {missing.tolist()[:10]}: "
                         "drop them (e.g. .dropna()) and say so in the text")
    return array


def _statistic(statistic: str | Callable) -> tuple[Callable, str, bool]:
    """(function of one sample along an axis, its name, whether it is vectorised)."""
    if callable(statistic):
        return statistic, getattr(statistic, "__name__", "statistic"), False
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be 'median', 'mean' or a function, not {statistic!r}")
    return STATISTICS[statistic], statistic, True


def _difference(function: Callable, vectorized: bool) -> Callable:
    if vectorized:
        return lambda x, y, axis: function(x, axis=axis) - function(y, axis=axis)
    return lambda x, y: function(x) - function(y)


def permutation_test(a, b, statistic: str | Callable = "median", *, labels: tuple[str, str] = ("a", "b"),
                     alternative: str = "two-sided", n_resamples: int = 9999, seed: int = 0) -> pd.DataFrame:
    """Permutation test of the difference ``statistic(a) - statistic(b)`` between two small groups.

    Wraps :func:`scipy.stats.permutation_test` (independent samples). Under the null hypothesis
    the group labels are exchangeable: which states are called ``a`` and which ``b`` carries no
    information about the values. The p-value is the share of relabellings whose difference is
    at least as extreme as the observed one. When the number of distinct relabellings,
    ``comb(len(a) + len(b), len(a))``, is at most ``n_resamples`` (two groups of 5 and 7:
    792), SciPy enumerates them all and the p-value is **exact**; otherwise it is a Monte Carlo
    estimate from ``n_resamples`` random relabellings drawn with ``seed``.

    Args:
        a, b: the two groups' values (lists, arrays or Series; no NaN, none empty).
        statistic: ``"median"``, ``"mean"`` or a function of one sample returning a number.
        labels: names of the groups, used in ``term``.
        alternative: ``"two-sided"``, ``"greater"`` (a's statistic larger) or ``"less"``.
        n_resamples: relabellings drawn when the test is not exact.
        seed: seed of the random relabellings (same seed, same p-value).

    Returns:
        pandas.DataFrame: one row. ``estimate`` is the observed difference and ``p_value`` the permutation
        p-value; a permutation test gives no interval (``std_error``, ``ci_low`` and
        ``ci_high`` are NaN: use :func:`bootstrap_ci` for one). ``n`` is ``len(a) + len(b)``.

    Raises:
        ValueError: an empty group, a missing value (NaN), text, or an unknown statistic.
    """
    from scipy import stats

    x, y = _sample(a, labels[0]), _sample(b, labels[1])
    function, name, vectorized = _statistic(statistic)
    result = stats.permutation_test((x, y), _difference(function, vectorized), permutation_type="independent",
                                    vectorized=vectorized, n_resamples=n_resamples, alternative=alternative,
                                    rng=np.random.default_rng(seed))
    exact = math.comb(x.size + y.size, x.size) <= n_resamples
    how = (f"exact permutation test over all {math.comb(x.size + y.size, x.size):,} relabellings" if exact
           else f"permutation test, {n_resamples:,} random relabellings (seed {seed})")
    return _tidy([{"term": f"{name}({labels[0]}) - {name}({labels[1]})", "estimate": float(result.statistic),
                   "std_error": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": float(result.pvalue),
                   "n": x.size + y.size, "method": f"{how}, {alternative} (scipy.stats.permutation_test)"}])


def bootstrap_ci(a, b=None, statistic: str | Callable = "median", *, labels: tuple[str, str] = ("a", "b"),
                 confidence_level: float = 0.95, method: str | None = None, n_resamples: int = 9999,
                 seed: int = 0) -> pd.DataFrame:
    """Bootstrap confidence interval for ``statistic(a)``, or for ``statistic(a) - statistic(b)``.

    Wraps :func:`scipy.stats.bootstrap`: each group is resampled with replacement, on its own
    (groups are independent; not paired), ``n_resamples`` times with ``seed``. The interval is
    the range that, over repeated samples from the same population, would cover the true value
    in ``confidence_level`` of them, *if* each group were a random sample of that population.
    The book's groups are usually whole populations of 5 to 12 states, not samples: read the
    interval then as how much the figure depends on which few states happen to be in the
    group. With so few values a bootstrap interval is too narrow (it cannot see values outside
    the sample), so treat it as a lower bound on the uncertainty.

    Args:
        a: the values of the (first) group; no NaN, at least two.
        b: the second group, for an interval of the difference; ``None`` for one group.
        statistic: ``"median"``, ``"mean"`` or a function of one sample returning a number.
        labels: names of the groups, used in ``term``.
        confidence_level: e.g. 0.95 for a 95% interval.
        method: SciPy's ``"percentile"``, ``"basic"`` or ``"BCa"``. By default ``"percentile"``
            for the median (BCa's jackknife is unreliable for a median) and ``"BCa"`` otherwise.
        n_resamples: bootstrap resamples.
        seed: seed of the resampling (same seed, same interval).

    Returns:
        pandas.DataFrame: one row. ``estimate`` is the statistic on the data, ``std_error`` the bootstrap standard
        error, ``ci_low`` and ``ci_high`` the interval; no test, so ``p_value`` is NaN.

    Raises:
        ValueError: a group with fewer than two values, a missing value (NaN), or text.
    """
    from scipy import stats

    function, name, vectorized = _statistic(statistic)
    method = method or ("percentile" if statistic == "median" else "BCa")
    samples = (_sample(a, labels[0], minimum=2),)
    if b is None:
        fn = (lambda x, axis: function(x, axis=axis)) if vectorized else function
        term = f"{name}({labels[0]})"
    else:
        samples += (_sample(b, labels[1], minimum=2),)
        fn = _difference(function, vectorized)
        term = f"{name}({labels[0]}) - {name}({labels[1]})"
    result = stats.bootstrap(samples, fn, vectorized=vectorized, paired=False, confidence_level=confidence_level,
                             method=method, n_resamples=n_resamples, rng=np.random.default_rng(seed))
    estimate = fn(*samples, axis=-1) if vectorized else fn(*samples)
    return _tidy([{"term": term, "estimate": float(estimate), "std_error": float(result.standard_error),
                   "ci_low": float(result.confidence_interval.low), "ci_high": float(result.confidence_interval.high),
                   "p_value": np.nan, "n": sum(s.size for s in samples),
                   "method": f"{confidence_level:.0%} {method} bootstrap interval, {n_resamples:,} resamples "
                             f"(seed {seed}; scipy.stats.bootstrap)"}])


def _counts(group, name: str) -> tuple[int, int]:
    """(successes, trials) from 0/1 or True/False values, or from a (successes, trials) pair."""
    if isinstance(group, tuple) and len(group) == 2:
        count, nobs = group
        if not (float(count).is_integer() and float(nobs).is_integer() and 0 <= count <= nobs and nobs > 0):
            raise ValueError(f"group {name!r}: expected (successes, trials) with 0 <= successes <= trials, "
                             f"trials > 0; got {group!r}")
        return int(count), int(nobs)
    values = _sample(group, name)
    if not np.isin(values, (0, 1)).all():
        raise ValueError(f"group {name!r}: expected 0/1 or True/False values, got {sorted(set(values.tolist()))[:5]}")
    return int(values.sum()), values.size


def share_difference(a, b, *, labels: tuple[str, str] = ("a", "b"), test: str = "fisher",
                     confidence_level: float = 0.95) -> pd.DataFrame:
    """Difference between two groups' shares (proportions), ``share(a) - share(b)``: exact test and interval.

    The p-value is Fisher's exact test (:func:`scipy.stats.fisher_exact`, two-sided), or
    Boschloo's (:func:`scipy.stats.boschloo_exact`, more powerful in small groups but slow beyond
    a few hundred members) with ``test="boschloo"``. Both condition on nothing but the group
    sizes being fixed and are valid for groups of any size, including the book's 5 to 12 states.
    The interval is Newcombe's hybrid score interval for a difference of proportions
    (:func:`statsmodels.stats.proportion.confint_proportions_2indep`, ``method="newcomb"``),
    which keeps close to its nominal coverage in small groups and stays within -1 and 1.
    Fisher's test is conservative, so the interval can exclude 0 while p is a little above 0.05.
    Assumes each member of a group is an independent trial with the group's probability.

    Args:
        a, b: each either 0/1 (or True/False) values, one per member, or a pair
            ``(successes, trials)``.
        labels: names of the groups, used in ``term``.
        test: ``"fisher"`` or ``"boschloo"``.
        confidence_level: e.g. 0.95 for a 95% interval.

    Returns:
        pandas.DataFrame: one row. ``estimate`` is the difference of shares (a fraction: 0.25 is 25 percentage
        points); ``ci_low`` and ``ci_high`` the interval; ``p_value`` the exact test's;
        ``std_error`` is NaN (the interval is not symmetric, so no one standard error
        describes it). Extra columns ``share_a`` and ``share_b`` give the two shares.

    Raises:
        ValueError: an empty group, NaN, a value other than 0/1, or an impossible count.
    """
    from scipy import stats
    from statsmodels.stats import proportion

    tests = {"fisher": stats.fisher_exact, "boschloo": stats.boschloo_exact}
    if test not in tests:
        raise ValueError(f"test must be 'fisher' or 'boschloo', not {test!r}")
    (count1, nobs1), (count2, nobs2) = _counts(a, labels[0]), _counts(b, labels[1])
    table = [[count1, nobs1 - count1], [count2, nobs2 - count2]]
    p_value = tests[test](table, alternative="two-sided").pvalue
    low, high = proportion.confint_proportions_2indep(count1, nobs1, count2, nobs2, method="newcomb",
                                                      compare="diff", alpha=1 - confidence_level)
    return _tidy([{"term": f"share({labels[0]}) - share({labels[1]})", "estimate": count1 / nobs1 - count2 / nobs2,
                   "std_error": np.nan, "ci_low": float(low), "ci_high": float(high), "p_value": float(p_value),
                   "n": nobs1 + nobs2,
                   "method": f"{test.capitalize()}'s exact test (scipy), two-sided; {confidence_level:.0%} Newcombe "
                             "interval (statsmodels)",
                   "share_a": count1 / nobs1, "share_b": count2 / nobs2}])


def rank_correlation(x, y, *, labels: tuple[str, str] = ("x", "y"), confidence_level: float = 0.95,
                     n_resamples: int = 9999, seed: int = 0) -> pd.DataFrame:
    """Spearman's rank correlation of ``x`` and ``y``, its p-value and a paired bootstrap interval.

    The coefficient and the p-value (test of no association, two-sided) are
    :func:`scipy.stats.spearmanr`'s. The interval is :func:`scipy.stats.bootstrap` with
    ``paired=True``: the *pairs* (one state's x and y) are resampled together, ``n_resamples``
    times with ``seed``, and the percentile interval of the resampled coefficients is returned
    (BCa's jackknife is unreliable for a rank statistic on a few values). As with
    :func:`bootstrap_ci`, the book's groups are often whole populations of a few dozen states:
    read the interval as how much the coefficient depends on which states are in the group, and
    as too narrow rather than too wide. Ties get average ranks. If a resample has no variation in
    x or in y (all its values tied: likely only with a handful of pairs, or many tied values), its
    coefficient is undefined and the interval is NaN; the estimate and p-value are still given.

    Args:
        x, y: paired values of the same length (lists, arrays or Series; no NaN, at least three
            pairs), e.g. allies' GDP and their defence burden.
        labels: names of the two variables, used in ``term``.
        confidence_level: e.g. 0.95 for a 95% interval.
        n_resamples: bootstrap resamples.
        seed: seed of the resampling (same seed, same interval).

    Returns:
        pandas.DataFrame: one row. ``estimate`` is Spearman's rho (-1 to 1), ``std_error`` the bootstrap
        standard error, ``ci_low`` and ``ci_high`` the percentile interval, ``p_value`` SciPy's
        test of rho = 0, ``n`` the number of pairs.

    Raises:
        ValueError: fewer than three pairs, unequal lengths, a missing value (NaN), or text.
    """
    from scipy import stats

    a, b = _sample(x, labels[0], minimum=3), _sample(y, labels[1], minimum=3)
    if a.size != b.size:
        raise ValueError(f"{labels[0]!r} has {a.size} values and {labels[1]!r} {b.size}: they must be pairs")

    def rho(u, v, axis=-1):
        return stats.pearsonr(stats.rankdata(u, axis=axis), stats.rankdata(v, axis=axis), axis=axis).statistic

    test = stats.spearmanr(a, b)
    with warnings.catch_warnings():  # a resample whose values are all tied has no correlation (NaN): SciPy warns
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)  # then the interval is NaN (documented)
        result = stats.bootstrap((a, b), rho, paired=True, vectorized=True, method="percentile",
                                 confidence_level=confidence_level, n_resamples=n_resamples,
                                 rng=np.random.default_rng(seed))
    return _tidy([{"term": f"spearman({labels[0]}, {labels[1]})", "estimate": float(test.statistic),
                   "std_error": float(result.standard_error), "ci_low": float(result.confidence_interval.low),
                   "ci_high": float(result.confidence_interval.high), "p_value": float(test.pvalue), "n": a.size,
                   "method": f"Spearman's rank correlation (scipy.stats.spearmanr); {confidence_level:.0%} percentile "
                             f"interval, paired bootstrap, {n_resamples:,} resamples (seed {seed}; "
                             "scipy.stats.bootstrap)"}])


def _model_frame(formula: str, frame: pd.DataFrame, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """The columns ``formula`` names (and ``extra``), with pandas' nullable numbers (Int8, Float32, boolean,
    as the research panels use) as float64 and <NA> as NaN, so that patsy reads them and drops missing rows."""
    import re

    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", formula)) | set(extra)
    columns = [column for column in frame.columns if column in names]
    used = frame[columns].copy()
    for column in columns:
        dtype = used[column].dtype
        if pd.api.types.is_extension_array_dtype(dtype) and (pd.api.types.is_numeric_dtype(dtype)
                                                              or pd.api.types.is_bool_dtype(dtype)):
            used[column] = used[column].astype("float64")
    return used


def _dyad_groups(panel: pd.DataFrame) -> pd.Series:
    """One label per undirected dyad: (A, B) and (B, A) fall in the same cluster."""
    for column in ("ccode1", "ccode2"):
        if column not in panel:
            raise ValueError(f"cluster='dyad' needs columns ccode1 and ccode2; the panel has no {column!r}")
    low = np.minimum(panel["ccode1"], panel["ccode2"]).astype("int64")
    high = np.maximum(panel["ccode1"], panel["ccode2"]).astype("int64")
    return low * 100_000 + high


def logit(formula: str, panel: pd.DataFrame, *, cluster: str | None = "dyad",
          confidence_level: float = 0.95) -> pd.DataFrame:
    """Logistic regression with standard errors clustered on the dyad; coefficients and odds ratios.

    Wraps ``statsmodels.formula.api.logit(formula, panel).fit(cov_type="cluster", ...)``. Rows
    with a missing value in any variable of the formula are dropped (statsmodels' default), and
    the clusters are taken from the same rows. The panels' nullable columns (``Int8`` with
    ``<NA>``) can be used as they are. Clustering on the dyad allows the errors of one
    pair of states to be correlated over the years (a pair at peace in 1990 is likely at peace
    in 1991), which ordinary standard errors would treat as new, independent evidence; it still
    assumes pairs are independent of each other. The cluster count should be large (dozens at
    least) for these standard errors to be trusted.

    Args:
        formula: a patsy formula, e.g. ``"mid_onset ~ defense + contiguous + np.log(distance)"``;
            the outcome is 0/1.
        panel: the data (e.g. a dyad-year panel from ``alliances.research``).
        cluster: ``"dyad"`` (the unordered pair of ``ccode1`` and ``ccode2``, so that a directed
            panel's A-B and B-A rows share a cluster), another column name, or ``None`` for
            ordinary (non-robust) standard errors.
        confidence_level: e.g. 0.95 for 95% intervals.

    Returns:
        pandas.DataFrame: one row per term. ``estimate``, ``std_error``, ``ci_low``, ``ci_high`` on the log-odds
        scale; ``odds_ratio``, ``odds_ratio_low`` and ``odds_ratio_high`` (their exponentials:
        the factor by which the odds of the outcome change with a one-unit change in the
        term); ``p_value`` of the test that the coefficient is zero; ``n`` rows used and
        ``n_clusters``.

    Raises:
        ValueError: an empty panel, a missing cluster column, or missing cluster labels.
    """
    import statsmodels.formula.api as smf

    if len(panel) == 0:
        raise ValueError("the panel is empty")
    panel = _model_frame(formula, panel, ("ccode1", "ccode2") if cluster == "dyad" else (cluster,) if cluster else ())
    model = smf.logit(formula, panel)
    used = model.data.row_labels
    if cluster is None:
        fit = model.fit(disp=False)
        n_clusters, how = np.nan, "ordinary standard errors"
    else:
        if cluster == "dyad":
            groups = _dyad_groups(panel.loc[used])
        elif cluster in panel:
            groups = panel.loc[used, cluster]
        else:
            raise ValueError(f"no column {cluster!r} to cluster on; use 'dyad', a column name or None")
        if groups.isna().any():
            raise ValueError(f"cluster column {cluster!r} has missing values in rows the model uses")
        codes = pd.factorize(groups)[0]
        n_clusters = int(codes.max()) + 1
        fit = model.fit(disp=False, cov_type="cluster", cov_kwds={"groups": codes})
        how = f"standard errors clustered on {cluster} ({n_clusters:,} clusters)"
    interval = fit.conf_int(alpha=1 - confidence_level)
    table = pd.DataFrame({
        "term": fit.params.index, "estimate": fit.params.values, "std_error": fit.bse.values,
        "ci_low": interval[0].values, "ci_high": interval[1].values, "p_value": fit.pvalues.values,
        "n": int(fit.nobs), "method": f"logit (statsmodels), {how}, {confidence_level:.0%} intervals",
    })
    return table.assign(odds_ratio=np.exp(table["estimate"]), odds_ratio_low=np.exp(table["ci_low"]),
                        odds_ratio_high=np.exp(table["ci_high"]), n_clusters=n_clusters)


def alliance_durations(members: pd.DataFrame | None = None, provisions: list[str] | None = None) -> pd.DataFrame:
    """One row per ATOP alliance with its duration, whether it ended by 2018, and its founding terms.

    Built from ATOP v5.1's member-level file (``data.atop_members()``, or ``members`` if given).
    An alliance starts on its first member's entry and ends on its last member's exit; one
    with any member still in at the end of ATOP's coverage (no exit date: ``yrexit`` = 0)
    has not ended and is **censored** on 31 December 2018 (we know it lasted at least that
    long, not how long). An unknown day of the month counts as the 1st. ATOP counts an
    alliance's later phases (changed terms or members) as the same alliance, so a
    duration runs across them.

    Columns: ``atopid``; ``start``, ``end`` (NaT if not ended); ``ended`` (bool);
    ``duration`` in years (days / 365.25, to the end or to the censoring day); ``start_year``;
    ``founders`` (states that entered on the start day) and ``members`` (states ever members);
    ``bilateral`` (ATOP's ``bilat`` at the start) and the obligations at the start, 0/1:
    ``defense``, ``offense``, ``neutral``, ``nonagg``, ``consul`` (any founder's obligation in the
    first phase).

    ``provisions`` adds columns of ATOP's alliance-level file as published
    (``data.load("atop_alliance_provisions")``), e.g. ``["wartime", "milcon", "organ1"]``; see the
    ATOP codebook for their meaning. The start and end years built here are that file's ``begyr``
    and ``endyr``, and ``ended`` is its ``ineffect`` = 0 (the tests check all three).
    """
    if members is None:
        from alliances import data

        members = data.atop_members()
    if members.empty:
        raise ValueError("no ATOP member rows")
    alliances = members.groupby("atopid")
    start = alliances["entered"].min()
    ongoing = alliances["exited"].apply(lambda exits: exits.isna().any())
    end = alliances["exited"].max().mask(ongoing)
    first = members[members["phase"] == alliances["phase"].transform("min")]
    founders = first[first["entered"] == first["atopid"].map(start)].groupby("atopid")
    obligations = ["defense", "offense", "neutral", "nonagg", "consul"]
    table = pd.DataFrame({
        "start": start, "end": end, "ended": ~ongoing,
        "duration": (end.fillna(ATOP_END) - start).dt.days / 365.25, "start_year": start.dt.year,
        "founders": founders["member"].nunique(), "members": alliances["member"].nunique(),
        "bilateral": founders["bilat"].max(),
    }).join(founders[obligations].max())
    if provisions:
        from alliances import data

        level = data.load("atop_alliance_provisions").set_index("atopid")
        unknown = [column for column in provisions if column not in level or column in table]
        if unknown:
            raise ValueError(f"not ATOP alliance-level provision columns (or already here): {unknown}")
        table = table.join(level[list(provisions)])
    return table.reset_index()


def _check_columns(frame: pd.DataFrame, columns: list[str]) -> None:
    if frame.empty:
        raise ValueError("the data are empty")
    for column in columns:
        if column not in frame:
            raise ValueError(f"no column {column!r} in the data (columns: {', '.join(map(str, frame.columns))})")
        if frame[column].isna().any():
            raise ValueError(f"column {column!r} has missing values: drop or fill them first")


def kaplan_meier(durations: pd.DataFrame, *, duration: str = "duration", event: str = "ended",
                 group: str | None = None, times=None) -> pd.DataFrame:
    """Kaplan-Meier survival curve (share of alliances still in force after t years), per group.

    Wraps ``statsmodels.duration.survfunc.SurvfuncRight``. Assumes censoring is uninformative:
    an alliance censored at the end of the data would have lasted as long as one that was
    observed to the same age. Intervals are statsmodels' 95% **simultaneous** confidence band
    (Hall-Wellner, arcsine-square-root transform, which behaves better than the log transform
    near the start of the curve; statsmodels offers no other level): with 95% probability it
    covers the whole curve at once, so it is wider than an interval for one chosen t. The
    median duration is NaN when the curve never falls to one half; its 95% interval is
    statsmodels' ``quantile_ci`` (complementary log-log), with NaN for an end the data do not
    bound. Where the curve has reached 0 the band is NaN.

    Args:
        durations: one row per alliance (e.g. :func:`alliance_durations`).
        duration: column of durations (years).
        event: column that is 1/True where the end was observed, 0/False where censored.
        group: optional column; one curve per value.
        times: durations at which to read the curve (e.g. ``[5, 10, 25]``); by default every
            observed end. Beyond the longest duration in the data the curve is unknown (NaN).

    Returns:
        pandas.DataFrame: rows with ``term`` ``"survival"`` (one per time: ``time``, ``estimate`` the share
        surviving beyond it, ``std_error`` Greenwood's, the band in ``ci_low``/``ci_high``,
        ``at_risk``) and, per group, a row ``"median duration"``. Extra columns ``group``,
        ``time``, ``at_risk``; ``n`` is the group's size.

    Raises:
        ValueError: no rows, a missing column, or missing values in it.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    _check_columns(durations, [duration, event] + ([group] if group else []))
    rows = []
    for name, part in (durations.groupby(group, sort=True) if group else [("all", durations)]):
        fit = SurvfuncRight(part[duration].to_numpy(float), part[event].to_numpy(float))
        with np.errstate(divide="ignore", invalid="ignore"):  # where the curve reaches 0: no band (NaN)
            low, high = fit.simultaneous_cb(alpha=0.05, transform="arcsin")
        curve = pd.DataFrame({"time": fit.surv_times, "estimate": fit.surv_prob, "std_error": fit.surv_prob_se,
                              "ci_low": low, "ci_high": high, "at_risk": fit.n_risk})
        if times is not None:
            at = np.searchsorted(fit.surv_times, np.asarray(times, dtype=float), side="right") - 1
            start = pd.DataFrame({"time": [0.0], "estimate": [1.0], "std_error": [0.0], "ci_low": [1.0],
                                  "ci_high": [1.0], "at_risk": [len(part)]})
            curve = pd.concat([start, curve], ignore_index=True).iloc[at + 1].assign(time=list(times))
            beyond = curve["time"].to_numpy() > part[duration].max()  # past the last alliance: unknown
            curve.loc[beyond, ["estimate", "std_error", "ci_low", "ci_high", "at_risk"]] = np.nan
        band = "95% simultaneous band (Hall-Wellner, arcsine)"
        curve = curve.assign(term="survival", p_value=np.nan, n=len(part), group=name,
                             method=f"Kaplan-Meier (statsmodels SurvfuncRight), {band}")
        with np.errstate(divide="ignore", invalid="ignore"):  # log(0) where the curve reaches 0
            median_low, median_high = fit.quantile_ci(0.5, alpha=0.05)
        median = {"term": "median duration", "estimate": fit.quantile(0.5), "std_error": np.nan,
                  "ci_low": median_low, "ci_high": median_high, "p_value": np.nan, "n": len(part), "group": name,
                  "time": np.nan, "at_risk": np.nan,
                  "method": "Kaplan-Meier median, 95% interval (statsmodels quantile_ci, cloglog)"}
        rows += curve.to_dict("records") + [median]
    table = _tidy(rows)
    for column in ("estimate", "ci_low", "ci_high"):  # statsmodels gives inf for an unbounded end
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float).replace([np.inf, -np.inf], np.nan)
    return table


def cox(formula: str, durations: pd.DataFrame, *, event: str = "ended", ties: str = "efron",
        confidence_level: float = 0.95) -> pd.DataFrame:
    """Cox proportional-hazards model of duration: hazard ratios for the terms of ``formula``.

    Wraps ``statsmodels.formula.api.phreg(formula, durations, status=...)``; the formula's left
    side is the duration, e.g. ``"duration ~ defense + bilateral + start_year"``. Assumes the
    terms multiply the hazard of ending by the same factor at every age (proportional hazards)
    and that censoring is uninformative. A **hazard ratio** above 1 means alliances with more of
    the term end sooner; below 1, they last longer. Ties in the durations are handled with
    Efron's method unless ``ties="breslow"``.

    Args:
        formula: ``"<duration column> ~ terms"`` (patsy; no intercept is fitted).
        durations: one row per alliance (e.g. :func:`alliance_durations`).
        event: column that is 1/True where the end was observed, 0/False where censored.
        ties: ``"efron"`` or ``"breslow"``.
        confidence_level: e.g. 0.95 for 95% intervals.

    Returns:
        pandas.DataFrame: one row per term. ``estimate``, ``std_error``, ``ci_low``, ``ci_high`` on the log-hazard
        scale; ``hazard_ratio``, ``hazard_ratio_low``, ``hazard_ratio_high``; ``p_value`` (Wald
        test that the coefficient is zero); ``n`` alliances and ``n_events`` endings observed.

    Raises:
        ValueError: no rows, or a missing or incomplete event column.
    """
    import statsmodels.formula.api as smf

    _check_columns(durations, [event])
    status = durations[event].astype(float)
    model = smf.phreg(formula, _model_frame(formula, durations), status=status.to_numpy(), ties=ties)
    fit = model.fit()
    interval = fit.conf_int(alpha=1 - confidence_level)
    names = model.exog_names
    table = pd.DataFrame({
        "term": names, "estimate": fit.params, "std_error": fit.bse, "ci_low": interval[:, 0],
        "ci_high": interval[:, 1], "p_value": fit.pvalues, "n": int(model.exog.shape[0]),
        "method": f"Cox proportional hazards (statsmodels PHReg, {ties} ties), {confidence_level:.0%} intervals",
    })
    return table.assign(hazard_ratio=np.exp(table["estimate"]), hazard_ratio_low=np.exp(table["ci_low"]),
                        hazard_ratio_high=np.exp(table["ci_high"]), n_events=int(model.status.sum()))
