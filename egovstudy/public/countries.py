"""Country names to ISO 3166-1 alpha-3 codes.

Names are matched by ``country_converter`` (a maintained library of country
name patterns), after an explicit override table for names that the library
misses or gets ambiguous (``"Congo"`` in UN tables is the Republic of the Congo).
Unmatched names are reported -- as a :class:`~egovstudy.errors.DataQualityWarning`
and in :attr:`CountryMatch.unmatched` -- and their rows are kept with a missing
code: nothing is dropped silently.

Examples
--------
>>> to_iso3(["Indonesia", "Congo", "Türkiye"]).codes.tolist()
['IDN', 'COG', 'TUR']
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from egovstudy.errors import DataQualityWarning, MissingDependencyError

__all__ = ["COUNTRY_OVERRIDES", "CountryMatch", "add_iso3", "to_iso3"]

#: Names the library misses or resolves ambiguously, as they appear in the official files.
COUNTRY_OVERRIDES: dict[str, str] = {
    "congo": "COG",
    "republic of the congo": "COG",
    "congo, republic of": "COG",
    "congo, rep.": "COG",
    "democratic republic of the congo": "COD",
    "congo, democratic republic of the": "COD",
    "congo, dem. rep.": "COD",
    "kosovo": "XKX",
    "kosovo, republic of": "XKX",
    "micronesia (federated states of)": "FSM",
    "micronesia, fed. sts.": "FSM",
    "türkiye": "TUR",
    "turkiye": "TUR",
    "turkey": "TUR",
    "côte d'ivoire": "CIV",
    "cote d'ivoire": "CIV",
    "côte d’ivoire": "CIV",
    "eswatini": "SWZ",
    "swaziland": "SWZ",
    "north macedonia": "MKD",
    "the former yugoslav republic of macedonia": "MKD",
    "czechia": "CZE",
    "cabo verde": "CPV",
    "lao people's democratic republic": "LAO",
    "lao p.d.r.": "LAO",
    "democratic people's republic of korea": "PRK",
    "republic of korea": "KOR",
    "korea, republic of": "KOR",
    "korea, rep.": "KOR",
    "state of palestine": "PSE",
    "west bank and gaza": "PSE",
    "channel islands": "CHI",
    "netherlands antilles": "ANT",
    "hong kong sar": "HKG",
    "hong kong sar, china": "HKG",
    "macao sar": "MAC",
    "taiwan province of china": "TWN",
    "sint maarten (dutch part)": "SXM",
    "st. martin (french part)": "MAF",
    "curaçao": "CUW",
    "curacao": "CUW",
    # territories a library would fold into a country; "" = deliberately no code
    "australian indian ocean territories": "",
    "guantanamo bay naval base": "",
}

#: Aggregates that are not countries (regions, income groups, world totals).
NOT_COUNTRIES = re.compile(
    r"(?i)\b(world|income|ida|ibrd|oecd|euro area|european union|fragile|small states|"
    r"dividend|developing|members|total|region|sub-saharan|asia &|& pacific|latin america &|"
    r"middle east|north america|least developed|heavily indebted|not classified|"
    r"africa eastern|africa western|arab world|central europe and)\b"
)


@dataclass(frozen=True)
class CountryMatch:
    """Result of :func:`to_iso3`.

    Attributes
    ----------
    codes : pandas.Series
        ISO3 code per input name (``<NA>`` when unmatched), same index as the input.
    report : pandas.DataFrame
        One row per distinct name: ``name, iso3, method`` with method
        ``"override"``, ``"library"``, ``"code"`` (already an ISO3 code),
        ``"aggregate"`` (a region, income group or world total: no code, no warning)
        or ``"unmatched"``.
    """

    codes: pd.Series
    report: pd.DataFrame

    @property
    def unmatched(self) -> list[str]:
        """Distinct names that received no code."""
        return self.report.loc[self.report["method"] == "unmatched", "name"].tolist()

    def summary(self) -> str:
        """One line: how many names matched by which method, and the unmatched ones."""
        counts = self.report["method"].value_counts().to_dict()
        return f"{len(self.report)} names: {counts}; unmatched: {self.unmatched}"


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", str(name).replace("\u00a0", " ")).strip().lower()


@lru_cache(maxsize=1)
def _converter() -> object:
    try:
        import country_converter as coco
    except ImportError as err:  # pragma: no cover - installed with the project
        raise MissingDependencyError(
            "country_converter is needed to match country names: pip install country_converter"
        ) from err
    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter(country_data=_country_table(coco))


def _country_table(coco: Any) -> pd.DataFrame:
    """Read country_converter's own table with every text column kept as text.

    country_converter reads its table with ``converters=str``; pandas 3 turns an empty field
    of such a column into a missing value (pandas 2 kept ``""``), and the converter then
    fails compiling the missing ISO2 code of e.g. Zanzibar as a regex. Reading the same file
    here with empty text kept as ``""`` gives the same table on pandas 2 and 3.
    """
    from pandas._libs.parsers import STR_NA_VALUES

    text = ["name_short", "name_official", "regex", "ISO2", "ISO3", "continent", "UNregion",
            "EXIO1", "EXIO2", "EXIO3", "WIOD"]
    numeric = ["ISOnumeric", "UNcode", "FAOcode", "GBDcode", "EURO", "UN", "UNmember",
               "obsolete", "GEOnumeric"]
    table = pd.read_csv(coco.country_converter.COUNTRY_DATA_FILE, sep="\t", encoding="utf-8",
                        converters=dict.fromkeys(text, str),
                        na_values=sorted(STR_NA_VALUES - {"NA"}))
    for column in table.columns:
        if column in text:
            table[column] = table[column].fillna("").astype(object)
        elif column in numeric:
            table[column] = table[column].astype("Int64")
    return table


_LIBRARY_CACHE: dict[str, str | None] = {}


def _library_codes(names: list[str]) -> dict[str, str | None]:
    """Look names up in country_converter in one batch (cached across calls)."""
    todo = [n for n in dict.fromkeys(names) if n not in _LIBRARY_CACHE]
    if todo:
        conv = _converter()
        found = conv.convert(todo, to="ISO3", not_found="__none__")  # type: ignore[attr-defined]
        if not isinstance(found, list) or len(todo) == 1:
            found = [found]
        for name, code in zip(todo, found):
            ok = isinstance(code, str) and code != "__none__"  # a list = ambiguous
            _LIBRARY_CACHE[name] = code if ok else None
    return {n: _LIBRARY_CACHE[n] for n in names}


def to_iso3(names: Iterable[object], *, overrides: Mapping[str, str] | None = None,
            source: str = "", warn: bool = True) -> CountryMatch:
    """Match country names to ISO3 codes.

    Parameters
    ----------
    names : iterable
        Country names as printed in a file (a Series keeps its index).
    overrides : mapping, optional
        Extra ``name -> ISO3`` pairs, consulted before :data:`COUNTRY_OVERRIDES`
        and the library (matching ignores case and surrounding spaces). An empty
        string marks a name that deliberately gets no code (a territory).
    source : str
        Name of the file or source, used in the warning.
    warn : bool, default True
        Issue a :class:`DataQualityWarning` listing unmatched names.

    Examples
    --------
    >>> m = to_iso3(["Denmark ", "Atlantis"], warn=False)
    >>> m.codes.tolist(), m.unmatched
    (['DNK', <NA>], ['Atlantis'])
    """
    series = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
    table = {_key(k): v for k, v in COUNTRY_OVERRIDES.items()}
    table.update({_key(k): v for k, v in (overrides or {}).items()})
    rows = []
    mapping: dict[object, object] = {}
    distinct = [(raw, re.sub(r"\s+", " ", str(raw)).strip()) for raw in pd.unique(series.dropna())]
    lookup = [name for _, name in distinct
              if _key(name) not in table and not re.fullmatch(r"[A-Z]{3}", name)
              and not NOT_COUNTRIES.search(name)]
    library = _library_codes(lookup) if lookup else {}
    for raw, name in distinct:
        key = _key(name)
        if key in table:
            code, method = (table[key] or None), "override"
        elif re.fullmatch(r"[A-Z]{3}", name):
            code, method = name, "code"
        elif NOT_COUNTRIES.search(name):
            code, method = None, "aggregate"
        else:
            found = library.get(name)
            code, method = (found, "library") if found else (None, "unmatched")
        mapping[raw] = code if code is not None else pd.NA
        rows.append({"name": name, "iso3": code, "method": method})
    report = pd.DataFrame(rows, columns=["name", "iso3", "method"])
    codes = series.map(mapping).astype("string")
    match = CountryMatch(codes=codes, report=report)
    if warn and match.unmatched:
        where = f"{source}: " if source else ""
        warnings.warn(
            f"{where}{len(match.unmatched)} country names not matched to ISO3 and kept with "
            f"iso3=<NA>: {match.unmatched}. Add them to overrides={{name: ISO3}} if they are "
            "countries", DataQualityWarning, stacklevel=2)
    return match


def add_iso3(frame: pd.DataFrame, column: str, *, overrides: Mapping[str, str] | None = None,
             source: str = "", warn: bool = True) -> pd.DataFrame:
    """Return a copy of ``frame`` with an ``iso3`` column matched from ``column``.

    Examples
    --------
    >>> add_iso3(pd.DataFrame({"country": ["Indonesia"]}), "country")["iso3"].tolist()
    ['IDN']
    """
    out = frame.copy()
    out["iso3"] = to_iso3(out[column], overrides=overrides, source=source, warn=warn).codes
    return out
