"""Analyses built on the public loaders: e-government stages and the three panels.

* :func:`classify_stages` maps the UN EGDI groups (low < 0.25 <= middle < 0.50 <= high
  < 0.75 <= very high) to the stages web presence, interaction, transaction,
  transformation; :func:`stage_transitions` counts moves between survey editions.
* :func:`egdi_headlines` gives, per edition, the figures the UN reports print first.
* :func:`country_panel`, :func:`tax_admin_panel`, :func:`indonesia_province_table`
  assemble the analysis frames; :func:`fe_regression` fits two-way fixed effects
  with clustered errors (linearmodels ``PanelOLS``) and returns a tidy frame.

Examples
--------
>>> classify_stages(pd.DataFrame({"egdi": [0.1, 0.3, 0.6, 0.9]}))["stage"].tolist()
['web presence', 'interaction', 'transaction', 'transformation']
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from egovstudy.errors import InsufficientDataError, ModelSpecError

__all__ = [
    "EGDI_GROUPS",
    "STAGES",
    "classify_stages",
    "country_panel",
    "egdi_headlines",
    "fe_regression",
    "indonesia_province_table",
    "stage_transitions",
    "tax_admin_panel",
    "transition_matrix",
]

#: UN EGDI groups (lower bound inclusive) -- UN E-Government Survey, chapter 1
EGDI_GROUPS = (("low", 0.0), ("middle", 0.25), ("high", 0.50), ("very high", 0.75))
#: the stage each group is read as (web presence .. transformation)
STAGES = ("web presence", "interaction", "transaction", "transformation")


def classify_stages(frame: pd.DataFrame, column: str = "egdi") -> pd.DataFrame:
    """Add ``egdi_group`` (low..very high) and ``stage`` (ordered categoricals).

    Group bounds: low [0, 0.25), middle [0.25, 0.50), high [0.50, 0.75), very high
    [0.75, 1]. Missing values stay missing.

    Examples
    --------
    >>> classify_stages(pd.DataFrame({"egdi": [0.75, 0.7499]}))["egdi_group"].tolist()
    ['very high', 'high']
    """
    if column not in frame.columns:
        raise ModelSpecError(f"column {column!r} not in the frame; columns: "
                             f"{list(frame.columns)}")
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values[(values < 0) | (values > 1)]
    if len(bad):
        raise ModelSpecError(f"{column}: EGDI values must lie in [0, 1]; rows "
                             f"{bad.index[:5].tolist()} hold {bad.head().tolist()}")
    edges = [b for _, b in EGDI_GROUPS] + [np.inf]
    idx = np.searchsorted(edges, values.to_numpy(dtype=float), side="right") - 1
    names = [g for g, _ in EGDI_GROUPS]
    groups = [names[i] if v == v else None for i, v in zip(idx, values)]
    stages = [STAGES[i] if v == v else None for i, v in zip(idx, values)]
    out = frame.copy()
    out["egdi_group"] = pd.Categorical(groups, categories=names, ordered=True)
    out["stage"] = pd.Categorical(stages, categories=list(STAGES), ordered=True)
    return out


def stage_transitions(frame: pd.DataFrame, *, entity: str = "iso3", time: str = "year",
                      stage: str = "stage") -> pd.DataFrame:
    """Moves between stages from one survey edition to the next, per country.

    Returns ``entity, from_year, to_year, from_stage, to_stage, change`` with
    change = +k (up k stages), 0, or -k.

    Examples
    --------
    >>> df = classify_stages(pd.DataFrame({"iso3": ["A", "A"], "year": [2020, 2022],
    ...                                    "egdi": [0.6, 0.8]}))
    >>> stage_transitions(df)[["from_stage", "to_stage", "change"]].values.tolist()
    [['transaction', 'transformation', 1]]
    """
    for col in (entity, time, stage):
        if col not in frame.columns:
            raise ModelSpecError(f"column {col!r} not in the frame; run classify_stages() "
                                 f"first or name the columns (entity=, time=, stage=)")
    df = frame[[entity, time, stage]].dropna().sort_values([entity, time])
    nxt = df.groupby(entity, observed=True).shift(-1)
    out = pd.DataFrame({entity: df[entity], "from_year": df[time], "to_year": nxt[time],
                        "from_stage": df[stage], "to_stage": nxt[stage]}).dropna()
    codes = {s: i for i, s in enumerate(STAGES)}
    out["change"] = (out["to_stage"].astype(str).map(codes)
                     - out["from_stage"].astype(str).map(codes)).astype(int)
    out["to_year"] = out["to_year"].astype(df[time].dtype)
    return out.reset_index(drop=True)


def transition_matrix(transitions: pd.DataFrame, *, normalize: bool = False) -> pd.DataFrame:
    """Counts (or row shares) of from_stage x to_stage over all consecutive editions.

    Examples
    --------
    >>> t = pd.DataFrame({"from_stage": ["transaction"], "to_stage": ["transformation"]})
    >>> int(transition_matrix(t).loc["transaction", "transformation"])
    1
    """
    tab = pd.crosstab(pd.Categorical(transitions["from_stage"], categories=list(STAGES)),
                      pd.Categorical(transitions["to_stage"], categories=list(STAGES)),
                      dropna=False, normalize="index" if normalize else False)
    tab.index.name, tab.columns.name = "from_stage", "to_stage"
    return tab


def egdi_headlines(egdi: pd.DataFrame) -> pd.DataFrame:
    """Per edition: countries, world mean EGDI, very-high count, top country and its EGDI.

    Examples
    --------
    >>> df = pd.DataFrame({"iso3": ["A", "B"], "country": ["Aa", "Bb"], "year": [2024, 2024],
    ...                    "egdi": [0.8, 0.4]})
    >>> egdi_headlines(df)[["n", "mean_egdi", "n_very_high", "top_country"]].values.tolist()
    [[2, 0.6000000000000001, 1, 'Aa']]
    """
    rows = []
    for year, grp in egdi.dropna(subset=["egdi"]).groupby("year"):
        top = grp.loc[grp["egdi"].idxmax()]
        rows.append({"year": int(year), "n": len(grp), "mean_egdi": grp["egdi"].mean(),
                     "n_very_high": int((grp["egdi"] >= 0.75).sum()),
                     "top_country": str(top["country"]), "top_iso3": top["iso3"],
                     "top_egdi": float(top["egdi"])})
    return pd.DataFrame(rows)


def country_panel(*, lag: int = 1, mirror: str | Path | None = None,
                  source: str = "auto") -> pd.DataFrame:
    """EGDI 2005-2024 with internet use, GDP per capita and government effectiveness.

    Covariates are taken ``lag`` years before the survey year (default 1: a survey
    published in year t is compiled from data of year t-1). Sources: UN EGDI merged,
    internet users (% of population), WDI GDP per capita PPP (constant 2017 intl $),
    WGI government effectiveness (1996-2019, so the panel with it ends with the 2020
    edition).

    Parameters
    ----------
    source : {"auto", "raw", "shipped"}
        ``"raw"`` builds from the raw files (project folder, mirror, download cache);
        ``"shipped"`` reads the panel shipped in the package
        (:mod:`egovstudy.public.panel`, ``lag=1`` only, with ``gtmi``); ``"auto"`` uses
        the raw files when they are all found, else the shipped panel.
        ``frame.attrs["source"]`` says which was used.

    Returns
    -------
    pandas.DataFrame
        ``iso3, country, year, egdi, osi, hci, tii, epart, egdi_group, stage,
        internet_pct, gdppc_ppp, log_gdppc, gov_effectiveness`` (and ``gtmi`` from the
        shipped panel).

    Examples
    --------
    >>> panel = country_panel(source="shipped")
    >>> panel.attrs["source"], int((panel.query("year == 2024")["egdi"] >= 0.75).sum())
    ('shipped', 76)
    """
    from egovstudy.errors import DataSourceError

    if source not in ("auto", "raw", "shipped"):
        raise DataSourceError(f"source={source!r}: use 'auto', 'raw' or 'shipped'")
    if source == "auto":
        from egovstudy.public.sources import data_available

        with _quiet():
            raw_ok = data_available("un_egdi_2005_2024", "wb_wdi_gdp", "wb_wgi_1996_2019",
                                    mirror=mirror)
        source = "raw" if raw_ok else "shipped"
    if source == "shipped":
        from egovstudy.public.panel import load_panel

        if lag != 1:
            raise DataSourceError(
                f"lag={lag}: the shipped panel has lag=1 only; for another lag get the raw "
                "files with: egovstudy data fetch un_egdi_2005_2024 wb_wdi_gdp "
                "wb_wgi_1996_2019")
        out = classify_stages(load_panel())
        out["log_gdppc"] = np.log(out["gdppc_ppp"])
        out.attrs["source"] = "shipped"
        return out
    from egovstudy.public.un import load_egdi, load_internet_use
    from egovstudy.public.worldbank import load_wdi, load_wgi

    egdi = classify_stages(load_egdi(mirror=mirror))
    net = load_internet_use(mirror=mirror).dropna(subset=["iso3"])
    gdp = load_wdi("NY.GDP.PCAP.PP.KD", mirror=mirror)
    wgi = load_wgi(indicators=["government_effectiveness"], mirror=mirror)
    out = egdi.copy()
    out["cov_year"] = (out["year"] - lag).astype("Int64")
    out = out.merge(net[["iso3", "year", "internet_pct"]].rename(columns={"year": "cov_year"}),
                    on=["iso3", "cov_year"], how="left")
    out = out.merge(gdp[["iso3", "year", "value"]].rename(
        columns={"year": "cov_year", "value": "gdppc_ppp"}), on=["iso3", "cov_year"], how="left")
    out = out.merge(wgi[["iso3", "year", "government_effectiveness"]].rename(
        columns={"year": "cov_year", "government_effectiveness": "gov_effectiveness"}),
        on=["iso3", "cov_year"], how="left")
    out["log_gdppc"] = np.log(out["gdppc_ppp"])
    out = out.drop(columns="cov_year")
    out.attrs["source"] = "raw"
    return out


def _quiet() -> contextlib.AbstractContextManager[object]:
    """Silence the 'files are missing' listing while probing for the raw files."""
    return contextlib.redirect_stdout(io.StringIO())


def tax_admin_panel(*, mirror: str | Path | None = None, source: str = "auto",
                    speed: str = "auto") -> pd.DataFrame:
    """ISORA tax administrations 2018-2021 with national internet speed.

    Adds to :func:`~egovstudy.public.isora.isora_indicators` the Ookla mean fixed and
    mobile download speeds (same year; Ookla open data start in 2019), logs of staff,
    operating and ICT expenditure, and ``pandemic`` (1 for 2020-2021).

    Parameters
    ----------
    source : {"auto", "raw", "shipped"}
        ISORA from the raw forms (``"raw"``), from the panel shipped in the package
        (``"shipped"``, :mod:`egovstudy.public.isora_panel`), or the raw forms when
        they are found, else the shipped panel (``"auto"``).
        ``frame.attrs["source"]`` says which was used.
    speed : {"auto", "yes", "no"}
        Merge the Ookla speeds (``"yes"``: the file must be present; ``"auto"``: when it
        is found). Ookla data are CC BY-NC-SA 4.0 and not shipped; without them the
        speed columns are NaN and ``frame.attrs["speed"]`` is False.

    Examples
    --------
    >>> tax = tax_admin_panel(source="shipped", speed="no")
    >>> tax.attrs["source"], tax.attrs["speed"], int(tax["year"].min())
    ('shipped', False, 2018)
    """
    from egovstudy.errors import DataSourceError
    from egovstudy.public.sources import data_available

    if source not in ("auto", "raw", "shipped"):
        raise DataSourceError(f"source={source!r}: use 'auto', 'raw' or 'shipped'")
    if speed not in ("auto", "yes", "no"):
        raise DataSourceError(f"speed={speed!r}: use 'auto', 'yes' or 'no'")
    if source == "auto":
        with _quiet():
            source = "raw" if data_available("bipa2024_public_admin", mirror=mirror) \
                else "shipped"
    if source == "raw":
        from egovstudy.public.isora import isora_indicators

        tax = isora_indicators(mirror=mirror)
    else:
        from egovstudy.public.isora_panel import load_isora_panel

        tax = load_isora_panel()
    if speed == "auto":
        with _quiet():
            speed = "yes" if data_available("ookla_speed_2019_2024", mirror=mirror) else "no"
    if speed == "yes":
        from egovstudy.public.ookla import load_ookla_speed

        out = tax.merge(load_ookla_speed(wide=True, mirror=mirror), on=["iso3", "year"],
                        how="left")
    else:
        out = tax.copy()
        for col in ("fixed_mbps", "mobile_mbps", "fixed_mbps_pop", "mobile_mbps_pop"):
            out[col] = np.nan
    with np.errstate(divide="ignore"):
        for col in ("staff", "opex", "ict_exp"):
            out[f"log_{col}"] = np.log(out[col].where(out[col] > 0))
        out["log_fixed_mbps"] = np.log(out["fixed_mbps"])
    out["pandemic"] = (out["year"] >= 2020).astype(int)
    out.attrs["source"] = source
    out.attrs["speed"] = speed == "yes"
    return out


def indonesia_province_table(*, spending_year: int = 2021, hdi_year: int = 2021,
                             mirror: str | Path | None = None) -> pd.DataFrame:
    """One row per province (34, 2022 boundaries before the Papua split): digital literacy
    2022, household internet access 2022, HDI and APBN spending by function.

    Spending columns are ``spend_<function>`` plus ``spend_total`` and the shares
    ``share_education`` and ``share_general_services`` of the total.

    Examples
    --------
    >>> indonesia_province_table.__name__
    'indonesia_province_table'
    """
    from egovstudy.public.indonesia import (
        load_id_apbn_spending,
        load_id_digital_literacy,
        load_id_hdi,
        load_id_internet_access,
    )

    lit = load_id_digital_literacy(mirror=mirror).drop(columns="year")
    net = load_id_internet_access(mirror=mirror).drop(columns="year")
    hdi = load_id_hdi(mirror=mirror)
    spend = load_id_apbn_spending(mirror=mirror)
    if spending_year not in set(spend["year"]):
        raise InsufficientDataError(f"spending_year={spending_year}: APBN data cover "
                                    f"{sorted(set(spend['year']))}")
    if hdi_year not in set(hdi["year"]):
        raise InsufficientDataError(f"hdi_year={hdi_year}: HDI data cover "
                                    f"{sorted(set(hdi['year']))}")
    sp = spend[spend["year"] == spending_year].pivot_table(
        index="province", columns="function", values="spending", aggfunc="sum")
    sp.columns = [f"spend_{c}" for c in sp.columns]
    sp["spend_total"] = sp.sum(axis=1)
    sp["share_education"] = sp["spend_education"] / sp["spend_total"]
    sp["share_general_services"] = sp["spend_general_services"] / sp["spend_total"]
    out = (lit.merge(net, on="province", how="left")
           .merge(hdi[hdi["year"] == hdi_year][["province", "hdi"]], on="province", how="left")
           .merge(sp.reset_index(), on="province", how="left"))
    return out


def fe_regression(data: pd.DataFrame, y: str, x: Sequence[str], *, entity: str = "iso3",
                  time: str = "year", cluster: str = "entity",
                  time_effects: bool = True) -> pd.DataFrame:
    """Two-way fixed effects (entity and time) with clustered standard errors.

    Fitted with ``linearmodels.PanelOLS`` (``entity_effects=True``, ``time_effects``,
    ``cov_type="clustered"``, clustering by entity by default; ``cluster="both"``
    clusters by entity and time). Rows with any missing value are dropped.

    Returns
    -------
    pandas.DataFrame
        ``term, estimate, std_error, statistic, p_value, ci_low, ci_high`` plus
        ``n_obs, n_entities, r2_within``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"id": np.repeat(range(30), 4), "t": np.tile(range(4), 30)})
    >>> df["x"] = rng.normal(size=120)
    >>> df["y"] = 2 * df["x"] + df["id"] * 0.1 + rng.normal(scale=0.1, size=120)
    >>> round(float(fe_regression(df, "y", ["x"], entity="id", time="t")["estimate"][0]), 1)
    2.0
    """
    try:
        from linearmodels.panel import PanelOLS
    except ImportError as err:  # pragma: no cover - installed with the project
        from egovstudy.errors import MissingDependencyError

        raise MissingDependencyError("fe_regression needs linearmodels: pip install "
                                     "linearmodels") from err
    cols = [y, *x, entity, time]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ModelSpecError(f"column(s) {missing} not in the data; columns: "
                             f"{list(data.columns)}")
    if cluster not in ("entity", "both"):
        raise ModelSpecError(f"cluster={cluster!r}; use 'entity' or 'both'")
    df = data[cols].dropna()
    df = df.astype(dict.fromkeys([y, *x], float))
    if df[entity].nunique() < 2 or len(df) <= len(x) + 2:
        raise InsufficientDataError(f"{len(df)} complete rows in {df[entity].nunique()} "
                                    f"entities: too few for fixed effects on {list(x)}")
    df = df.set_index([entity, time])
    model = PanelOLS(df[y], df[list(x)], entity_effects=True, time_effects=time_effects,
                     drop_absorbed=True, check_rank=False)
    res = model.fit(cov_type="clustered", cluster_entity=True,
                    cluster_time=(cluster == "both"))
    ci = res.conf_int()
    return pd.DataFrame({
        "term": res.params.index, "estimate": res.params.to_numpy(),
        "std_error": res.std_errors.to_numpy(), "statistic": res.tstats.to_numpy(),
        "p_value": res.pvalues.to_numpy(), "ci_low": ci.iloc[:, 0].to_numpy(),
        "ci_high": ci.iloc[:, 1].to_numpy(), "n_obs": int(res.nobs),
        "n_entities": int(res.entity_info["total"]), "r2_within": float(res.rsquared_within),
    })
