"""``Survey`` = typed data + codebook + quality report; :func:`load_survey` builds it.

Examples
--------
>>> import tempfile, os
>>> from egovstudy.codebook import Codebook
>>> cb = Codebook.from_dict({"columns": {"id": "NIP", "agency": "OPD"},
...     "items": [{"name": "q1", "column": "Q1", "construct": "c"},
...               {"name": "q2", "column": "Q2", "construct": "c", "reverse": True}],
...     "constructs": [{"name": "c", "items": ["q1", "q2"]}],
...     "aliases": {"agency": {"diskominfo": "Dinas Komunikasi dan Informatika"}}})
>>> path = os.path.join(tempfile.mkdtemp(), "export.csv")
>>> with open(path, "w", encoding="utf-8") as fh:
...     _ = fh.write("NIP;OPD;Q1;Q2\\n1;Diskominfo;Setuju;Tidak Setuju\\n"
...                  "2;DISKOMINFO ;sangat setuju;Netral\\n")
>>> s = load_survey(path, cb)
>>> s.data[["respondent_id", "q1", "q2", "c"]].to_dict("list")
{'respondent_id': ['1', '2'], 'q1': [4, 5], 'q2': [4, 3], 'c': [4.0, 4.0]}
>>> s.data["agency"].unique().tolist()
['Dinas Komunikasi dan Informatika']
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.codebook import SCALE_SYNONYMS, Codebook, Scale, read_codebook
from egovstudy.errors import (
    CodebookError,
    DataFormatError,
    DataQualityWarning,
    LabelError,
)
from egovstudy.io import RawTable, file_format, read_raw
from egovstudy.io.csv import to_numeric
from egovstudy.io.google_forms import parse_timestamp
from egovstudy.io.kobo import expand_select_multiple, last_segment
from egovstudy.labels import map_labels, normalise_label
from egovstudy.quality import QualityReport, quality_report
from egovstudy.scoring import score_constructs

__all__ = ["Survey", "load_survey"]


@dataclass
class Survey:
    """A loaded survey.

    Attributes
    ----------
    data : DataFrame
        One row per kept respondent: ``respondent_id``, ``submitted_at``,
        ``agency``, ``region``, every item by name (nullable ``Int8`` codes,
        reverse-keyed items already reversed), every variable by name,
        ``duration_seconds`` and every construct score by construct name (float).
    raw : DataFrame
        Every parsed row and column of the export, before anything was dropped.
    codebook : Codebook
    quality : QualityReport
    path : str
        The export read.
    info : dict
        What the reader detected (format, encoding, delimiter, decimal, header rows)
        and the header matched for each codebook entry.
    kept_rows : ndarray
        Export row numbers (spreadsheet numbering) of the rows in ``data``.
    """

    data: pd.DataFrame
    raw: pd.DataFrame
    codebook: Codebook
    quality: QualityReport
    path: str
    info: dict[str, Any] = field(default_factory=dict)
    kept_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    _hash: str | None = field(default=None, repr=False)

    @property
    def source_hash(self) -> str:
        """sha256 of the raw export file (computed on first use)."""
        if self._hash is None:
            from egovstudy.provenance import file_sha256

            self._hash = file_sha256(self.path)
        return self._hash

    def construct_items(self) -> dict[str, list[str]]:
        """``construct -> items`` for first-order constructs."""
        return self.codebook.construct_items()

    def items(self) -> list[str]:
        """Item names in codebook order."""
        return list(self.codebook.items)

    def labels(self, item: str, language: str | None = None) -> list[str]:
        """Ordered answer labels of an item's scale."""
        scale = self.codebook.items[item].scale
        lang = language or str(self.codebook.study.get("language", "id"))
        return scale.labels.get(lang) or next(iter(scale.labels.values()))

    def labelled(self, language: str | None = None) -> pd.DataFrame:
        """``data`` with items as ordered categoricals of their labels.

        Reverse-keyed items show the label of the reversed code.
        """
        out = self.data.copy()
        for name, item in self.codebook.items.items():
            labels = self.labels(name, language)
            mapping = dict(zip(item.scale.values, labels))
            out[name] = pd.Categorical(out[name].map(mapping), categories=labels, ordered=True)
        return out

    def summary(self) -> str:
        """Text: the file, rows, items, constructs and the quality summary."""
        return (f"Survey {self.path}: {len(self.data)} respondents, {len(self.items())} items, "
                f"{len(self.codebook.constructs)} constructs\n" + self.quality.summary())

    def tidy(self) -> pd.DataFrame:
        """The quality rules table (rule, policy, n_flagged, n_removed)."""
        return self.quality.rules()

    def _repr_html_(self) -> str:
        return (f"<p>Survey {self.path}: {len(self.data)} respondents</p>"
                + self.quality._repr_html_())

    def __repr__(self) -> str:
        return f"Survey({self.path!r}, respondents={len(self.data)}, items={len(self.items())})"


# ---------------------------------------------------------------------------------
# column resolution
# ---------------------------------------------------------------------------------
def _header_index(raw: RawTable, convention: str | None) -> dict[str, str]:
    index: dict[str, str] = {}
    for col in raw.frame.columns:
        index.setdefault(normalise_label(col), col)
    for col, label in raw.column_labels.items():
        index.setdefault(normalise_label(label), col)
    if convention == "kobo" or any("/" in str(c) for c in raw.frame.columns):
        for col in raw.frame.columns:
            index.setdefault(normalise_label(last_segment(col)), col)
    return index


def _wanted(cb: Codebook) -> list[tuple[str, str, str]]:
    """(entry, header, kind) for every column the codebook names."""
    out: list[tuple[str, str, str]] = []
    cols = cb.columns
    for key in ("id", "timestamp", "start_time", "duration", "agency", "region"):
        header = getattr(cols, key)
        if header:
            out.append((f"columns.{key}", header, key))
    for i, (name, item) in enumerate(cb.items.items()):
        out.append((f"items[{i}] '{name}'", item.column, "item"))
    for i, check in enumerate(cb.attention_checks):
        out.append((f"attention_checks[{i}]", check.column, "attention"))
    for i, (name, var) in enumerate(cb.variables.items()):
        if var.type != "multiple":
            out.append((f"variables[{i}] '{name}'", var.column, "variable"))
    return out


def _resolve(raw: RawTable, cb: Codebook, convention: str | None) -> dict[str, str]:
    index = _header_index(raw, convention)
    found: dict[str, str] = {}
    problems = []
    headers = [str(c) for c in raw.frame.columns]
    for entry, header, kind in _wanted(cb):
        col = index.get(normalise_label(header))
        if col is None and convention == "kobo":
            col = index.get(normalise_label(last_segment(header)))
        if col is None:
            near = difflib.get_close_matches(header, headers, n=1, cutoff=0.4)
            hint = f"; nearest header '{near[0]}'" if near else ""
            fix = ("set columns.id to the header of the respondent id, or add the id column to "
                   "the export" if kind == "id" else
                   "correct 'column' in the codebook to the header text in the export")
            problems.append(f"{entry}: column '{header}' not found{hint} (fix: {fix})")
            continue
        if col in raw.duplicated_columns:
            pos = raw.duplicated_columns[col]
            raise DataFormatError(
                f"file {raw.path}: column '{col}' ({entry}) appears {len(pos)} times (positions "
                f"{', '.join(map(str, pos))}); cannot tell which one to use. Fix: rename the "
                "duplicated headers in the export")
        found[entry] = col
    if problems:
        shown = "; ".join(problems[:8]) + (f"; ... ({len(problems)} in all)"
                                          if len(problems) > 8 else "")
        raise CodebookError(f"codebook {cb.path or ''} does not match file {raw.path}: "
                            f"{len(problems)} column(s) not found: {shown}")
    unused_dups = [c for c in raw.duplicated_columns if c not in found.values()]
    if unused_dups:
        warnings.warn(f"file {raw.path}: duplicated headers {unused_dups} (not used by the "
                      "codebook; read as 'name', 'name.1', ...)", DataQualityWarning,
                      stacklevel=3)
    return found


# ---------------------------------------------------------------------------------
# conversions
# ---------------------------------------------------------------------------------
def _scale_lookup(scale: Scale) -> dict[str, int]:
    mapping = scale.label_map()
    for label, code in SCALE_SYNONYMS.get(scale.name, {}).items():
        mapping.setdefault(label, code)
    return mapping


def _in_ranges(values: np.ndarray, ranges: list[tuple[float, float]]) -> np.ndarray:
    mask = np.zeros(values.shape, dtype=bool)
    for lo, hi in ranges:
        mask |= (values >= lo) & (values <= hi)
    return mask


class _Collector:
    def __init__(self) -> None:
        self.invalid: list[dict[str, Any]] = []
        self.label_errors: list[str] = []


def _codes(series: pd.Series, scale: Scale, *, column: str, name: str, raw: RawTable,
           missing: tuple[float, ...], sink: _Collector) -> pd.Series:
    """Export column -> Int16 codes (out-of-scale codes kept for the quality rules)."""
    if pd.api.types.is_numeric_dtype(series) and not isinstance(series.dtype,
                                                               pd.CategoricalDtype):
        vals = series.to_numpy(dtype="float64", na_value=np.nan).copy()
        miss = _in_ranges(vals, raw.user_missing.get(column, []))
        if missing:
            miss |= np.isin(vals, missing)
        vals[miss] = np.nan
        labels = raw.value_labels.get(column)
        if labels:
            lookup = {normalise_label(k): v for k, v in _scale_lookup(scale).items()}
            remap = {}
            for code, label in labels.items():
                target = lookup.get(normalise_label(label))
                if target is not None and target != code:
                    remap[float(code)] = float(target)
            if remap:
                vals = pd.Series(vals).replace(remap).to_numpy(dtype="float64")
        frac = ~np.isnan(vals) & (vals != np.round(vals))
        for pos in np.flatnonzero(frac):
            sink.invalid.append({"position": pos, "column": name, "value": float(vals[pos]),
                                 "detail": "not a whole-number code"})
        vals[frac] = np.nan
        mask = np.isnan(vals)
        clipped = np.clip(np.where(mask, 0, vals), -32000, 32000).astype(np.int16)
        if clipped.size and clipped.min() >= -128 and clipped.max() <= 127:
            clipped = clipped.astype(np.int8)
        return pd.Series(pd.arrays.IntegerArray(clipped, mask), index=series.index, name=name)
    na_labels: dict[str, None] = {}
    for m in missing:
        na_labels[f"{m:g}"] = None
    try:
        mapped = map_labels(series, _scale_lookup(scale), column=column, file=raw.path,
                            missing=na_labels, codes=scale.values, first_row=raw.first_row,
                            known=[lab for labs in scale.labels.values() for lab in labs])
    except LabelError as exc:
        sink.label_errors.append(str(exc))
        return pd.Series(pd.NA, index=series.index, dtype="Int8", name=name)
    return mapped.rename(name)


def _harmonise(values: pd.Series, aliases: Mapping[str, str], field_name: str,
               raw: RawTable) -> pd.Series:
    """Fold case/space/accents; map aliases and spelling variants to one name."""
    text = values.astype("string").str.strip().str.replace(r"\s+", " ", regex=True)
    if isinstance(values.dtype, pd.CategoricalDtype):
        uniques = [str(u) for u in values.cat.categories]
    else:
        uniques = [str(u) for u in text.dropna().unique()]
    canon: dict[str, str] = {}
    for typed, target in aliases.items():
        canon[normalise_label(typed)] = target
        canon[normalise_label(target)] = target
    # spelling variants without an alias: the most frequent spelling of the folded key
    counts = text.value_counts()
    best: dict[str, str] = {}
    for spelled, _count in counts.items():
        best.setdefault(normalise_label(spelled), str(spelled))
    mapping: dict[str, str] = {}
    unmatched = []
    for u in uniques:
        key = normalise_label(u)
        if key in canon:
            mapping[u.strip()] = canon[key]
        else:
            mapping[u.strip()] = best.get(key, u.strip())
            if aliases:
                unmatched.append(u.strip())
    if aliases and unmatched:
        known = sorted(set(aliases.values()))
        shown = ", ".join(f"'{u}'" for u in sorted(set(unmatched))[:8])
        warnings.warn(f"file {raw.path}: {field_name} values {shown} match no alias or "
                      f"canonical name (e.g. '{known[0]}'); kept as typed. Fix: add them under "
                      f"aliases.{field_name} in the codebook", DataQualityWarning, stacklevel=4)
    out = text.map(lambda v: mapping.get(v, v) if v is not pd.NA else v)
    return out.astype("string")


def _id_strings(series: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(series):
        vals = series.to_numpy(dtype="float64", na_value=np.nan)
        whole = ~np.isnan(vals) & (vals == np.round(vals))
        out = pd.Series(series.astype(object).astype(str), index=series.index, dtype="string")
        out[whole] = pd.Series(vals[whole].astype(np.int64)).astype(str).to_numpy()
        out[np.isnan(vals)] = pd.NA
        return out
    if not isinstance(series.dtype, pd.StringDtype):
        series = series.astype("string")
    stripped = series.str.strip()
    return stripped.mask(stripped == "")


# ---------------------------------------------------------------------------------
# load_survey
# ---------------------------------------------------------------------------------
def load_survey(path: str | Path, codebook: str | Path | Codebook, *,
                source: str | None = None, encoding: str | None = None,
                delimiter: str | None = None, decimal: str | None = None,
                sheet: str | int | None = None, header_rows: int | None = None,
                policies: str | Mapping[str, str] | None = None,
                thresholds: Mapping[str, Any] | None = None) -> Survey:
    """Read an export, apply the codebook, check respondent quality and score.

    Parameters
    ----------
    path : str or Path
        CSV (delimiter, decimal comma and encoding sniffed), XLSX/XLS/ODS,
        SPSS ``.sav``, Stata ``.dta`` or Parquet.
    codebook : str, Path or Codebook
        See ``docs/codebook.md``.
    source : str, optional
        ``csv``, ``excel``, ``spss``, ``stata``, ``parquet``, ``google_forms`` or
        ``kobo`` (the last two name an export's conventions; the file format
        still comes from the extension). Default: the extension and the
        codebook's ``study.source``.
    encoding, delimiter, decimal : str, optional
        Override detection for text files.
    sheet, header_rows : optional
        Excel sheet and number of header rows (detected when omitted).
    policies : str or mapping, optional
        Respondent-quality policy per rule (``report``/``drop``/``raise``); see
        :mod:`egovstudy.quality`.
    thresholds : mapping, optional
        Quality thresholds (``speeder_ratio``, ``straight_lining_share``,
        ``missing_share``, ``duplicate_keep``).

    Returns
    -------
    Survey

    Raises
    ------
    CodebookError
        The codebook is invalid or names columns the file does not have.
    DataFormatError
        The file cannot be read (empty, truncated, wrong delimiter, ...).
    LabelError
        Answers that match no label of the item's scale (all listed with rows).
    DataQualityError
        A quality rule with policy ``"raise"`` flagged rows.
    """
    cb = read_codebook(codebook)
    fmt = file_format(path, source)
    convention = source if source in ("google_forms", "kobo") else cb.study.get("source")
    raw = read_raw(path, source=fmt, encoding=encoding, delimiter=delimiter, decimal=decimal,
                   sheet=sheet, header_rows=header_rows)
    found = _resolve(raw, cb, convention)
    frame = raw.frame
    n = len(frame)
    sink = _Collector()
    cols: dict[str, Any] = {}
    c = cb.columns

    def col(key: str) -> pd.Series | None:
        header = found.get(f"columns.{key}")
        return None if header is None else frame[header]

    ids = col("id")
    cols["respondent_id"] = (_id_strings(ids) if ids is not None else
                             pd.Series([str(i + raw.first_row) for i in range(n)],
                                       dtype="string"))
    if ids is not None and cols["respondent_id"].isna().any():
        rows = np.flatnonzero(cols["respondent_id"].isna().to_numpy()) + raw.first_row
        warnings.warn(f"file {raw.path}: column '{found['columns.id']}' (respondent id) is blank "
                      f"in rows {', '.join(map(str, rows[:8]))}; these cannot be checked for "
                      "duplicates. Fix: fill in the ids", DataQualityWarning, stacklevel=2)
    ts = col("timestamp")
    submitted = None
    if ts is not None:
        submitted = parse_timestamp(ts, c.timestamp_format, column=found["columns.timestamp"],
                                    file=raw.path, first_row=raw.first_row)
    cols["submitted_at"] = (submitted if submitted is not None
                            else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]"))
    for key in ("agency", "region"):
        s = col(key)
        cols[key] = (_harmonise(s, cb.aliases.get(key, {}), key, raw) if s is not None
                     else pd.Series(pd.NA, index=frame.index, dtype="string"))
    duration = None
    dcol = col("duration")
    if dcol is not None:
        duration, bad = to_numeric(dcol, raw.decimal)
        for pos in np.flatnonzero(bad.to_numpy()):
            sink.invalid.append({"position": pos, "column": "duration_seconds",
                                 "value": str(dcol.iloc[pos]), "detail": "not a number"})
    elif col("start_time") is not None and submitted is not None:
        start = parse_timestamp(col("start_time"), c.timestamp_format,
                                column=found["columns.start_time"], file=raw.path,
                                first_row=raw.first_row)
        duration = (submitted - start).dt.total_seconds()
    if duration is not None:
        cols["duration_seconds"] = duration.astype("float64")

    for name, item in cb.items.items():
        header = found[f"items[{list(cb.items).index(name)}] '{name}'"]
        cols[name] = _codes(frame[header], item.scale, column=header, name=name, raw=raw,
                            missing=item.missing, sink=sink)
    for i, check in enumerate(cb.attention_checks):
        header = found[f"attention_checks[{i}]"]
        cols[check.name] = _codes(frame[header], check.scale, column=header, name=check.name,
                                  raw=raw, missing=(), sink=sink)
    if sink.label_errors:
        more = f" (and {len(sink.label_errors) - 3} more columns)" if len(
            sink.label_errors) > 3 else ""
        raise LabelError(" | ".join(sink.label_errors[:3]) + more)

    extra: dict[str, pd.Series] = {}
    for i, (name, var) in enumerate(cb.variables.items()):
        if var.type == "multiple":
            prefix = var.column
            if prefix not in frame.columns:
                hits = [h for h in frame.columns if last_segment(h) == last_segment(prefix)]
                prefix = hits[0] if hits else prefix
            try:
                multi = expand_select_multiple(frame, prefix, var.options, name=name,
                                               file=raw.path, first_row=raw.first_row)
            except KeyError:
                raise CodebookError(f"codebook {cb.path or ''}: variables[{i}] '{name}': column "
                                    f"'{var.column}' not found in file {raw.path}, neither as "
                                    "one column nor as one column per option. Fix: correct "
                                    "'column'") from None
            extra.update(dict(multi.items()))
            continue
        series = frame[found[f"variables[{i}] '{name}'"]]
        if var.type in ("numeric", "integer"):
            vals = series.to_numpy(dtype="float64", na_value=np.nan) if (
                pd.api.types.is_numeric_dtype(series)
                and not isinstance(series.dtype, pd.CategoricalDtype)) else None
            if vals is None:
                num, bad = to_numeric(series, raw.decimal)
                for pos in np.flatnonzero(bad.to_numpy()):
                    sink.invalid.append({"position": pos, "column": name,
                                         "value": str(series.iloc[pos]),
                                         "detail": "not a number"})
                vals = num.to_numpy(dtype="float64")
            vals = vals.copy()
            miss = _in_ranges(vals, raw.user_missing.get(series.name, []))
            if var.missing:
                miss |= np.isin(vals, var.missing)
            vals[miss] = np.nan
            if var.type == "integer":
                frac = ~np.isnan(vals) & (vals != np.round(vals))
                for pos in np.flatnonzero(frac):
                    sink.invalid.append({"position": pos, "column": name,
                                         "value": float(vals[pos]),
                                         "detail": "not a whole number"})
                vals[frac] = np.nan
                cols[name] = pd.Series(vals, index=frame.index).round().astype("Int64")
            else:
                cols[name] = pd.Series(vals, index=frame.index)
        elif var.type == "categorical":
            cols[name] = _categorical(series, var, raw, name)
        elif var.type == "date":
            cols[name] = parse_timestamp(series, None, column=str(series.name), file=raw.path,
                                         first_row=raw.first_row)
        else:
            cols[name] = series.astype("string")
    typed = pd.DataFrame(cols, index=frame.index, copy=False)
    for k, v in extra.items():
        typed[k] = v.to_numpy()
    for name in cb.items:
        if typed[name].isna().all():
            warnings.warn(f"file {raw.path}: item '{name}' (column "
                          f"'{cb.items[name].column}') is blank in every row; its construct is "
                          "scored from the other items. Fix: check the column in the export",
                          DataQualityWarning, stacklevel=2)

    # questionnaire order for straight-lining
    position = {h: j for j, h in enumerate(frame.columns)}
    order = sorted(cb.items, key=lambda nm: position[found[
        f"items[{list(cb.items).index(nm)}] '{nm}'"]])
    invalid = pd.DataFrame(sink.invalid, columns=["position", "column", "value", "detail"])
    report = quality_report(typed, cb, policies=policies, thresholds=thresholds,
                            item_order=order, first_row=raw.first_row, invalid=invalid)

    # out-of-range values -> missing (reported), then keep rows and score
    oor = report.table[report.table["rule"] == "out_of_range"]
    for name, item in cb.items.items():
        bad = typed[name].notna() & ~typed[name].isin(item.scale.values)
        if bad.any():
            typed.loc[bad, name] = pd.NA
    for name, var in cb.variables.items():
        if var.range is not None and name in typed and var.type in ("numeric", "integer"):
            lo, hi = var.range
            bad = typed[name].notna() & ((typed[name] < lo) | (typed[name] > hi))
            typed.loc[bad.fillna(False).astype(bool), name] = np.nan if var.type == "numeric" \
                else pd.NA
    keep = report.flags["removed_by"].isna().to_numpy()
    kept_oor = oor[oor["action"] != "removed"]
    if len(kept_oor):
        shown = "; ".join(f"row {r.row} column '{r.column}' value {r.value!r}"
                          for r in kept_oor.head(5).itertuples())
        warnings.warn(f"file {raw.path}: {len(kept_oor)} out-of-range value(s) set to missing "
                      f"({shown}). Fix: correct them in the export or declare them as missing "
                      "codes; details in survey.quality.table", DataQualityWarning, stacklevel=2)
    typed = typed.drop(columns=[check.name for check in cb.attention_checks])
    data = typed if keep.all() else typed.loc[keep].reset_index(drop=True)
    del typed
    for name, item in cb.items.items():  # reverse keying, column by column (no frame copy)
        values = data[name]
        if str(values.dtype) != "Int8":
            values = values.astype("Int8")
        if item.reverse:
            values = (item.scale.min + item.scale.max - values).astype("Int8")
        data[name] = values
    scores = score_constructs(data, cb)
    for cname in scores.columns:
        data[cname] = scores[cname].to_numpy()
    info = {**raw.options(), "notes": raw.notes, "convention": convention,
            "columns": dict(found)}
    return Survey(data=data, raw=frame, codebook=cb, quality=report, path=str(path), info=info,
                  kept_rows=(np.flatnonzero(keep) + raw.first_row))


def _categorical(series: pd.Series, var: Any, raw: RawTable, name: str) -> pd.Series:
    labels = raw.value_labels.get(str(series.name))
    if labels and pd.api.types.is_numeric_dtype(series):
        series = series.map(lambda v: labels.get(v, labels.get(int(v), v) if pd.notna(v) and
                                                 float(v).is_integer() else v))
    if not var.categories:
        text = series.astype("string").str.strip()
        return text.astype("category")
    lookup = {normalise_label(k): v for k, v in var.categories.items()}
    lookup.update({normalise_label(v): v for v in var.categories.values()})
    values = list(dict.fromkeys(var.categories.values()))
    cat = series.astype("category") if not isinstance(series.dtype, pd.CategoricalDtype) \
        else series
    unknown: dict[str, list[int]] = {}
    mapping = {}
    for u in cat.cat.categories:
        key = normalise_label(u)
        if key in lookup:
            mapping[u] = lookup[key]
        elif key:
            pos = np.flatnonzero((cat == u).to_numpy()) + raw.first_row
            unknown[str(u)] = pos.tolist()
    if unknown:
        from egovstudy.labels import unknown_label_message

        raise LabelError(unknown_label_message(unknown, list(var.categories),
                                               column=str(series.name), file=raw.path,
                                               what="category"))
    out = cat.map(mapping).astype(object)
    return pd.Series(pd.Categorical(out, categories=values, ordered=var.ordered),
                     index=series.index, name=name)
