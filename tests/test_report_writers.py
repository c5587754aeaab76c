"""write_table: every format, provenance, APA-style DOCX, and the bad-input errors."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from egovstudy.errors import MissingDependencyError, OutputError
from egovstudy.report.tables import Table, regression_table
from egovstudy.report.writers import read_docx_provenance, write_table


@pytest.fixture()
def table() -> Table:
    m1 = pd.DataFrame({"term": ["Intercept", "x"], "estimate": [1.0, 0.5],
                       "std_error": [0.2, 0.1], "statistic": [5.0, 5.0],
                       "p_value": [0.001, 0.0001], "std_estimate": [float("nan"), 0.41]})
    m2 = pd.concat([m1, pd.DataFrame({"term": ["z"], "estimate": [-0.2], "std_error": [0.1],
                                      "statistic": [-2.0], "p_value": [0.04],
                                      "std_estimate": [-0.15]})], ignore_index=True)
    fits = {"Model 1": {"r2": 0.2, "adj_r2": 0.19, "f": 25.0, "f_p_value": 1e-5, "n": 100},
            "Model 2": {"r2": 0.23, "adj_r2": 0.21, "f": 14.0, "f_p_value": 1e-5, "n": 100}}
    t = regression_table({"Model 1": m1, "Model 2": m2}, fit_stats=fits, language="id")
    return t.with_number("4.2").with_provenance(data_sha256="ab" * 32)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx", ".tex", ".md", ".html"])
def test_every_format_carries_caption_and_provenance(table: Table, tmp_path: Path,
                                                     suffix: str) -> None:
    out = write_table(table, tmp_path / f"t{suffix}")
    assert out.exists() and out.stat().st_size > 0
    if suffix == ".csv":
        back = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert back.columns.tolist()[:4] == ["Prediktor", "Model 1 b", "Model 1 SE", "Model 1 β"]
        assert back.iloc[1, 1] == "0.50***"
        prov = json.loads((tmp_path / "t.csv.json").read_text(encoding="utf-8"))
        assert prov["data_sha256"] == "ab" * 32 and prov["table"] == "Tabel 4.2"
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(out)
        ws = wb["Table"]
        assert ws["A1"].value == "Tabel 4.2"
        assert "ab" * 32 in (wb.properties.description or "")
        assert ws["A3"].border.top.style == "thin"  # APA rule above the header
        assert "Data" in wb.sheetnames
    elif suffix == ".docx":
        import docx

        d = docx.Document(str(out))
        # one Word caption paragraph: bold "Tabel 4.2" (SEQ field), line break, italic title
        assert d.paragraphs[0].text == "Tabel 4.2\nModel Regresi" and d.paragraphs[0].runs[0].bold
        assert d.paragraphs[0].style.name == "Caption" and d.paragraphs[0].runs[-1].italic
        assert d.paragraphs[-1].text.startswith("Catatan.")
        assert len(d.tables) == 1
        xml = d.tables[0]._tbl.xml
        # APA: top and bottom rules, no vertical rules, no inside horizontal rules
        assert '<w:top w:val="single"' in xml and '<w:bottom w:val="single"' in xml
        for side in ("left", "right", "insideV", "insideH"):
            assert f'<w:{side} w:val="nil"' in xml
        assert read_docx_provenance(out)["data_sha256"] == "ab" * 32
        cells = [c.text for c in d.tables[0].rows[3].cells]
        assert cells[0] == "x" and cells[1].startswith("0.50***")
    else:
        txt = out.read_text(encoding="utf-8")
        assert "ab" * 32 in txt.splitlines()[0]  # provenance comment on the first line
        assert "Tabel 4.2" in txt
        if suffix == ".tex":
            assert r"\toprule" in txt and r"\cmidrule(lr){2-4}" in txt


def test_csv_raw_values_and_comment_mode(table: Table, tmp_path: Path) -> None:
    out = write_table(table, tmp_path / "raw.csv", csv_values="raw", csv_provenance="comment")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# egovstudy provenance:")
    back = pd.read_csv(out, comment="#")
    assert back.loc[(back["model"] == "Model 1") & (back["term"] == "x"), "estimate"].item() == 0.5
    assert not (tmp_path / "raw.csv.json").exists()


def test_existing_path_needs_overwrite(table: Table, tmp_path: Path) -> None:
    p = tmp_path / "t.md"
    write_table(table, p)
    with pytest.raises(OutputError, match=r"t\.md already exists; pass overwrite=True"):
        write_table(table, p)
    write_table(table, p, overwrite=True)
    # a CSV whose provenance sidecar exists is refused too
    (tmp_path / "c.csv.json").write_text("{}", encoding="utf-8")
    with pytest.raises(OutputError, match=r"c\.csv\.json already exists"):
        write_table(table, tmp_path / "c.csv")


def test_unknown_format_names_allowed(table: Table, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"'\.pptx'.*csv, docx, html, md, tex, xlsx"):
        write_table(table, tmp_path / "t.pptx")
    with pytest.raises(OutputError, match=r"format='rtf' is not supported"):
        write_table(table, tmp_path / "t.txt", format="rtf")
    out = write_table(table, tmp_path / "t.txt", format="markdown")
    assert out.read_text(encoding="utf-8").count("|") > 10


def test_missing_optional_dependency(table: Table, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx -> ImportError
    with pytest.raises(MissingDependencyError, match="python-docx"):
        write_table(table, tmp_path / "t.docx")
    assert not (tmp_path / "t.docx").exists()


def test_docx_opens_as_zip_with_custom_properties(table: Table, tmp_path: Path) -> None:
    out = write_table(table, tmp_path / "t.docx", language="en")
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert "docProps/custom.xml" in names
        ct = zf.read("[Content_Types].xml").decode()
        assert "custom-properties+xml" in ct
        core = zf.read("docProps/core.xml").decode()
        assert "2000-01-01" in core  # fixed dates: no wall-clock time in the file
    import docx

    assert docx.Document(str(out)).paragraphs[0].text.split("\n")[0] == "Table 4.2"


# ---------------------------------------------------------------------------- escaped exports
# Payloads from the OWASP "CSV Injection" page (https://owasp.org/www-community/attacks/
# CSV_Injection): a cell that begins with =, +, -, @, tab or carriage return is run as a
# formula by Excel/LibreOffice; OWASP's fix is a leading single quote. Plus HTML payloads.
FORMULA_PAYLOADS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                    "\t=1", "\r=1"]
HTML_PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
PAYLOADS = FORMULA_PAYLOADS + HTML_PAYLOADS


def _payload_table(payload: str) -> Table:
    from egovstudy.report.tables import frame_table

    frame = pd.DataFrame({"construct": [payload, "plain"], "estimate": [-0.52, 0.31]})
    t = frame_table(frame, title=payload, notes=(payload,), language="en")
    return t.with_number("4.9")


def _formula_like(cell: str) -> bool:
    """True when a spreadsheet would run ``cell`` as a formula (OWASP's list of first chars)."""
    from egovstudy._output import _NUMBER

    body = cell.lstrip(" \u2007\u00a0")
    return body.startswith(("=", "+", "-", "@", "\t", "\r")) and not _NUMBER.fullmatch(body)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("csv_values", ["formatted", "raw"])
def test_csv_cells_are_neutralised(tmp_path: Path, payload: str, csv_values: str) -> None:
    import csv

    out = write_table(_payload_table(payload), tmp_path / "t.csv", csv_values=csv_values)  # type: ignore[arg-type]
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if _formula_like(c)]
    expected = "'" + payload if payload in FORMULA_PAYLOADS else payload
    assert rows[1][0] == expected  # the text survives, only defused
    assert rows[1][1] in ("-0.52", "\u22120.52")  # a negative number is not touched


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_cells_are_strings_never_formulas(tmp_path: Path, payload: str) -> None:
    from openpyxl import load_workbook

    out = write_table(_payload_table(payload), tmp_path / "t.xlsx")
    wb = load_workbook(out)
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    value = cell.value.replace("_x000D_", "\r")  # OOXML's escape of CR
                    assert not _formula_like(value), (ws.title, cell.coordinate)
                    seen.append(value)
    expected = "'" + payload if payload in FORMULA_PAYLOADS else payload
    assert wb["Table"]["A2"].value.replace("_x000D_", "\r") == expected  # title: was a formula
    assert expected in seen
    data = wb["Data"]
    assert data["B2"].data_type == "n" and data["B2"].value == -0.52  # numbers stay numbers


@pytest.mark.parametrize("payload", [*PAYLOADS, r"\input{/etc/passwd}"])
@pytest.mark.parametrize("suffix", [".md", ".html", ".tex", ".docx"])
def test_markup_formats_escape_the_payload(tmp_path: Path, payload: str, suffix: str) -> None:
    out = write_table(_payload_table(payload), tmp_path / f"t{suffix}")
    if suffix == ".docx":
        import docx

        d = docx.Document(str(out))
        from egovstudy.report.symbols import typeset

        texts = [p.text for p in d.paragraphs] + [c.text for c in d.tables[0].rows[1].cells]
        shown = typeset(payload)  # APA signs: "-2+3" prints with a minus sign "−2+3"
        assert shown.replace("\r", "\n") in texts or shown in texts  # plain text, no field
        return
    txt = out.read_text(encoding="utf-8")
    if suffix == ".tex":  # the provenance line is a % comment: TeX reads none of it
        txt = "\n".join(line for line in txt.splitlines() if not line.startswith("%"))
    low = txt.lower()
    assert "<script" not in low and "<img" not in low  # no tag can open
    if suffix != ".md":  # Markdown keeps the inert text readable: "&lt;img ... alert(1)>"
        assert "onerror=alert(1)>" not in low
    if suffix in (".md", ".html") and payload.startswith("<"):
        assert "&lt;" + payload[1:6] in txt  # shown as text
    if suffix == ".tex":
        assert r"\input{" not in txt
        if payload.startswith("\\"):
            assert r"\textbackslash{}input\{/etc/passwd\}" in txt


def test_markdown_control_characters_are_escaped() -> None:
    from egovstudy.report.tables import _md_escape

    assert _md_escape("a|b *c* _d_ [e](f) `g` #h ~i~ <j> & k") == (
        r"a\|b \*c\* \_d\_ \[e\](f) \`g\` \#h \~i\~ &lt;j> & k")
    assert _md_escape("one\ntwo") == "one two"  # a line break cannot end the table row


def test_provenance_comments_cannot_be_closed_by_a_title(tmp_path: Path) -> None:
    # an HTML comment ends at "-->"; a TeX % comment ends at ^^M (TeX reads ^^M as a newline)
    title = "--><script>alert(1)</script>^^M\\input{/etc/passwd}"
    for suffix in (".md", ".html", ".tex"):
        out = write_table(_payload_table(title), tmp_path / f"p{suffix}")
        first = out.read_text(encoding="utf-8").splitlines()[0]
        if suffix == ".tex":
            assert "^^" not in first
        else:
            assert "-->" not in first[:-3] and "<script" not in first
        body = first.removeprefix("<!-- egovstudy provenance: ").removeprefix(
            "% egovstudy provenance: ").removesuffix(" -->")
        assert json.loads(body)["title"] == title  # still the exact record


def test_markdown_numbers_keep_their_significance_stars() -> None:
    from egovstudy.report.tables import _md_escape

    assert _md_escape("\u20070.249***") == "\u20070.249***"
    assert _md_escape("-.02") == "-.02"
    assert _md_escape("2 * 3") == r"2 \* 3"  # not a number: escaped


# ---------------------------------------------------------------------------- APA 7 exports
def test_xlsx_numbers_are_numbers_printed_the_apa_way(table: Table, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from egovstudy.report.writers import xlsx_number

    out = write_table(table, tmp_path / "t.xlsx")
    ws = load_workbook(out)["Table"]
    assert ws.freeze_panes == "B5"  # label, title, spanner and header rows stay in view
    assert all(ws.cell(4, j).font.b for j in range(1, 8))  # header row bold
    body = list(ws.iter_rows(min_row=5, max_row=5 + len(table.cells()) - 1))
    num = set(table.numeric_columns)
    kinds = {cell.data_type for row in body for j, cell in enumerate(row) if j in num
             and cell.value not in (None, "")}
    assert kinds == {"n"}  # every numeric cell holds a float
    x = body[1]  # row "x": b = 0.50***, SE = 0.10, beta = .41 (no leading zero, APA)
    assert (x[1].value, x[1].number_format) == (0.5, '0.00"***"')
    assert (x[3].value, x[3].number_format) == (0.41, "#.00")
    # the formats print what the table prints
    assert xlsx_number("\u2212.150") == (-0.15, "#.000")
    assert xlsx_number("< .001") is None and xlsx_number("12.3%") is None


def test_markdown_two_level_header_keeps_the_spanner(table: Table) -> None:
    md = table.to_markdown()
    header = next(ln for ln in md.splitlines() if ln.startswith("| "))
    # never "Model 1 b" next to "Model 2 b": the spanner is joined with a colon, symbols italic
    assert "Model 1: *b*" in header and "Model 2: *SE*" in header
    assert "Model 1 b" not in header


def _compile(tmp_path: Path, body: str) -> None:
    import shutil
    import subprocess

    exe = shutil.which("pdflatex")
    if exe is None:
        pytest.skip("pdflatex is not on PATH (apt-get install texlive-latex-recommended)")
    doc = ("\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n"
           "\\usepackage{booktabs,longtable,graphicx,lscape}\n\\begin{document}\n"
           + body + "\n\\end{document}\n")
    (tmp_path / "doc.tex").write_text(doc, encoding="utf-8")
    proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-2000:]
    log = (tmp_path / "doc.log").read_text(encoding="latin-1")
    assert "Overfull \\hbox" not in log, log[log.index("Overfull"):][:300]


def test_latex_compiles_with_pdflatex(table: Table, tmp_path: Path) -> None:
    from egovstudy.report.tables import frame_table

    tex = table.to_latex()
    assert r"\textit{SE}" in tex and "$-$" in tex  # italic symbols, minus sign
    special = frame_table(pd.DataFrame({
        "rule": ["age ≥ 17 & ≤ 60", "50% of {x}_1 $ # ^ ~ \\ – “q” …", "Kategori χ² Δ ± ×"],
        "value": [0.5, -1.25, 3.0]}), title="Rules ≥ & χ²", notes=("p < .05 ≥ ≤",))
    long = frame_table(pd.DataFrame({"item": [f"item {i}" for i in range(45)],
                                     **{f"statistic {k}": [0.123456] * 45 for k in range(4)}}),
                       title="Long and wide")
    assert "≥" not in special.to_latex() and r"$\geq$" in special.to_latex()
    assert r"\begin{longtable}" in long.to_latex()
    wide = frame_table(pd.DataFrame({f"a long column name {k}": [123.456] for k in range(9)}),
                       title="Wide")
    assert r"\resizebox{\textwidth}" in wide.to_latex()
    _compile(tmp_path, "\n".join(t.to_latex() for t in (table, special, long, wide)))


def test_docx_caption_field_page_number_and_widths(table: Table, tmp_path: Path) -> None:
    import docx

    from egovstudy.report.tables import frame_table

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    d = docx.Document(str(write_table(table, tmp_path / "t.docx")))
    cap = d.paragraphs[0]
    instr = " ".join(t.text for t in cap._p.iter(f"{w}instrText")).split()
    # a table written alone restarts Word's numbering at its own number (Tabel 4.2)
    assert instr == ["SEQ", "Tabel", "\\*", "ARABIC", "\\r", "2"]
    footer = " ".join(t.text for t in d.sections[0].footer._element.iter(f"{w}instrText"))
    assert footer.split() == ["PAGE"]
    rows = d.tables[0]._tbl.tr_lst
    assert all(tr.trPr is not None and tr.trPr.find(f"{w}cantSplit") is not None for tr in rows)
    # "Keputusan" never breaks inside the word: a column is at least as wide as its longest word
    frame = pd.DataFrame({"Keputusan akhir penelitian": ["Keputusan"] * 3,
                          **{f"statistic {k}": [0.123456] * 3 for k in range(14)}})
    wide = frame_table(frame, title="Wide", language="id").with_number("4.3")
    d2 = docx.Document(str(write_table(wide, tmp_path / "w.docx")))
    sec = d2.sections[0]
    assert sec.page_width > sec.page_height  # 15 columns cannot fit a portrait page
    grid = [int(g.get(f"{w}w")) for g in d2.tables[0]._tbl.iter(f"{w}gridCol")]
    text_block = sec.page_width - sec.left_margin - sec.right_margin
    assert sum(grid) * 635 <= text_block
    per_char = 0.5 * 10 / 72 * 1440  # twips of a 10 pt Times New Roman digit (0.5 em)
    assert grid[0] >= len("Keputusan") * per_char
