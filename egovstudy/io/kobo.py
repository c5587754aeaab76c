"""KoboToolbox (XLSForm) conventions: group paths, label/value exports, select_multiple.

Kobo exports name a question ``group/subgroup/question`` (XML names) or by its
label; answers are choice names (``sangat_setuju``) or labels. Label matching
is underscore-insensitive (:func:`egovstudy.labels.normalise_label`), and the
loader matches a codebook column to a header by its full path or by its last
path segment. A ``select_multiple`` question arrives either as one column of
space-separated choice names or as one 0/1 column per option
(``group/q/option``); :func:`expand_select_multiple` gives one boolean column
per option in both cases.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"grp/apps": ["email srikandi", "email", None]})
>>> expand_select_multiple(df, "grp/apps", {"email": "E-mail", "srikandi": "Srikandi"},
...                        name="apps").astype(int).to_dict("list")
{'apps__email': [1, 1, 0], 'apps__srikandi': [1, 0, 0]}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from egovstudy.errors import LabelError
from egovstudy.labels import normalise_label, unknown_label_message

__all__ = ["KOBO_META", "expand_select_multiple", "last_segment"]

#: Columns Kobo adds to every export.
KOBO_META = ("start", "end", "today", "deviceid", "_id", "_uuid", "_submission_time",
             "_validation_status", "_index", "_status", "_submitted_by", "__version__")


def last_segment(header: str) -> str:
    """``"grp_a/grp_b/q1"`` -> ``"q1"``."""
    return str(header).rstrip("/").rsplit("/", 1)[-1].strip()


def expand_select_multiple(frame: pd.DataFrame, column: str, options: dict[str, str], *,
                           name: str | None = None, file: str | None = None,
                           first_row: int = 2) -> pd.DataFrame:
    """One boolean column ``<name>__<option>`` per option of a select_multiple question.

    Parameters
    ----------
    frame : DataFrame
        The raw export.
    column : str
        The question's header (``group/question``), or its prefix when the
        export has one column per option (``group/question/option``).
    options : dict
        ``choice name -> label`` from the XLSForm choices sheet.

    Raises
    ------
    LabelError
        An answer that is neither a choice name nor a label (rows listed).
    """
    name = name or last_segment(column)
    per_option = {opt: f"{column}/{opt}" for opt in options}
    if all(c in frame.columns for c in per_option.values()):
        out = {}
        for opt, col in per_option.items():
            vals = pd.to_numeric(frame[col].astype(object), errors="coerce")
            out[f"{name}__{opt}"] = (vals.fillna(0) > 0).to_numpy()
        return pd.DataFrame(out, index=frame.index)
    lookup = {normalise_label(k): k for k in options}
    lookup.update({normalise_label(v): k for k, v in options.items()})
    result = {opt: np.zeros(len(frame), dtype=bool) for opt in options}
    unknown: dict[str, list[int]] = {}
    series = frame[column].astype(object)
    for pos, value in enumerate(series.tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        text = str(value).strip()
        if not text:
            continue
        if ";" in text or "," in text:
            tokens = [t for t in text.replace(";", ",").split(",") if t.strip()]
        elif normalise_label(text) in lookup:
            tokens = [text]
        else:
            # choice names are joined by spaces; labels may contain spaces themselves
            # (Kobo's label export joins them with spaces too): split into known
            # choices, whole labels first
            tokens = _segment(text.split(), lookup) or text.split()
        for t in tokens:
            key = normalise_label(t)
            if key in lookup:
                result[lookup[key]][pos] = True
            else:
                unknown.setdefault(t.strip(), []).append(pos + first_row)
    if unknown:
        raise LabelError(unknown_label_message(unknown, list(options), column=column, file=file,
                                               what="option"))
    return pd.DataFrame({f"{name}__{k}": v for k, v in result.items()}, index=frame.index)


def _segment(words: list[str], lookup: dict[str, str]) -> list[str] | None:
    """Split ``words`` into consecutive runs that are each a known choice name or label.

    Dynamic programming over the word positions, preferring fewer (longer) pieces;
    ``None`` when no split exists.

    Examples
    --------
    >>> lk = {normalise_label(x): x for x in ["Surat elektronik", "Aplikasi Srikandi", "Surat"]}
    >>> _segment("Surat elektronik Aplikasi Srikandi".split(), lk)
    ['Surat elektronik', 'Aplikasi Srikandi']
    >>> _segment(["Surat", "kabar"], lk) is None
    True
    """
    n = len(words)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(1, n + 1):
        for j in range(i):
            prev = best[j]
            if prev is None:
                continue
            piece = " ".join(words[j:i])
            if normalise_label(piece) in lookup:
                cand = [*prev, piece]
                current = best[i]
                if current is None or len(cand) < len(current):
                    best[i] = cand
    return best[n]
