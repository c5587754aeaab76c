"""Map answer labels to codes: case-, whitespace- and accent-insensitive.

``"  sangat  SETUJU "`` and ``"Sangat Setuju"`` are the same answer; so are
``"Très bien"`` and ``"tres bien"``, and ``"sangat_setuju"`` (a KoboToolbox
choice name). Labels that match nothing raise :class:`~egovstudy.errors.LabelError`
listing every unknown value, the rows where it occurs (spreadsheet row numbers:
the header is row 1) and the nearest known label.

Examples
--------
>>> import pandas as pd
>>> s = pd.Series(["Setuju", " sangat setuju", None, "TIDAK SETUJU"])
>>> map_labels(s, {"Tidak Setuju": 2, "Setuju": 4, "Sangat Setuju": 5}).tolist()
[4, 5, <NA>, 2]
>>> normalise_label("  Sangat_SETUJU ")
'sangat setuju'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

from egovstudy.errors import LabelError

__all__ = ["label_lookup", "map_labels", "normalise_label", "unknown_label_message"]

_SPACE = re.compile(r"[\s_\u00a0]+")
_DASH = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2019": "'", "\u2018": "'"})


def normalise_label(text: object) -> str:
    """Fold case, accents, underscores and runs of whitespace."""
    s = unicodedata.normalize("NFKD", str(text).translate(_DASH))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _SPACE.sub(" ", s).strip().casefold()


def label_lookup(mapping: Mapping[str, int], codes: list[int] | None = None) -> dict[str, int]:
    """Return ``normalised label -> code``; codes themselves (``"4"``) are accepted too."""
    out = {normalise_label(k): int(v) for k, v in mapping.items()}
    for c in codes or []:
        out.setdefault(str(c), int(c))
        out.setdefault(f"{c}.0", int(c))
    return out


def unknown_label_message(unknown: Mapping[str, list[int]], known: list[str], *, column: str,
                          file: str | None = None, what: str = "label") -> str:
    """Build the LabelError text: each unknown value, its rows, its nearest known label."""
    norm_known = {normalise_label(k): k for k in known}
    parts = []
    for value, rows in unknown.items():
        shown = ", ".join(str(r) for r in rows[:8]) + (f", ... ({len(rows)} rows)"
                                                       if len(rows) > 8 else "")
        near = difflib.get_close_matches(normalise_label(value), list(norm_known), n=1,
                                         cutoff=0.5)
        hint = f"; nearest known label '{norm_known[near[0]]}'" if near else ""
        parts.append(f"'{value}' (rows {shown}{hint})")
    where = f"file {file}, " if file else ""
    return (f"{where}column '{column}': unknown {what}s " + "; ".join(parts)
            + f". Known labels: {', '.join(known)}. Fix: correct the values in the export, "
            "or add them to the scale (or to 'missing' if they mean no answer) in the codebook")


def map_labels(series: pd.Series, mapping: Mapping[str, int], *, column: str | None = None,
               file: str | None = None, missing: Mapping[str, None] | None = None,
               codes: list[int] | None = None, first_row: int = 2,
               known: list[str] | None = None) -> pd.Series:
    """Map text labels to integer codes (nullable ``Int8``).

    Parameters
    ----------
    series : Series
        Text labels (object, string or categorical); missing values stay missing.
    mapping : mapping
        ``label -> code``; matched after :func:`normalise_label`.
    column, file : str, optional
        Named in the error message.
    missing : mapping, optional
        Labels meaning "no answer" (e.g. ``{"Tidak tahu": None}``): mapped to missing.
    codes : list of int, optional
        Codes also accepted as text (``"4"``), as in numeric Google Forms scales.
    first_row : int, default 2
        Spreadsheet row number of the first data row (2 below a one-row header).
    known : list of str, optional
        Labels to list in the error message (default: every key of ``mapping``).

    Raises
    ------
    LabelError
        Listing each unknown label, its spreadsheet rows (header = row 1) and the
        nearest known label.
    """
    lookup = label_lookup(mapping, codes)
    na_labels = {normalise_label(k) for k in (missing or {})} | {""}
    cat = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    categories = cat.cat.categories
    table = np.full(len(categories) + 1, -1, dtype=np.int16)  # last slot: NaN (code -1)
    unknown_cats: list[int] = []
    for j, value in enumerate(categories):
        key = normalise_label(value)
        if key in lookup:
            table[j] = lookup[key]
        elif key in na_labels:
            table[j] = -1
        else:
            unknown_cats.append(j)
    cat_codes = cat.cat.codes.to_numpy()
    if unknown_cats:
        unknown: dict[str, list[int]] = {}
        positions = np.flatnonzero(np.isin(cat_codes, unknown_cats))
        for pos in positions:
            unknown.setdefault(str(categories[cat_codes[pos]]), []).append(int(pos) + first_row)
        raise LabelError(unknown_label_message(unknown, known or list(mapping),
                                               column=column or
                                               str(series.name), file=file))
    values = table[cat_codes]  # code -1 (NaN) indexes the last slot
    mask = values < 0
    return pd.Series(pd.arrays.IntegerArray(values.astype(np.int8), mask), index=series.index,
                     name=series.name)
