"""Warm-up of the writer workers' fork server: imported once, it readies what every save needs.

A worker forked from the fork server (:func:`egovstudy.report.save._worker_context`)
inherits the server's memory. Importing this module there draws one small figure in the
house style and saves it, in memory, as PNG, SVG and PDF (fonts found and loaded, the
glyph caches, fontTools' subsetter, PDFium and the PNG encoder ready), and writes a
one-cell table as DOCX and XLSX (python-docx's template and xlsxwriter loaded), so that
no worker pays these first-use costs again: measured on the default study, a worker's
first figure took 0.5-0.8 s of CPU more than the same figure saved second.

Nothing is written to disk, and a failure here only leaves the workers cold (the fork
server ignores a preload module that fails to import).
"""

from __future__ import annotations

import io


def warm() -> None:
    """Draw, save and write once in memory (see the module's description)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from egovstudy.report.raster import pdf_page_pixels, write_png
    from egovstudy.report.save import PRINT_RC, _lean_pdf_fonts
    from egovstudy.report.style import house_style

    with house_style(), matplotlib.rc_context(PRINT_RC):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(2, 1.5))
        ax.bar(["a", "b"], [1.0, 2.5], label="0,5 \u2212 \u03b1")
        ax.set_title("Warm-up", fontweight="bold")
        ax.set_xlabel("x (%)")
        ax.legend()
        ax.annotate("r = .42***", (0, 1))
        fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg measures a box
        fig.savefig(io.BytesIO(), format="svg", dpi=72)
        pdf = io.BytesIO()
        with _lean_pdf_fonts():
            fig.savefig(pdf, format="pdf", dpi=72)
        write_png(io.BytesIO(), pdf_page_pixels(pdf.getvalue(), 72), dpi=72)
        plt.close(fig)
    import docx
    import xlsxwriter

    docx.Document().save(io.BytesIO())
    book = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    book.add_worksheet().write(0, 0, "x")
    book.close()


warm()
