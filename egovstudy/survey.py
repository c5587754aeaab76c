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
import math
import warnings
from collections.abc import Mapping
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
from egovstudy.labels import label_lookup, map_labels, normalise_label
from egovstudy.quality import (
    QualityReport,
    out_of_scale,
    quality_report,
    release_freed_memory,
)
from egovstudy.scoring import score_constructs

__all__ = ["Survey", "load_survey"]


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
        Read again from ``path`` on first use (see Notes) and then kept.
    codebook : Codebook
    quality : QualityReport
    path : str
        The export read.
    info : dict
        What the reader detected (format, encoding, delimiter, decimal, header rows),
        the header matched for each codebook entry, and ``notes``: the load notes
        (answers set missing per item, spellings harmonised, reader findings).
    kept_rows : ndarray
        Export row numbers (spreadsheet numbering, int32) of the rows in ``data``
        (read-only).

    Notes
    -----
    :func:`load_survey` does not keep the parsed export: for a million
    respondents and 40 text items it is as large as the typed data itself, and
    few analyses look at it. ``raw`` re-reads the file with the options detected
    at load time; if the file has changed since (size or modification time), it
    raises :class:`~egovstudy.errors.DataFormatError` rather than return rows that
    do not match ``data``.
    """

    def __init__(self, data: pd.DataFrame, raw: pd.DataFrame | None, codebook: Codebook,
                 quality: QualityReport, path: str, info: dict[str, Any] | None = None,
                 kept_rows: np.ndarray | None = None, _hash: str | None = None, *,
                 read_options: Mapping[str, Any] | None = None) -> None:
        if raw is None and read_options is None:
            raise TypeError("Survey: pass raw= (the parsed export) or read_options= (how to "
                            "read it again)")
        self.data = data
        self._raw = raw
        self.codebook = codebook
        self.quality = quality
        self.path = path
        self.info = dict(info or {})
        self.kept_rows = kept_rows if kept_rows is not None else np.zeros(0, dtype=int)
        self._hash = _hash
        self._read_options = dict(read_options or {})
        self._stamp = _file_stamp(path) if raw is None else None

    @property
    def raw(self) -> pd.DataFrame:
        """Every parsed row and column of the export (re-read on first use)."""
        if self._raw is None:
            if _file_stamp(self.path) != self._stamp:
                raise DataFormatError(f"file {self.path}: changed since it was loaded, so its "
                                      "rows no longer match survey.data. Fix: call "
                                      "load_survey again")
            self._raw = read_raw(self.path, **self._read_options).frame
        return self._raw

    @raw.setter
    def raw(self, value: pd.DataFrame) -> None:
        self._raw = value

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
        notes = "".join(f"\n  - {note}" for note in self.info.get("notes", []))
        return (f"Survey {self.path}: {len(self.data)} respondents, {len(self.items())} items, "
                f"{len(self.codebook.constructs)} constructs\n" + self.quality.summary()
                + (f"\nLoad notes:{notes}" if notes else ""))

    def tidy(self) -> pd.DataFrame:
        """The quality rules table (rule, policy, n_flagged, n_removed)."""
        return self.quality.rules()

    def _repr_html_(self) -> str:
        return (f"<p>Survey {self.path}: {len(self.data)} respondents</p>"
                + self.quality._repr_html_())

    def __repr__(self) -> str:
        return f"Survey({self.path!r}, respondents={len(self.data)}, items={len(self.items())})"


def _file_stamp(path: str | Path) -> tuple[int, int] | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


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
        if code in scale.values:  # a wording of an answer declared missing is not an answer
            mapping.setdefault(label, code)
    return mapping


def _missing_texts(scale: Scale, labels: tuple[str, ...], codes: tuple[float, ...]
                   ) -> dict[str, None]:
    """Texts read as missing: declared labels, codes as text, wordings of missing codes."""
    out: dict[str, None] = dict.fromkeys(labels)
    for m in codes:
        out[f"{m:g}"] = None
        out[f"{m:g}.0"] = None
    for label, code in SCALE_SYNONYMS.get(scale.name, {}).items():
        if float(code) in codes and code not in scale.values:
            out[label] = None
    return out


def _in_ranges(values: np.ndarray, ranges: list[tuple[float, float]]) -> np.ndarray:
    mask = np.zeros(values.shape, dtype=bool)
    for lo, hi in ranges:
        mask |= (values >= lo) & (values <= hi)
    return mask


class _Collector:
    def __init__(self) -> None:
        self.invalid: list[dict[str, Any]] = []
        self.label_errors: list[str] = []
        self.declared: dict[str, int] = {}  # item -> answers set missing as declared
        self.notes: list[str] = []

    def missing_note(self, name: str, shown: str, count: int) -> None:
        """Count ``count`` answers ``shown`` of ``name`` set missing (a load note)."""
        self.declared[name] = self.declared.get(name, 0) + count
        self.notes.append(f"{name}: {count} answer{'s' if count != 1 else ''} {shown} set "
                          "missing (declared missing in the codebook or the file)")


class _ItemBlock:
    """Item codes of every parsed row: one ``(k, n)`` int8 block and one mask block.

    Why not plain pandas (``series.map(labels).astype("Int8")`` per item): that
    builds an object or float temporary per column and writes a separate 1-byte
    mask per column even when nothing is missing, and the frame then holds
    ``k`` independent arrays next to the parsed text. Here each column's few
    distinct labels are looked up once and the reader's 1-byte category codes
    are translated through that small table straight into row ``j`` of one
    int8 block (``np.take``, no temporary). The mask block is allocated zeroed
    and only the rows of items that have blanks are ever written, so for a
    complete export it costs no memory at all (untouched zero pages). pandas
    sees ordinary nullable ``Int8`` arrays (row views of the two blocks), so
    ``Survey.data`` keeps its documented dtypes, and writing into one item
    never changes another.
    """

    def __init__(self, k: int, n: int) -> None:
        self.values = np.empty((k, n), dtype=np.int8)
        self.mask = np.zeros((k, n), dtype=bool)

    def array(self, j: int) -> pd.arrays.IntegerArray:
        return pd.arrays.IntegerArray(self.values[j], self.mask[j])


def _fits_int8(values: list[int]) -> bool:
    return all(-128 < int(v) <= 127 for v in values)


def _codes(series: pd.Series, scale: Scale, *, column: str, name: str, raw: RawTable,
           missing: tuple[float, ...], sink: _Collector,
           block: _ItemBlock, j: int,
           missing_labels: tuple[str, ...] = ()) -> pd.Series | pd.arrays.IntegerArray:
    """Export column -> codes in row ``j`` of ``block`` (or an ``Int16`` Series).

    Out-of-scale codes are kept for the quality rules; a numeric code that does
    not fit in int8 makes the column an ``Int16`` Series instead. Declared
    missing codes and labels (and codes whose value label is a missing label)
    become missing and are counted in ``sink``.
    """
    na_texts = _missing_texts(scale, missing_labels, missing)
    if pd.api.types.is_numeric_dtype(series) and not isinstance(series.dtype,
                                                               pd.CategoricalDtype):
        vals = series.to_numpy(dtype="float64", na_value=np.nan).copy()
        miss = _in_ranges(vals, raw.user_missing.get(column, []))
        labels = raw.value_labels.get(column)
        miss_codes = set(missing)
        if labels:  # a code labelled "Don't know" in the file is missing
            na_keys = {normalise_label(t) for t in na_texts}
            miss_codes |= {float(code) for code, label in labels.items()
                           if normalise_label(label) in na_keys}
        if miss_codes:
            miss |= np.isin(vals, sorted(miss_codes))
        if miss.any():
            found, counts = np.unique(vals[miss], return_counts=True)
            for code, count in zip(found.tolist(), counts.tolist()):
                label = (labels or {}).get(code)
                sink.missing_note(name, f"{code:g}" + (f" ('{label}')" if label else ""),
                                  int(count))
        vals[miss] = np.nan
        if labels:
            lookup = {normalise_label(k): v for k, v in _scale_lookup(scale).items()}
            remap = {}
            for code, label in labels.items():
                target = lookup.get(normalise_label(label))
                if target is not None and target != code:
                    remap[float(code)] = float(target)
            if remap:
                vals = pd.Series(vals).replace(remap).to_numpy(dtype="float64", copy=True)
        frac = ~np.isnan(vals) & (vals != np.round(vals))
        for pos in np.flatnonzero(frac):
            sink.invalid.append({"position": pos, "column": name, "value": float(vals[pos]),
                                 "detail": "not a whole-number code"})
        vals[frac] = np.nan
        mask = np.isnan(vals)
        clipped = np.clip(np.where(mask, 0, vals), -32000, 32000).astype(np.int16)
        if clipped.size == 0 or (clipped.min() >= -128 and clipped.max() <= 127):
            block.values[j] = clipped
            if mask.any():
                block.mask[j] = mask
            return block.array(j)
        return pd.Series(pd.arrays.IntegerArray(clipped, mask), index=series.index, name=name)
    na_labels = na_texts
    known = [lab for labs in scale.labels.values() for lab in labs]
    cat = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    table, na_table, unknown = _label_tables(cat.cat.categories, scale, na_labels)
    cat_codes = np.asarray(cat.array.codes)
    declared = [i for i in np.flatnonzero(na_table[:-1])
                if normalise_label(cat.cat.categories[i])]
    if declared:
        counts = np.bincount(cat_codes[cat_codes >= 0], minlength=len(cat.cat.categories))
        for i in declared:
            if counts[i]:
                sink.missing_note(name, f"'{cat.cat.categories[i]}'", int(counts[i]))
    if unknown or not _fits_int8(scale.values):
        try:  # map_labels lists every unknown label with its rows and nearest label
            mapped = map_labels(series, _scale_lookup(scale), column=column, file=raw.path,
                                missing=na_labels, codes=scale.values,
                                first_row=raw.first_row, known=known,
                                candidates=[*_scale_lookup(scale), *na_labels])
        except LabelError as exc:
            sink.label_errors.append(str(exc))
            return pd.Series(pd.NA, index=series.index, dtype="Int8", name=name)
        return mapped.rename(name)
    # cat_codes: -1 (blank) indexes the last slot with "wrap"
    _take_wrapped(table, cat_codes, block.values[j])
    if na_table.any() and (cat_codes.size and (cat_codes.min() < 0 or na_table[:-1].any())):
        _take_wrapped(na_table, cat_codes, block.mask[j])
    return block.array(j)


def _take_wrapped(table: np.ndarray, codes: np.ndarray, out: np.ndarray) -> None:
    """``np.take(table, codes, out=out, mode="wrap")`` for category codes (-1: the last slot).

    With a few categories and 1-byte values, ``out`` starts as the last slot's
    value and each category with another value adds the difference where its
    code is (1-byte arithmetic wraps, and one difference at most is added per
    row): 0.4 ms per million codes for five labels, against 1.9 ms for
    ``np.take``, which widens every 1-byte code to an 8-byte index.
    """
    if not (len(table) <= 9 and codes.dtype == np.int8 and out.dtype.itemsize == 1
            and table.dtype.itemsize == 1):
        np.take(table, codes, out=out, mode="wrap")
        return
    values = table.view(np.int8).tolist()
    target = out.view(np.int8)
    target.fill(values[-1])
    for i, value in enumerate(values[:-1]):
        step = (value - values[-1] + 128) % 256 - 128
        if step:
            hit = (codes == i).view(np.int8)
            if step != 1:
                np.multiply(hit, np.int8(step), out=hit)
            np.add(target, hit, out=target)


def _label_tables(categories: pd.Index, scale: Scale, na_labels: Mapping[str, None]
                  ) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Code and blank lookup tables over a column's categories (last slot: blank)."""
    lookup = label_lookup(_scale_lookup(scale), scale.values)
    na_keys = {normalise_label(k) for k in na_labels} | {""}
    table = np.zeros(len(categories) + 1, dtype=np.int8)
    na_table = np.zeros(len(categories) + 1, dtype=bool)
    na_table[-1] = True
    unknown = []
    fits = _fits_int8(scale.values)
    for i, value in enumerate(categories):
        key = normalise_label(value)
        if key in na_keys:  # declared missing wins over an answer's wording
            na_table[i] = True
        elif key in lookup:
            if fits:
                table[i] = lookup[key]
        else:
            unknown.append(i)
    return table, na_table, unknown


def _labelled_text(series: pd.Series, raw: RawTable) -> pd.Series:
    """A coded column as text: SPSS/Stata value labels applied (``7`` -> ``'Kantor A'``).

    Codes without a label read as whole numbers (``'7'``, never ``'7.0'``); SPSS
    user-missing codes are missing; text columns are returned unchanged.
    """
    if isinstance(series.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(
            series):
        return series
    labels = raw.value_labels.get(str(series.name)) or {}
    ranges = raw.user_missing.get(str(series.name), [])
    vals = series.to_numpy(dtype="float64", na_value=np.nan)
    uniques, inverse = np.unique(vals, return_inverse=True)
    shown: list[Any] = []
    for u in uniques.tolist():
        if math.isnan(u) or any(lo <= u <= hi for lo, hi in ranges):
            shown.append(pd.NA)
        elif u in labels:
            shown.append(str(labels[u]))
        else:
            shown.append(f"{u:g}" if abs(u) < 1e15 and float(u).is_integer() else repr(u))
    out = pd.array(shown, dtype="string")[inverse.ravel()] if shown else pd.array([],
                                                                                 dtype="string")
    return pd.Series(out, index=series.index, name=series.name)


def _variable_missing(series: pd.Series, var: Any, raw: RawTable, name: str,
                      sink: _Collector) -> pd.Series:
    """A variable's declared missing codes and labels (and codes so labelled) -> missing."""
    if pd.api.types.is_numeric_dtype(series) and not isinstance(series.dtype,
                                                               pd.CategoricalDtype):
        vals = series.to_numpy(dtype="float64", na_value=np.nan)
        labels = raw.value_labels.get(str(series.name)) or {}
        keys = {normalise_label(t) for t in var.missing_labels}
        codes = set(var.missing) | {float(c) for c, lab in labels.items()
                                    if normalise_label(lab) in keys}
        miss = np.isin(vals, sorted(codes))
        if not miss.any():
            return series
        found, counts = np.unique(vals[miss], return_counts=True)
        for code, count in zip(found.tolist(), counts.tolist()):
            label = labels.get(code)
            sink.missing_note(name, f"{code:g}" + (f" ('{label}')" if label else ""), int(count))
        return series.mask(pd.Series(miss, index=series.index))
    keys = {normalise_label(t) for t in var.missing_labels}
    keys |= {f"{m:g}" for m in var.missing} | {f"{m:g}.0" for m in var.missing}
    cat = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    hits = [u for u in cat.cat.categories if normalise_label(u) in keys]
    if not hits:
        return series
    counts = cat.value_counts()
    for u in hits:
        if counts.get(u, 0):
            sink.missing_note(name, f"'{u}'", int(counts[u]))
    out = series.mask(cat.isin(hits).to_numpy())
    if isinstance(out.dtype, pd.CategoricalDtype):
        out = out.cat.remove_unused_categories()
    return out


def _harmonise(values: pd.Series, aliases: Mapping[str, str], field_name: str,
               raw: RawTable, sink: _Collector | None = None) -> pd.Series:
    """Fold case/space/accents; map aliases and spelling variants to one name.

    Each change is counted in ``sink.notes`` (a load note per field).
    """
    text = _labelled_text(values, raw).astype("string").str.strip().str.replace(
        r"\s+", " ", regex=True)
    canon: dict[str, str] = {}
    for typed, target in aliases.items():
        canon[normalise_label(typed)] = target
        canon[normalise_label(target)] = target
    # spelling variants without an alias: the most frequent spelling of the folded key
    # (ties: the spelling seen first, so the result does not depend on a sort's whims)
    counts = text.value_counts(sort=False).sort_values(ascending=False, kind="stable")
    best: dict[str, str] = {}
    for spelled in counts.index:
        best.setdefault(normalise_label(spelled), str(spelled))
    mapping: dict[str, str] = {}
    unmatched = []
    changes = []
    for spelled, count in counts.items():
        spelled = str(spelled)
        key = normalise_label(spelled)
        if key in canon:
            target = canon[key]
            how = "folded" if normalise_label(target) == key else "alias"
        else:
            target, how = best.get(key, spelled), "folded"
            if aliases:
                unmatched.append(spelled)
        mapping[spelled] = target
        if target != spelled:
            changes.append(f"'{spelled}' -> '{target}' ({how}, {int(count)} "
                           f"row{'s' if count != 1 else ''})")
    if sink is not None and changes:
        shown_changes = "; ".join(changes[:10]) + (f"; ... ({len(changes)} in all)"
                                                  if len(changes) > 10 else "")
        sink.notes.append(f"{field_name}: {len(changes)} spelling(s) harmonised by aliases "
                          f"and case/space folding: {shown_changes}")
    if aliases and unmatched:
        known = sorted(set(aliases.values()))
        shown = ", ".join(f"'{u}'" for u in sorted(set(unmatched))[:8])
        warnings.warn(f"file {raw.path}: {field_name} values {shown} match no alias or "
                      f"canonical name (e.g. '{known[0]}'); kept as typed. Fix: add them under "
                      f"aliases.{field_name} in the codebook", DataQualityWarning, stacklevel=4)
    return text.map(mapping).astype("string")


def _blank_strings(n: int, index: pd.Index) -> pd.Series:
    """An all-missing text column: Arrow-backed (a null bitmap) when pyarrow is there."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return pd.Series(pd.NA, index=index, dtype="string")
    # buffers from np.zeros: pages nobody writes cost no memory (pa.nulls would
    # fill 8 bytes of offsets per row)
    offsets = pa.py_buffer(np.zeros(n + 1, dtype=np.int64))
    validity = pa.py_buffer(np.zeros((n + 7) // 8, dtype=np.uint8))
    nulls = pa.LargeStringArray.from_buffers(n, offsets, pa.py_buffer(b""), validity, n)
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([nulls])), index=index)


#: ASCII bytes that the blank class of ``_id_strings``' regex matches (RE2's ``\s`` is
#: tab, newline, form feed, carriage return and space; ``\x1c-\x1f`` the separators)
_ASCII_BLANK = np.zeros(256, dtype=bool)
_ASCII_BLANK[[9, 10, 12, 13, 28, 29, 30, 31, 32]] = True


def _plain_strings(chunked: Any) -> bool | None:
    """Whether no string is empty or starts or ends with a blank, read off the Arrow buffers.

    Looks at the first and last byte of each string only: 4 ms per million ids,
    against 60 ms for the regex over every string. ``None`` when that cannot
    tell: a first or last byte outside ASCII (a multi-byte character, which
    may be a Unicode space) or an array that is not ``(large_)string``.
    Nulls are not looked at.
    """
    import pyarrow as pa

    for chunk in chunked.chunks:
        if chunk.type not in (pa.string(), pa.large_string()):
            return None
        if len(chunk) == 0:
            continue
        validity, offsets, data = chunk.buffers()
        width = np.dtype(np.int64 if chunk.type == pa.large_string() else np.int32)
        bounds = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        starts, ends = bounds[:-1], bounds[1:]
        filled = np.greater(ends, starts)
        if chunk.null_count:
            bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
            valid = bits[chunk.offset:chunk.offset + len(chunk)].view(bool)
            if (valid & ~filled).any():
                return False  # an empty string
            filled &= valid
        elif not filled.all():
            return False
        if not filled.any():
            continue
        if not filled.all():
            starts, ends = starts[filled], ends[filled]
        text = np.frombuffer(data, dtype=np.uint8)
        edges = (text[starts], text[ends - 1])
        # every ASCII blank is a control character or the space (<= 32)
        if any(_ASCII_BLANK[e[e <= 32]].any() for e in edges):
            return False
        if any((e >= 0x80).any() for e in edges):
            return None
    return True


def _id_strings(series: pd.Series) -> pd.Series:
    arr = series.array
    if isinstance(arr, pd.arrays.ArrowStringArray) and arr.dtype.na_value is not pd.NA:
        # pandas 3 reads text as ``str`` (missing = NaN): ids are the nullable "string"
        # dtype whatever the reader and the pandas version (same Arrow buffers, no copy)
        arr = arr.astype(pd.StringDtype("pyarrow"))
    if isinstance(arr, pd.arrays.ArrowStringArray):
        # Arrow-backed ids (CSV reader): leave the array as it is unless an id has
        # surrounding blanks or is empty (pandas' str.strip + mask would copy it twice)
        import pyarrow as pa
        import pyarrow.compute as pc

        chunked = pa.chunked_array(arr._pa_array)
        plain = _plain_strings(chunked)
        if plain is None:  # a non-ASCII first or last character: ask the regex
            space = r"[\s\pZ\x1c-\x1f\x85]"  # what str.strip removes
            padded = pc.any(pc.match_substring_regex(chunked, f"^{space}|{space}$")).as_py()
            empty = pc.any(pc.equal(chunked, "")).as_py()
            plain = not padded and not empty
        if plain:
            return pd.Series(arr, index=series.index, copy=False)
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

    Notes
    -----
    Memory: a million respondents by 40 text items load in well under half of
    what ``pandas.read_csv`` alone needs for the file (``benchmarks/bench_loading.py``).
    Labels are mapped per column through the reader's 1-byte category codes into
    one int8 block (see ``_ItemBlock``), each export column is dropped once
    converted, the quality rules and the scores run item by item without an
    (n, k) matrix, and the parsed export is not kept (``Survey.raw`` reads it
    again on demand).
    """
    cb = read_codebook(codebook)
    fmt = file_format(path, source)
    convention = source if source in ("google_forms", "kobo") else cb.study.get("source")
    raw = read_raw(path, source=fmt, encoding=encoding, delimiter=delimiter, decimal=decimal,
                   sheet=sheet, header_rows=header_rows)
    release_freed_memory()  # the reader's freed Arrow buffers: back to the system
    found = _resolve(raw, cb, convention)
    frame = raw.frame
    n = len(frame)
    sink = _Collector()
    cols: dict[str, Any] = {}
    c = cb.columns

    def col(key: str) -> pd.Series | None:
        header = found.get(f"columns.{key}")
        return None if header is None else frame[header]

    uses: dict[str, int] = {}
    for header in found.values():
        uses[header] = uses.get(header, 0) + 1

    def consumed(header: str) -> None:
        """Drop an export column from the parsed frame once nothing else needs it."""
        uses[header] -= 1
        if uses[header] == 0 and header in frame.columns:
            del frame[header]

    ids = col("id")
    cols["respondent_id"] = (_id_strings(ids) if ids is not None else
                             pd.Series([str(i + raw.first_row) for i in range(n)],
                                       dtype="string"))
    has_ids = ids is not None
    del ids
    if has_ids:
        consumed(found["columns.id"])
    if has_ids and cols["respondent_id"].isna().any():
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
        cols[key] = (_harmonise(s, cb.aliases.get(key, {}), key, raw, sink) if s is not None
                     else _blank_strings(n, frame.index))
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

    # questionnaire order for straight-lining
    position = {h: j for j, h in enumerate(frame.columns)}
    item_headers = {nm: found[f"items[{i}] '{nm}'"] for i, nm in enumerate(cb.items)}
    order = sorted(cb.items, key=lambda nm: position[item_headers[nm]])
    # Items and attention checks go into one int8 block; each export column is
    # dropped from the parsed frame once converted (the parsed text is not kept:
    # Survey.raw re-reads the file on demand).
    targets = [(nm, item_headers[nm], item.scale, item.missing, item.missing_labels)
               for nm, item in cb.items.items()]
    targets += [(check.name, found[f"attention_checks[{i}]"], check.scale,
                 check.scale.missing_codes, check.scale.missing_labels)
                for i, check in enumerate(cb.attention_checks)]
    block = _ItemBlock(len(targets), n)
    for j, (name, header, scale, missing, missing_labels) in enumerate(targets):
        cols[name] = _codes(frame[header], scale, column=header, name=name, raw=raw,
                            missing=missing, sink=sink, block=block, j=j,
                            missing_labels=missing_labels)
        consumed(header)
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
        if var.missing or var.missing_labels:
            series = _variable_missing(series, var, raw, name, sink)
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
            cols[name] = _categorical(series, var, raw, name, cb.aliases.get(name, {}), sink)
        elif var.type == "date":
            cols[name] = parse_timestamp(series, None, column=str(series.name), file=raw.path,
                                         first_row=raw.first_row)
        elif name in cb.aliases:
            cols[name] = _harmonise(series, cb.aliases[name], name, raw, sink).rename(name)
        else:
            cols[name] = _labelled_text(series, raw).astype("string")
    typed = pd.DataFrame(cols, index=frame.index, copy=False)
    for k, v in extra.items():
        typed[k] = v.to_numpy()
    for name in cb.items:
        arr = typed[name].array
        blank = (np.asarray(arr._mask).all() if isinstance(arr, pd.arrays.IntegerArray)
                 else typed[name].isna().all())
        if blank:
            warnings.warn(f"file {raw.path}: item '{name}' (column "
                          f"'{cb.items[name].column}') is blank in every row; its construct is "
                          "scored from the other items. Fix: check the column in the export",
                          DataQualityWarning, stacklevel=2)

    invalid = pd.DataFrame(sink.invalid, columns=["position", "column", "value", "detail"])
    release_freed_memory()  # the parsed item text, now converted
    report = quality_report(typed, cb, policies=policies, thresholds=thresholds,
                            item_order=order, first_row=raw.first_row, invalid=invalid)
    # answers read as missing because declared so ("Don't know", code 9): a subset of n_missing
    report.missing_by_item["n_declared_missing"] = [
        sink.declared.get(str(nm), 0) for nm in report.missing_by_item["item"]]

    # out-of-range values -> missing (reported), then keep rows and score
    oor = report.table[report.table["rule"] == "out_of_range"]
    for name, item in cb.items.items():
        bad = out_of_scale(typed[name], item.scale.values)
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
    for check in cb.attention_checks:
        del typed[check.name]  # in place: the other columns are not copied
    data = typed if keep.all() else typed.loc[keep].reset_index(drop=True)
    del typed, block
    for name, item in cb.items.items():  # reverse keying in place, item by item
        arr = data[name].array
        if str(arr.dtype) != "Int8":
            data[name] = data[name].astype("Int8")
            arr = data[name].array
        if item.reverse:
            values = np.asarray(arr._data)
            np.subtract(np.int8(item.scale.min + item.scale.max), values, out=values)
    release_freed_memory()  # the quality rules' temporaries
    scores = score_constructs(data, cb)
    # concat without copy: the float scores stay one block, the items their arrays
    # pandas 2 copies unless told not to; pandas 3 never copies here (copy-on-write) and
    # deprecates the keyword
    no_copy: dict[str, Any] = {"copy": False} if int(pd.__version__.split(".")[0]) < 3 else {}
    data = pd.concat([data, scores], axis=1, **no_copy)
    del scores
    info = {**raw.options(), "notes": [*raw.notes, *sink.notes], "convention": convention,
            "columns": dict(found)}
    # int32 spreadsheet row numbers, taken from the report's; when every row is kept,
    # a read-only view of them rather than a second copy
    row_numbers = report.flags["row"].to_numpy()
    if keep.all():
        kept_rows = row_numbers.view()
        kept_rows.flags.writeable = False
    else:
        kept_rows = row_numbers[keep]
    read_options = {"source": fmt, "encoding": encoding, "delimiter": delimiter,
                    "decimal": decimal, "sheet": sheet, "header_rows": header_rows}
    return Survey(data=data, raw=None, codebook=cb, quality=report, path=str(path), info=info,
                  kept_rows=kept_rows, read_options=read_options)


def _categorical(series: pd.Series, var: Any, raw: RawTable, name: str,
                 aliases: Mapping[str, str] | None = None,
                 sink: _Collector | None = None) -> pd.Series:
    """A categorical variable: value labels, aliases and case/space folding applied."""
    if not var.categories:
        return _harmonise(series, aliases or {}, name, raw, sink).astype("category").rename(
            name)
    series = _labelled_text(series, raw)
    lookup = {normalise_label(k): v for k, v in var.categories.items()}
    lookup.update({normalise_label(v): v for v in var.categories.values()})
    for typed, target in (aliases or {}).items():  # alias -> canonical -> category
        key = normalise_label(target)
        if key in lookup:
            lookup.setdefault(normalise_label(typed), lookup[key])
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
            if pos.size:  # an unused category of a categorical column is no answer
                unknown[str(u)] = pos.tolist()
    if unknown:
        from egovstudy.labels import unknown_label_message

        raise LabelError(unknown_label_message(unknown, list(var.categories),
                                               column=str(series.name), file=raw.path,
                                               what="category",
                                               candidates=[*var.categories.values(),
                                                           *(aliases or {})]))
    out = cat.map(mapping).astype(object)
    return pd.Series(pd.Categorical(out, categories=values, ordered=var.ordered),
                     index=series.index, name=name)
