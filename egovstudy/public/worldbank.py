"""World Bank data: WDI bulk CSV downloads, Worldwide Governance Indicators, GovTech (GTMI).

Examples
--------
>>> sorted(WGI_INDICATORS)[:2]
['ControlofCorruption', 'GovernmentEffectiveness']
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from egovstudy.errors import DataFormatError
from egovstudy.public._schema import check_duplicates, check_policy, require_columns, to_number
from egovstudy.public.sources import find_file, find_glob

__all__ = ["WGI_INDICATORS", "load_gtmi", "load_wdi", "load_wdi_metadata", "load_wgi"]

#: WGI file indicator names -> tidy short names
WGI_INDICATORS = {
    "VoiceandAccountability": "voice_accountability",
    "PoliticalStability": "political_stability",
    "GovernmentEffectiveness": "government_effectiveness",
    "RegulatoryQuality": "regulatory_quality",
    "RuleofLaw": "rule_of_law",
    "ControlofCorruption": "control_of_corruption",
}


def load_wdi(indicator: str = "NY.GDP.PCAP.PP.KD", path: str | Path | None = None, *,
             mirror: str | Path | None = None, duplicates: str = "warn") -> pd.DataFrame:
    """One WDI indicator from the bulk CSV download (``API_<code>_DS2_en_csv_v2_*.csv``), long.

    Parameters
    ----------
    indicator : str
        WDI code, e.g. ``"NY.GDP.PCAP.PP.KD"`` (GDP per capita, PPP, constant
        international $), ``"NY.GDP.PCAP.CD"``, ``"NY.GDP.MKTP.CD"``.
    path : str or Path, optional
        The CSV; default the matching file under ``wb_wdi_gdp/``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, country, year, indicator, value``; aggregates (World, regions)
        are kept -- join with :func:`load_wdi_metadata` and drop rows without a
        region to keep economies only.

    Examples
    --------
    >>> import io
    >>> text = ('"Data Source","World Development Indicators",\\n\\n"Last Updated Date",'
    ...         '"2024-06-28",\\n\\n"Country Name","Country Code","Indicator Name",'
    ...         '"Indicator Code","2022","2023",\\n"Indonesia","IDN","GDP","NY.GDP.PCAP.CD",'
    ...         '"4788","4941",\\n')
    >>> load_wdi("NY.GDP.PCAP.CD", io.StringIO(text))["value"].tolist()
    [4788.0, 4941.0]
    """
    src = path if path is not None else find_glob("wb_wdi_gdp", f"API_{indicator}_DS2_*.csv",
                                                  mirror=mirror)
    raw = pd.read_csv(src, skiprows=4)
    raw = raw.loc[:, ~raw.columns.astype(str).str.startswith("Unnamed")]
    ids = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
    require_columns(raw, ids, source=f"WDI {indicator}", path=str(src))
    years = [c for c in raw.columns if str(c).isdigit()]
    if not years:
        raise DataFormatError(f"WDI {indicator}: no year columns (1960, 1961, ...) in {src}; "
                              f"found {list(raw.columns)}. Is this a WDI bulk CSV?")
    codes = set(raw["Indicator Code"].dropna())
    if codes and indicator not in codes:
        raise DataFormatError(f"WDI file {src} holds indicator(s) {sorted(codes)}, not "
                              f"{indicator!r}")
    long = raw.melt(id_vars=ids, value_vars=years, var_name="year", value_name="value")
    long = long.rename(columns={"Country Name": "country", "Country Code": "iso3",
                                "Indicator Code": "indicator"})
    long["year"] = long["year"].astype(int).astype("Int64")
    long["value"] = to_number(long["value"])
    long["iso3"] = long["iso3"].astype("string")
    out = long[["iso3", "country", "year", "indicator", "value"]].dropna(subset=["value"])
    check_duplicates(out, ["iso3", "year"], source=f"WDI {indicator}",
                     policy=check_policy(duplicates))
    return out.reset_index(drop=True)


def load_wdi_metadata(*, mirror: str | Path | None = None) -> pd.DataFrame:
    """WDI country metadata: ``iso3, country, region, income_group`` (aggregates have no region).

    Examples
    --------
    >>> load_wdi_metadata.__name__
    'load_wdi_metadata'
    """
    src = find_glob("wb_wdi_gdp", "Metadata_Country_*.csv", mirror=mirror)
    raw = pd.read_csv(src, encoding="utf-8-sig")
    cols = {"Country Code": "iso3", "TableName": "country", "Region": "region",
            "IncomeGroup": "income_group"}
    require_columns(raw, cols, source="WDI metadata", path=str(src))
    out = raw.rename(columns=cols)[list(cols.values())]
    out["iso3"] = out["iso3"].astype("string")
    return out.reset_index(drop=True)


def load_wgi(*, indicators: list[str] | None = None, wide: bool = True,
             path: str | Path | None = None, mirror: str | Path | None = None,
             duplicates: str = "warn") -> pd.DataFrame:
    """Worldwide Governance Indicators 1996-2019 (estimates, about -2.5 to 2.5).

    Parameters
    ----------
    indicators : list of str, optional
        Tidy names (values of :data:`WGI_INDICATORS`); default all six.
    wide : bool, default True
        One row per country-year with one column per indicator; else long with
        ``indicator, estimate, std_error, lower, upper, rank, n_sources``.

    Examples
    --------
    >>> load_wgi.__name__
    'load_wgi'
    """
    src = path if path is not None else find_file(
        "wb_wgi_1996_2019", "2020_Worldwide_Governance_Indicators_1996-2019.csv.gz",
        mirror=mirror)
    raw = pd.read_csv(src, encoding="latin-1")
    cols = {"Country/Territory": "country", "Code": "iso3", "Year": "year",
            "Indicator": "indicator", "Estimate": "estimate", "StdErr": "std_error",
            "Lower": "lower", "Upper": "upper", "Rank": "rank", "NumSrc": "n_sources"}
    require_columns(raw, cols, source="WGI", path=str(src))
    long = raw.rename(columns=cols)[list(cols.values())]
    unknown = sorted(set(long["indicator"]) - set(WGI_INDICATORS))
    if unknown:
        raise DataFormatError(f"WGI file {src}: unknown indicator names {unknown}; expected "
                              f"{sorted(WGI_INDICATORS)}")
    long["indicator"] = long["indicator"].map(WGI_INDICATORS)
    if indicators is not None:
        bad = sorted(set(indicators) - set(WGI_INDICATORS.values()))
        if bad:
            raise DataFormatError(f"indicators={bad} unknown; use {list(WGI_INDICATORS.values())}")
        long = long[long["indicator"].isin(indicators)]
    long["iso3"] = long["iso3"].astype("string")
    long["year"] = long["year"].astype("Int64")
    for col in ("estimate", "std_error", "lower", "upper", "rank", "n_sources"):
        long[col] = to_number(long[col])
    check_duplicates(long, ["iso3", "year", "indicator"], source="WGI",
                     policy=check_policy(duplicates))
    if not wide:
        return long.reset_index(drop=True)
    out = long.pivot_table(index=["iso3", "country", "year"], columns="indicator",
                           values="estimate", aggfunc="first").reset_index()
    out.columns.name = None
    return out


def load_gtmi(path: str | Path | None = None, *, mirror: str | Path | None = None,
              duplicates: str = "warn") -> pd.DataFrame:
    """World Bank GovTech Maturity Index 2020 and 2022: one row per economy and year.

    Columns ``iso3, country, year, gtmi, gtmi_group`` (A very high .. D low) and the
    48 indicators ``i_1 .. i_48`` (numeric; "New" -- not asked in 2020 -- becomes NaN).
    The summary rows at the foot of the sheet (no year) are dropped.

    Examples
    --------
    >>> load_gtmi.__name__
    'load_gtmi'
    """
    src = path if path is not None else find_file("wb_gtmi_2020_2022", "Clean_GovTech.xlsx",
                                                  mirror=mirror)
    raw = pd.read_excel(src, engine="calamine")
    require_columns(raw, ["Year", "Code", "Economy", "Grp", "GTMI"], source="GTMI",
                    path=str(src))
    raw = raw[raw["Year"].notna()].copy()
    out = pd.DataFrame({
        "iso3": raw["Code"].astype("string").str.strip(),
        "country": raw["Economy"].astype(str).str.strip(),
        "year": raw["Year"].astype(int).astype("Int64"),
        "gtmi": to_number(raw["GTMI"]),
        "gtmi_group": raw["Grp"].astype("string").str.strip(),
    })
    for col in [c for c in raw.columns if str(c).startswith("I-")]:
        out["i_" + str(col)[2:]] = to_number(raw[col])
    check_duplicates(out, ["iso3", "year"], source="GTMI", policy=check_policy(duplicates))
    return out.sort_values(["iso3", "year"]).reset_index(drop=True)

