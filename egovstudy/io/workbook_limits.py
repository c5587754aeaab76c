"""Workbook checks before a spreadsheet library reads the file (see ``docs/limits.md``).

calamine fills a dense grid from ``A1`` to the last cell a sheet uses, and
reserves memory from counts a file declares; both come from untrusted bytes. This
module finds them without calamine: zip members and sizes, each worksheet's last
used row and column (XLSX/XLSM XML, XLSB records, ODS repeats, XLS BIFF records),
the declared count of shared strings, and compares them with the
:class:`~egovstudy.io.limits.Limits`.

Examples
--------
>>> import tempfile, os
>>> import pandas as pd
>>> path = os.path.join(tempfile.mkdtemp(), "x.xlsx")
>>> pd.DataFrame({"Q1": [1, 2, 3]}).to_excel(path, index=False)
>>> check_workbook(path)  # 4 rows x 1 column: nothing to say
>>> check_workbook(path, {"max_cells": 3})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
egovstudy.errors.ResourceLimitError: file ...x.xlsx: sheet ... uses 4 rows x 1 columns = 4 cells ...
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

from egovstudy.errors import DataFormatError, ResourceLimitError
from egovstudy.io.limits import MB, Limits, LimitsLike, check_file_size, refuse, resolve_limits

__all__ = ["EXCEL_COLUMNS", "EXCEL_ROWS", "XLS_COLUMNS", "XLS_ROWS", "check_workbook"]

#: Excel's own grid (Excel 2007 and later): a workbook cannot address beyond it.
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
#: BIFF8's grid (Excel 97-2003 ``.xls``).
XLS_ROWS, XLS_COLUMNS = 65_536, 256


def check_workbook(path: str | Path, limits: LimitsLike = None) -> None:
    """Check a workbook (XLSX/XLSM/XLSB/ODS/XLS) against the limits before a library reads it.

    The kind is told by the file's first bytes, not its extension.

    Raises
    ------
    ResourceLimitError
        Too many zip members, too large uncompressed, a zip-bomb ratio, a worksheet
        whose used grid is beyond Excel's or above ``max_cells``, a file too large.
    DataFormatError
        A worksheet that declares a DTD, or whose XML cannot be followed.
    """
    p = Path(path)
    lim = resolve_limits(limits)
    with open(p, "rb") as fh:
        magic = fh.read(4)
    # a zip is found from its end record, so data before it does not hide one
    if magic != b"PK\x03\x04" and not zipfile.is_zipfile(p):
        # legacy BIFF .xls (OLE) or not a workbook (the library then says so)
        check_file_size(p, lim)
        if magic == b"\xd0\xcf\x11\xe0":
            extent = _xls_extent(p)
            if extent is not None:
                rows, cols, cells = extent
                _check_grid(p, "Workbook", rows, cols, lim, grid=(XLS_ROWS, XLS_COLUMNS),
                            cells=cells)
        return
    size = p.stat().st_size
    if size > lim.max_uncompressed_mb * MB * 1.05 + MB:  # a zip is not larger than its content
        raise refuse(p, f"is {size / MB:,.1f} MB", "max_uncompressed_mb", lim)
    with open(p, "rb") as fh:
        entries = _declared_entries(fh, size)
    if entries is not None and entries > lim.max_zip_members:
        raise refuse(p, f"holds {entries:,} zip members", "max_zip_members", lim)
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a readable zip: the reader reports it as a damaged workbook
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > lim.max_zip_members:
            raise refuse(p, f"holds {len(infos):,} zip members", "max_zip_members", lim)
        total = sum(i.file_size for i in infos)
        if total > lim.max_uncompressed_mb * MB:
            raise refuse(p, f"expands to {total / MB:,.1f} MB", "max_uncompressed_mb", lim)
        for info in infos:
            if (info.file_size > MB and info.file_size
                    > lim.max_compression_ratio * max(info.compress_size, 1)):
                ratio = info.file_size / max(info.compress_size, 1)
                raise refuse(p, f"member {info.filename!r} is compressed {ratio:,.0f}:1 (a zip "
                             "bomb?)", "max_compression_ratio", lim)
        for info in infos:
            if re.fullmatch(r"sharedstrings[^/]*\.(xml|bin)", posixpath.basename(
                    _norm(info.filename))):
                _check_shared_strings(zf, info, p, lim)
        for info in _sheet_members(zf, infos, lim, p):
            try:
                if info.filename.lower().endswith(".bin"):
                    rows, cols, cells = _xlsb_extent(zf, info, p)
                elif _norm(info.filename) == "content.xml":
                    rows, cols = _ods_extent(zf, info, p)
                    cells = rows * cols  # repeats are real cells to calamine
                else:
                    rows, cols, cells = _xml_extent(zf, info, p)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                    RuntimeError, OSError) as exc:  # bad CRC, truncated, encrypted, ...
                raise DataFormatError(f"file {p}: member {info.filename!r} cannot be read "
                                      f"({type(exc).__name__}: {exc}). Fix: the file is "
                                      "damaged; export the data again") from None
            _check_grid(p, info.filename, rows, cols, lim, cells=cells)


_SST = re.compile(rb"<(?:[^\s<>/:=\"']+:)?sst[\s>/][^<>]*")
_UNIQUE = re.compile(rb"\suniqueCount\s*=\s*[\"']\s*([0-9]+)")


def _check_shared_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo, p: Path,
                          lim: Limits) -> None:
    """Refuse a shared-string table that declares more strings than its bytes can hold.

    calamine reserves room for the declared ``uniqueCount`` (24 bytes each) before
    reading any: 4,000,000,000 in a 1 KB file made it ask for 96 GB and abort
    Python (measured). Each string takes at least 4 bytes (``<si/>``; 5 in XLSB).
    """
    with zf.open(info) as fh:
        head = fh.read(1 << 16)
    declared: int | None = None
    if info.filename.lower().endswith(".bin"):  # BrtBeginSst (159): cstTotal, cstUnique
        if len(head) >= 11 and head[0] == 0x9F and head[1] == 0x01:
            declared = struct.unpack("<I", head[7:11])[0]
    else:
        root = _SST.search(head)
        unique = _UNIQUE.search(root.group(0)) if root else None
        if unique:
            digits = unique.group(1)
            declared = int(digits) if len(digits) < 20 else 10 ** 20
    if declared is None:
        return
    room = max(info.file_size // 4, 1024)
    if declared > room:
        raise ResourceLimitError(
            f"file {p}: member {info.filename!r} declares {declared:,} shared strings, more than "
            f"its {info.file_size:,} bytes can hold. Fix: the file is damaged or hostile; "
            "export the data again")
    if declared > lim.max_cells:
        raise refuse(p, f"member {info.filename!r} declares {declared:,} shared strings",
                     "max_cells", lim)


def _check_grid(p: Path, member: str, rows: int, cols: int, lim: Limits,
                grid: tuple[int, int] = (EXCEL_ROWS, EXCEL_COLUMNS), cells: int = 0) -> None:
    """Refuse a grid beyond the format's, above ``max_cells`` or too sparse.

    ``cells`` is the number of cells written: a grid of more than a million cells
    that is ``max_sparsity`` times larger (a stray cell far from the data) costs
    what a full grid costs (measured: a 1.5 KB file with 5 cells and one at
    ``XFD1221``, 20 million cells, took 1.4 GB and 35 s to read).
    """
    where = f"sheet {member!r} uses"
    if rows > grid[0] or cols > grid[1]:
        raise ResourceLimitError(
            f"file {p}: {where} {rows:,} rows x {cols:,} columns, beyond the spreadsheet "
            f"grid of {grid[0]:,} x {grid[1]:,}. Fix: the file is damaged or hostile; "
            "export the data again")
    if rows * cols > lim.max_cells:
        raise refuse(p, f"{where} {rows:,} rows x {cols:,} columns = {rows * cols:,} cells "
                     "(up to its last used cell)", "max_cells", lim)
    if rows * cols > 1_000_000 and rows * cols > lim.max_sparsity * max(cells, 1):
        raise ResourceLimitError(
            f"file {p}: {where} {rows:,} rows x {cols:,} columns = {rows * cols:,} cells for "
            f"{cells:,} cells written, a grid {rows * cols / max(cells, 1):,.0f} times sparser "
            f"than the limit max_sparsity={lim.max_sparsity:g} allows. Fix: delete the stray "
            "cells far from the data (Ctrl+End in Excel goes to the last one), or if the file "
            "is trusted raise the limit with limits={'max_sparsity': ...} or the environment "
            "variable EGOVSTUDY_MAX_SPARSITY (see docs/limits.md)")


# BIFF8 cell records that start with (row, column): FORMULA, BLANK, NUMBER, LABEL,
# BOOLERR, RK, LABELSST ([MS-XLS] 2.4); MULRK and MULBLANK end with their last column.
_XLS_CELLS = {0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD}
_XLS_MULTI = {0x00BD, 0x00BE}


def _xls_extent(p: Path) -> tuple[int, int, int] | None:
    """Largest DIMENSIONS record and last cell of a BIFF workbook's sheets (1-based).

    calamine sizes a sheet from its DIMENSIONS record: a patched record made it ask
    for 11 PB and abort Python (measured). The compound file is opened with xlrd's
    reader; ``None`` when it is not one (the library then reports the file).
    """
    from xlrd import compdoc

    try:
        doc = compdoc.CompDoc(p.read_bytes(), logfile=io.StringIO())
        mem, base, length = doc.locate_named_stream("Workbook")
        if mem is None:
            mem, base, length = doc.locate_named_stream("Book")
    except Exception:  # any compound-file error: not ours to report
        return None
    if mem is None:
        return None
    rows = cols = cells = 0
    at, end = base, base + length
    while at + 4 <= end:
        rtype, size = struct.unpack_from("<HH", mem, at)
        body = at + 4
        if body + size > end:
            break
        if rtype == 0x0200 and size >= 14:  # DIMENSIONS (BIFF8): rwMac, colMac exclusive
            rows = max(rows, struct.unpack_from("<I", mem, body + 4)[0])
            cols = max(cols, struct.unpack_from("<H", mem, body + 10)[0])
        elif rtype in _XLS_CELLS and size >= 4:
            row, col = struct.unpack_from("<HH", mem, body)
            rows, cols, cells = max(rows, row + 1), max(cols, col + 1), cells + 1
        elif rtype in _XLS_MULTI and size >= 6:
            row = struct.unpack_from("<H", mem, body)[0]
            first, last = struct.unpack_from("<H", mem, body + 2)[0], struct.unpack_from(
                "<H", mem, body + size - 2)[0]
            rows, cols = max(rows, row + 1), max(cols, last + 1)
            cells += max(last - first + 1, 1)
        at = body + size
    return rows, cols, cells


def _declared_entries(fh: IO[bytes], size: int) -> int | None:
    """Member count from the end-of-central-directory record, before zipfile lists them all."""
    tail_len = min(size, 22 + 65535 + 20)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries = struct.unpack("<H", tail[at + 10:at + 12])[0]
    if entries != 0xFFFF:
        return int(entries)
    loc = tail.rfind(b"PK\x06\x07", 0, at)  # Zip64 locator -> Zip64 end record
    if loc < 0 or len(tail) - loc < 20:
        return None
    offset = struct.unpack("<Q", tail[loc + 8:loc + 16])[0]
    if offset + 56 > size:
        return None
    fh.seek(offset)
    record = fh.read(56)
    if record[:4] != b"PK\x06\x06":
        return None
    return int(struct.unpack("<Q", record[32:40])[0])


_SHEET_PATH = re.compile(r"(?i)^xl/(work|chart|dialog|macro)sheets/[^/]+\.(xml|bin)$")
_REL = re.compile(rb"<(?:[^\s<>/:=\"']+:)?Relationship\s[^<>]*>")
_ATTR = re.compile(rb"""\s(Type|Target)\s*=\s*(["'])(.*?)\2""")


def _read_small(zf: zipfile.ZipFile, info: zipfile.ZipInfo, p: Path, cap: int = 16 * MB) -> bytes:
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ResourceLimitError(f"file {p}: member {info.filename!r} is larger than "
                                 f"{cap // MB} MB, which a workbook part of its kind never is. "
                                 "Fix: the file is damaged or hostile; export the data again")
    return data


def _norm(name: str) -> str:
    return name.replace("\\", "/").lower()


def _sheet_members(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], lim: Limits,
                   p: Path) -> list[zipfile.ZipInfo]:
    """Worksheet parts: the usual folders, every target of a sheet relationship, ODS content.

    Names are compared without case and with ``\\`` read as ``/``, and every entry of
    a name is returned (a zip may hold one name twice; readers differ on which wins).
    """
    targets: set[str] = {"content.xml"}
    for info in infos:
        if not info.filename.lower().endswith(".rels"):
            continue
        base = posixpath.dirname(posixpath.dirname(_norm(info.filename)))
        for rel in _REL.findall(_read_small(zf, info, p)):
            attrs = {k.decode(): v.decode("utf-8", "replace") for k, _q, v in _ATTR.findall(rel)}
            if not re.search(r"(?i)(work|chart|dialog|macro)sheet$", attrs.get("Type", "")):
                continue
            target = attrs.get("Target", "").replace("\\", "/").lower()
            full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(base, target))
            targets.add(full)
            targets.add(posixpath.basename(full))
    return [i for i in infos if _SHEET_PATH.match(_norm(i.filename))
            or _norm(i.filename) in targets or posixpath.basename(_norm(i.filename)) in targets]


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, p: Path) -> Any:
    """Yield a worksheet's XML in pieces that end at a ``>`` (so no tag is cut), 1 MB at a time."""
    tail = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(MB)
            if not chunk:
                if tail:
                    yield tail
                return
            buf = tail + chunk
            cut = buf.rfind(b">") + 1
            part, tail = buf[:cut], buf[cut:]
            if len(tail) > MB:  # text longer than 1 MB: keep only an unclosed tag
                lt = tail.rfind(b"<")
                tail = tail[lt:] if lt >= 0 else b""
                if len(tail) > MB:
                    raise DataFormatError(f"file {p}: sheet {info.filename!r} has a tag longer "
                                          "than 1 MB. Fix: the file is damaged or hostile; "
                                          "export the data again")
            if part:
                yield part


# Cells, row tags and cell references are counted as every spreadsheet writer puts
# them (``<c r="AB12"``: Excel, LibreOffice, openpyxl, XlsxWriter, Google Sheets).
# When the counts disagree (a cell without a reference, an r= elsewhere) or the
# sheet is written unusually (a namespace-prefixed cell such as <x:c>, comments or
# CDATA, odd spacing) the exact expat parser decides.
_PREFIXED_CELL = re.compile(rb"<[^\s<>/:=\"']+:c[\s/>]")  # not <x14:cfRule> etc.


def _cell_refs(part: bytes) -> tuple[int, int, int, int, int]:
    """Count cells and references in ``part``, vectorised over its bytes with NumPy.

    Returns ``(cells, row references, cell references, last row, last column)``:
    ``<c`` elements followed by a space, ``>`` or ``/``; ``<row r=`` tags; and the
    well-formed ``<c r="XX123"`` references (1-3 letters, 1-7 digits, closing
    quote) with the largest row and column among them. Python's ``re`` manages
    about 50 MB/s on a sheet, too slow for a check (measured on a 200,000 x 20
    sheet, 100 MB of XML: 6.4 s with regular expressions, 1.5 s for the whole
    check with this; calamine then reads it in 6.2 s).
    """
    import numpy as np

    b = np.frombuffer(part + b"\0" * 16, dtype=np.uint8)
    lt = np.flatnonzero(b[:len(part)] == ord("<"))
    nxt = b[lt + 1]
    heads = lt[nxt == ord("c")]
    after = b[heads + 2]
    cells = int(np.count_nonzero((after == ord(" ")) | (after == ord(">")) | (after == ord("/"))))
    rows_at = lt[nxt == ord("r")]
    for k, byte in enumerate(b"ow r=", start=2):
        rows_at = rows_at[b[rows_at + k] == byte]
    heads = heads[after == ord(" ")]
    for k, byte in enumerate(b'r="', start=3):
        heads = heads[b[heads + k] == byte]
    if not len(heads):
        return cells, len(rows_at), 0, 0, 0
    pos = heads + 6
    col = np.zeros(len(pos), dtype=np.int64)
    active = np.ones(len(pos), dtype=bool)
    letters = np.zeros(len(pos), dtype=np.int64)
    for _ in range(3):
        ch: Any = b[pos].astype(np.int64)
        hit = active & (ch >= 65) & (ch <= 90)
        col = np.where(hit, col * 26 + ch - 64, col)
        pos, letters, active = pos + hit, letters + hit, hit
    row = np.zeros(len(pos), dtype=np.int64)
    digits = np.zeros(len(pos), dtype=np.int64)
    active = letters > 0
    for _ in range(7):
        ch = b[pos].astype(np.int64)
        hit = active & (ch >= 48) & (ch <= 57)
        row = np.where(hit, row * 10 + ch - 48, row)
        pos, digits, active = pos + hit, digits + hit, hit
    valid = (letters > 0) & (digits > 0) & (b[pos] == ord('"'))
    # a self-closing cell (<c r="X9" s="1"/>, a styled empty cell) holds nothing and
    # calamine skips it, so it does not extend the grid (it is still counted above)
    # (its first ">" after the reference, preceded by "/", and not inside a quoted value:
    # an even number of double quotes and no single quote in between; else filled)
    filled = valid
    gt = np.flatnonzero(b[:len(part)] == ord(">"))
    if len(gt):
        ends = gt[np.minimum(np.searchsorted(gt, pos), len(gt) - 1)]
        slash = valid & (ends > pos) & (b[ends - 1] == ord("/"))
        if slash.any():
            p0, p1 = pos[slash] + 1, ends[slash]

            def between(ch: str) -> Any:
                at = np.flatnonzero(b[:len(part)] == ord(ch))
                return np.searchsorted(at, p1) - np.searchsorted(at, p0)

            empty = (between('"') % 2 == 0) & (between("'") == 0)
            filled = valid.copy()
            filled[np.flatnonzero(slash)[empty]] = False
    n_valid = int(valid.sum())
    if not filled.any():
        return cells, len(rows_at), n_valid, 0, 0
    return (cells, len(rows_at), n_valid, int(row[filled].max()), int(col[filled].max()))


def _column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        n = n * 26 + (ord(ch) - 64)
        if n > 10 * EXCEL_COLUMNS:
            break
    return n


def _xml_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo, p: Path) -> tuple[int, int, int]:
    """Last used row and column of a worksheet's XML (1-based; 0 when empty)."""
    n_cells = n_refs = max_row = max_col = 0
    for part in _stream(zf, info, p):
        if b"<!DOCTYPE" in part or b"<!ENTITY" in part:
            raise DataFormatError(f"file {p}: sheet {info.filename!r} declares a DTD, which "
                                  "spreadsheet files never do. Fix: the file is damaged or "
                                  "hostile; export the data again")
        if n_refs < 0:
            continue
        unusual = ((b":c" in part and _PREFIXED_CELL.search(part) is not None)
                   or b"<!" in part or b"r =" in part
                   or any(ws + b"r" in part for ws in (b"\n", b"\r", b"\t")))
        if unusual:  # prefixed elements, comments, odd spacing: the exact parser
            n_refs = -1
            continue
        cells, row_refs, count, last_row, last_col = _cell_refs(part)
        # every r= must be a cell's first attribute or a row's (no second r= in a cell)
        if part.count(b" r=") != count + row_refs:
            n_refs = -1
            continue
        n_cells += cells
        n_refs += count
        max_row, max_col = max(max_row, last_row), max(max_col, last_col)
    if n_cells == n_refs:
        return max_row, max_col, n_cells
    return _xml_extent_exact(zf, info, p)


def _xml_extent_exact(zf: zipfile.ZipFile, info: zipfile.ZipInfo,
                      p: Path) -> tuple[int, int, int]:
    """Follow rows and cells with expat, placing cells without a reference after the last one.

    Where a reference and the running position disagree the larger is kept, so
    the extent is never below what a library reading the sheet would fill.
    """
    from xml.parsers import expat

    state = {"row": 0, "col": 0, "max_row": 0, "max_col": 0, "cells": 0}

    def ref_of(attrs: dict[str, str]) -> str:
        return max((v for k, v in attrs.items() if k.rsplit(":", 1)[-1] == "r"), default="",
                   key=len)

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            digits = ref_of(attrs).strip()
            row = int(digits) if digits.isdigit() and len(digits) < 10 else (
                10 ** 10 if digits.isdigit() else 0)
            state["row"], state["col"] = max(row, state["row"] + 1), 0
        elif local == "c":
            col, row = state["col"] + 1, max(state["row"], 1)
            m = re.fullmatch(r"\s*([A-Za-z]+)\s*([0-9]*)\s*", ref_of(attrs))
            if m:
                col = max(col, _column_number(m.group(1)))
                if m.group(2):
                    row = max(row, int(m.group(2)) if len(m.group(2)) < 10 else 10 ** 10)
            state["col"] = col
            state["cells"] += 1
            state["max_row"] = max(state["max_row"], row)
            state["max_col"] = max(state["max_col"], col)

    def dtd(*_args: Any) -> None:
        raise DataFormatError(f"file {p}: sheet {info.filename!r} declares a DTD, which "
                              "spreadsheet files never do. Fix: the file is damaged or hostile; "
                              "export the data again")

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = dtd
    parser.EntityDeclHandler = dtd
    try:
        with zf.open(info) as fh:
            for chunk in iter(lambda: fh.read(MB), b""):
                parser.Parse(chunk, False)
                if state["max_col"] > EXCEL_COLUMNS or state["max_row"] > EXCEL_ROWS:
                    break  # already beyond the grid: no need to read on
            else:
                parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise DataFormatError(f"file {p}: sheet {info.filename!r} is not well-formed XML "
                              f"({exc}). Fix: open the file in Excel or LibreOffice and save it "
                              "again") from None
    return state["max_row"], state["max_col"], state["cells"]


_ODS_TAG = re.compile(rb"<table:table[\s>]|<table:table-row\b([^<>]*?)(/?)>|</table:table-row>"
                      rb"|<table:(?:covered-)?table-cell\b([^<>]*?)(/?)>")
_ODS_REP = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"']([0-9]{1,12})[\"']")


def _ods_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo, p: Path) -> tuple[int, int]:
    """Last used row and column of the sheets of an ODS ``content.xml``, repeats expanded.

    A repeated row or cell counts up to its last copy only when it holds something:
    empty repeated cells and rows (LibreOffice pads sheets with them) only move the
    position, as they fill nothing.
    """
    max_row = max_col = row_pos = col_pos = width = 0
    row_rep = 1

    def repeat(attrs: bytes | None) -> int:
        m = _ODS_REP.search(attrs or b"")
        return int(m.group(1)) if m else 1

    for part in _stream(zf, info, p):
        for m in _ODS_TAG.finditer(part):
            tag = m.group(0)
            if tag.startswith(b"<table:table-row"):
                if m.group(2):  # <table:table-row/>: an empty row
                    row_pos += repeat(m.group(1))
                else:
                    row_rep, col_pos, width = repeat(m.group(1)), 0, 0
            elif tag.startswith(b"</table:table-row"):
                if width:
                    max_row = max(max_row, row_pos + row_rep)
                    max_col = max(max_col, width)
                row_pos += row_rep
            elif tag.startswith(b"<table:table-cell") or tag.startswith(b"<table:covered"):
                col_pos += repeat(m.group(3))
                if not m.group(4) or b"value" in (m.group(3) or b""):
                    width = col_pos  # holds something (content or a value attribute)
            else:  # a new sheet
                row_pos = 0
    return max_row, max_col


def _xlsb_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo,
                 p: Path) -> tuple[int, int, int]:
    """Last used row and column of an XLSB worksheet from its binary records (MS-XLSB 2.1.4)."""
    max_row = max_col = row = cells = 0
    with zf.open(info) as fh:
        data = fh.read()  # bounded: the member's size was checked against the limits
    i, n = 0, len(data)

    def varint(at: int, width: int) -> tuple[int, int]:
        value = 0
        for k in range(width):
            if at >= n:
                return value, at
            byte = data[at]
            value |= (byte & 0x7F) << (7 * k)
            at += 1
            if not byte & 0x80:
                break
        return value, at

    while i < n:
        rtype, i = varint(i, 2)
        size, i = varint(i, 4)
        body = data[i:i + size]
        i += size
        if rtype == 0 and len(body) >= 4:  # BrtRowHdr: row index
            row = struct.unpack("<I", body[:4])[0] + 1
        elif (1 <= rtype <= 11 or rtype == 62) and len(body) >= 4:  # BrtCell*: column
            col = struct.unpack("<I", body[:4])[0] + 1
            max_row, max_col, cells = max(max_row, row), max(max_col, col), cells + 1
        elif rtype == 148 and len(body) >= 16:  # BrtWsDim: the declared used range
            _r0, r1, _c0, c1 = struct.unpack("<4I", body[:16])
            max_row, max_col = max(max_row, r1 + 1), max(max_col, c1 + 1)
    return max_row, max_col, cells
