"""The codebook: items, constructs, scales and labels of an instrument.

A codebook describes a questionnaire once (see ``docs/codebook.md``): which
export column holds which item, the item's construct, wording (Indonesian and
English), answer scale, reverse keying and missing codes; how constructs are
scored; which columns hold the respondent id, the timestamp, the agency and the
region. :func:`read_codebook` reads it from YAML (safe loader: a codebook can
never run code) or from an Excel workbook and validates it; every error names
the entry at fault and the fix.

Examples
--------
>>> cb = Codebook.from_dict({
...     "columns": {"id": "NIP"},
...     "items": [{"name": "q1", "column": "Q1", "construct": "c", "scale": "agree5"},
...               {"name": "q2", "column": "Q2", "construct": "c", "scale": "agree5",
...                "reverse": True}],
...     "constructs": [{"name": "c", "items": ["q1", "q2"]}],
... })
>>> cb.items["q2"].reverse, cb.scales["agree5"].values
(True, [1, 2, 3, 4, 5])
>>> cb.scales["agree5"].labels["id"][0]
'Sangat Tidak Setuju'
"""

from __future__ import annotations

import difflib
import hashlib
import keyword
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from egovstudy.errors import CodebookError

__all__ = [
    "BUILTIN_SCALES",
    "MISSING_LABELS",
    "SCALE_SYNONYMS",
    "AttentionCheck",
    "Codebook",
    "Columns",
    "Construct",
    "Item",
    "Scale",
    "Variable",
    "builtin_scales_markdown",
    "read_codebook",
]

VariableType = Literal["numeric", "integer", "categorical", "text", "date", "multiple"]
_VARIABLE_TYPES = ("numeric", "integer", "categorical", "text", "date", "multiple")
_SCORES = ("mean", "sum")


@dataclass(frozen=True)
class Scale:
    """An ordered answer scale: integer codes and their labels per language.

    ``missing_codes`` and ``missing_labels`` are answers that mean "no answer"
    (``Don't know``, ``Refused``, code 9): they are read as missing and are never
    part of ``values`` (so never of ``min``/``max``, scores or reverse keying).
    """

    name: str
    values: list[int]
    labels: dict[str, list[str]]
    missing_codes: tuple[float, ...] = ()
    missing_labels: tuple[str, ...] = ()

    @property
    def min(self) -> int:
        """Smallest code."""
        return min(self.values)

    @property
    def max(self) -> int:
        """Largest code."""
        return max(self.values)

    def label_map(self) -> dict[str, int]:
        """Return ``label -> code`` over every language (labels as written)."""
        out: dict[str, int] = {}
        for labels in self.labels.values():
            for value, label in zip(self.values, labels):
                out[label] = value
        return out


#: Answers read as missing on every built-in scale (matched like labels: case, spaces,
#: accents, underscores and apostrophes folded, so ``dont_know`` is ``Don't know``).
MISSING_LABELS: tuple[str, ...] = (
    "Don't know", "Do not know", "Refused", "Refuse to answer", "Prefer not to say",
    "Prefer not to answer", "No answer", "Not applicable", "N/A", "Cannot say",
    "Tidak tahu", "Tidak menjawab", "Menolak menjawab", "Tidak ingin menjawab",
    "Tidak berlaku", "Tidak ada jawaban", "Tidak tahu / tidak menjawab",
)


def _builtin(name: str, id_: list[str], en: list[str]) -> Scale:
    return Scale(name, list(range(1, len(id_) + 1)), {"id": id_, "en": en},
                 missing_labels=MISSING_LABELS)


#: The built-in scales (no codebook entry needed), labels in Indonesian and English.
BUILTIN_SCALES: dict[str, Scale] = {
    s.name: s
    for s in [
        _builtin("agree4",
                 ["Sangat Tidak Setuju", "Tidak Setuju", "Setuju", "Sangat Setuju"],
                 ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]),
        _builtin("agree5",
                 ["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju"],
                 ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]),
        _builtin("agree6",
                 ["Sangat Tidak Setuju", "Tidak Setuju", "Agak Tidak Setuju", "Agak Setuju",
                  "Setuju", "Sangat Setuju"],
                 ["Strongly disagree", "Disagree", "Somewhat disagree", "Somewhat agree",
                  "Agree", "Strongly agree"]),
        _builtin("agree7",
                 ["Sangat Tidak Setuju", "Tidak Setuju", "Agak Tidak Setuju", "Netral",
                  "Agak Setuju", "Setuju", "Sangat Setuju"],
                 ["Strongly disagree", "Disagree", "Somewhat disagree", "Neutral",
                  "Somewhat agree", "Agree", "Strongly agree"]),
        _builtin("freq5",
                 ["Tidak Pernah", "Jarang", "Kadang-kadang", "Sering", "Selalu"],
                 ["Never", "Rarely", "Sometimes", "Often", "Always"]),
        _builtin("satisfaction5",
                 ["Sangat Tidak Puas", "Tidak Puas", "Cukup Puas", "Puas", "Sangat Puas"],
                 ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied",
                  "Very satisfied"]),
        _builtin("quality5",
                 ["Sangat Buruk", "Buruk", "Cukup", "Baik", "Sangat Baik"],
                 ["Very poor", "Poor", "Fair", "Good", "Very good"]),
        _builtin("importance5",
                 ["Sangat Tidak Penting", "Tidak Penting", "Cukup Penting", "Penting",
                  "Sangat Penting"],
                 ["Not at all important", "Slightly important", "Moderately important",
                  "Very important", "Extremely important"]),
    ]
}
_AGREE_MID = {"Neither agree nor disagree", "Neither disagree nor agree",
              "Neither agree or disagree", "Undecided", "Ragu-ragu", "Netral / Ragu-ragu",
              "Biasa saja"}
#: Other wordings accepted when reading a built-in scale (never written). Matching
#: folds case, accents, spaces, underscores and apostrophes (``labels.normalise_label``).
SCALE_SYNONYMS: dict[str, dict[str, int]] = {
    "agree4": {"Disagree strongly": 1, "Agree strongly": 4, "STS": 1, "TS": 2, "S": 3,
               "SS": 4},
    "agree5": {**dict.fromkeys(_AGREE_MID, 3), "Cukup Setuju": 3, "Kurang Setuju": 2,
               "Somewhat disagree": 2, "Somewhat agree": 4, "Disagree strongly": 1,
               "Agree strongly": 5, "STS": 1, "TS": 2, "KS": 2, "N": 3, "R": 3, "RR": 3,
               "S": 4, "SS": 5},
    "agree6": {"Slightly disagree": 3, "Disagree somewhat": 3, "Slightly agree": 4,
               "Agree somewhat": 4, "Disagree strongly": 1, "Agree strongly": 6,
               "Sedikit Tidak Setuju": 3, "Kurang Setuju": 3, "Sedikit Setuju": 4},
    "agree7": {**dict.fromkeys(_AGREE_MID, 4), "Slightly disagree": 3,
               "Disagree somewhat": 3, "Slightly agree": 5, "Agree somewhat": 5,
               "Disagree strongly": 1, "Agree strongly": 7, "Sedikit Tidak Setuju": 3,
               "Kurang Setuju": 3, "Sedikit Setuju": 5},
    "freq5": {"Seldom": 2, "Occasionally": 3, "Frequently": 4,
              "Kadang kadang": 3, "Kadang": 3, "Terkadang": 3},
    "satisfaction5": {"Neither satisfied nor dissatisfied": 3,
                      "Neither dissatisfied nor satisfied": 3, "Very unsatisfied": 1,
                      "Extremely dissatisfied": 1, "Extremely satisfied": 5,
                      "Unsatisfied": 2, "Somewhat dissatisfied": 2, "Somewhat satisfied": 4,
                      "Netral": 3, "Biasa saja": 3, "Kurang Puas": 2},
    "quality5": {"Very bad": 1, "Bad": 2, "Average": 3, "Sangat Jelek": 1, "Jelek": 2,
                 "Kurang Baik": 2, "Sedang": 3, "Cukup Baik": 3},
    "importance5": {"Not important at all": 1, "Not important": 2, "Kurang Penting": 2},
}


def builtin_scales_markdown() -> str:
    """The table of built-in scales for ``docs/codebook.md`` (codes, labels, variants).

    Examples
    --------
    >>> builtin_scales_markdown().splitlines()[0]
    '| scale | code | label (id) | label (en) | also accepted |'
    """
    lines = ["| scale | code | label (id) | label (en) | also accepted |",
             "|---|---|---|---|---|"]
    for name, scale in BUILTIN_SCALES.items():
        synonyms = SCALE_SYNONYMS.get(name, {})
        for k, code in enumerate(scale.values):
            extra = ", ".join(sorted(x for x, c in synonyms.items() if c == code))
            lines.append(f"| {name if k == 0 else ''} | {code} | {scale.labels['id'][k]} | "
                         f"{scale.labels['en'][k]} | {extra} |")
    lines.append("")
    lines.append("Read as missing on every built-in scale: "
                 + ", ".join(f"'{x}'" for x in MISSING_LABELS) + ".")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Item:
    """One Likert item: export column, construct, wording, scale, keying.

    ``missing`` holds the codes and ``missing_labels`` the answer texts read as
    missing for this item: its own ``missing:`` entries plus those of its scale
    (built-in scales add :data:`MISSING_LABELS`). Answers of the scale declared
    missing for the item are removed from the item's ``scale``.
    """

    name: str
    column: str
    construct: str
    text: dict[str, str]
    scale: Scale
    reverse: bool = False
    missing: tuple[float, ...] = ()
    range: tuple[float, float] | None = None
    missing_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Construct:
    """A construct: its items (first order) or dimensions (second order)."""

    name: str
    label: dict[str, str]
    items: list[str]
    dimensions: list[str]
    score: Literal["mean", "sum"] = "mean"
    min_items: int = 1

    @property
    def second_order(self) -> bool:
        """True when the construct is scored from other constructs."""
        return bool(self.dimensions)


@dataclass(frozen=True)
class Variable:
    """A non-Likert column: number, category, text, date or multiple choice."""

    name: str
    column: str
    type: VariableType = "text"
    range: tuple[float, float] | None = None
    label: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    missing: tuple[float, ...] = ()
    ordered: bool = False
    missing_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttentionCheck:
    """An instructed-response item: the one answer an attentive reader gives."""

    name: str
    column: str
    scale: Scale
    expected: str


@dataclass(frozen=True)
class Columns:
    """Header text of the special columns in the export."""

    id: str | None = None
    timestamp: str | None = None
    timestamp_format: str | None = None
    start_time: str | None = None
    duration: str | None = None
    agency: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Codebook:
    """A validated codebook (see ``docs/codebook.md``)."""

    study: dict[str, Any]
    columns: Columns
    items: dict[str, Item]
    constructs: dict[str, Construct]
    variables: dict[str, Variable]
    scales: dict[str, Scale]
    attention_checks: list[AttentionCheck]
    aliases: dict[str, dict[str, str]]
    path: str | None = None
    sha256: str | None = None

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: Mapping[str, Any], *, path: str | None = None,
                  sha256: str | None = None) -> Codebook:
        """Build and validate a codebook from a parsed mapping (YAML layout).

        The mapping is first checked against the codebook schema (every unknown
        key and wrong type listed at once), then its meaning by ``_build``.
        """
        _check_schema(spec, path)
        return _build(spec, path=path, sha256=sha256)

    # -- queries ------------------------------------------------------------------
    def construct_items(self) -> dict[str, list[str]]:
        """Return ``construct -> items`` for first-order constructs."""
        return {c.name: list(c.items) for c in self.constructs.values() if not c.second_order}

    def item_names(self) -> list[str]:
        """Item names in codebook order."""
        return list(self.items)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable summary (used in manifests)."""
        return {
            "study": self.study,
            "items": list(self.items),
            "constructs": {c.name: c.items or c.dimensions for c in self.constructs.values()},
            "variables": list(self.variables),
        }


# ---------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------
def _where(path: str | None) -> str:
    return f"codebook {path}: " if path else "codebook: "


def _fail(path: str | None, entry: str, problem: str, fix: str) -> CodebookError:
    return CodebookError(f"{_where(path)}{entry}: {problem}. Fix: {fix}")


def _lang_dict(value: Any, path: str | None, entry: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"id": value, "en": value}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items() if v is not None}
    raise _fail(path, entry, f"expected text or a mapping {{id: ..., en: ...}}, got {value!r}",
                "write the wording as {id: '...', en: '...'}")


def _check_name(name: Any, path: str | None, entry: str) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise _fail(path, entry, f"name {name!r} is not a valid identifier",
                    "use letters, digits and underscores, starting with a letter (e.g. 'hrq1')")
    return name


def _num_tuple(value: Any, path: str | None, entry: str, what: str) -> tuple[float, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        value = [value]
    out = []
    for v in value:
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise _fail(path, entry, f"{what} value {v!r} is not a number",
                        f"list numeric codes, e.g. {what}: [99]") from None
        out.append(x)
    return tuple(out)


def _missing_spec(value: Any, path: str | None, entry: str
                  ) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """``missing:`` as (codes, labels): numbers (or numeric text) are codes, text is labels."""
    if value is None:
        return (), ()
    if not isinstance(value, list | tuple):
        value = [value]
    codes: list[float] = []
    labels: list[str] = []
    for v in value:
        if isinstance(v, bool) or v is None or not isinstance(v, int | float | str):
            raise _fail(path, entry, f"missing value {v!r} is neither a code nor a label",
                        "list codes and labels, e.g. missing: [\"Don't know\", 9]")
        if isinstance(v, str):
            text = v.strip()
            try:
                x = float(text)
            except ValueError:
                if not text:
                    raise _fail(path, entry, "missing has an empty label",
                                "remove the empty entry") from None
                labels.append(text)
                continue
        else:
            x = float(v)
        if math.isnan(x):
            raise _fail(path, entry, "missing code NaN", "blank answers are missing already; "
                        "remove it")
        codes.append(x)
    return tuple(codes), tuple(labels)


def _scale_with_missing(name: str, values: list[int], labels: dict[str, list[str]],
                        raw_missing: Any, path: str | None, entry: str) -> Scale:
    """Remove the declared missing answers from a scale's codes (``values``/``labels``).

    A declared code or label that is one of the scale's answers stops being an
    answer (its labels become missing labels); the others are kept as extra
    missing codes and labels.
    """
    from egovstudy.labels import normalise_label

    codes, texts = _missing_spec(raw_missing, path, entry)
    drop: set[int] = {v for v in values if float(v) in codes}
    by_label = {normalise_label(lab): v for lst in labels.values()
                for v, lab in zip(values, lst)}
    for text in texts:
        code = by_label.get(normalise_label(text))
        if code is not None:
            drop.add(code)
    keep = [k for k, v in enumerate(values) if v not in drop]
    no_answer = {normalise_label(x) for x in MISSING_LABELS}
    for lst in labels.values():
        for k in keep:
            if normalise_label(lst[k]) in no_answer:
                # scoring "Don't know" as a point of the scale gives silently wrong means
                raise _fail(path, entry, f"code {values[k]} is labelled {lst[k]!r}, which "
                            "means no answer, but is not declared missing",
                            f"add missing: [{lst[k]!r}] to the scale")
    if len(keep) < 2:
        raise _fail(path, entry, f"fewer than two answers left once the missing codes "
                    f"{sorted(drop)} are removed", "declare only the no-answer codes missing")
    miss_labels = list(texts)
    for lst in labels.values():
        miss_labels += [lab for v, lab in zip(values, lst) if v in drop]
    return Scale(name, [values[k] for k in keep],
                 {lang: [lst[k] for k in keep] for lang, lst in labels.items()},
                 tuple(dict.fromkeys([*codes, *(float(v) for v in sorted(drop))])),
                 tuple(dict.fromkeys(miss_labels)))


def _range(value: Any, path: str | None, entry: str) -> tuple[float, float] | None:
    if value is None:
        return None
    nums = _num_tuple(value, path, entry, "range")
    if len(nums) != 2:
        raise _fail(path, entry, f"range {value!r} must have two numbers",
                    "write range: [low, high]")
    lo, hi = nums
    if not lo <= hi or math.isnan(lo) or math.isnan(hi):
        raise _fail(path, entry, f"range {value!r} is not ordered (low > high)",
                    f"write range: [{hi:g}, {lo:g}]")
    return (lo, hi)


def _bool(value: Any, path: str | None, entry: str, what: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "ya", "1", "y"):
        return True
    if text in ("false", "no", "tidak", "0", "n", ""):
        return False
    raise _fail(path, entry, f"{what} {value!r} is not true/false", f"write {what}: true or false")


def _unknown(path: str | None, entry: str, what: str, name: Any, known: list[str],
             fix: str) -> CodebookError:
    near = difflib.get_close_matches(str(name), known, n=1)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    return _fail(path, entry, f"unknown {what} {name!r}{hint} (known: {shown})", fix)


def _list_of_maps(spec: Mapping[str, Any], key: str, path: str | None) -> list[Mapping[str, Any]]:
    value = spec.get(key) or []
    if isinstance(value, Mapping):  # allow {name: {...}} form
        value = [{"name": k, **(v or {})} for k, v in value.items()]
    if not isinstance(value, list):
        raise _fail(path, key, f"expected a list of entries, got {type(value).__name__}",
                    f"write '{key}:' followed by '- name: ...' entries")
    for i, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            raise _fail(path, f"{key}[{i}]", f"expected a mapping, got {entry!r}",
                        "write each entry as 'name: ..., column: ...'")
    return value


def _build(spec: Mapping[str, Any], *, path: str | None, sha256: str | None) -> Codebook:
    if not isinstance(spec, Mapping):
        raise _fail(path, "top level", f"expected a mapping, got {type(spec).__name__}",
                    "start the file with keys such as 'study:', 'columns:', 'items:'")
    known_keys = {"study", "columns", "scales", "items", "constructs", "variables",
                  "attention_checks", "aliases"}
    for key in spec:
        if key not in known_keys:
            raise _unknown(path, "top level", "section", key, sorted(known_keys),
                           "rename or remove the section")

    # scales
    scales: dict[str, Scale] = dict(BUILTIN_SCALES)
    raw_scales = spec.get("scales") or {}
    if not isinstance(raw_scales, Mapping):
        raise _fail(path, "scales", "expected a mapping name -> {values, labels}",
                    "write 'scales:' then 'my_scale: {values: [...], labels: {id: [...]}}'")
    for name, body in raw_scales.items():
        entry = f"scales '{name}'"
        _check_name(name, path, entry)
        if not isinstance(body, Mapping):
            raise _fail(path, entry, "expected values and labels", "add 'values:' and 'labels:'")
        for key in body:
            if key not in ("values", "labels", "missing"):
                raise _unknown(path, entry, "key", key, ["labels", "missing", "values"],
                               "rename or remove it")
        values = body.get("values")
        labels = body.get("labels") or {}
        if not isinstance(values, list) or not values:
            raise _fail(path, entry, "missing 'values'",
                        "list the integer codes, e.g. [1, 2, 3, 4]")
        try:
            ivalues = [int(v) for v in values]
        except (TypeError, ValueError):
            raise _fail(path, entry, f"values {values!r} are not integers",
                        "use integer codes") from None
        if len(set(ivalues)) != len(ivalues) or ivalues != sorted(ivalues):
            raise _fail(path, entry, f"values {values!r} must be distinct and increasing",
                        "list each code once, lowest first")
        if isinstance(labels, list):
            labels = {"id": labels}
        if not isinstance(labels, Mapping) or not labels:
            raise _fail(path, entry, "missing 'labels'", "add labels: {id: [...], en: [...]}")
        lab: dict[str, list[str]] = {}
        for lang, lst in labels.items():
            if not isinstance(lst, list) or len(lst) != len(ivalues):
                n = len(lst) if isinstance(lst, list) else 0
                raise _fail(path, f"{entry} labels.{lang}",
                            f"{n} labels for {len(ivalues)} values",
                            "give exactly one label per value, in the same order")
            lab[str(lang)] = [str(x) for x in lst]
        scales[name] = _scale_with_missing(str(name), ivalues, lab, body.get("missing"), path,
                                           entry)

    # columns
    raw_cols = spec.get("columns") or {}
    if not isinstance(raw_cols, Mapping):
        raise _fail(path, "columns", "expected a mapping", "write 'columns: {id: \"NIP\", ...}'")
    col_keys = {"id", "timestamp", "timestamp_format", "start_time", "duration", "agency",
                "region"}
    for key in raw_cols:
        if key not in col_keys:
            raise _unknown(path, "columns", "key", key, sorted(col_keys), "rename or remove it")
    columns = Columns(**{k: (None if raw_cols.get(k) is None else str(raw_cols[k]))
                         for k in col_keys})

    # constructs (first pass: names)
    raw_constructs = _list_of_maps(spec, "constructs", path)
    construct_names: list[str] = []
    for i, c in enumerate(raw_constructs):
        entry = f"constructs[{i}] '{c.get('name')}'"
        name = _check_name(c.get("name"), path, entry)
        if name in construct_names:
            raise _fail(path, entry, f"duplicate construct name {name!r}",
                        "give each a unique name")
        construct_names.append(name)

    # items
    items: dict[str, Item] = {}
    for i, it in enumerate(_list_of_maps(spec, "items", path)):
        entry = f"items[{i}] '{it.get('name')}'"
        name = _check_name(it.get("name"), path, entry)
        if name in items:
            raise _fail(path, entry, f"duplicate item name {name!r}",
                        "give each item a unique name")
        column = it.get("column") or _lang_dict(it.get("text"), path, entry).get("id")
        if not column:
            raise _fail(path, entry, "no 'column'", "add column: the header text in the export")
        construct = it.get("construct")
        if construct not in construct_names:
            raise _unknown(path, entry, "construct", construct, construct_names,
                           "use a construct listed under 'constructs:' or add it there")
        scale_name = it.get("scale", "agree5")
        if scale_name not in scales:
            raise _unknown(path, entry, "scale", scale_name, sorted(scales),
                           "use a built-in scale or define it under 'scales:'")
        scale = scales[scale_name]
        miss_codes, miss_labels = _missing_spec(it.get("missing"), path, entry)
        if miss_codes or miss_labels:  # answers of the scale declared missing for this item
            own = _scale_with_missing(scale.name, scale.values, scale.labels,
                                      [*miss_codes, *miss_labels], path, entry)
            if own.values != scale.values:
                scale = Scale(scale.name, own.values, own.labels,
                              tuple(dict.fromkeys([*scale.missing_codes, *own.missing_codes])),
                              tuple(dict.fromkeys([*scale.missing_labels,
                                                   *own.missing_labels])))
        items[name] = Item(
            name=name, column=str(column), construct=str(construct),
            text=_lang_dict(it.get("text"), path, entry), scale=scale,
            reverse=_bool(it.get("reverse"), path, entry, "reverse"),
            missing=tuple(dict.fromkeys([*miss_codes, *scale.missing_codes])),
            range=_range(it.get("range"), path, entry),
            missing_labels=tuple(dict.fromkeys([*miss_labels, *scale.missing_labels])),
        )

    # constructs (second pass)
    constructs: dict[str, Construct] = {}
    owned: dict[str, str] = {}
    for i, c in enumerate(raw_constructs):
        name = str(c["name"])
        entry = f"constructs[{i}] '{name}'"
        its = c.get("items") or []
        dims = c.get("dimensions") or []
        if isinstance(its, str):
            its = [s.strip() for s in its.split(",") if s.strip()]
        if isinstance(dims, str):
            dims = [s.strip() for s in dims.split(",") if s.strip()]
        if not its:  # items may be given only through items[].construct
            its = [n for n, item in items.items() if item.construct == name]
        if its and dims:
            raise _fail(path, entry, "has both items and dimensions",
                        "a second-order construct lists only dimensions")
        if not its and not dims:
            raise _fail(path, entry, "has no items and no dimensions",
                        "list its items, or give items a 'construct: " + name + "'")
        for it in its:
            if it not in items:
                raise _unknown(path, entry, "item", it, list(items),
                               "list item names defined under 'items:'")
            if items[it].construct != name:
                raise _fail(path, entry, f"lists item {it!r} whose construct is "
                            f"{items[it].construct!r}", "make the two entries agree")
            if it in owned and owned[it] != name:
                raise _fail(path, entry, f"item {it!r} already belongs to {owned[it]!r}",
                            "list each item under one construct")
            owned[it] = name
        for d in dims:
            if d not in construct_names or d == name:
                raise _unknown(path, entry, "dimension", d, [n for n in construct_names
                                                             if n != name],
                               "list other constructs' names under 'dimensions:'")
        score = c.get("score", "mean")
        if score not in _SCORES:
            raise _unknown(path, entry, "score rule", score, list(_SCORES), "use mean or sum")
        n_parts = len(its) or len(dims)
        raw_min = c.get("min_items", n_parts if dims else 1)
        try:
            min_items = int(raw_min)
        except (TypeError, ValueError):
            raise _fail(path, entry, f"min_items {raw_min!r} is not an integer",
                        "write min_items: 2") from None
        if not 1 <= min_items <= n_parts:
            raise _fail(path, entry, f"min_items {min_items} outside 1..{n_parts}",
                        f"use a number between 1 and {n_parts}")
        constructs[name] = Construct(name, _lang_dict(c.get("label"), path, entry),
                                     [str(x) for x in its], [str(x) for x in dims], score,
                                     min_items)
    for iname, item in items.items():
        if item.construct not in constructs:  # pragma: no cover - checked above
            raise _fail(path, f"items '{iname}'", "unknown construct", "define it")
    # cycles in second-order constructs
    for name in constructs:
        seen: set[str] = set()
        stack = [name]
        while stack:
            cur = stack.pop()
            for d in constructs[cur].dimensions:
                if d == name:
                    raise _fail(path, f"constructs '{name}'", "dimensions form a cycle",
                                "a construct cannot be its own dimension")
                if d not in seen:
                    seen.add(d)
                    stack.append(d)

    # variables
    variables: dict[str, Variable] = {}
    for i, v in enumerate(_list_of_maps(spec, "variables", path)):
        entry = f"variables[{i}] '{v.get('name')}'"
        name = _check_name(v.get("name"), path, entry)
        if name in variables or name in items or name in constructs:
            raise _fail(path, entry, f"name {name!r} is already used",
                        "give items, constructs and variables distinct names")
        vtype = v.get("type", "text")
        if vtype not in _VARIABLE_TYPES:
            raise _unknown(path, entry, "type", vtype, list(_VARIABLE_TYPES),
                           "use one of the listed types")
        if not v.get("column"):
            raise _fail(path, entry, "no 'column'", "add column: the header text in the export")
        cats = v.get("categories") or {}
        if isinstance(cats, list):
            cats = {str(x): str(x) for x in cats}
        opts = v.get("options") or {}
        if isinstance(opts, list):
            opts = {str(x): str(x) for x in opts}
        if vtype == "multiple" and not opts:
            raise _fail(path, entry, "type multiple needs 'options'",
                        "list options: {value: label, ...} as in the XLSForm choices sheet")
        miss_codes, miss_labels = _missing_spec(v.get("missing"), path, entry)
        variables[name] = Variable(name, str(v["column"]), vtype,
                                   _range(v.get("range"), path, entry),
                                   _lang_dict(v.get("label"), path, entry),
                                   {str(k): str(x) for k, x in cats.items()},
                                   {str(k): str(x) for k, x in opts.items()},
                                   miss_codes,
                                   _bool(v.get("ordered"), path, entry, "ordered"),
                                   miss_labels)

    # attention checks
    checks: list[AttentionCheck] = []
    for i, a in enumerate(_list_of_maps(spec, "attention_checks", path)):
        entry = f"attention_checks[{i}]"
        if not a.get("column"):
            raise _fail(path, entry, "no 'column'", "add column: the header text in the export")
        scale_name = a.get("scale", "agree5")
        if scale_name not in scales:
            raise _unknown(path, entry, "scale", scale_name, sorted(scales),
                           "use a built-in scale or define it under 'scales:'")
        expected = a.get("expected")
        scale = scales[scale_name]
        known = [lab for labs in scale.labels.values() for lab in labs]
        if expected is None or (str(expected) not in known
                                and str(expected) not in [str(v) for v in scale.values]):
            raise _unknown(path, entry, "expected answer", expected, known,
                           f"use one of the labels of scale {scale_name!r}")
        checks.append(AttentionCheck(str(a.get("name") or f"attention{i + 1}"), str(a["column"]),
                                     scale, str(expected)))

    # aliases
    raw_alias = spec.get("aliases") or {}
    if not isinstance(raw_alias, Mapping):
        raise _fail(path, "aliases", "expected a mapping field -> {typed: canonical}",
                    "write aliases: {agency: {'diskominfo': 'Dinas ...'}}")
    aliases: dict[str, dict[str, str]] = {}
    # an alias field is agency, region, or a categorical/text variable by name or by header
    by_header = {var.column: var.name for var in variables.values()}
    fields = ["agency", "region", *variables, *(h for h in by_header if h not in variables)]
    for fld, mapping in raw_alias.items():
        name = by_header.get(str(fld), str(fld)) if str(fld) not in variables else str(fld)
        if name not in ("agency", "region") and name not in variables:
            raise _unknown(path, f"aliases '{fld}'", "column", fld, fields,
                           "alias agency, region, or a variable listed under 'variables:' "
                           "(by its name or its column header)")
        if name in variables and variables[name].type not in ("categorical", "text"):
            raise _fail(path, f"aliases '{fld}'", f"variable {name!r} has type "
                        f"{variables[name].type!r}", "aliases apply to categorical or text "
                        "variables; change its type or remove the aliases")
        if not isinstance(mapping, Mapping):
            raise _fail(path, f"aliases '{fld}'", "expected a mapping typed -> canonical",
                        "write 'typed text': 'canonical name'")
        var = variables.get(name)
        if var is not None and var.categories:  # an alias must lead to a category
            from egovstudy.labels import normalise_label

            cats = [*var.categories, *var.categories.values()]
            keys = {normalise_label(c) for c in cats}
            for typed, target in mapping.items():
                if normalise_label(target) not in keys:
                    raise _unknown(path, f"aliases '{fld}' '{typed}'", "category", target,
                                   list(dict.fromkeys(cats)),
                                   f"map it to one of the categories of variable {name!r}")
        aliases.setdefault(name, {}).update({str(k): str(v) for k, v in mapping.items()})

    if not items:
        raise _fail(path, "items", "no items", "describe at least one Likert item")
    study = dict(spec.get("study") or {})
    return Codebook(study, columns, items, constructs, variables, scales, checks, aliases,
                    path, sha256)


# ---------------------------------------------------------------------------------
# readers
# ---------------------------------------------------------------------------------
def read_codebook(path: str | Path | Codebook) -> Codebook:
    """Read and validate a codebook from YAML (``.yaml``/``.yml``) or Excel (``.xlsx``).

    Parameters
    ----------
    path : str or Path
        The codebook file. YAML is read by ``egovstudy._yaml.load_yaml`` (safe
        loader, bounded size and aliases): tags such as ``!!python/object`` are
        rejected, never executed. YAML and Excel are checked against the codebook
        schema (``docs/reference.md``) before their meaning is checked. An Excel
        codebook holds the sheets described in ``docs/codebook.md``.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Naming the entry at fault (``items[3] 'hrq4': unknown scale ...``) and the fix.

    Examples
    --------
    >>> import tempfile, os
    >>> text = '''
    ... columns: {id: NIP}
    ... constructs: [{name: hr, items: [hrq1]}]
    ... items: [{name: hrq1, column: "Q1", construct: hr, scale: agree5}]
    ... '''
    >>> with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
    ...     _ = fh.write(text)
    >>> read_codebook(fh.name).construct_items()
    {'hr': ['hrq1']}
    >>> os.remove(fh.name)
    """
    if isinstance(path, Codebook):
        return path
    p = Path(path)
    if not p.is_file():
        raise CodebookError(f"codebook {p}: file not found. Fix: check the path "
                            "(relative paths start from the current folder)")
    data = p.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        spec = _excel_spec(p)
    elif suffix in (".yaml", ".yml", ".json", ""):
        spec = _yaml_spec(p, data)
    else:
        raise CodebookError(f"codebook {p}: unknown format {suffix!r}. Fix: use .yaml or .xlsx")
    _check_schema(spec, str(p))
    return _build(spec, path=str(p), sha256=digest)


def _check_schema(spec: Any, path: str | None) -> None:
    """Every structural problem (unknown key, wrong type) of the mapping, listed at once."""
    from egovstudy.schema import check_schema

    check_schema(spec, "codebook", where=_where(path).rstrip(": "), error=CodebookError)


def _yaml_spec(p: Path, data: bytes) -> Any:
    from egovstudy._yaml import load_yaml

    spec = load_yaml(p, what="codebook", error=CodebookError)
    if spec is None:
        raise CodebookError(f"codebook {p}: the file is empty. Fix: describe at least "
                            "'columns', 'constructs' and 'items' (see docs/codebook.md)")
    return spec


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    return [s.strip() for s in str(value).replace(";", ",").split(",") if s.strip()]


_ITEM_COLUMNS = ("name", "column", "construct", "scale", "reverse", "missing", "range_min",
                 "range_max")
_CONSTRUCT_COLUMNS = ("name", "items", "dimensions", "score", "min_items")
_VARIABLE_COLUMNS = ("name", "column", "type", "range_min", "range_max", "categories")


def _unread(row: Mapping[str, Any], read: tuple[str, ...], prefix: str) -> dict[str, Any]:
    """Sheet columns the converter does not read, kept so that the schema names them."""
    return {k: v for k, v in row.items()
            if k not in read and not k.startswith(prefix) and v is not None}


def _excel_spec(p: Path) -> dict[str, Any]:
    """Turn the sheets of an Excel codebook into the YAML layout."""
    import pandas as pd

    from egovstudy.io.workbook_limits import check_workbook

    check_workbook(p)  # resource limits before calamine reads (docs/limits.md)
    try:
        engine = "calamine"
        sheets = pd.read_excel(p, sheet_name=None, header=0, dtype=object, engine=engine)
    except Exception as exc:  # any reader failure is a malformed workbook
        raise CodebookError(f"codebook {p}: cannot read the workbook ({type(exc).__name__}: "
                            f"{exc}). Fix: save it again as .xlsx") from None
    sheets = {str(k).strip().lower(): v for k, v in sheets.items()}
    if "items" not in sheets:
        raise CodebookError(f"codebook {p}: no sheet named 'items' (sheets: "
                            f"{', '.join(sheets)}). Fix: add the sheets described in "
                            "docs/codebook.md")

    def rows(name: str) -> list[dict[str, Any]]:
        frame = sheets.get(name)
        if frame is None:
            return []
        frame.columns = [str(c).strip().lower() for c in frame.columns]
        out = []
        for rec in frame.to_dict("records"):
            clean = {k: _cell(v) for k, v in rec.items()}
            if any(v is not None for v in clean.values()):
                out.append(clean)
        return out

    def keyvalue(name: str) -> dict[str, Any]:
        return {str(r.get("key")): r.get("value") for r in rows(name) if r.get("key")}

    spec: dict[str, Any] = {"study": keyvalue("study"), "columns": keyvalue("columns")}
    scales: dict[str, Any] = {}
    for r in rows("scales"):
        s = scales.setdefault(str(r["name"]), {"values": [], "labels": {}})
        s["values"].append(r.get("value"))
        if r.get("missing") is not None and _bool(r.get("missing"), str(p),
                                                  f"scales '{r['name']}' missing", "missing"):
            s.setdefault("missing", []).append(r.get("value"))
        for k, v in r.items():
            if k.startswith("label_"):
                s["labels"].setdefault(k[6:], []).append(v)
    spec["scales"] = scales
    items = []
    for r in rows("items"):
        items.append({
            "name": r.get("name"), "column": r.get("column"), "construct": r.get("construct"),
            "text": {k[5:]: v for k, v in r.items() if k.startswith("text_") and v is not None},
            "scale": r.get("scale") or "agree5", "reverse": r.get("reverse"),
            "missing": _split(r.get("missing")) or None,
            "range": ([r["range_min"], r["range_max"]] if r.get("range_min") is not None
                      else None),
            **_unread(r, _ITEM_COLUMNS, "text_"),
        })
    spec["items"] = items
    spec["constructs"] = [{
        "name": r.get("name"),
        "label": {k[6:]: v for k, v in r.items() if k.startswith("label_") and v is not None},
        "items": _split(r.get("items")), "dimensions": _split(r.get("dimensions")),
        "score": r.get("score") or "mean",
        **({"min_items": r["min_items"]} if r.get("min_items") is not None else {}),
        **_unread(r, _CONSTRUCT_COLUMNS, "label_"),
    } for r in rows("constructs")]
    variables = []
    for r in rows("variables"):
        cats = {}
        for part in str(r.get("categories") or "").split(";"):
            if "=" in part:
                k, v = part.split("=", 1)
                cats[k.strip()] = v.strip()
        variables.append({
            "name": r.get("name"), "column": r.get("column"), "type": r.get("type") or "text",
            "range": ([r["range_min"], r["range_max"]] if r.get("range_min") is not None
                      else None),
            "label": {k[6:]: v for k, v in r.items() if k.startswith("label_") and v is not None},
            "categories": cats or None,
            **_unread(r, _VARIABLE_COLUMNS, "label_"),
        })
    spec["variables"] = variables
    spec["attention_checks"] = rows("attention_checks")
    aliases: dict[str, dict[str, str]] = {}
    for r in rows("aliases"):
        aliases.setdefault(str(r.get("field")), {})[str(r.get("typed"))] = str(r.get("canonical"))
    spec["aliases"] = aliases
    return spec
