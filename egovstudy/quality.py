"""Respondent quality: duplicates, straight-lining, speeders, attention, missingness, ranges.

Rules (in the order they are applied; a row removed by several rules is counted
under the first):

``duplicate_id``
    The same respondent id more than once. The copy kept is the latest
    submission (``keep="last"``, the usual reading: a resubmission corrects the
    first) or the first; the others are flagged.
``duplicate_submission``
    Identical answers to every item under *different* ids (copy-paste or
    fabricated responses). Needs at least two distinct answers, so that two
    straight-liners are not taken for copies.
``straight_lining``
    Longest run of identical consecutive answers (questionnaire order, raw codes
    before reverse keying) of at least ``straight_lining_share`` (default 0.8) of
    the items.
``speeders``
    Completion time below ``speeder_ratio`` (default 0.3) times the median.
``attention``
    An instructed-response item not answered as instructed (a blank counts as failed).
``missing``
    More than ``missing_share`` (default 0.2) of the items blank, or every item
    of a construct blank (a skipped block or page). ``flags`` also counts, per
    respondent, the constructs left unscored because fewer than ``min_items``
    items were answered (``n_constructs_unscored``).
``out_of_range``
    Item codes outside the scale, numbers outside the codebook range or not a
    number. With policy ``report`` the respondent is kept and the offending
    value set to missing (a :class:`~egovstudy.errors.DataQualityWarning` says so).

Each rule has a policy: ``report`` (flag only), ``drop`` (remove the respondent)
or ``raise`` (:class:`~egovstudy.errors.DataQualityError` naming the rows).

Examples
--------
>>> import pandas as pd
>>> from egovstudy.codebook import Codebook
>>> cb = Codebook.from_dict({"columns": {"id": "id"},
...     "items": [{"name": f"q{i}", "column": f"Q{i}", "construct": "c"} for i in range(1, 6)],
...     "constructs": [{"name": "c"}]})
>>> df = pd.DataFrame({"respondent_id": ["a", "b", "b", "c"],
...                    **{f"q{i}": [1, 2, 2, 4] for i in range(1, 5)},
...                    "q5": [5, 3, 3, 4]})
>>> rep = quality_report(df, cb)
>>> rules = rep.rules().set_index("rule")
>>> int(rules.loc["duplicate_id", "n_flagged"]), int(rules.loc["duplicate_id", "n_removed"])
(1, 1)
>>> int(rules.loc["straight_lining", "n_flagged"]), rep.n_out
(4, 3)
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.codebook import Codebook
from egovstudy.errors import DataQualityError

__all__ = ["DEFAULT_POLICIES", "DEFAULT_THRESHOLDS", "RULES", "QualityReport", "longest_run",
           "quality_report", "resolve_policies"]

Policy = Literal["report", "drop", "raise"]
RULES: tuple[str, ...] = ("duplicate_id", "duplicate_submission", "straight_lining", "speeders",
                          "attention", "missing", "out_of_range")
DEFAULT_POLICIES: dict[str, Policy] = {
    "duplicate_id": "drop", "duplicate_submission": "report", "straight_lining": "report",
    "speeders": "report", "attention": "report", "missing": "report", "out_of_range": "report",
}
DEFAULT_THRESHOLDS: dict[str, Any] = {
    "straight_lining_share": 0.8, "speeder_ratio": 0.3, "missing_share": 0.2,
    "duplicate_keep": "last",
}
_FIX = {
    "duplicate_id": "keep one submission per id (policy 'drop' keeps the "
                    "latest) or correct the id",
    "duplicate_submission": "check whether the copies are one person; drop them with "
                            "policies={'duplicate_submission': 'drop'}",
    "straight_lining": "inspect the rows; drop them with policies={'straight_lining': 'drop'}",
    "speeders": "inspect the rows; drop them with policies={'speeders': 'drop'}",
    "attention": "drop them with policies={'attention': 'drop'}",
    "missing": "lower min_items in the codebook or drop them with policies={'missing': 'drop'}",
    "out_of_range": "correct the values, declare the codes as missing in the codebook, or widen "
                    "the range",
}
_COLUMNS = ["rule", "row", "respondent_id", "column", "value", "detail", "policy", "action"]


def resolve_policies(policies: str | Mapping[str, str] | None) -> dict[str, Policy]:
    """Complete a policy mapping (or one policy for every rule) and validate it."""
    out: dict[str, Policy] = dict(DEFAULT_POLICIES)
    if policies is None:
        return out
    if isinstance(policies, str):
        policies = dict.fromkeys(RULES, policies)
    aliases = {"speeder": "speeders", "attention_check": "attention",
               "straightlining": "straight_lining", "duplicates": "duplicate_id"}
    for rule, policy in policies.items():
        rule = aliases.get(rule, rule)
        if rule not in RULES:
            raise DataQualityError(f"policies: unknown rule {rule!r}. Fix: use one of "
                                   f"{', '.join(RULES)}")
        if policy not in ("report", "drop", "raise"):
            raise DataQualityError(f"policies[{rule!r}]: unknown policy {policy!r}. Fix: use "
                                   "'report', 'drop' or 'raise'")
        out[rule] = policy  # type: ignore[assignment]
    return out


def longest_run(codes: np.ndarray) -> np.ndarray:
    """Longest run of identical, non-missing consecutive values in each row.

    ``codes`` is an (n, k) integer array with negative values for missing.

    Examples
    --------
    >>> longest_run(np.array([[1, 1, 2, 2, 2], [3, -1, 3, 3, -1]])).tolist()
    [3, 2]
    """
    n, k = codes.shape
    run = np.zeros(n, dtype=np.int16)
    best = np.zeros(n, dtype=np.int16)
    for j in range(k):
        _extend_runs(run, best, codes[:, j], codes[:, j - 1] if j else None, codes[:, j] >= 0)
    return best.astype(np.int32)


def _extend_runs(run: np.ndarray, best: np.ndarray, col: np.ndarray,
                 prev: np.ndarray | None, ok: np.ndarray | None) -> None:
    """Add one item column to the current and longest runs of identical answers, in place.

    ``prev`` is the column before (``None`` for the first); ``ok`` marks the rows that
    answered ``col`` (``None``: every row did). A continued run grows by one, an
    answer after a change or a blank starts a run of 1, a blank ends the run. In
    place on small per-row arrays: no ``np.where`` temporaries per item.
    """
    if prev is not None:
        same = col == prev
        if ok is not None:
            same &= ok
        np.add(run, 1, out=run)
        np.multiply(run, same.view(np.int8), out=run, casting="unsafe")
    if ok is None:
        np.maximum(run, 1, out=run)
    else:
        np.maximum(run, ok.view(np.int8), out=run, casting="unsafe")
    np.maximum(best, run, out=best)


@dataclass(frozen=True)
class QualityReport:
    """Findings of the respondent-quality rules.

    Attributes
    ----------
    table : DataFrame
        One row per finding: ``rule, row, respondent_id, column, value, detail,
        policy, action`` (``row``: spreadsheet row number of the export).
    flags : DataFrame
        One row per parsed respondent: ``row`` (spreadsheet row number, int32),
        ``respondent_id``, a boolean column per rule, ``longest_run``,
        ``duration_seconds`` (only when the data has completion times),
        ``n_missing``, ``share_missing``, ``n_constructs_unscored`` and
        ``removed_by`` (categorical over :data:`RULES`: the rule that removed the
        row, missing for kept rows). Stored compactly (numpy bool flags, small
        integer counts): on a million respondents about 25 MB besides the
        ids, which it shares with ``Survey.data``.
    missing_by_item : DataFrame
        ``item, n_missing, share_missing`` over the parsed rows.
    policies : dict
        The policy applied per rule.
    thresholds : dict
        The thresholds used.
    """

    table: pd.DataFrame
    flags: pd.DataFrame
    missing_by_item: pd.DataFrame
    policies: dict[str, Policy]
    thresholds: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def n_in(self) -> int:
        """Rows parsed."""
        return len(self.flags)

    @property
    def n_out(self) -> int:
        """Rows kept."""
        return int(self.flags["removed_by"].isna().sum())

    def rules(self) -> pd.DataFrame:
        """Per rule: policy, respondents flagged, rows removed (the summary table)."""
        rows = []
        for rule in RULES:
            rows.append({"rule": rule, "policy": self.policies[rule],
                         "n_flagged": int(self.flags[rule].sum()),
                         "n_removed": int((self.flags["removed_by"] == rule).sum()),
                         "note": self.skipped.get(rule, "")})
        return pd.DataFrame(rows)

    def tidy(self) -> pd.DataFrame:
        """The findings table."""
        return self.table

    def summary(self) -> str:
        """Text summary: rows in, rows out, and per rule flagged/removed."""
        lines = [f"Respondent quality: {self.n_in} rows parsed, {self.n_out} kept, "
                 f"{self.n_in - self.n_out} removed"]
        for r in self.rules().itertuples():
            note = f" ({r.note})" if r.note else ""
            lines.append(f"  {r.rule:<22} {r.policy:<7} flagged {r.n_flagged:>5}  removed "
                         f"{r.n_removed:>5}{note}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return (f"<p>Respondent quality: {self.n_in} rows parsed, {self.n_out} kept</p>"
                + self.rules().to_html(index=False))

    def __repr__(self) -> str:
        return self.summary()


def _may_have_duplicates(ids: pd.Series) -> bool:
    """False when the ids are certainly all distinct (checked by sorting, not hashing).

    Arrow-backed ids (as the CSV reader returns them) are sorted by Arrow and
    neighbours compared: about a third of the memory of a hash table over a
    million ids, and faster; the memory is handed back to the system at once.
    """
    arr = ids.array
    if not isinstance(arr, pd.arrays.ArrowStringArray) or len(arr) < 2:
        return True
    import pyarrow as pa
    import pyarrow.compute as pc

    chunked = pa.chunked_array(arr._pa_array)
    try:
        ordered = pc.take(chunked, pc.sort_indices(chunked)).combine_chunks()
        same = pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))
        return bool(pc.any(same).as_py())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # pragma: no cover - defensive
        return True


def release_freed_memory() -> None:
    """Hand memory that Arrow and the C allocator hold as free back to the system.

    Arrow's allocator keeps freed pages for reuse by Arrow, and glibc keeps
    freed heap pages for reuse by ``malloc``; numpy's large arrays are mapped
    afresh. Without this, the parsed text and the temporaries of one step stay
    resident next to the arrays built in the next and add to the peak (about
    60 MB on a million respondents). Both calls are no-ops where unavailable.
    """
    import sys

    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl): no-op
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _id_values(ids: pd.Series, positions: np.ndarray) -> list[Any]:
    """The ids at ``positions`` as Python values, ``None`` for a missing id."""
    return [None if pd.isna(v) else v for v in ids.array.take(positions)]


def _id_codes(ids: pd.Series) -> np.ndarray:
    """Integer code per id (-1 for missing), without building Python strings."""
    arr = ids.array
    if isinstance(arr, pd.arrays.ArrowStringArray):
        import pyarrow as pa
        import pyarrow.compute as pc

        chunked = pa.chunked_array(arr._pa_array)
        encoded = pc.dictionary_encode(chunked).combine_chunks()
        out: np.ndarray = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        return out
    return pd.factorize(ids)[0]


class _ItemCodes:
    """Item answers of a frame, a block of rows at a time, as integers with -1 for missing.

    Why not ``frame[items].to_numpy()``: that builds an (n, k) copy (int64 or
    object for nullable columns: 320 MB for a million respondents and 40 items)
    and keeps it for the whole report. Every rule here runs column by column, so
    codes are produced on demand for a slice of rows: a nullable ``Int8`` column
    without blanks is used as it is (its buffer, no copy); a column with blanks
    costs a 1-byte temporary of the rows asked for.
    """

    def __init__(self, frame: pd.DataFrame, cols: list[str]) -> None:
        self.cols = cols
        self.n = len(frame)
        self.series = [frame[c] for c in cols]  # one frame look-up per column, not per use
        arrays = [s.array for s in self.series]
        small = all(isinstance(a, pd.arrays.IntegerArray) and a.dtype.itemsize == 1
                    for a in arrays)
        self.dtype = np.dtype(np.int8 if small else np.int16)
        self.ints: list[tuple[np.ndarray, np.ndarray] | None] = [
            (np.asarray(a._data), np.asarray(a._mask))
            if isinstance(a, pd.arrays.IntegerArray) else None for a in arrays]
        # stored: the column's buffer holds its codes as they are (no blank, no negative code)
        self.stored = [pair is not None and pair[0].dtype == self.dtype
                       and (pair[0].size == 0 or pair[0].min() >= 0) and not pair[1].any()
                       for pair in self.ints]
        # exact: every column comes out in ``dtype`` (not so for an unsigned 1-byte column)
        self.exact = all(pair is None or pair[0].dtype == self.dtype or self.dtype == np.int16
                         for pair in self.ints)

    def __len__(self) -> int:
        return len(self.cols)

    def part(self, j: int, rows: slice | np.ndarray) -> np.ndarray:
        """Codes of column ``j`` at ``rows`` (a slice or positions)."""
        pair = self.ints[j]
        if pair is None:
            num = self.series[j].iloc[rows].to_numpy(dtype="float64", na_value=np.nan)
            return np.where(np.isnan(num), -1, np.clip(num, -1, 32000)).astype(np.int16)
        values = pair[0][rows]
        if self.stored[j]:
            return values
        blank = pair[1][rows] | (values < 0)
        if self.dtype == np.int8 and values.dtype == np.int8:
            # code | -1 is -1 and code | 0 is the code: two SIMD passes instead of
            # np.where (3 ms per million codes, against 0.1 ms)
            flag = blank.view(np.int8)
            np.negative(flag, out=flag)
            return np.bitwise_or(values, flag)
        if self.dtype == np.int8:
            return np.where(blank, np.int8(-1), values)
        return np.where(blank, -1, np.minimum(values.astype(np.int32), 32000)).astype(np.int16)

    def rows(self, positions: np.ndarray) -> np.ndarray:
        """The answers of some rows, shape ``(len(positions), k)``."""
        out = np.empty((len(positions), len(self.cols)), dtype=self.dtype)
        for j in range(len(self.cols)):
            out[:, j] = self.part(j, positions)
        return out


#: Rows per block of the item scan: the per-row arrays of one block (a few hundred
#: kilobytes) stay in the CPU cache while every item column is visited.
_SCAN_ROWS = 1 << 16


@dataclass
class _ItemScan:
    """Per-row summaries of the item answers (see :func:`_scan_items`).

    Attributes
    ----------
    answered : ndarray
        Items answered per row (int16).
    varied : ndarray
        At least two distinct answers (bool).
    hashed : ndarray
        A hash of the answer pattern (uint64; equal patterns, equal hashes).
    runs : ndarray
        Longest run of identical consecutive answers (int16).
    item_missing : list of int
        Blank rows per item.
    answered_by : dict
        ``construct -> items answered per row`` (int16).
    """

    answered: np.ndarray
    varied: np.ndarray
    hashed: np.ndarray
    runs: np.ndarray
    item_missing: list[int]
    answered_by: dict[str, np.ndarray]


def _scan_items(codes: _ItemCodes, construct_cols: Mapping[str, list[int]],
                block_rows: int | None = None) -> _ItemScan:
    """Everything the rules need per row, in one pass over the item columns.

    The rows are visited in blocks (columns inside a block): the answered count,
    min/max, hash, run length and per-construct counts of a block stay in cache
    across the item columns instead of streaming million-row arrays through
    memory once per item (a million respondents by 40 items: 40 ms, against 150 ms
    for whole columns with 8-byte hashes and ``np.where``).
    No (n, k) matrix: one block of one column at a time.
    """
    n = codes.n
    out = _ItemScan(answered=np.zeros(n, dtype=np.int16), varied=np.zeros(n, dtype=bool),
                    hashed=np.zeros(n, dtype=np.uint64), runs=np.zeros(n, dtype=np.int16),
                    item_missing=[0] * len(codes),
                    answered_by={cname: np.zeros(n, dtype=np.int16)
                                 for cname, cols in construct_cols.items() if cols})
    member: dict[int, list[str]] = {}
    for cname, cols in construct_cols.items():
        for j in cols:
            member.setdefault(j, []).append(cname)
    step = block_rows or _SCAN_ROWS
    for start in range(0, n, step):
        _scan_block(codes, slice(start, min(start + step, n)), member, out)
    return out


class _RowHash:
    """A 64-bit hash of each row's answers, built one item column at a time.

    Equal answers give equal hashes; nothing else is asked of it (the rules
    compare the rows whose hashes agree). With 1-byte (2-byte) codes it is eight
    (four) independent 1-byte (2-byte) polynomial hashes, column ``j`` feeding
    lane ``j mod 8``, laid side by side into one 64-bit word per row at the end:
    each column costs two passes over 1-byte lanes instead of two over 64-bit
    words with a widening cast (5 us against 47 us per 65,536 rows).
    """

    def __init__(self, codes: _ItemCodes, m: int) -> None:
        self.exact = codes.exact
        if self.exact:
            unsigned = np.dtype(f"u{codes.dtype.itemsize}")
            self.lanes = np.zeros((8 // unsigned.itemsize, m), dtype=unsigned)
            self.factor = unsigned.type(0x9D)
        else:  # columns of mixed widths: one 64-bit polynomial hash
            self.word = np.zeros(m, dtype=np.uint64)

    def add(self, j: int, unsigned: np.ndarray) -> None:
        """Fold column ``j``'s codes (read as unsigned) into the hash."""
        if self.exact:
            lane = self.lanes[j % len(self.lanes)]
            np.multiply(lane, self.factor, out=lane)
            np.add(lane, unsigned, out=lane)
        else:
            np.multiply(self.word, np.uint64(1_000_003), out=self.word)
            np.add(self.word, unsigned, out=self.word)

    def value(self) -> np.ndarray:
        """The hash of every row (uint64)."""
        if self.exact:
            return np.ascontiguousarray(self.lanes.T).view(np.uint64).ravel()
        return self.word


def _scan_block(codes: _ItemCodes, rows: slice, member: Mapping[int, list[str]],
                out: _ItemScan) -> None:
    """Scan the rows ``rows`` of every item column into ``out`` (see :func:`_scan_items`).

    A column stored without blanks (``codes.stored``) skips the answered bookkeeping:
    every row answered it, so it adds one to the counts once at the end and a run
    through it is just continued or restarted.
    """
    m = rows.stop - rows.start
    # counts and run lengths never exceed the number of items: 1 byte when it fits
    count = np.dtype(np.int8 if len(codes) <= 127 else np.int16)
    answered = np.zeros(m, dtype=count)
    by = {cname: np.zeros(m, dtype=count) for cname in out.answered_by}
    best = np.zeros(m, dtype=count)
    run = np.zeros(m, dtype=count)
    hashed = _RowHash(codes, m)
    if codes.exact:
        # -1 (missing) read as unsigned is the largest value, so the minimum of the
        # unsigned codes skips blanks without np.where (3 ms per million codes)
        row_max = np.full(m, -1, dtype=codes.dtype)
        row_min = np.full(m, 127 if codes.dtype == np.int8 else 32000,
                          dtype=np.dtype(f"u{codes.dtype.itemsize}"))
    else:
        row_max = np.full(m, -1, dtype=np.int16)
        row_min = np.full(m, 32000, dtype=np.int16)
    top = 127 if codes.dtype == np.int8 else 32000
    prev: np.ndarray | None = None
    full = dict.fromkeys(["", *by], 0)  # stored columns per count ("": every item)
    for j in range(len(codes)):
        col = codes.part(j, rows)
        np.maximum(row_max, col, out=row_max, casting="unsafe")
        unsigned = col.view(np.uint8 if col.dtype == np.int8 else np.uint16)
        hashed.add(j, unsigned)
        if codes.stored[j]:  # every row answered: no blank to count or to break a run
            np.minimum(row_min, unsigned, out=row_min, casting="unsafe")
            _extend_runs(run, best, col, prev, None)
            for cname in ["", *member.get(j, [])]:
                full[cname] += 1
        else:
            ok = col >= 0
            flag = ok.view(np.int8)
            np.add(answered, flag, out=answered, casting="unsafe")
            if codes.exact:
                np.minimum(row_min, unsigned, out=row_min)
            else:
                np.minimum(row_min, np.where(ok, col, top), out=row_min, casting="unsafe")
            out.item_missing[j] += int(m - np.count_nonzero(ok))
            _extend_runs(run, best, col, prev, ok)
            for cname in member.get(j, []):
                np.add(by[cname], flag, out=by[cname], casting="unsafe")
        prev = col
    out.hashed[rows] = hashed.value()
    np.add(answered, full[""], out=out.answered[rows], casting="unsafe")
    out.runs[rows] = best
    np.greater(row_max, row_min, out=out.varied[rows])
    for cname, counts in by.items():
        np.add(counts, full[cname], out=out.answered_by[cname][rows], casting="unsafe")


def _shared_hashes(hashed: np.ndarray) -> np.ndarray:
    """Mask of the hashes that occur more than once (``duplicated(keep=False)``).

    In two steps: the low 32 bits of the hashes are searched for repeats with
    ``keep="first"`` (one pass over a 4-byte hash table: 17 ms per million rows,
    where ``keep=False`` over the 8-byte hashes takes 55 ms), then the rows whose
    low half is one of the repeated ones are compared on the full hash. Equal
    hashes have equal low halves, so no shared hash is missed.
    """
    low = pd.Series(np.ascontiguousarray(hashed.view(np.uint32)[::2]))
    repeated = low[low.duplicated(keep="first").to_numpy()].to_numpy()
    maybe = np.flatnonzero(low.isin(repeated).to_numpy())
    shared = np.zeros(len(hashed), dtype=bool)
    shared[maybe[pd.Series(hashed[maybe]).duplicated(keep=False).to_numpy()]] = True
    return shared


def out_of_scale(series: pd.Series, values: list[int]) -> np.ndarray:
    """Boolean mask of answered codes that are not among ``values``.

    On a nullable integer column this reads the codes and the mask directly
    (``Series.isin`` + ``notna`` would build three boolean Series per item).
    """
    arr = series.array
    if isinstance(arr, pd.arrays.IntegerArray):
        bad = _not_among(np.asarray(arr._data), values)
        mask = np.asarray(arr._mask)
        if bad.any() and mask.any():
            bad &= ~mask
        return bad
    return (series.notna() & ~series.isin(values)).to_numpy(dtype=bool)


def _not_among(codes: np.ndarray, values: Sequence[Any]) -> np.ndarray:
    """``~np.isin(codes, values)`` for integer ``codes``.

    When ``values`` are consecutive integers (every built-in scale) the test is
    two comparisons with the bounds: 0.1 ms per million 1-byte codes, against
    3 ms for ``np.isin`` (a sort-based search).
    """
    ints = [int(v) for v in values
            if isinstance(v, int | np.integer) and not isinstance(v, bool)]
    if (codes.dtype.kind in "iu" and ints and len(ints) == len(values)
            and -2**31 < min(ints) <= max(ints) < 2**31
            and max(ints) - min(ints) + 1 == len(set(ints))):
        bad = codes < min(ints)
        bad |= codes > max(ints)
        return bad
    return ~np.isin(codes, values)


def quality_report(data: pd.DataFrame, codebook: Codebook, *,
                   policies: str | Mapping[str, str] | None = None,
                   thresholds: Mapping[str, Any] | None = None,
                   item_order: list[str] | None = None,
                   first_row: int = 2,
                   invalid: pd.DataFrame | None = None) -> QualityReport:
    """Apply the respondent-quality rules to typed survey data.

    Parameters
    ----------
    data : DataFrame
        One row per parsed submission with ``respondent_id``, optionally
        ``submitted_at`` and ``duration_seconds``, every item by name as raw
        integer codes (before reverse keying), attention checks by their name,
        and variables by name.
    codebook : Codebook
    policies : str or mapping, optional
        ``rule -> "report" | "drop" | "raise"``; a single string applies to all.
        Defaults: :data:`DEFAULT_POLICIES`.
    thresholds : mapping, optional
        Overrides of :data:`DEFAULT_THRESHOLDS`.
    item_order : list of str, optional
        Items in questionnaire order (for straight-lining); default codebook order.
    first_row : int, default 2
        Spreadsheet row number of ``data``'s first row (findings name rows by it).
    invalid : DataFrame, optional
        Extra out-of-range findings (``position, column, value, detail``) found
        while parsing (e.g. text in a numeric column).

    Returns
    -------
    QualityReport

    Raises
    ------
    DataQualityError
        When a rule with policy ``"raise"`` flags rows (the message lists them).
    """
    pol = resolve_policies(policies)
    thr = dict(DEFAULT_THRESHOLDS)
    thr.update(thresholds or {})
    n = len(data)
    rows = np.arange(first_row, first_row + n, dtype=np.int32)  # 4 bytes per row, not 8
    if "respondent_id" in data:
        ids = data["respondent_id"]
        if not isinstance(ids.dtype, pd.StringDtype):
            ids = ids.astype("string")
    else:
        ids = pd.Series(pd.NA, index=data.index, dtype="string")
    items = [i for i in (item_order or list(codebook.items)) if i in data.columns]
    # duplicate ids first, while little else is held: most exports have none, and a
    # sort proves it with far less memory than hashing every id
    id_codes = _id_codes(ids) if ids.notna().any() and _may_have_duplicates(ids) else None
    release_freed_memory()
    codes = _ItemCodes(data, items)
    construct_cols = {cname: [items.index(i) for i in citems if i in items]
                      for cname, citems in codebook.construct_items().items()}
    scan = _scan_items(codes, construct_cols)
    answered, answered_by, item_missing = scan.answered, scan.answered_by, scan.item_missing
    findings: list[dict[str, Any]] = []
    # columns of the flags table, made into a DataFrame once at the end without
    # copying each (setting columns one by one copies every array)
    flags: dict[str, Any] = {"row": rows, "respondent_id": ids.array}
    skipped: dict[str, str] = {}

    def add(rule: str, mask: np.ndarray, detail: Any, column: Any = None,
            value: Any = None) -> None:
        """Record findings; detail/column/value are constants or callables of the position."""
        positions = np.flatnonzero(mask)
        # the ids and row numbers of every flagged row in one take each (ids.iloc per
        # finding: 36 ms per 3,000 findings, against 2 ms)
        found_ids = _id_values(ids, positions)
        for pos, row, rid in zip(positions.tolist(), rows[positions].tolist(), found_ids):
            findings.append({"rule": rule, "row": row, "respondent_id": rid,
                             "column": column(pos) if callable(column) else column,
                             "value": value(pos) if callable(value) else value,
                             "detail": detail(pos) if callable(detail) else detail})

    # duplicate ids
    dup = np.zeros(n, dtype=bool)
    detail: dict[int, str] = {}
    keep = thr.get("duplicate_keep", "last")
    if keep not in ("first", "last"):
        raise DataQualityError(f"thresholds['duplicate_keep']={keep!r}. Fix: use 'first' or "
                               "'last'")
    if id_codes is not None:
        order = np.arange(n)
        if "submitted_at" in data and data["submitted_at"].notna().all():
            order = np.lexsort((np.arange(n), data["submitted_at"].to_numpy()))
        ordered_ids = pd.Series(id_codes[order])
        dups_sorted = ordered_ids.duplicated(keep=keep).to_numpy()
        mask_sorted = dups_sorted & (ordered_ids.to_numpy() >= 0)
        dup[order[mask_sorted]] = True
        if dup.any():
            kept_pos = {}
            kept = order[~dups_sorted]
            # only the kept rows that share an id with a flagged row are looked up
            kept = kept[np.isin(id_codes[kept], id_codes[dup])]
            for pos, rid in zip(kept, ids.array.take(kept)):
                if not pd.isna(rid):
                    kept_pos[rid] = pos
            flagged = np.flatnonzero(dup)
            for pos, rid in zip(flagged, ids.array.take(flagged)):
                other = kept_pos[rid]
                pair = codes.rows(np.array([pos, other]))
                differ = int(np.sum(pair[0] != pair[1])) if items else 0
                kind = "resubmission" if differ <= max(1, len(items) // 10) else \
                    "different answers: check the id"
                detail[int(pos)] = (f"same id as row {rows[other]} (kept, {keep} submission); "
                               f"{differ} of {len(items)} answers differ: {kind}")
    flags["duplicate_id"] = dup
    del id_codes
    add("duplicate_id", dup, detail.__getitem__, column="respondent_id")

    # duplicate submissions (identical answers, different ids)
    dsub = np.zeros(n, dtype=bool)
    if items and n > 1:
        eligible = (answered >= max(2, len(items) // 2)) & scan.varied & ~dup
        idx = np.flatnonzero(eligible)
        in_group = _shared_hashes(scan.hashed[eligible])
        group_pos = idx[in_group]
        cand = group_pos[pd.Series(scan.hashed[group_pos]).duplicated(keep="first").to_numpy()]
        if cand.size:
            first_of: dict[bytes, int] = {}
            group_rows = codes.rows(group_pos)
            row_of = {int(pos): group_rows[i].tobytes() for i, pos in enumerate(group_pos)}
            for pos in group_pos:
                first_of.setdefault(row_of[int(pos)], pos)
            other_of = {int(pos): first_of[row_of[int(pos)]] for pos in cand}
            looked_up = np.unique(np.concatenate([cand, list(other_of.values())]))
            id_of = dict(zip(looked_up.tolist(), ids.array.take(looked_up)))
            det: dict[int, str] = {}
            for pos in cand:
                other = other_of[int(pos)]
                if other == pos:  # hash collision without an exact copy
                    continue
                mine, theirs = id_of[int(pos)], id_of[int(other)]
                # a blank id on either side cannot show the same respondent
                if pd.isna(mine) or pd.isna(theirs) or mine != theirs:
                    dsub[pos] = True
                    det[int(pos)] = (f"answers identical to row {rows[other]} (id "
                                f"{id_of[int(other)]}) on all {len(items)} items")
            add("duplicate_submission", dsub, det.__getitem__)
    flags["duplicate_submission"] = dsub

    # straight-lining
    runs = scan.runs  # int16: a run is at most the number of items
    del scan
    min_run = thr.get("straight_lining_min_run") or max(
        3, math.ceil(float(thr["straight_lining_share"]) * len(items)))
    sl = runs >= min_run if items else np.zeros(n, dtype=bool)
    flags["longest_run"] = runs
    flags["straight_lining"] = sl
    add("straight_lining", sl, lambda p: f"longest run of identical answers {runs[p]} of "
        f"{len(items)} items (threshold {min_run})")

    # speeders
    sp = np.zeros(n, dtype=bool)
    if "duration_seconds" in data and data["duration_seconds"].notna().any():
        dur = data["duration_seconds"].to_numpy(dtype="float64", na_value=np.nan)
        med = float(np.nanmedian(dur))
        cut = float(thr["speeder_ratio"]) * med
        sp = ~np.isnan(dur) & (dur < cut)
        flags["duration_seconds"] = dur.copy()  # may be a view of data's column
        add("speeders", sp, lambda p: f"completed in {dur[p]:.0f} s; median {med:.0f} s, "
            f"threshold {thr['speeder_ratio']:g} x median = {cut:.0f} s",
            column="duration_seconds", value=lambda p: float(dur[p]))
    else:
        # no all-missing duration_seconds column: it would carry no information
        skipped["speeders"] = "no completion time: set columns.duration or columns.start_time"
    flags["speeders"] = sp

    # attention checks
    att = np.zeros(n, dtype=bool)
    if not codebook.attention_checks:
        skipped["attention"] = "no attention_checks in the codebook"
    for check in codebook.attention_checks:
        if check.name not in data:
            continue
        lookup = {lab: v for labs in check.scale.labels.values()
                  for v, lab in zip(check.scale.values, labs)}
        expected = lookup.get(check.expected)
        if expected is None:
            expected = int(check.expected)
        vals = data[check.name].to_numpy(dtype="float64", na_value=np.nan)
        failed = np.isnan(vals) | (vals != expected)
        labels = dict(zip(check.scale.values, next(iter(check.scale.labels.values()))))

        def shown(p: int, vals: np.ndarray = vals, labels: dict[int, str] = labels) -> str:
            return "(blank)" if np.isnan(vals[p]) else labels.get(int(vals[p]), str(vals[p]))

        add("attention", failed,
            lambda p, shown=shown, check=check: f"answered {shown(p)!r}, expected "
            f"{check.expected!r}", column=check.column, value=shown)
        att |= failed
    flags["attention"] = att

    # missingness
    n_missing = (len(items) - answered).astype(np.int16)
    share = n_missing / max(len(items), 1)
    short: dict[int, str] = {}
    miss = share > float(thr["missing_share"])
    unscored = np.zeros(n, dtype=np.int16)
    for cname, cols in construct_cols.items():
        if not cols:
            continue
        answered_c = answered_by.pop(cname)
        low = answered_c < codebook.constructs[cname].min_items
        unscored += low
        for pos in np.flatnonzero(low):
            short[int(pos)] = short.get(int(pos), "") + (
                f"{cname}: {answered_c[pos]} of {len(cols)} items answered (min_items "
                f"{codebook.constructs[cname].min_items}); ")
        miss |= answered_c == 0  # a whole block skipped
    flags["n_missing"] = n_missing
    flags["share_missing"] = share
    flags["n_constructs_unscored"] = unscored
    flags["missing"] = miss
    add("missing", miss, lambda p: f"{n_missing[p]} of {len(items)} items blank "
        f"({share[p]:.0%}); {short.get(p, '')}".rstrip("; "))
    per_item = pd.DataFrame({"item": items,
                             "n_missing": item_missing,
                             })
    per_item["share_missing"] = per_item["n_missing"] / max(n, 1)

    # out of range
    oor = np.zeros(n, dtype=bool)
    for name, series in zip(items, codes.series):
        scale = codebook.items[name].scale
        bad = out_of_scale(series, scale.values)
        if bad.any():
            col = series.to_numpy(dtype="float64", na_value=np.nan)
            add("out_of_range", bad, f"code outside scale {scale.name} "
                f"({scale.min}..{scale.max})", column=name,
                value=lambda p, col=col: int(col[p]))
            oor |= bad
    for name, var in codebook.variables.items():
        if var.range is None or name not in data or var.type not in ("numeric", "integer"):
            continue
        vals = data[name].to_numpy(dtype="float64", na_value=np.nan)
        lo, hi = var.range
        bad = ~np.isnan(vals) & ((vals < lo) | (vals > hi))
        if bad.any():
            add("out_of_range", bad, f"outside the valid range [{lo:g}, {hi:g}]",
                column=name, value=lambda p, vals=vals: float(vals[p]))
            oor |= bad
    if invalid is not None and len(invalid):
        positions = invalid["position"].to_numpy(dtype=np.int64)
        for rec, rid in zip(invalid.itertuples(), _id_values(ids, positions)):
            pos = int(rec.position)
            findings.append({"rule": "out_of_range", "row": int(rows[pos]),
                             "respondent_id": rid,
                             "column": rec.column, "value": rec.value, "detail": rec.detail})
            oor[pos] = True
    flags["out_of_range"] = oor

    # policies
    removed = np.full(n, -1, dtype=np.int8)  # code into RULES; -1: kept
    for code, rule in enumerate(RULES):
        mask = np.asarray(flags[rule], dtype=bool)
        if pol[rule] == "raise" and mask.any():
            listed = [f for f in findings if f["rule"] == rule][:10]
            text = "; ".join(f"row {f['row']} (id {f['respondent_id']}): {f['detail']}"
                             for f in listed)
            raise DataQualityError(f"rule {rule!r} flagged {int(mask.sum())} row(s): {text}. "
                                   f"Fix: {_FIX[rule]}")
        if pol[rule] == "drop":
            removed[mask & (removed < 0)] = code
    flags["removed_by"] = pd.Categorical.from_codes(removed, categories=list(RULES))
    table = pd.DataFrame(findings, columns=_COLUMNS[:6])
    table["policy"] = table["rule"].map(pol)
    removed_rows = {int(rows[i]): RULES[removed[i]] for i in np.flatnonzero(removed >= 0)}
    table["action"] = [
        ("removed" if removed_rows.get(r) is not None else
         ("value set to missing" if rule == "out_of_range" else "kept"))
        for rule, r in zip(table["rule"], table["row"])]
    table["value"] = table["value"].astype(object)
    table = table.sort_values(["row", "rule"], kind="stable").reset_index(drop=True)
    return QualityReport(table=table, flags=pd.DataFrame(flags, index=data.index, copy=False),
                         missing_by_item=per_item, policies=pol,
                         thresholds={**thr, "straight_lining_min_run": min_run},
                         skipped=skipped)
