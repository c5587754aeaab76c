"""What every section of the chapter reads and shares: inputs, data, labels, results so far."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from egovstudy.report.document import Document

__all__ = ["Context"]


@dataclass
class Context:
    """The state one language's chapter is built from, passed to every section's ``build``.

    ``data``, ``cb`` and ``citems`` may be replaced by a section (the instrument section
    drops invalid items when the study says so); later sections read the new ones.
    ``models``, ``tables``, ``figures``, ``rows`` and ``discussion`` collect what later
    sections cite (fits, table and figure numbers, hypothesis rows, Pembahasan entries).
    """

    doc: Document
    inp: Any
    cache: dict[str, Any]
    data: Any = None
    cb: Any = None
    citems: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, str | None] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    discussion: list[dict[str, Any]] = field(default_factory=list)

    @property
    def survey(self) -> Any:
        """The survey the chapter is about (its data before any item is dropped)."""
        return self.inp.survey

    @property
    def language(self) -> str:
        return self.doc.language

    @property
    def decimal(self) -> str:
        return self.doc.decimal

    def memo(self, key: str, thunk: Callable[[], Any]) -> Any:
        """Analyses run once; every language formats the same results."""
        if key not in self.cache:
            with warnings.catch_warnings():
                if self.cache.get("_seen_" + key):
                    warnings.simplefilter("ignore")
                self.cache[key] = thunk()
        return self.cache[key]

    def lab(self, name: Any) -> str:
        """A construct's label in the chapter's language (the name if it has none)."""
        return self.labels.get(str(name), str(name))

    def unit_label(self, column: str) -> str:
        """The cluster column as the codebook labels it (no column name is assumed)."""
        var = self.cb.variables.get(column)
        if var is not None and var.label:
            return str(var.label.get(self.language) or var.label.get("en") or column)
        if column in ("agency", "region"):  # the codebook's columns.agency / columns.region
            return self.doc.t(f"unit_{column}")
        return self.labels.get(column, column)

    def item_label(self, item: Any) -> str:
        """An item as a table prints it: its code in capitals ("HRQ1")."""
        return str(item).upper()

    def plot(self) -> tuple[Any, Any, Any]:
        """``(pyplot, figures module, house_style)`` imported on first use."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        from egovstudy.report import figures
        from egovstudy.report.style import house_style

        return plt, figures, house_style


def construct_labels(cb: Any, language: str) -> dict[str, str]:
    """``construct name -> label`` in ``language`` (English, then the name, as fallback)."""
    out = {}
    for name, con in cb.constructs.items():
        if isinstance(con.label, Mapping):
            out[name] = str(con.label.get(language) or con.label.get("en") or name)
        else:
            out[name] = name
    return out


def joined(values: Iterable[Any]) -> str:
    """``"a, b, c"``."""
    return ", ".join(str(v) for v in values)
