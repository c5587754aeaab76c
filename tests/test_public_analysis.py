"""E-government stages, transitions, the three analysis frames and the FE regression."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import DataQualityWarning, InsufficientDataError, ModelSpecError
from egovstudy.public import load_internet_use
from egovstudy.public.analysis import (
    STAGES,
    classify_stages,
    country_panel,
    fe_regression,
    indonesia_province_table,
    stage_transitions,
    tax_admin_panel,
    transition_matrix,
)


def test_stage_bounds_follow_un_groups():
    # UN E-Government Survey groups: low 0-0.25, middle 0.25-0.50, high 0.50-0.75,
    # very high 0.75-1.00 (lower bounds inclusive)
    df = classify_stages(pd.DataFrame({"egdi": [0.0, 0.2499, 0.25, 0.4999, 0.5, 0.7499,
                                                0.75, 1.0, np.nan]}))
    assert df["egdi_group"].astype(object).tolist()[:8] == [
        "low", "low", "middle", "middle", "high", "high", "very high", "very high"]
    assert df["stage"].astype(object).tolist()[6] == "transformation"
    assert pd.isna(df["stage"].iloc[8])
    assert df["stage"].cat.ordered and list(df["stage"].cat.categories) == list(STAGES)


def test_stage_errors_name_the_culprit():
    with pytest.raises(ModelSpecError, match="column 'EGDI' not in the frame"):
        classify_stages(pd.DataFrame({"egdi": [0.5]}), column="EGDI")
    with pytest.raises(ModelSpecError, match=r"\[0, 1\].*rows \[1\]"):
        classify_stages(pd.DataFrame({"egdi": [0.5, 1.5]}))


def test_transitions_count_moves_between_editions():
    df = classify_stages(pd.DataFrame({
        "iso3": ["A", "A", "A", "B", "B"], "year": [2018, 2020, 2022, 2018, 2022],
        "egdi": [0.2, 0.6, 0.55, 0.8, 0.7]}))
    t = stage_transitions(df)
    assert t[["iso3", "from_year", "to_year", "change"]].values.tolist() == [
        ["A", 2018, 2020, 2], ["A", 2020, 2022, 0], ["B", 2018, 2022, -1]]
    m = transition_matrix(t)
    assert m.to_numpy().sum() == 3 and m.loc["web presence", "transaction"] == 1
    assert transition_matrix(t, normalize=True).loc["transformation", "transaction"] == 1.0
    with pytest.raises(ModelSpecError, match="run classify_stages"):
        stage_transitions(df.drop(columns="stage"))


def test_fe_regression_matches_dummy_variable_ols_and_known_truth():
    # Independent check: two-way within estimates equal OLS with entity and time dummies
    # (Frisch-Waugh-Lovell); the simulated slope is 1.5.
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(7)
    n, t = 60, 5
    df = pd.DataFrame({"id": np.repeat(np.arange(n), t), "yr": np.tile(np.arange(t), n)})
    alpha = rng.normal(size=n)[df["id"]]
    df["x"] = rng.normal(size=n * t) + alpha
    df["z"] = rng.normal(size=n * t)
    df["y"] = 1.5 * df["x"] - 0.5 * df["z"] + 2 * alpha + 0.3 * df["yr"] + rng.normal(
        scale=0.5, size=n * t)
    tidy = fe_regression(df, "y", ["x", "z"], entity="id", time="yr")
    lsdv = smf.ols("y ~ x + z + C(id) + C(yr)", data=df).fit()
    np.testing.assert_allclose(tidy["estimate"], lsdv.params[["x", "z"]], rtol=1e-8)
    assert abs(tidy["estimate"].iloc[0] - 1.5) < 0.1
    assert (tidy["ci_low"] < tidy["estimate"]).all() and (tidy["std_error"] > 0).all()
    assert tidy["n_obs"].iloc[0] == n * t and tidy["n_entities"].iloc[0] == n
    # clustered errors by entity: compare with statsmodels' cluster-robust LSDV
    cl = smf.ols("y ~ x + z + C(id) + C(yr)", data=df).fit(
        cov_type="cluster", cov_kwds={"groups": df["id"]})
    ratio = tidy["std_error"].to_numpy() / cl.bse[["x", "z"]].to_numpy()
    assert np.all(np.abs(ratio - 1) < 0.1)  # same estimator up to small-sample factors


def test_fe_regression_bad_input():
    df = pd.DataFrame({"id": [1, 1], "yr": [1, 2], "y": [1.0, 2.0], "x": [0.0, 1.0]})
    with pytest.raises(ModelSpecError, match=r"\['w'\] not in the data"):
        fe_regression(df, "y", ["w"], entity="id", time="yr")
    with pytest.raises(ModelSpecError, match="cluster='time'"):
        fe_regression(df, "y", ["x"], entity="id", time="yr", cluster="time")
    with pytest.raises(InsufficientDataError, match="too few"):
        fe_regression(df, "y", ["x"], entity="id", time="yr")


def test_country_panel_lags_covariates(data_mirror: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        panel = country_panel(mirror=data_mirror)
        net = load_internet_use(mirror=data_mirror)
    assert not panel.duplicated(["iso3", "year"]).any()
    dnk = panel[(panel["iso3"] == "DNK") & (panel["year"] == 2022)].iloc[0]
    net_2021 = net[(net["iso3"] == "DNK") & (net["year"] == 2021)]["internet_pct"].item()
    assert dnk["internet_pct"] == net_2021
    ge = panel.dropna(subset=["gov_effectiveness"])
    assert ge["year"].max() == 2020  # WGI ends 2019, lag 1


def test_tax_and_province_frames(data_mirror: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        tax = tax_admin_panel(mirror=data_mirror)
        prov = indonesia_province_table(mirror=data_mirror)
    assert set(tax["pandemic"]) == {0, 1}
    assert tax.loc[tax["year"] == 2018, "fixed_mbps"].isna().all()  # Ookla starts in 2019
    assert tax.loc[tax["year"] == 2021, "fixed_mbps"].notna().sum() > 100
    assert len(prov) == 34 and prov["hdi"].notna().all()
    spend_cols = [c for c in prov if c.startswith("spend_") and c != "spend_total"]
    np.testing.assert_allclose(prov[spend_cols].sum(axis=1), prov["spend_total"])
    with pytest.raises(InsufficientDataError, match="spending_year=2030"):
        indonesia_province_table(spending_year=2030, mirror=data_mirror)
