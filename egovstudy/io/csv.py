"""CSV exports: delimiter, decimal comma and encoding detected.

Reads Google Forms and KoboToolbox CSVs as well as CSVs saved by Indonesian
Excel (semicolon delimiter, decimal comma). Encodings tried: UTF-8 (with or
without BOM), then cp1252, then latin-1; a file mixing UTF-8 and cp1252 lines
is decoded line by line with a :class:`~egovstudy.errors.DataQualityWarning`
naming the lines. Parsing is done in blocks by the compiled parser
``egovstudy.io._csvcore`` (each field coded as it is split, blocks on two
threads), or by ``pyarrow.csv`` with every column read as dictionary-encoded text
when the extension is not built or declines a file; either way a million-row
Likert export costs a few bytes per cell and the same values come out.

Examples
--------
>>> import tempfile, os
>>> with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as fh:
...     _ = fh.write("NIP;Skor\\n1;3,5\\n2;4,0\\n".encode("cp1252"))
>>> raw = read_csv(fh.name)
>>> raw.delimiter, raw.decimal, raw.encoding, list(raw.frame.columns)
(';', ',', 'utf-8', ['NIP', 'Skor'])
>>> os.remove(fh.name)
"""

from __future__ import annotations

import codecs
import contextlib
import csv as _csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from egovstudy._compiled import compiled
from egovstudy.errors import DataFormatError
from egovstudy.io._base import RawTable, dedupe_columns, warn
from egovstudy.io.limits import (
    MB,
    Limits,
    LimitsLike,
    check_file_size,
    check_shape,
    refuse,
    resolve_limits,
)

__all__ = ["detect_encoding", "read_csv", "sniff_delimiter"]

_CANDIDATES = [",", ";", "\t", "|"]
_DECIMAL_COMMA = re.compile(r"^\s*-?\d{1,3}(\.\d{3})*,\d+\s*$|^\s*-?\d+,\d+\s*$")
_BIG = 64 << 20
_BLOCK = 1 << 20
_SAMPLE = 1 << 16  # bytes after the header used to sniff the delimiter and decimal mark
# The first record: quoted fields may hold newlines. Possessive quantifiers, so a
# header without a line end cannot make the search backtrack.
_FIRST_RECORD = re.compile(r'(?:[^"\r\n]++|"[^"]*+")*+(?:\r\n|\n|\r)')


def detect_encoding(path: Path) -> tuple[str, str | None]:
    """Return ``(encoding, note)``: utf-8-sig, utf-8, cp1252, latin-1 or ``mixed``."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", "UTF-16 byte-order mark"
        else:
            enc = "utf-8"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for block in iter(lambda: fh.read(1 << 22), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return enc, None
        except UnicodeDecodeError:
            pass
    data = path.read_bytes()
    utf8_lines, legacy_lines = [], []
    for number, line in enumerate(data.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines.append(number)
        except UnicodeDecodeError:
            legacy_lines.append(number)
    if utf8_lines and legacy_lines:
        return "mixed", (f"UTF-8 on lines {_lines(utf8_lines)} and cp1252/latin-1 on lines "
                         f"{_lines(legacy_lines)}")
    try:
        data.decode("cp1252")
        return "cp1252", None
    except UnicodeDecodeError:
        return "latin-1", None


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:6])
    return shown + (f", ... ({len(numbers)} lines)" if len(numbers) > 6 else "")


def _decode_mixed(data: bytes) -> str:
    out = []
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                out.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                out.append(line.decode("latin-1"))
    return "".join(out).lstrip("\ufeff")


@contextlib.contextmanager
def _field_limit(n: int) -> Iterator[None]:
    """Let the csv module read fields up to ``n`` characters (its default is 128 KB)."""
    old = _csv.field_size_limit()
    _csv.field_size_limit(max(old, n))
    try:
        yield
    finally:
        _csv.field_size_limit(old)


def sniff_delimiter(sample: str) -> str:
    """Guess the delimiter among ``, ; tab |`` from the first lines of a file."""
    with _field_limit(len(sample) + 1):
        return _sniff_delimiter(sample)


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    try:
        return _csv.Sniffer().sniff("\n".join(lines), delimiters="".join(_CANDIDATES)).delimiter
    except _csv.Error:
        pass
    best, score = ",", -1
    for cand in _CANDIDATES:
        counts = [len(next(_csv.reader([ln], delimiter=cand))) for ln in lines[:20]]
        if counts[0] > 1 and len(set(counts)) == 1 and counts[0] > score:
            best, score = cand, counts[0]
    if score < 0:  # ragged: pick the delimiter most frequent in the header
        best = max(_CANDIDATES, key=lambda c: lines[0].count(c))
    return best


def _sniff_decimal(sample: str, delimiter: str, header: bool = True) -> str:
    if delimiter == ",":
        return "."
    try:
        rows = list(_csv.reader(sample.splitlines()[int(header):200], delimiter=delimiter))
    except _csv.Error:  # a field longer than the csv module's limit: not a number
        return "."
    hits = sum(1 for r in rows for v in r if _DECIMAL_COMMA.match(v))
    return "," if hits else "."


class _Column:
    """Accumulate one column batch by batch: categorical codes, or plain text.

    Codes go into one growing buffer per column, sized from the first batch's
    rows per byte (pages past the last row are never touched, so the slack
    costs no memory). Keeping a list of small per-batch arrays and
    concatenating them at the end, as pandas' own chunked reading does, would
    hold every value twice at the end and leave the heap fragmented by
    thousands of small blocks.
    """

    def __init__(self, expected_rows: int = 0) -> None:
        self.categories: dict[str, int] = {}
        self.buf: np.ndarray | None = None
        self.n = 0
        self.expected = expected_rows
        self.plain: list[Any] | None = None

    def _append(self, codes: np.ndarray) -> None:
        m = len(codes)
        if self.buf is None:
            self.buf = np.empty(max(self.expected, m, 1024), dtype=codes.dtype)
        elif codes.dtype.itemsize > self.buf.dtype.itemsize:  # more categories: widen
            self.buf = self.buf.astype(codes.dtype)
        if self.n + m > len(self.buf):
            grown = np.empty(max(int(len(self.buf) * 1.5), self.n + m), dtype=self.buf.dtype)
            grown[:self.n] = self.buf[:self.n]
            self.buf = grown
        self.buf[self.n:self.n + m] = codes
        self.n += m

    def _to_text(self, n_unique: int, n: int) -> bool:
        """Whether the column is kept as text (decided on its first block)."""
        if self.plain is None and self.buf is None and n_unique > 64 \
                and n_unique > 0.2 * max(n, 1):
            self.plain = []  # ids, free text: keep as Arrow strings
        return self.plain is not None

    def add(self, arr: Any) -> None:
        """Append a block parsed by pyarrow (a dictionary array)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self._to_text(len(arr.dictionary), len(arr)):
            # straight to large_string, the type pandas' Arrow strings use: a
            # string chunk would be copied again when the Series is built
            self.plain.append(arr.cast(pa.large_string()))  # type: ignore[union-attr]
            return
        if arr.null_count == 0:  # the indices buffer as it is, no copy
            idx = arr.indices.to_numpy(zero_copy_only=False)
        else:
            idx = pc.fill_null(arr.indices, -1).to_numpy(zero_copy_only=False)
        self.add_codes(idx, arr.dictionary.to_pylist())

    def add_codes(self, idx: np.ndarray, local: list[str]) -> None:
        """Append a block as codes into ``local`` (its distinct values; -1 missing)."""
        import pyarrow as pa

        if self._to_text(len(local), len(idx)):
            self.add_text(pa.DictionaryArray.from_arrays(
                pa.array(idx, mask=idx < 0), pa.array(local, type=pa.string())
            ).cast(pa.large_string()))
            return
        for value in local:
            self.categories.setdefault(value, len(self.categories))
        width = (np.int8 if len(self.categories) < 127 else
                 np.int16 if len(self.categories) < 32000 else np.int32)
        lut = np.empty(len(local) + 1, dtype=width)
        for j, value in enumerate(local):
            lut[j] = self.categories[value]
        lut[-1] = -1
        self._append(lut[idx])
        if len(self.categories) > 32000:  # too many distinct values: switch to text
            self._codes_to_text()

    def add_known_codes(self, idx: np.ndarray, n_known: int, new: list[str]) -> None:
        """Append a block coded by the compiled parser, which was given this column's
        first ``n_known`` values: codes below ``n_known`` are the column's own, the
        others index ``new`` (the values the block met first)."""
        if self.plain is None and not new:  # the usual block: its codes as they are
            width = np.int8 if len(self.categories) < 127 else idx.dtype
            self._append(idx if idx.dtype == width else idx.astype(width))
            return
        self.add_codes(idx, list(self.categories)[:n_known] + new)

    def add_text(self, arr: Any) -> None:
        """Append a block of text (an Arrow ``large_string`` array)."""
        if self.plain is None:
            self._codes_to_text()
        self.plain.append(arr)  # type: ignore[union-attr]

    def _codes_to_text(self) -> None:
        """Turn the codes gathered so far into text, for a column kept as text from now on."""
        import pyarrow as pa

        cats = np.array(list(self.categories), dtype=object)
        c = self.buf[:self.n] if self.buf is not None else np.zeros(0, dtype=np.int32)
        self.plain = [pa.array(np.where(c >= 0, cats[np.maximum(c, 0)], None),
                               type=pa.large_string())] if len(c) else []
        self.buf, self.n = None, 0

    def finish(self) -> pd.Series:
        import pyarrow as pa

        if self.plain is not None:
            # one contiguous array, and the per-batch chunks freed: the chunks sit
            # between the reader's freed batch buffers, so while they live the
            # allocator cannot hand those pages back (measured: ~4 MB less resident
            # on a million 18-character ids)
            combined = pa.chunked_array(self.plain, type=pa.large_string()).combine_chunks()
            self.plain = None
            return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([combined])))
        codes = self.buf[:self.n] if self.buf is not None else np.zeros(0, dtype=np.int8)
        self.buf = None
        return pd.Series(pd.Categorical.from_codes(codes, categories=list(self.categories)))


def read_csv(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None,
             decimal: str | None = None, columns: list[str] | None = None,
             limits: LimitsLike = None) -> RawTable:
    """Read a CSV export into a :class:`RawTable` (all columns as text).

    Parsed in blocks (by ``_csvcore``, else ``pyarrow.csv``); a column with few distinct values
    (Likert labels, agencies) becomes a pandas categorical with 1-byte codes, a
    column of mostly distinct values (ids, free text) an Arrow-backed string
    column, so memory stays a few bytes per cell.

    Parameters
    ----------
    path : str or Path
    encoding : str, optional
        Skip detection (e.g. ``"cp1252"``).
    delimiter, decimal : str, optional
        Skip sniffing.
    columns : list of str, optional
        Read only these headers (others are skipped while parsing).
    limits : Limits or dict, optional
        Resource limits (header bytes, columns, line bytes, cells; see
        ``docs/limits.md``); default from ``EGOVSTUDY_*`` environment variables.

    Raises
    ------
    DataFormatError
        Empty file, header without rows, rows with the wrong number of fields
        (naming the lines), undecodable text.
    ResourceLimitError
        A header, a line, the columns or the cells above the limits.
    """
    import pyarrow as pa

    p = Path(path)
    if not p.is_file():
        raise DataFormatError(f"file {p}: not found. Fix: check the path")
    size = p.stat().st_size
    if size == 0:
        raise DataFormatError(f"file {p}: the file is empty (0 bytes). Fix: export the "
                              "responses again (the download may have failed)")
    with open(p, "rb") as fh:
        head = fh.read(1 << 16)
    enc = encoding
    if enc is None:
        if head.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            enc = "utf-16"
        else:
            try:
                head.decode("utf-8") if size <= len(head) else codecs.getincrementaldecoder(
                    "utf-8")().decode(head)
                enc = "utf-8"
            except UnicodeDecodeError:
                enc = None
    lim = resolve_limits(limits)
    try:
        return _read_csv(p, enc, delimiter, decimal, columns, lim)
    except _NotUTF8:
        if encoding is not None:
            raise DataFormatError(f"file {p}: is not valid {encoding}. Fix: pass the right "
                                  "encoding=, e.g. 'cp1252' or 'latin-1'") from None
        return _read_csv(p, None, delimiter, decimal, columns, lim)
    except pa.ArrowInvalid as exc:  # pragma: no cover - unexpected Arrow failure
        raise DataFormatError(f"file {p}: cannot be parsed as CSV ({exc}). Fix: check the "
                              "delimiter and quoting") from None


class _NotUTF8(Exception):
    pass


def _header(p: Path, text: str, more: bool, lim: Limits) -> tuple[str, str]:
    """Split the start of the file into ``(first record, sample after it)``.

    ``more`` tells whether the file goes on past ``text``. A header of any length
    up to ``max_header_kb`` is found whole (quoted fields may hold newlines).
    """
    m = _FIRST_RECORD.match(text)
    if m is None:
        if more:
            raise refuse(p, f"has a header line longer than {lim.max_header_kb:g} KB",
                         "max_header_kb", lim)
        return text, ""  # a header and no line end: the whole file is the header
    first = m.group(0)
    if len(first.encode("utf-8")) > lim.max_header_kb * 1024:
        raise refuse(p, f"has a header line of {len(first.encode('utf-8')) / 1024:,.0f} KB",
                     "max_header_kb", lim)
    return first, text[m.end():m.end() + _SAMPLE]


def _read_csv(p: Path, enc: str | None, delimiter: str | None, decimal: str | None,
              columns: list[str] | None, lim: Limits) -> RawTable:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    size = p.stat().st_size
    notes: list[str] = []
    if enc is None:  # not UTF-8: the file is read whole to find and decode its encoding
        check_file_size(p, lim, " and is not UTF-8 (read whole to decode; re-saving it as "
                        "UTF-8 lets it be streamed)")
        enc, note = detect_encoding(p)
        if enc == "mixed":
            warn(f"file {p}: mixed text encodings ({note}); each line was decoded on its own. "
                 "Fix: re-save the file as UTF-8 to be sure of the accented labels")
            notes.append(f"mixed encodings: {note}")
        elif note:
            notes.append(note)
    notes.append(f"encoding {enc}")
    source: Any
    head_bytes = int(lim.max_header_kb * 1024) + 4 + _SAMPLE
    if enc in ("utf-8", "utf-8-sig"):
        source = str(p)
        with open(p, "rb") as fh:
            start = fh.read(head_bytes)
        first, rest = _header(p, start.decode("utf-8-sig", errors="replace"),
                              len(start) < size, lim)
    else:
        data = p.read_bytes()
        try:
            text = _decode_mixed(data) if enc == "mixed" else data.decode(enc).lstrip("\ufeff")
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataFormatError(f"file {p}: cannot decode as {enc} ({exc}). Fix: pass the "
                                  "right encoding=, e.g. 'cp1252' or 'latin-1'") from None
        source = io.BytesIO(text.encode("utf-8"))
        first, rest = _header(p, text[:head_bytes], len(text) > head_bytes, lim)
    sample = first + rest
    if not sample.strip():
        raise DataFormatError(f"file {p}: contains only blank lines. Fix: export the responses "
                              "again")
    first_line = first.rstrip("\r\n")
    # sniffed on the header and the lines after it, the header kept whole
    delim = delimiter or sniff_delimiter(first_line.replace("\n", " ") + "\n" + rest)
    try:  # a header field may be longer than the csv module's default 128 KB limit
        with _field_limit(len(first_line) + 1):
            header = next(_csv.reader(io.StringIO(first_line), delimiter=delim), [])
    except _csv.Error as exc:
        raise DataFormatError(f"file {p}: cannot read the header ({exc}). Fix: check the "
                              "quoting of the first line") from None
    header = [h.strip() for h in header]
    if len(header) > lim.max_columns:
        raise refuse(p, f"has {len(header):,} columns in its header", "max_columns", lim)
    if len(header) == 1:
        others = [c for c in _CANDIDATES if c != delim and c in first_line]
        if others:
            raise DataFormatError(
                f"file {p}: the header has one column when split on {delim!r} but contains "
                f"{others[0]!r}. Fix: pass delimiter={others[0]!r}")
    empty = [i + 1 for i, h in enumerate(header) if not h]
    header = [h or f"column{i + 1}" for i, h in enumerate(header)]
    names, dups = dedupe_columns(header)
    dec = decimal or _sniff_decimal(rest, delim, header=False)
    text_type = pa.dictionary(pa.int32(), pa.string())
    include = None if columns is None else [n for n in names if n in set(columns)]
    conv = pacsv.ConvertOptions(column_types=dict.fromkeys(names, text_type),
                                strings_can_be_null=True, quoted_strings_can_be_null=True,
                                null_values=[""], include_columns=include)

    def options(newlines: bool, handler: Any = None, threads: bool = True,
                block: int = 1 << 22) -> dict[str, Any]:
        if isinstance(source, io.BytesIO):
            source.seek(0)
        return {"read_options": pacsv.ReadOptions(column_names=names, skip_rows_after_names=1,
                                                  block_size=block, use_threads=threads),
                "parse_options": pacsv.ParseOptions(delimiter=delim,
                                                    newlines_in_values=newlines,
                                                    invalid_row_handler=handler),
                "convert_options": conv}

    acc: dict[str, _Column] = {}
    n_rows = 0
    compiled = None
    if first_line.strip():
        compiled = _parse_compiled(source, p, names, delim, include, size, lim)
    if compiled is not None:
        acc, n_rows = compiled
    else:  # pyarrow's streaming reader: without the extension, and for every file it declines
        try:
            # small blocks: the streaming reader reads ahead many blocks, so peak memory
            # grows with the block size; a row longer than a block needs the larger retry
            line_limit = max(int(lim.max_line_mb * MB), _BLOCK)
            for block in (_BLOCK, line_limit):
                acc, n_rows = {}, 0
                try:
                    quoted_newline = "\n" in first_line or "\r" in first_line
                    reader = pacsv.open_csv(source, **options(size < _BIG or quoted_newline,
                                                               block=block),
                                            )
                    expected = 0
                    for batch in reader:
                        if not expected:  # rows in the file, from the first block's density
                            expected = int(batch.num_rows * size / block * 1.05) + 1024
                        n_rows += batch.num_rows
                        if n_rows * batch.num_columns > lim.max_cells:
                            check_shape(p, n_rows, batch.num_columns, lim, verb="holds over")
                        for j, name in enumerate(batch.schema.names):
                            acc.setdefault(name, _Column(expected)).add(batch.column(j))
                    break
                except pa.ArrowInvalid as exc:
                    if "straddl" in str(exc) and block == line_limit:
                        raise refuse(p, f"has a line longer than {lim.max_line_mb:g} MB",
                                     "max_line_mb", lim) from None
                    if "straddl" not in str(exc):
                        raise
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            if "utf8" in str(exc).lower() or "utf-8" in str(exc).lower():
                raise _NotUTF8() from None
            bad: list[tuple[int | None, int, str]] = []

            def handler(row: Any) -> str:
                bad.append((row.number, row.actual_columns, row.text))
                return "skip"

            try:
                pacsv.read_csv(source, **options(True, handler, threads=False))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc2:
                raise DataFormatError(f"file {p}: cannot be parsed as CSV with delimiter {delim!r} "
                                      f"({exc2}). Fix: check the delimiter and quoting, or whether "
                                      "the file is truncated") from None
            if not bad:
                raise DataFormatError(f"file {p}: cannot be parsed as CSV ({exc}). Fix: check the "
                                      "delimiter and quoting") from None
            shown = "; ".join(f"line {n}: {a} fields" for n, a, _t in bad[:5])
            with open(p, "rb") as fh:
                last = sum(1 for _ in fh)
            truncated = len(bad) == 1 and bad[0][0] is not None and bad[0][0] >= last
            hint = ("the last line is incomplete: the file looks truncated. Fix: download the "
                    "export again" if truncated else
                    f"Fix: check the delimiter (detected {delim!r}; pass delimiter=) and quote "
                    "fields that contain it")
            raise DataFormatError(f"file {p}: {len(bad)} row(s) do not have the header's "
                                  f"{len(names)} fields ({shown}); {hint}") from None
    if n_rows == 0:
        raise DataFormatError(f"file {p}: has a header but no data rows. Fix: export again "
                              "after responses have been collected")
    kept = include if include is not None else names
    frame = pd.DataFrame({name: acc[name].finish() for name in kept})
    if empty:
        notes.append(f"blank headers at positions {empty} named column<position>")
    return RawTable(frame=frame, path=str(p), format="csv", encoding=enc, delimiter=delim,
                    decimal=dec, first_row=2, duplicated_columns=dups, notes=notes)


#: Bytes per block of the compiled parser (and what a block is grown to, at most
#: ``max_line_mb``, when one record is longer).
_BLOCK_C = 8 << 20
_FIRST_BLOCK = _BLOCK
_TEXT, _CODED, _SKIP = 1, 0, 2  # column modes of ``_csvcore.parse``
_SALT = int.from_bytes(os.urandom(8), "little")


def _csv_extension() -> Any:
    """``egovstudy.io._csvcore``, or ``None`` (not built, or ``EGOVSTUDY_NO_EXTENSION=1``)."""
    return compiled("egovstudy.io._csvcore")


def _record_blocks(fh: Any, ext: Any, p: Path, lim: Limits,
                   spare: list[bytearray]) -> Iterator[tuple[memoryview, bytearray, bool]]:
    """Yield ``(block, buffer, last)``: the file in blocks of whole records.

    A block ends at the last line end of about ``_BLOCK_C`` bytes that is outside
    quotes; the bytes after it start the next block. The first block is the size of
    pyarrow's first block (``_FIRST_BLOCK``): its values decide which columns are
    kept as text, so both readers decide alike. A record longer than a block
    doubles the block, up to ``max_line_mb``. ``block`` is a view of ``buffer``; the
    caller puts ``buffer`` back into ``spare`` once the block is parsed, and it is
    read into again (a fresh buffer costs page faults on every page, each time).
    """
    line_limit = max(int(lim.max_line_mb * MB), _BLOCK_C, _FIRST_BLOCK)
    carry = b""
    want = _FIRST_BLOCK
    while True:
        size = len(carry) + want
        buf = spare.pop() if spare and len(spare[-1]) >= size else bytearray(
            max(size, 2 * _BLOCK_C))
        view = memoryview(buf)
        view[:len(carry)] = carry
        total = len(carry)
        while total < size:
            got = fh.readinto(view[total:size])
            if not got:
                break
            total += got
        if total < size:  # the end of the file
            if total:
                yield view[:total], buf, True
            return
        cut = ext.split(view, total)
        if cut == 0:  # no record ends in this block
            if total >= line_limit:
                raise refuse(p, f"has a line longer than {lim.max_line_mb:g} MB",
                             "max_line_mb", lim)
            carry, want = bytes(view[:total]), min(want * 2, line_limit)
            continue
        carry = bytes(view[cut:total])
        yield view[:cut], buf, False
        want = _BLOCK_C


def _parse_compiled(source: Any, p: Path, names: list[str], delim: str,
                    include: list[str] | None, size: int,
                    lim: Limits) -> tuple[dict[str, _Column], int] | None:
    """Parse with ``_csvcore`` on threads; ``None`` to let pyarrow's reader do it.

    Why a parser of our own: pyarrow's streaming reader hands every block over as
    Arrow dictionary arrays, which are then recoded column by column in Python; here
    each field is coded as it is split (one pass, in C, the GIL released) and the
    blocks are parsed on two threads while the file is read. A million-row, 40-item
    export is read in about a third of the time (``benchmarks/bench_loading.py``).
    The same values come out either way (``tests/test_io_csv_compiled.py``).

    ``None`` (the file is then read again by pyarrow, whose errors name the lines)
    when the extension is missing, the delimiter is not one ASCII character, a record
    has the wrong number of fields, a quote is left open, or a block split on quote
    parity does not end on a record.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    ext = _csv_extension()
    if ext is None or len(delim) != 1 or not delim.isascii() or delim in '"\r\n':
        return None
    wanted = set(include) if include is not None else None
    modes = bytearray(_CODED if wanted is None or n in wanted else _SKIP for n in names)
    acc = {n: _Column() for n, m in zip(names, modes) if m != _SKIP}
    n_rows = 0

    def merge(result: tuple[int, int, int, Any], known: list[Any], block_len: int) -> bool:
        nonlocal n_rows
        status, rows, longest, columns = result
        if status != 0:
            return False
        if longest > lim.max_line_mb * MB:
            raise refuse(p, f"has a line longer than {lim.max_line_mb:g} MB", "max_line_mb",
                         lim)
        if n_rows == 0 and rows:  # rows in the file, from the first block's density
            expected = int(rows * size / max(block_len, 1) * 1.05) + 1024
            for col in acc.values():
                col.expected = expected
        n_rows += rows
        if n_rows * len(acc) > lim.max_cells:
            check_shape(p, n_rows, len(acc), lim, verb="holds over")
        for name, out, values in zip(names, columns, known):
            if out is None:
                continue
            if out[0] == _CODED:
                width = np.int8 if out[3] == 1 else np.int32
                acc[name].add_known_codes(np.frombuffer(out[1], dtype=width),
                                          len(values or ()), out[2])
            else:
                acc[name].add_text(_text_array(rows, *out[1:]))
        return True

    def parse(block: memoryview, first: bool, last: bool, known: list[Any]) -> Any:
        return ext.parse(block, delim, bytes(modes), first, last, _SALT, known)

    def known_values() -> list[Any]:
        """Per column, the values met so far (handed to the parser), or None."""
        return [list(acc[n].categories) if m == _CODED and acc[n].plain is None else None
                for n, m in zip(names, modes)]

    fh = open(p, "rb") if isinstance(source, str) else source  # noqa: SIM115
    if not isinstance(source, str):
        source.seek(0)
    spare: list[bytearray] = []
    pending: list[tuple[Future[Any], bytearray, list[Any], int]] = []
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = True
            for block, buf, last in _record_blocks(fh, ext, p, lim, spare):
                if first:  # parsed here: its values decide which columns are text
                    nothing = [None] * len(names)
                    if not merge(parse(block, True, last, nothing), nothing, len(block)):
                        return None
                    first = False
                    spare.append(buf)
                    for j, name in enumerate(names):
                        if modes[j] != _SKIP and acc[name].plain is not None:
                            modes[j] = _TEXT
                    continue
                known = known_values()
                pending.append((pool.submit(parse, block, False, last, known), buf, known,
                                len(block)))
                while pending and (len(pending) > 3 or pending[0][0].done()):
                    future, done, seen, length = pending.pop(0)
                    if not merge(future.result(), seen, length):
                        return None
                    spare.append(done)
            while pending:
                future, done, seen, length = pending.pop(0)
                if not merge(future.result(), seen, length):
                    return None
    except UnicodeDecodeError:
        raise _NotUTF8() from None
    finally:
        for future, *_rest in pending:
            future.cancel()
        if fh is not source:
            fh.close()
    return acc, n_rows


def _text_array(rows: int, offsets: bytes, data: bytes, valid: bytes | None,
                n_null: int) -> Any:
    """An Arrow ``large_string`` array from the parser's buffers, its UTF-8 checked."""
    import pyarrow as pa

    arr = pa.LargeStringArray.from_buffers(
        rows, pa.py_buffer(offsets), pa.py_buffer(data),
        None if valid is None else pa.py_buffer(valid), n_null)
    try:
        arr.validate(full=True)
    except pa.ArrowInvalid:
        raise _NotUTF8() from None
    return arr


def to_numeric(series: pd.Series, decimal: str | None = ".") -> tuple[pd.Series, pd.Series]:
    """Parse text numbers (decimal comma aware); return ``(numbers, invalid mask)``."""
    if pd.api.types.is_numeric_dtype(series) and not isinstance(series.dtype,
                                                               pd.CategoricalDtype):
        return series.astype("float64"), pd.Series(False, index=series.index)
    text = series.astype("string").str.strip()
    if decimal == ",":
        comma = text.str.contains(",", regex=False).fillna(False).astype(bool)
        fixed = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        text = text.where(~comma, fixed)
    nums = pd.to_numeric(text, errors="coerce")
    invalid = nums.isna() & text.notna() & (text != "")
    return nums.astype("float64"), invalid
