"""The file formats of the report, one constant each, shared by the Python API and the CLI.

Examples
--------
>>> FIGURE_FORMATS
('png', 'svg', 'pdf')
"""

from __future__ import annotations

__all__ = ["CHAPTER_FORMATS", "FIGURE_FORMATS", "TABLE_FORMATS"]

#: Chapter documents :func:`~egovstudy.report.results_chapter` writes.
CHAPTER_FORMATS: tuple[str, ...] = ("docx", "md", "html")
#: Figure files of a chapter or a study run (PNG first: the documents embed it).
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: Table files a study run may write besides the chapter.
TABLE_FORMATS: tuple[str, ...] = ("csv", "xlsx", "docx", "tex", "md", "html")
