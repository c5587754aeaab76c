"""One writer for every table format: CSV, XLSX, DOCX, LaTeX, Markdown and HTML.

Every file carries its provenance (data hash, package version, commit, options)
the way its format allows: DOCX core properties, XLSX document and custom
properties, a comment in LaTeX / Markdown / HTML, and a sidecar ``.json`` next
to a CSV (so the CSV itself stays clean for re-reading).

Files are written atomically (a temporary file in the same folder, then
``os.replace``; see :mod:`egovstudy._output`), never through a symbolic link.
Exports are escaped: CSV and XLSX text cells that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a
leading ``'`` (OWASP; purely numeric text such as ``-0.52`` stays as it is), XLSX
strings are always stored as strings, Markdown escapes HTML and its own control
characters, HTML escapes every text and LaTeX its special characters.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> from egovstudy.report.tables import frame_table
>>> t = frame_table(pd.DataFrame({"construct": ["A"], "alpha": [0.81]}), title="Reliability")
>>> out = write_table(t.with_number("4.1"), pathlib.Path(tempfile.mkdtemp()) / "t.md")
>>> out.read_text(encoding="utf-8").splitlines()[1]
'**Table 4.1**'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from egovstudy._output import atomic_path, atomic_write_text, check_target, neutralise_cell
from egovstudy._output import neutralise_frame as _neutralise_frame
from egovstudy.errors import MissingDependencyError, OutputError
from egovstudy.report.language import check_language, text

if TYPE_CHECKING:
    from egovstudy.report.tables import Table

__all__ = ["FORMATS", "add_caption", "add_rich_text", "add_table_to_docx", "check_writable",
           "read_docx_provenance", "write_table", "xlsx_number"]

TableFormat = Literal["csv", "xlsx", "docx", "tex", "md", "html"]
FORMATS: dict[str, str] = {
    ".csv": "csv", ".xlsx": "xlsx", ".docx": "docx", ".tex": "tex", ".latex": "tex",
    ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
}
#: Fixed document date so that reruns are byte-identical.
FIXED_DATE = datetime(2000, 1, 1, 0, 0, 0)


def _import(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"writing {extra} needs the optional package {module.split('.')[0]!r}; "
            f"install it with `pip install {'python-docx' if module == 'docx' else module}`"
        ) from exc


def check_writable(path: str | Path, *, overwrite: bool) -> Path:
    """Return ``path`` as a Path; raise :class:`OutputError` if it exists unless ``overwrite``.

    A symbolic link or a folder at ``path`` is refused too (see
    :func:`egovstudy._output.check_target`). Missing parent folders are created.
    """
    return check_target(path, overwrite=overwrite)


def _resolve_format(path: Path, fmt: str | None) -> str:
    allowed = sorted(set(FORMATS.values()))
    if fmt is None:
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise OutputError(f"cannot tell the table format of {path.name!r} from its suffix "
                              f"{path.suffix!r}; use one of {', '.join(allowed)} "
                              "(or pass format=...)")
        return fmt
    key = fmt.lower().lstrip(".")
    key = {"latex": "tex", "markdown": "md", "htm": "html", "excel": "xlsx", "word": "docx"}.get(
        key, key)
    if key not in allowed:
        raise OutputError(f"format={fmt!r} is not supported; use one of {', '.join(allowed)}")
    return key


def _prov_json(table: Table, options: Mapping[str, Any]) -> str:
    record = {**dict(table.provenance), "table": table.label(), "title": table.title,
              "writer_options": dict(options)}
    return json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)


def write_table(
    table: Table,
    path: str | Path,
    *,
    format: str | None = None,
    overwrite: bool = False,
    language: str | None = None,
    csv_values: Literal["raw", "formatted"] = "formatted",
    csv_provenance: Literal["sidecar", "comment", "none"] = "sidecar",
) -> Path:
    """Write ``table`` to ``path`` in the format given by the suffix (or ``format``).

    Parameters
    ----------
    table : Table
        A table from :mod:`egovstudy.report.tables`.
    path : str or Path
        Output file. Suffixes: .csv, .xlsx, .docx, .tex, .md, .html.
    format : {"csv", "xlsx", "docx", "tex", "md", "html"}, optional
        Overrides the suffix.
    overwrite : bool, default False
        Replace an existing file; otherwise an existing path raises OutputError.
    language : {"en", "id"}, optional
        Language of the words the writer adds ("Table"/"Tabel", "Note."/"Catatan.");
        defaults to the table's language (its labels are fixed when it is built).
    csv_values : {"formatted", "raw"}
        CSV cells as printed (default) or the unrounded values of ``table.data``.
    csv_provenance : {"sidecar", "comment", "none"}
        Provenance of a CSV as ``<path>.json`` (default), as a leading ``#`` line,
        or not at all.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    OutputError
        Existing path without ``overwrite``; unknown format.
    MissingDependencyError
        python-docx or xlsxwriter/openpyxl missing.
    """
    import dataclasses

    p = Path(path)
    fmt = _resolve_format(p, format)
    if language is not None:
        check_language(language)
        table = dataclasses.replace(table, language=language)
    options = {"format": fmt, "csv_values": csv_values, "csv_provenance": csv_provenance}
    if fmt == "csv":
        if csv_values not in ("raw", "formatted"):
            raise OutputError(f"csv_values={csv_values!r} is not supported; use 'raw' or "
                              "'formatted'")
        if csv_provenance not in ("sidecar", "comment", "none"):
            raise OutputError(f"csv_provenance={csv_provenance!r} is not supported; use "
                              "'sidecar', 'comment' or 'none'")
        sidecar = p.with_name(p.name + ".json")
        check_writable(p, overwrite=overwrite)
        if csv_provenance == "sidecar":
            check_writable(sidecar, overwrite=overwrite)
        with atomic_path(p, overwrite=overwrite) as tmp:
            _write_csv(table, tmp, csv_values, csv_provenance, _prov_json(table, options))
        if csv_provenance == "sidecar":
            atomic_write_text(sidecar, _prov_json(table, options) + "\n", overwrite=overwrite)
        return p
    check_writable(p, overwrite=overwrite)
    prov = _prov_json(table, options)
    if fmt == "md":
        atomic_write_text(p, f"<!-- egovstudy provenance: {_comment(prov)} -->\n"
                          + table.to_markdown(), overwrite=overwrite)
    elif fmt == "html":
        html = table.to_html(standalone=True).replace(
            "<head>", f'<head>\n<meta name="egovstudy-provenance" content="{_attr(prov)}">', 1)
        atomic_write_text(p, f"<!-- egovstudy provenance: {_comment(prov)} -->\n" + html,
                          overwrite=overwrite)
    elif fmt == "tex":
        atomic_write_text(p, f"% egovstudy provenance: {_tex_comment(prov)}\n"
                          "% requires \\usepackage{booktabs,longtable,graphicx,lscape}\n"
                          + table.to_latex(),
                          overwrite=overwrite)
    elif fmt == "xlsx":
        with atomic_path(p, overwrite=overwrite) as tmp:
            _write_xlsx(table, tmp, prov)
    elif fmt == "docx":
        docx = _import("docx", "DOCX")
        doc = docx.Document()
        _apa_document(doc, table.language)
        wide = needs_landscape(table)
        _orient(doc, wide, new_section=False)
        add_table_to_docx(doc, table, available_cm=LANDSCAPE_CM if wide else PORTRAIT_CM,
                          reset_number=True)
        _set_core(doc, title=table.caption(), prov=prov, language=table.language)
        save_docx(doc, p)
    return p


def save_docx(doc: Any, path: str | Path) -> Path:
    """Save a python-docx document so that the same content gives the same bytes.

    python-docx stamps every zip member with the current time; the members are
    rewritten here with one fixed timestamp (the core properties already carry
    fixed dates), so reruns of a study give byte-identical DOCX files.
    """
    import zipfile

    target = Path(path)
    package = doc.part.package
    try:
        from docx.opc.pkgwriter import PackageWriter

        steps = (PackageWriter._write_content_types_stream, PackageWriter._write_pkg_rels,
                 PackageWriter._write_parts)
    except (ImportError, AttributeError):  # another python-docx: save, then restamp
        return _save_docx_restamped(doc, target)
    # python-docx's own package writer, given a zip writer that stamps the fixed time:
    # each part is compressed once (saving and then re-zipping compressed it twice)
    for part in package.parts:
        part.before_marshal()
    parts = package.parts
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w") as dst:
        writer = _StableZip(dst)
        steps[0](writer, parts)
        steps[1](writer, package.rels)
        steps[2](writer, parts)  # type: ignore[arg-type]
    return target


#: Zip members stored as they are: images whose own format is compressed already, which
#: deflating again costs time for a few percent of their size (the default study's chapter,
#: 8 PNG figures: written in 0.22-0.32 s of CPU instead of 0.30-0.40 s, 12% larger).
_STORED_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")


def _compression(member: str) -> int:
    """How a DOCX member is zipped: stored if it is an image of :data:`_STORED_SUFFIXES`."""
    import zipfile

    stored = member.lower().endswith(_STORED_SUFFIXES)
    return zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED


class _StableZip:
    """The ``write(pack_uri, blob)`` of python-docx's zip writer, with a fixed timestamp."""

    def __init__(self, zf: Any) -> None:
        self.zf = zf

    def write(self, pack_uri: Any, blob: bytes) -> None:
        import zipfile

        info = zipfile.ZipInfo(pack_uri.membername, date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = _compression(pack_uri.membername)
        info.external_attr = 0o600 << 16  # what ZipFile.writestr(name, ...) gives
        self.zf.writestr(info, blob)


def _save_docx_restamped(doc: Any, target: Path) -> Path:
    """Save with python-docx, then rewrite every zip member with the fixed timestamp."""
    import io
    import zipfile

    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    with atomic_path(target) as tmp, zipfile.ZipFile(buffer) as src, \
            zipfile.ZipFile(tmp, "w") as dst:
        for info in src.infolist():
            stable = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            stable.compress_type = _compression(info.filename)
            stable.external_attr = info.external_attr
            dst.writestr(stable, src.read(info.filename))
    return target


def _comment(prov: str) -> str:
    """Provenance JSON safe inside an HTML comment, still valid JSON of the same record.

    ``<``, ``>`` and ``--`` (which could close the comment and open a tag) only occur
    inside JSON strings, where the ``\\u`` escapes mean the same characters.
    """
    return (prov.replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("--", "\\u002d\\u002d"))


def _tex_comment(prov: str) -> str:
    """Provenance JSON safe on a LaTeX ``%`` line: ``^^M`` would end the comment."""
    return prov.replace("^", "\\u005e")


def _attr(s: str) -> str:
    import html

    return html.escape(s, quote=True)


def _write_csv(table: Table, p: Path, values: str, prov_mode: str, prov: str) -> None:
    import csv

    import pandas as pd

    if values == "raw" and table.data is not None:
        frame = _neutralise_frame(table.data)
    else:
        frame = _neutralise_frame(pd.DataFrame(table.cells(pad=""),
                                               columns=table.flat_columns()))
    # Python's csv writer quotes only the characters of the line terminator ("\n"): a bare
    # carriage return inside a cell would split the row in readers, so then quote all text
    has_cr = any(isinstance(v, str) and "\r" in v
                 for v in [*frame.columns, *frame.to_numpy().ravel().tolist()])
    with open(p, "w", encoding="utf-8", newline="") as fh:
        if prov_mode == "comment":
            fh.write(f"# egovstudy provenance: {prov}\n")
        frame.to_csv(fh, index=False, lineterminator="\n",
                     quoting=csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL)


def _write_xlsx(table: Table, p: Path, prov: str) -> None:
    try:
        import xlsxwriter
    except ImportError:
        xlsxwriter = None
    if xlsxwriter is None:
        _import("openpyxl", "XLSX")
        _write_xlsx_openpyxl(table, p, prov)
        return
    record = json.loads(prov)
    # strings stay strings: never turned into formulas or hyperlinks
    wb = xlsxwriter.Workbook(str(p), {"nan_inf_to_errors": True, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    wb.set_properties({"title": table.caption(), "subject": table.title, "author": "egovstudy",
                       "comments": prov, "keywords": f"egovstudy {record.get('version')}",
                       "created": FIXED_DATE})
    for key in ("data_sha256", "version", "commit"):
        value = record.get(key)
        if value:
            wb.set_custom_property(f"egovstudy_{key}", str(value))
    ws = wb.add_worksheet("Table")
    bold = wb.add_format({"bold": True, "font_name": "Times New Roman", "font_size": 11})
    ital = wb.add_format({"italic": True, "font_name": "Times New Roman", "font_size": 11})
    base = {"font_name": "Times New Roman", "font_size": 11}
    head = wb.add_format({**base, "top": 1, "bottom": 1, "align": "center", "valign": "bottom",
                          "bold": True})
    span = wb.add_format({**base, "top": 1, "bottom": 1, "align": "center", "bold": True})
    cell_l = wb.add_format({**base})
    cell_r = wb.add_format({**base, "align": "right"})
    last_l = wb.add_format({**base, "bottom": 1})
    last_r = wb.add_format({**base, "bottom": 1, "align": "right"})
    bold_l = wb.add_format({**base, "bold": True})
    note = wb.add_format({**base, "font_size": 10, "text_wrap": False})
    ncol = table.display.shape[1]
    safe = neutralise_cell
    ws.write_string(0, 0, safe(table.label()), bold)
    ws.write_string(1, 0, safe(table.title), ital)
    row = 2
    headers = table.header_rows()
    if len(headers) == 2:
        col = 0
        for txt, width in headers[0]:
            if width > 1:
                ws.merge_range(row, col, row, col + width - 1, safe(txt), span)
            else:
                ws.write_string(row, col, safe(txt), span)
            col += width
        row += 1
    for j, (txt, _) in enumerate(headers[-1]):
        ws.write_string(row, j, safe(txt), head)
    row += 1
    ws.freeze_panes(row, 1)
    num = set(table.numeric_columns)
    cells = table.cells(pad="\u2007")
    number_formats: dict[tuple[str, bool], Any] = {}
    for i, r in enumerate(cells):
        last = i == len(cells) - 1
        for j, c in enumerate(r):
            if j in num:
                parsed = xlsx_number(c)
                if parsed is not None:  # the float, shown as printed by its number format
                    fkey = (parsed[1], last)
                    if fkey not in number_formats:
                        number_formats[fkey] = wb.add_format(
                            {**base, "align": "right", "num_format": parsed[1],
                             **({"bottom": 1} if last else {})})
                    ws.write_number(row, j, parsed[0], number_formats[fkey])
                    continue
                fmt = last_r if last else cell_r
            else:
                fmt = last_l if last else (bold_l if i in table.bold_rows and j == 0 else cell_l)
            if j == 0 and i in table.indent_rows:
                c = "   " + c
            ws.write_string(row, j, safe(c), fmt)
        row += 1
    if table.notes:
        ws.write_string(row + 1, 0, safe(text("note", table.language) + " "
                                         + " ".join(table.notes)), note)
    widths = [max([len(h) for h in table.flat_columns()[j:j + 1]] +
                  [len(r[j]) for r in cells]) for j in range(ncol)]
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(max(w + 2, 6), 60))
    if table.data is not None:
        ds = wb.add_worksheet("Data")
        data = table.data.reset_index(drop=True)
        for j, c in enumerate(data.columns):
            ds.write_string(0, j, safe(str(c)))
        for i, rec in enumerate(data.itertuples(index=False), start=1):
            for j, v in enumerate(rec):
                _xl_write(ds, i, j, v)
    wb.close()


_XL_NUMBER: Any = None


def xlsx_number(cell: str) -> tuple[float, str] | None:
    """A printed table number as (value, Excel number format that prints it the same way).

    ``"0.50***"`` -> ``(0.5, '0.00"***"')``, ``"-.15"`` -> ``(-0.15, '#.00')`` (no
    leading zero, APA), ``"600"`` -> ``(600.0, '0')``. Text such as ``"< .001"`` or
    ``"12.3%"`` returns None and stays text. The decimal mark may be "." or ","
    (an Excel format code always writes "."; Excel shows the reader's own mark).

    Examples
    --------
    >>> xlsx_number("0.50***"), xlsx_number("\u2212.15"), xlsx_number("< .001")
    ((0.5, '0.00"***"'), (-0.15, '#.00'), None)
    """
    import re

    global _XL_NUMBER
    if _XL_NUMBER is None:
        _XL_NUMBER = re.compile(r"([+\-\u2212]?)(\d*)(?:[.,](\d+))?(\**)")
    m = _XL_NUMBER.fullmatch(cell.strip(" \u2007\u00a0"))
    if m is None or not (m.group(2) or m.group(3)):
        return None
    sign, whole, frac, marks = m.groups()
    value = float(f"{whole or '0'}.{frac or '0'}") * (-1.0 if sign in "-\u2212" and sign else 1.0)
    code = ("0" if whole else "#") + (("." + "0" * len(frac)) if frac else "")
    if marks:
        code += f'"{marks}"'
    if sign == "+":
        code = f"+{code};-{code}"
    return value, code


def _xl_write(ws: Any, i: int, j: int, v: Any) -> None:
    from egovstudy.report.numbers import is_missing

    if isinstance(v, bool) or type(v).__name__ == "bool_":
        ws.write_boolean(i, j, bool(v))
    elif is_missing(v):
        ws.write_blank(i, j, None)
    elif isinstance(v, int | float) or type(v).__module__ == "numpy":
        try:
            ws.write_number(i, j, float(v))
        except (TypeError, ValueError):
            ws.write_string(i, j, neutralise_cell(str(v)))
    else:
        ws.write_string(i, j, neutralise_cell(str(v)))


def _write_xlsx_openpyxl(table: Table, p: Path, prov: str) -> None:  # pragma: no cover
    from openpyxl import Workbook
    from openpyxl.styles import Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Table"
    wb.properties.title = table.caption()
    wb.properties.description = prov
    wb.properties.created = FIXED_DATE
    thin = Side(style="thin")
    safe = neutralise_cell
    ws.cell(1, 1, safe(table.label())).font = Font(bold=True)
    ws.cell(2, 1, safe(table.title)).font = Font(italic=True)
    for j, h in enumerate(table.flat_columns(), start=1):
        c = ws.cell(3, j, safe(h))
        c.border = Border(top=thin, bottom=thin)
    cells = table.cells()
    for i, r in enumerate(cells, start=4):
        for j, v in enumerate(r, start=1):
            c = ws.cell(i, j, safe(v))
            if i == len(cells) + 3:
                c.border = Border(bottom=thin)
    if table.notes:
        ws.cell(len(cells) + 5, 1, safe(text("note", table.language) + " "
                                        + " ".join(table.notes)))
    wb.save(str(p))


# ---------------------------------------------------------------------------- DOCX
def _apa_document(doc: Any, language: str) -> None:
    """Times New Roman 12, language tag, no extra spacing."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Times New Roman")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), "id-ID" if language == "id" else "en-US")
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        try:
            st = doc.styles[name]
        except KeyError:
            continue
        st.font.name = "Times New Roman"
        st.font.color.rgb = None
        hr = st.element.get_or_add_rPr()
        f = hr.find(qn("w:rFonts"))
        if f is None:
            f = hr.makeelement(qn("w:rFonts"), {})
            hr.append(f)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            f.set(qn(attr), "Times New Roman")
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            if f.get(qn(attr)) is not None:
                del f.attrib[qn(attr)]
        st.paragraph_format.keep_with_next = True  # no heading alone at a page bottom
    cap = doc.styles["Caption"]  # Word builds its list of tables/figures from this style
    cap.font.name = "Times New Roman"
    cap.font.size = Pt(12)
    cap.font.bold = False
    cap.font.color.rgb = None
    cap.paragraph_format.keep_with_next = True
    cap.paragraph_format.space_before = Pt(6)
    cap.paragraph_format.space_after = Pt(6)
    _page_number_footer(doc)


def _page_number_footer(doc: Any) -> None:
    """A centred PAGE field in the footer (later sections inherit it)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = doc.sections[0].footer
    para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_field(para, "PAGE", "1")


def _add_field(para: Any, instr: str, result: str, *, bold: bool = False) -> None:
    """Append a Word field (begin / instruction / separate / shown result / end).

    The shown result is what a reader sees before Word updates the fields, so it is
    the number egovstudy computed; Word and LibreOffice recompute the same value.
    """
    from docx.oxml.ns import qn

    def run_with(child: Any) -> None:
        r = para.add_run()
        r.bold = bold or None
        r._r.append(child)

    begin = para._p.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): "begin"})
    run_with(begin)
    code = para._p.makeelement(qn("w:instrText"), {})
    code.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    code.text = f" {instr} "
    run_with(code)
    run_with(para._p.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): "separate"}))
    shown = para.add_run(result)
    shown.bold = bold or None
    run_with(para._p.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): "end"}))


def add_caption(doc: Any, word: str, number: str | None, title: str, *,
                reset: bool = False) -> Any:
    """Add an APA caption as a Word caption: bold "Table 4.1", line break, italic title.

    The number after the chapter prefix is a ``SEQ <word> \\* ARABIC`` field, so Word
    (References > Insert Table of Figures) lists the tables and figures; ``reset``
    restarts the sequence at the printed number (a table written on its own).
    """
    from docx.enum.text import WD_BREAK

    para = doc.add_paragraph(style="Caption")
    para.paragraph_format.keep_with_next = True
    prefix, _, last = (number or "").rpartition(".")
    if number and last.isdigit():
        para.add_run(f"{word} {prefix}{'.' if prefix else ''}").bold = True
        _add_field(para, f"SEQ {word} \\* ARABIC" + (f" \\r {last}" if reset else ""),
                   last, bold=True)
    else:
        para.add_run(f"{word} {number}" if number else word).bold = True
    para.add_run().add_break(WD_BREAK.LINE)
    add_rich_text(para, title, italic=True)
    return para


def add_rich_text(para: Any, text_: str, *, header: bool = False, italic: bool = False,
                  bold: bool = False, size: float | None = None) -> None:
    """Append ``text_`` as runs with the statistical symbols in italics (APA 7)."""
    from docx.shared import Pt

    from egovstudy.report.symbols import split_italic

    for piece, it in split_italic(text_, header=header):
        run = para.add_run(piece)
        run.italic = (it or italic) or None
        run.bold = bold or None
        if size is not None:
            run.font.size = Pt(size)


def _set_core(doc: Any, *, title: str, prov: str, language: str) -> None:
    cp = doc.core_properties
    cp.title = title
    cp.author = "egovstudy"
    cp.last_modified_by = "egovstudy"
    record = json.loads(prov) if prov.startswith("{") else {}
    short = (f"egovstudy {record.get('version', '')}; data_sha256={record.get('data_sha256')}; "
             f"commit={record.get('commit')}")
    cp.comments = short[:255]
    cp.keywords = "egovstudy"
    cp.subject = f"commit={record.get('commit')}"[:255]
    _custom_properties(doc, {"egovstudy_provenance": prov,
                             "egovstudy_data_sha256": str(record.get("data_sha256")),
                             "egovstudy_version": str(record.get("version")),
                             "egovstudy_commit": str(record.get("commit"))})
    cp.language = "id-ID" if language == "id" else "en-US"
    cp.created = FIXED_DATE
    cp.modified = FIXED_DATE
    cp.revision = 1


_CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_RT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
              "custom-properties")


def _custom_properties(doc: Any, props: Mapping[str, str]) -> None:
    """Add (or replace) docProps/custom.xml with string properties (no length limit)."""
    from xml.sax.saxutils import escape

    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    body = "".join(
        f'<property fmtid="{fmtid}" pid="{i}" name="{escape(k)}"><vt:lpwstr>{escape(v)}'
        f"</vt:lpwstr></property>" for i, (k, v) in enumerate(props.items(), start=2))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
           'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
           f'docPropsVTypes">{body}</Properties>')
    package = doc.part.package
    for rel in list(package.rels.values()):
        if rel.reltype == _CUSTOM_RT:
            rel.target_part._blob = xml.encode("utf-8")
            return
    part = Part(PackURI("/docProps/custom.xml"), _CUSTOM_CT, xml.encode("utf-8"), package)
    package.relate_to(part, _CUSTOM_RT)


def read_docx_provenance(path: str | Path) -> dict[str, Any]:
    """Return the provenance record embedded in a DOCX written by egovstudy."""
    import re
    import zipfile
    from xml.sax.saxutils import unescape

    with zipfile.ZipFile(path) as zf:
        if "docProps/custom.xml" not in zf.namelist():
            raise OutputError(f"{path} carries no egovstudy provenance (docProps/custom.xml)")
        xml = zf.read("docProps/custom.xml").decode("utf-8")
    m = re.search(r'name="egovstudy_provenance"><vt:lpwstr>(.*?)</vt:lpwstr>', xml, re.S)
    if m is None:
        raise OutputError(f"{path} carries no egovstudy_provenance property")
    return json.loads(unescape(m.group(1)))


def _borders(element: Any, spec: Mapping[str, tuple[str, int]], tag: str) -> None:
    """Set w:tblBorders / w:tcBorders: spec side -> (val, size in eighths of a point)."""
    from docx.oxml.ns import qn

    container = element.find(qn(tag))
    if container is None:
        container = element.makeelement(qn(tag), {})
        element.append(container)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if side not in spec:
            continue
        val, size = spec[side]
        node = container.find(qn(f"w:{side}"))
        if node is None:
            node = container.makeelement(qn(f"w:{side}"), {})
            container.append(node)
        node.set(qn("w:val"), val)
        node.set(qn("w:sz"), str(size))
        node.set(qn("w:space"), "0")
        node.set(qn("w:color"), "000000")


TABLE_FONT_PT = 10.0  #: one font size for every table (APA 7 allows 8-12 pt; Word default)
PORTRAIT_CM = 16.0  #: text block of an A4 portrait page with 2.5 cm margins
LANDSCAPE_CM = 24.7


def _cell_text(cell: Any, value: str, *, align: str, bold: bool = False,
               italic: bool = False, indent: bool = False, size: float = TABLE_FONT_PT,
               header: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    para = cell.paragraphs[0]
    para.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                      "center": WD_ALIGN_PARAGRAPH.CENTER}[align]
    pf = para.paragraph_format
    pf.space_before = Pt(1)
    pf.space_after = Pt(1)
    pf.line_spacing = 1.0
    if indent:
        pf.left_indent = Pt(10)
    if header or align == "left":  # headers, criteria ("p > .05"): symbols in italics
        add_rich_text(para, value, header=header, bold=bold, italic=italic, size=size)
        return
    from egovstudy.report.symbols import typeset

    run = para.add_run(typeset(value))  # ≥, ≤ and minus signs
    run.bold = bold
    run.italic = italic
    run.font.size = Pt(size)


def _char_cm(size: float, *, numeric: bool = False) -> float:
    """Width of a character (cm) at ``size`` pt: Times New Roman digits, stars and the
    figure space are 0.5 em; its text averages ~0.45 em, 0.55 em leaves room for capitals."""
    return (0.5 if numeric else 0.55) * size * 2.54 / 72


NARROW_MARGIN_CM = 0.08  #: cell margins of a table that fits no page with Word's 0.19 cm


def _widths_needed(table: Table, cells: list[list[str]], size: float, *,
                   pad: float = 0.5) -> tuple[list[float], list[float]]:
    """(natural, minimum) column widths in cm at ``size`` pt.

    The natural width holds the longest cell on one line (text columns capped at 40
    characters); the minimum holds the longest word, so a cell wraps only at spaces
    (never "Keputusa/n"). Numbers never wrap. 0.5 cm holds the cells' left+right margins
    (0.19 cm each in Word and LibreOffice) and a little slack.
    """
    heads = table.header_rows()[-1]
    num = set(table.numeric_columns)
    natural: list[float] = []
    minimum: list[float] = []
    for j in range(table.display.shape[1]):
        col = [r[j] for r in cells] + [heads[j][0]]
        indent = 2 if j == 0 and table.indent_rows else 0
        per = _char_cm(size, numeric=j in num)
        if j in num:
            longest = max(len(c) for c in col)
            word = longest
        else:
            longest = min(max(len(c) for c in col), 40)
            word = max((len(w) for c in col for w in c.split()), default=1)
            longest = max(longest, word)
        natural.append((longest + indent) * per + pad)
        minimum.append((word + indent) * per + pad)
    return natural, minimum


def _column_widths(table: Table, cells: list[list[str]], font_size: float, *,
                   available_cm: float) -> tuple[list[float], bool]:
    """Column widths (cm) from the content, fitting ``available_cm``; True: narrow margins.

    Text columns shrink towards their longest word first; numbers keep their width.
    A table that fits no other way gets narrow cell margins (:data:`NARROW_MARGIN_CM`);
    the font size is never changed: every table uses :data:`TABLE_FONT_PT`.
    """
    available_cm -= 0.02  # Word stores widths in whole twips: rounding must not overflow
    for narrow, pad in ((False, 0.5), (True, 2 * NARROW_MARGIN_CM + 0.12)):
        natural, minimum = _widths_needed(table, cells, font_size, pad=pad)
        total = sum(natural)
        if total <= available_cm:
            return natural, narrow
        slack = [n - m for n, m in zip(natural, minimum)]
        excess = total - available_cm
        if sum(slack) >= excess:
            k = excess / sum(slack)
            return [n - s * k for n, s in zip(natural, slack)], narrow
    # wider than the landscape text block even at its words: scale (cells may wrap)
    return [m * available_cm / sum(minimum) for m in minimum], True


def needs_landscape(table: Table, *, available_cm: float = PORTRAIT_CM,
                    font_size: float = TABLE_FONT_PT) -> bool:
    """True when the table cannot fit a portrait text block even with wrapped text."""
    _, minimum = _widths_needed(table, table.cells(), font_size)
    return sum(minimum) > available_cm


def _orient(doc: Any, landscape: bool, *, new_section: bool = True) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Cm

    sec = doc.add_section(WD_SECTION.NEW_PAGE) if new_section else doc.sections[-1]
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long_side, short_side = Cm(29.7), Cm(21.0)
    sec.page_width, sec.page_height = ((long_side, short_side) if landscape
                                       else (short_side, long_side))
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(2.5))


def _run_xml(value: str, *, bold: bool | None, italic: bool | None, size: float) -> str:
    """One ``w:r`` as python-docx's ``add_run`` + bold/italic/size setters write it."""
    from xml.sax.saxutils import escape

    props = ""
    if bold is not None:
        props += "<w:b/>" if bold else '<w:b w:val="0"/>'
    if italic is not None:
        props += "<w:i/>" if italic else '<w:i w:val="0"/>'
    props += f'<w:sz w:val="{round(size * 2)}"/>'
    body = []
    for piece in _RUN_SPLIT.split(value):
        if piece == "\t":
            body.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            body.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            body.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return f"<w:r><w:rPr>{props}</w:rPr>{''.join(body)}</w:r>"


def _cell_xml(value: str, *, width: int, align: str, keep: bool, span: int = 1,
              border: bool = False, bold: bool = False, indent: bool = False,
              size: float = TABLE_FONT_PT, header: bool = False) -> str:
    """One ``w:tc``: the XML :func:`_cell_text` and python-docx's setters produce."""
    from egovstudy.report.symbols import split_italic, typeset

    pr = f'<w:tcW w:type="dxa" w:w="{width}"/>'
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if border:
        pr += ('<w:tcBorders><w:bottom w:val="single" w:sz="4" w:space="0" '
               'w:color="000000"/></w:tcBorders>')
    ppr = ("<w:keepNext/>" if keep else "") + _SPACING
    if indent:
        ppr += '<w:ind w:left="200"/>'
    ppr += f'<w:jc w:val="{align}"/>'
    if header or align == "left":  # headers, criteria ("p > .05"): symbols in italics
        runs = "".join(_run_xml(piece, bold=bold or None, italic=it or None, size=size)
                       for piece, it in split_italic(value, header=header))
    else:
        runs = _run_xml(typeset(value), bold=bold, italic=False, size=size)  # ≥, ≤, minus
    return f"<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p></w:tc>"


_SPACING = '<w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/>'
_RUN_SPLIT = re.compile(r"(\t|\r|\n)")


def add_table_to_docx(doc: Any, table: Table, *, font_size: float = TABLE_FONT_PT,
                      available_cm: float = PORTRAIT_CM, reset_number: bool = False) -> Any:
    """Append ``table`` to a python-docx Document in APA 7 style and return the Word table.

    A Word caption (bold "Table 4.1" with a SEQ field, italic title) kept with the
    table, rules only above and below the header and at the bottom (no vertical
    rules), statistical symbols of the headers in italics, numbers right-aligned on
    a common decimal position (figure-space padding), notes in "*Note.*" style below.
    Rows never split across pages, the header rows repeat, and a table of up to
    30 rows is kept on one page. ``reset_number`` restarts Word's numbering at this
    table's number (a table written on its own).

    Notes
    -----
    The ``w:tbl`` element is written as one XML string and parsed once: python-docx's
    cell API (``cell.paragraphs``, ``paragraph_format``, ``add_run``) looks up or adds
    each child element one call at a time, which made the tables most of the time of
    writing a chapter. The XML is the same as those calls write (a test builds a table
    both ways and compares).
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Cm, Pt
    from docx.table import Table as WordTable

    add_caption(doc, text("table", table.language), table.number, table.title,
                reset=reset_number)

    headers = table.header_rows()
    cells = table.cells()
    widths, narrow = _column_widths(table, cells, font_size, available_cm=available_cm)
    twips = [Cm(w).twips for w in widths]
    num = set(table.numeric_columns)
    n_rows = len(headers) + len(cells)
    keep_whole = n_rows <= 30
    border = '<w:{0} w:val="{1}" w:sz="{2}" w:space="0" w:color="000000"/>'
    rules = "".join(border.format(side, *spec) for side, spec in (
        ("top", ("single", 8)), ("left", ("nil", 0)), ("bottom", ("single", 8)),
        ("right", ("nil", 0)), ("insideH", ("nil", 0)), ("insideV", ("nil", 0))))
    margins = ""
    if narrow:
        m = int(NARROW_MARGIN_CM * 567)
        margins = (f'<w:tblCellMar><w:left w:w="{m}" w:type="dxa"/>'
                   f'<w:right w:w="{m}" w:type="dxa"/></w:tblCellMar>')
    out = [f"<w:tbl {nsdecls('w')}><w:tblPr>"
           '<w:tblW w:type="auto" w:w="0"/><w:jc w:val="left"/>'
           f'<w:tblLayout w:type="fixed"/>{margins}'
           '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
           f'w:noHBand="0" w:noVBand="1" w:val="04A0"/><w:tblBorders>{rules}</w:tblBorders>'
           "</w:tblPr><w:tblGrid>"]
    out += [f'<w:gridCol w:w="{t}"/>' for t in twips]
    out.append("</w:tblGrid>")
    for h, row in enumerate(headers):  # header rows: repeated, kept with the first row
        out.append("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>")
        col = 0
        for txt, span in row:
            out.append(_cell_xml(txt, width=Cm(sum(widths[col:col + span])).twips,
                                 align="center" if (span > 1 or col in num) else "left",
                                 keep=True, span=span, size=font_size, header=True,
                                 border=h == len(headers) - 1 or bool(txt and span > 1)))
            col += span
        out.append("</w:tr>")
    for i, cell_row in enumerate(cells):
        keep = keep_whole and len(headers) + i < n_rows - 1
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        out += [_cell_xml(value, width=twips[j], align="right" if j in num else "left",
                          keep=keep, bold=(j == 0 and i in table.bold_rows),
                          indent=(j == 0 and i in table.indent_rows), size=font_size)
                for j, value in enumerate(cell_row)]
        out.append("</w:tr>")
    out.append("</w:tbl>")
    tbl = parse_xml("".join(out))
    doc.element.body._insert_tbl(tbl)  # where Document.add_table puts it (before sectPr)
    wt = WordTable(tbl, doc._body)
    if table.notes:
        para = doc.add_paragraph()
        para.paragraph_format.space_before = Pt(4)
        note = para.add_run(text("note", table.language) + " ")
        note.italic = True
        note.font.size = Pt(font_size)
        add_rich_text(para, " ".join(table.notes), size=font_size)
    return wt
