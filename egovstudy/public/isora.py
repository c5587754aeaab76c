"""IMF ISORA (International Survey on Revenue Administration) forms A-G, 2018-2021.

Each form is a sheet with the question in column 1, the tax administration in
column 2 and one column per fiscal year. :func:`load_isora` returns the forms long;
:func:`isora_indicators` derives the tax-administration panel used in research on
digital service uptake (staff, staff education, expenditure incl. ICT, e-filing and
e-payment shares).

A small panel of those indicators ships with the package
(``egovstudy/data/isora_panel.csv.gz``, provenance ``isora_panel.md``) so that the
tax-administration notebook runs without the raw forms: see
:mod:`egovstudy.public.isora_panel`.

Examples
--------
>>> sorted(ISORA_INDICATORS)[:3]
['efile', 'efile_cit', 'efile_pit']
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from egovstudy.errors import DataFormatError
from egovstudy.public._schema import check_duplicates, check_policy, to_number
from egovstudy.public.countries import to_iso3
from egovstudy.public.sources import find_file

__all__ = ["ISORA_INDICATORS", "isora_indicators", "load_isora"]

_FORMS = "ABCDEFG"
_RET = "Number of returns received by tax type and channel-{tax}-Electronic returns-{kind}"
_KINDS = ("Fully pre-filled, deemed acceptance", "Fully pre-filled, confirmation required",
          "Partially pre-filled with income and/or expense information", "Not prefilled")
_TAXES = {"cit": "Corporate income tax", "pit": "Personal income tax", "vat": "Value added tax"}

#: tidy indicator -> description (what :func:`isora_indicators` returns)
ISORA_INDICATORS = {
    "staff": "staff at end of fiscal year (Form D), else total tax administration FTEs "
             "(Form C)",
    "staff_masters": "staff with a masters degree or above (Form D)",
    "staff_bachelors": "staff with a bachelors degree (Form D)",
    "staff_degree_share": "(masters + bachelors) / staff at end of FY",
    "opex": "tax administration operating expenditure, thousands of local currency (Form C)",
    "salary_exp": "tax administration salary expenditure, thousands of local currency",
    "ict_exp": "tax administration ICT expenditure, thousands of local currency",
    "ict_share": "ict_exp / opex",
    "efile_cit": "share of corporate income tax returns filed electronically (Form G)",
    "efile_pit": "share of personal income tax returns filed electronically (Form G)",
    "efile_vat": "share of VAT returns filed electronically (Form G)",
    "efile": "mean of the available e-filing shares",
    "epay_number": "share of payments received electronically, by number (Form G, 0-1)",
    "epay_value": "share of payments received electronically, by value (Form G, 0-1)",
}


def load_isora(forms: Iterable[str] = _FORMS, *, questions: Iterable[str] | None = None,
               mirror: str | Path | None = None) -> pd.DataFrame:
    """ISORA forms as a long frame: ``iso3, administration, year, form, question, value, text``.

    ``value`` is numeric where the answer is a number (``"D"``, "not available",
    becomes NaN); ``text`` keeps the answer as printed (Yes/No and categories).
    Administrations whose name is not a country (e.g. Republika Srpska) keep
    ``iso3=<NA>`` and are reported by a :class:`DataQualityWarning`.

    Parameters
    ----------
    forms : iterable of str
        Form letters among A-G.
    questions : iterable of str, optional
        Keep only these question labels (exact, as printed in column 1).

    Examples
    --------
    >>> try:
    ...     load_isora("Z")
    ... except Exception as err:
    ...     print(type(err).__name__)
    DataFormatError
    """
    forms = [f.upper() for f in forms]
    bad = [f for f in forms if f not in _FORMS]
    if bad:
        raise DataFormatError(f"forms={bad}: ISORA forms are {list(_FORMS)}")
    wanted = set(questions) if questions is not None else None
    parts = []
    for form in forms:
        name = f"raw/ISORA_2021/ISORA_Form_{form}_2018_to_2021.xlsx"
        src = find_file("bipa2024_public_admin", name, mirror=mirror)
        raw = pd.read_excel(src, engine="calamine", header=None, skiprows=1)
        header = [str(v).split(".")[0] for v in raw.iloc[0].tolist()[2:]]
        if not header or not all(h.isdigit() for h in header):
            raise DataFormatError(
                f"ISORA form {form} ({src}): expected year columns after the question and "
                f"administration columns in row 2, found {raw.iloc[0].tolist()}")
        body = raw.iloc[1:].copy()
        body.columns = ["question", "administration", *[int(h) for h in header]]
        body = body[body["question"].notna() & body["administration"].notna()]
        if wanted is not None:
            body = body[body["question"].isin(wanted)]
        long = body.melt(id_vars=["question", "administration"], var_name="year",
                         value_name="text")
        long["form"] = form
        parts.append(long)
    out = pd.concat(parts, ignore_index=True)
    out["administration"] = out["administration"].astype(str).str.strip()
    out["question"] = out["question"].astype(str).str.strip()
    out["text"] = out["text"].astype("string")
    out["value"] = to_number(out["text"])
    out["year"] = out["year"].astype("Int64")
    out.insert(0, "iso3", to_iso3(out["administration"], source="ISORA").codes)
    return out[["iso3", "administration", "year", "form", "question", "value", "text"]]


def isora_indicators(*, mirror: str | Path | None = None,
                     duplicates: str = "warn") -> pd.DataFrame:
    """The tax-administration panel: one row per administration and year 2018-2021.

    Columns ``iso3, administration, year`` and :data:`ISORA_INDICATORS`. Shares are
    fractions in [0, 1]; e-filing shares are electronic returns (all four
    pre-filling kinds) over total returns received for the tax.

    Examples
    --------
    >>> isora_indicators.__name__
    'isora_indicators'
    """
    q = {
        "staff_end": "Staff strength levels -No. at end of FY",
        "staff_masters": "Academic qualifications (No. of staff at the end of FY)-Masters "
                         "degree (or above)",
        "staff_bachelors": "Academic qualifications (No. of staff at the end of FY)-Bachelors "
                           "degree",
        "fte": "Total tax administration FTEs",
        "opex": "Total tax administrations operating expenditures (in thousands of local "
                "currency)",
        "salary_exp": "Total tax administration salary expenditures (in thousands of local "
                      "currency)",
        "ict_exp": "Total tax administration ICT expenditures (in thousands of local currency)",
        "epay_number": "Percentage of payments received electronically-By number of payments",
        "epay_value": "Percentage of payments received electronically-By value of payments",
    }
    for key, tax in _TAXES.items():
        q[f"total_{key}"] = f"Total number of returns received by tax type-{tax}"
        for i, kind in enumerate(_KINDS):
            q[f"e{i}_{key}"] = _RET.format(tax=tax, kind=kind)
    long = load_isora("CDG", questions=q.values(), mirror=mirror)
    found = set(long["question"])
    missing = [v for v in q.values() if v not in found]
    if missing:
        raise DataFormatError(
            f"ISORA forms C/D/G: question label(s) {missing} not found; a new edition may "
            "have renamed them -- expected labels are listed in egovstudy.public.isora")
    inverse = {v: k for k, v in q.items()}
    long["key"] = long["question"].map(inverse)
    check_duplicates(long, ["administration", "year", "key"], source="ISORA",
                     policy=check_policy(duplicates))
    wide = long.pivot_table(index=["administration", "year"], columns="key", values="value",
                            aggfunc="first", dropna=False)
    wide = wide.reindex(columns=list(q)).reset_index()
    wide.columns.name = None
    out = wide[["administration", "year"]].copy()
    out.insert(0, "iso3", to_iso3(out["administration"], warn=False).codes)
    out["staff"] = wide["staff_end"].fillna(wide["fte"])
    out["staff_masters"] = wide["staff_masters"]
    out["staff_bachelors"] = wide["staff_bachelors"]
    degree = wide[["staff_masters", "staff_bachelors"]].sum(axis=1, min_count=1)
    out["staff_degree_share"] = _ratio(degree, wide["staff_end"])
    out["opex"] = wide["opex"]
    out["salary_exp"] = wide["salary_exp"]
    out["ict_exp"] = wide["ict_exp"]
    out["ict_share"] = _ratio(wide["ict_exp"], wide["opex"])
    for key in _TAXES:
        electronic = wide[[f"e{i}_{key}" for i in range(len(_KINDS))]].sum(axis=1, min_count=1)
        out[f"efile_{key}"] = _ratio(electronic, wide[f"total_{key}"])
    out["efile"] = out[[f"efile_{k}" for k in _TAXES]].mean(axis=1)
    out["epay_number"] = wide["epay_number"] / 100.0
    out["epay_value"] = wide["epay_value"] / 100.0
    return out.sort_values(["administration", "year"]).reset_index(drop=True)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den where both are present, den > 0 and the ratio is at most 1 (else NaN)."""
    r = num.astype(float) / den.where(den > 0).astype(float)
    return r.where((r >= 0) & (r <= 1 + 1e-9)).replace([np.inf, -np.inf], np.nan)

