"""UN E-Government Survey data: EGDI and its components, and UNU country metadata.

Examples
--------
>>> EGDI_COLUMNS
('iso3', 'country', 'year', 'egdi', 'osi', 'hci', 'tii', 'epart', 'egdi_rank')
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from egovstudy.public._schema import check_duplicates, check_policy, require_columns
from egovstudy.public.countries import to_iso3
from egovstudy.public.sources import find_file

__all__ = [
    "EGDI_COLUMNS",
    "load_country_metadata",
    "load_egdi",
    "load_egdi_edition",
    "load_egdi_unu",
    "load_internet_use",
]

EGDI_COLUMNS = ("iso3", "country", "year", "egdi", "osi", "hci", "tii", "epart", "egdi_rank")

#: merged-file column stems -> tidy names
_MERGED_STEMS = {
    "E-Government Rank": "egdi_rank",
    "E-Government Index": "egdi",
    "E-Participation Index": "epart",
    "Online Service Index": "osi",
    "Human Capital Index": "hci",
    "Telecommunication Infrastructure Index": "tii",
}
#: single-year files of each edition (UN Data Center layout and the 2024 variant)
_EDITION_COLUMNS = {
    2022: {"Survey Year": "year", "Country Name": "country", "E-Government Rank": "egdi_rank",
           "E-Government Index": "egdi", "E-Participation Index": "epart",
           "Online Service Index": "osi", "Human Capital Index": "hci",
           "Telecommunication Infrastructure Index": "tii"},
    2024: {"Survey Year": "year", "Country": "country", "Rank": "egdi_rank",
           "E_Index": "egdi", "E_Participation": "epart", "Online_Service": "osi",
           "Human_Capital": "hci", "Tele_Infra": "tii"},
}
_EDITION_SOURCE = {2022: ("un_egdi_2022_freedomhouse", "EGOV_DATA_2022.csv"),
                   2024: ("un_egdi_2024_crosscheck", "EGOV_DATA_2024.csv")}
_UNU_COLUMNS = {"country-code": "iso3", "country-name": "country", "e-gov-rank": "egdi_rank",
                "e-gov-index": "egdi", "e-pat-index": "epart", "osi": "osi", "hci": "hci",
                "tii": "tii"}


def _finish(frame: pd.DataFrame, *, source: str, duplicates: str) -> pd.DataFrame:
    frame = frame.copy()
    frame["year"] = frame["year"].astype("Int64")
    for col in ("egdi", "osi", "hci", "tii", "epart"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame["egdi_rank"] = pd.to_numeric(frame["egdi_rank"], errors="coerce").astype("Int64")
    frame = frame[list(EGDI_COLUMNS)].sort_values(["iso3", "year"], na_position="last")
    check_duplicates(frame, ["iso3", "year"], source=source, policy=check_policy(duplicates))
    return frame.reset_index(drop=True)


def load_egdi(path: str | Path | None = None, *, mirror: str | Path | None = None,
              duplicates: str = "warn") -> pd.DataFrame:
    """UN E-Government Development Index 2005-2024: one row per country and survey year.

    Reads the merged wide table (193 Member States x rank, EGDI, E-Participation,
    OSI, HCI and TII for each survey year) and returns it long.

    Parameters
    ----------
    path : str or Path, optional
        The merged CSV; default ``un_egdi_2005_2024/EGOV_MERGED_2005_2024.csv``
        found by :func:`~egovstudy.public.sources.find_file`.
    mirror : str or Path, optional
        Data mirror folder (default ``EGOVSTUDY_DATA_MIRROR``).
    duplicates : {"warn", "raise", "ignore"}
        What to do with duplicate country-years.

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3, country, year, egdi, osi, hci, tii, epart, egdi_rank``.
        Country-years the survey did not assess are left out: no EGDI value, or
        no rank and every score 0 (South Sudan before 2012 and Montenegro in 2005,
        before they joined the UN), so editions have 191 (2005), 192 (2008, 2010)
        and 193 rows. Published zeros of ranked countries (missing OSI or HCI in
        early editions) are kept.

    Raises
    ------
    DataFormatError
        When the file lacks the expected ``<indicator> <year>`` columns (the
        message lists the expected and the found columns).

    Examples
    --------
    >>> import io
    >>> csv = io.StringIO("Country Name,E-Government Rank 2022,E-Government Index 2022,"
    ...     "E-Participation Index 2022,Online Service Index 2022,Human Capital Index 2022,"
    ...     "Telecommunication Infrastructure Index 2022\\nDenmark ,1,0.97,0.9,0.98,0.96,0.98\\n")
    >>> load_egdi(csv)[["iso3", "year", "egdi"]].values.tolist()
    [['DNK', 2022, 0.97]]
    """
    src = path if path is not None else find_file("un_egdi_2005_2024",
                                                  "EGOV_MERGED_2005_2024.csv", mirror=mirror)
    wide = pd.read_csv(src)
    require_columns(wide, ["Country Name"], source="UN EGDI merged", path=str(src))
    pattern = re.compile(r"^(" + "|".join(map(re.escape, _MERGED_STEMS)) + r") (\d{4})$")
    years = sorted({int(m.group(2)) for c in wide.columns if (m := pattern.match(str(c)))})
    expected = [f"{stem} {y}" for y in (years or [2005]) for stem in _MERGED_STEMS]
    require_columns(wide, ["Country Name", *expected], source="UN EGDI merged",
                    path=str(src))
    wide["Country Name"] = wide["Country Name"].astype(str).str.strip()
    iso3 = to_iso3(wide["Country Name"], source="UN EGDI merged").codes
    parts = []
    for year in years:
        part = wide[[f"{stem} {year}" for stem in _MERGED_STEMS]].copy()
        part.columns = list(_MERGED_STEMS.values())
        part.insert(0, "year", year)
        part.insert(0, "country", wide["Country Name"])
        part.insert(0, "iso3", iso3)
        scores = part[["egdi", "osi", "hci", "tii", "epart"]].apply(pd.to_numeric,
                                                                     errors="coerce")
        not_assessed = part["egdi_rank"].isna() & scores.fillna(0).eq(0).all(axis=1)
        parts.append(part[part["egdi"].notna() & ~not_assessed])
    return _finish(pd.concat(parts, ignore_index=True), source="UN EGDI merged",
                   duplicates=duplicates)


def load_egdi_edition(year: int, path: str | Path | None = None, *,
                      mirror: str | Path | None = None, duplicates: str = "warn") -> pd.DataFrame:
    """One UN survey edition from its single-year Data Center file (2022 or 2024 layout).

    Parameters
    ----------
    year : {2022, 2024}
        The edition; it selects the column layout.
    path : str or Path, optional
        The CSV; default the copy in the mirror.

    Examples
    --------
    >>> import io
    >>> csv = io.StringIO("Survey Year,Country,Rank,E_Index,E_Participation,Online_Service,"
    ...     "Human_Capital,Tele_Infra,Region\\n2024,Denmark ,1,0.98,1.0,0.99,0.97,0.99,Europe\\n")
    >>> load_egdi_edition(2024, csv)[["iso3", "egdi", "egdi_rank"]].values.tolist()
    [['DNK', 0.98, 1]]
    """
    if year not in _EDITION_COLUMNS:
        from egovstudy.errors import DataFormatError

        raise DataFormatError(f"year={year!r}: single-year layouts are known for "
                              f"{sorted(_EDITION_COLUMNS)}; use load_egdi() for other editions")
    source, name = _EDITION_SOURCE[year]
    src = path if path is not None else find_file(source, name, mirror=mirror)
    raw = pd.read_csv(src)
    cols = _EDITION_COLUMNS[year]
    require_columns(raw, cols, source=f"UN EGDI {year}", path=str(src))
    frame = raw.rename(columns=cols)
    frame["country"] = frame["country"].astype(str).str.strip()
    frame["iso3"] = to_iso3(frame["country"], source=f"UN EGDI {year}").codes
    return _finish(frame, source=f"UN EGDI {year}", duplicates=duplicates)


def load_egdi_unu(years: tuple[int, ...] = (2010, 2012, 2014, 2016, 2018), *,
                  mirror: str | Path | None = None, duplicates: str = "warn") -> pd.DataFrame:
    """UN EGDI 2010-2018 from the UNU-EGOV files, which carry ISO3 codes.

    Examples
    --------
    >>> load_egdi_unu.__name__
    'load_egdi_unu'
    """
    parts = []
    for year in years:
        src = find_file("un_egdi_unu_2010_2018", f"egdi-{year}.csv", mirror=mirror)
        raw = pd.read_csv(src)
        require_columns(raw, _UNU_COLUMNS, source=f"UNU EGDI {year}", path=str(src))
        frame = raw.rename(columns=_UNU_COLUMNS)
        frame["year"] = year
        frame["country"] = frame["country"].astype(str).str.strip()
        parts.append(frame)
    return _finish(pd.concat(parts, ignore_index=True), source="UNU EGDI",
                   duplicates=duplicates)


def load_country_metadata(*, mirror: str | Path | None = None) -> pd.DataFrame:
    """UNU country metadata: ``iso3, country, official_name, region, subregion, income, status``.

    Examples
    --------
    >>> load_country_metadata.__name__
    'load_country_metadata'
    """
    src = find_file("un_egdi_unu_2010_2018", "countries-data_EN.csv", mirror=mirror)
    raw = pd.read_csv(src, sep=";", encoding="utf-8-sig")
    cols = {"COUNTRY CODE": "iso3", "COMMON NAME": "country", "OFFICIAL NAME": "official_name",
            "REGION": "region", "SUB-REGION": "subregion", "INCOME": "income",
            "STATUS": "status"}
    require_columns(raw, cols, source="UNU countries", path=str(src))
    frame = raw.rename(columns=cols)[list(cols.values())]
    frame["iso3"] = frame["iso3"].astype("string").str.strip()
    check_duplicates(frame, ["iso3"], source="UNU countries")
    return frame.reset_index(drop=True)


def load_internet_use(*, mirror: str | Path | None = None,
                      duplicates: str = "warn") -> pd.DataFrame:
    """Individuals using the internet (% of population), 2005-2024: ``iso3, country, year,
    internet_pct``. Aggregates (World, income groups) keep ``iso3=<NA>``.

    Examples
    --------
    >>> load_internet_use.__name__
    'load_internet_use'
    """
    src = find_file("un_egdi_2005_2024", "internet_penetration_ogdi.csv", mirror=mirror)
    raw = pd.read_csv(src)
    cols = {"Country Name": "country", "Year": "year", "Internet Penetration": "internet_pct"}
    require_columns(raw, cols, source="internet use", path=str(src))
    frame = raw.rename(columns=cols)
    frame["country"] = frame["country"].astype(str).str.strip()
    frame.insert(0, "iso3", to_iso3(frame["country"], source="internet use").codes)
    frame["year"] = frame["year"].astype("Int64")
    frame["internet_pct"] = pd.to_numeric(frame["internet_pct"], errors="coerce")
    check_duplicates(frame, ["iso3", "year"], source="internet use",
                     policy=check_policy(duplicates))
    return frame[["iso3", "country", "year", "internet_pct"]].reset_index(drop=True)
