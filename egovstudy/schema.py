"""The schemas of the input files, their validation and the reference page built from them.

One JSON Schema (Draft 2020-12) per input file lives in ``egovstudy/schemas``:
``study.schema.json`` (the study file) and ``codebook.schema.json`` (the
codebook; an Excel codebook is first turned into the same mapping). Every
mapping is closed (``additionalProperties: false``), so a misspelt key is an
error, never a setting silently ignored.

:func:`schema_problems` lists every problem of a document at once, each as
``<key path>: <problem>. Fix: <fix>`` with a "did you mean" for misspelt keys
and values; :func:`check_schema` raises them as one error. The validation
itself is ``jsonschema``'s; this module only words its findings for a survey
researcher.

``python -m egovstudy.schema docs`` writes ``docs/reference.md`` from the
schemas (``--check`` exits 1 when the committed page is out of date).

Examples
--------
>>> schema_problems({"data": "d.csv", "codebook": "c.yaml",
...                  "model": {"predictors": ["x"], "outcome": "y", "clsuter": "agency"}},
...                 "study")
["model.clsuter: unknown key (did you mean 'cluster'?). Fix: rename it to 'cluster'"]
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from egovstudy.errors import EgovStudyError

__all__ = ["SCHEMAS", "check_schema", "load_schema", "reference_markdown", "schema_problems"]

#: The input files that have a schema.
SCHEMAS = ("study", "codebook")

_TYPE_NAMES = {"string": "text", "integer": "an integer", "number": "a number",
               "boolean": "true or false", "array": "a list", "object": "a mapping",
               "null": "nothing"}


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Return the JSON Schema of an input file (``"study"`` or ``"codebook"``).

    Examples
    --------
    >>> load_schema("study")["properties"]["language"]["enum"]
    ['en', 'id']
    """
    if name not in SCHEMAS:
        near = difflib.get_close_matches(str(name), SCHEMAS, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise EgovStudyError(f"schema {name!r} unknown{hint}. Fix: use one of "
                             f"{', '.join(SCHEMAS)}")
    text = resources.files("egovstudy").joinpath("schemas", f"{name}.schema.json").read_text(
        encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _key_path(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "top level"


def _expected(schema: Mapping[str, Any]) -> str:
    if "x-type" in schema:
        return str(schema["x-type"])
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    types = schema.get("type")
    if isinstance(types, str):
        types = [types]
    if types:
        return " or ".join(_TYPE_NAMES.get(t, t) for t in types if t != "null")
    return "a valid value"


def _hint(value: Any, choices: Sequence[Any]) -> tuple[str, str | None]:
    near = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    return (f" (did you mean {near[0]!r}?)", near[0]) if near else ("", None)


_TYPE_PLURALS = {"string": "texts", "integer": "integers", "number": "numbers",
                 "boolean": "true/false values", "object": "mappings"}
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (Mapping,), "array": (list,), "string": (str,), "integer": (int,),
    "number": (int, float), "boolean": (bool,), "null": (type(None),)}


def _accepts_type(option: Mapping[str, Any], value: Any) -> bool:
    types = option.get("type")
    if types is None:
        return False
    for t in [types] if isinstance(types, str) else types:
        if isinstance(value, bool) and t in ("integer", "number"):
            continue
        if isinstance(value, _JSON_TYPES[t]):
            return True
    return False


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _words(error: Any, noun: str, root: Mapping[str, Any]) -> list[tuple[list[Any], str]]:
    """Turn one jsonschema error into (key path, "problem. Fix: ...") pairs."""
    path = list(error.absolute_path)
    kind = error.validator
    value = error.instance
    schema = error.schema
    if kind in ("anyOf", "oneOf"):
        # the branch of the value's own type (a list for a list...) says what is wrong inside
        for index, option in enumerate(schema[kind]):
            if _accepts_type(_deref(option, root), value):
                inner = [e for e in error.context if e.schema_path[0] == index]
                if inner:
                    return [pair for e in inner for pair in _words(e, noun, root)]
    if kind == "additionalProperties" and isinstance(value, Mapping):
        allowed = list((schema.get("properties") or {}).keys())
        if not allowed:  # a mapping of values (e.g. scales): the values are wrong, not keys
            return [(path, f"{error.message}. Fix: see docs/reference.md")]
        out = []
        for key in value:
            if key in allowed:
                continue
            hint, near = _hint(key, allowed)
            fix = (f"rename it to {near!r}" if near else
                   f"remove it, or use one of: {', '.join(allowed)}")
            if path:
                out.append(([*path, key], f"unknown key{hint}. Fix: {fix}"))
            else:  # no key path above the top level: name the key in the text
                out.append(([], f"unknown {noun} {key!r}{hint}. Fix: {fix}"))
        return out
    if kind == "required":
        missing = [k for k in schema.get("required", []) if k not in value]
        return [([*path, k], f"required key missing. Fix: add '{k}:' (see docs/reference.md)")
                for k in missing]
    if kind == "enum":
        hint, near = _hint(value, schema["enum"])
        fix = f"write {near}" if near else f"use one of {', '.join(map(str, schema['enum']))}"
        return [(path, f"{_short(value)} is not one of {list(schema['enum'])}{hint}. Fix: {fix}")]
    if kind in ("type", "anyOf", "oneOf"):
        return [(path, f"expected {_expected(schema)}, got {_short(value)}. Fix: write "
                       f"{_expected(schema)}")]
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        bound = schema[kind]
        rel = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=",
               "exclusiveMaximum": "<"}[kind]
        default = schema.get("default")
        fix = f"use e.g. {default}" if default is not None else f"use a value {rel} {bound}"
        return [(path, f"{value!r} is not {rel} {bound}. Fix: {fix}")]
    if kind in ("minItems", "maxItems", "minLength"):
        return [(path, f"{_short(value)}: too short or too long. Fix: write "
                       f"{_expected(schema)}")]
    return [(path, f"{error.message}. Fix: see docs/reference.md")]  # pragma: no cover


def _validator_class() -> Any:
    """jsonschema's Draft 2020-12 validator, imported without the optional "iri" format.

    jsonschema's format module imports ``rfc3987_syntax`` when it is installed, which
    builds a lark grammar at import time (about 1.2 s of CPU in every new process, most
    of the time of reading a study file). Our schemas use no ``format`` keyword and no
    format checker, so that import is kept out.
    """
    blocked = "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # -> ImportError
    try:
        from jsonschema import Draft202012Validator
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]
    return Draft202012Validator


def schema_problems(document: Any, name: str) -> list[str]:
    """Return every problem of a parsed document against the schema ``name``.

    Parameters
    ----------
    document : object
        The parsed YAML (or the mapping built from an Excel codebook).
    name : {"study", "codebook"}
        Which schema.

    Returns
    -------
    list of str
        ``"<key path>: <problem>. Fix: <fix>"``, in document order; empty when valid.

    Examples
    --------
    >>> schema_problems({"items": [{"name": "q1", "construct": "c", "revrese": True}]},
    ...                 "codebook")
    ["items[0].revrese: unknown key (did you mean 'reverse'?). Fix: rename it to 'reverse'"]
    """
    Draft202012Validator = _validator_class()
    schema = load_schema(name)
    noun = str(schema.get("x-key-noun", "key"))
    validator = Draft202012Validator(schema)
    found: list[tuple[list[Any], str]] = []
    for error in validator.iter_errors(document):
        found.extend(_words(error, noun, schema))
    seen: set[str] = set()
    out = []
    def order(pair: tuple[list[Any], str]) -> list[str]:
        return [f"{p:09d}" if isinstance(p, int) else str(p) for p in pair[0]]

    for path, problem in sorted(found, key=order):
        line = f"{_key_path(path)}: {problem}"
        if line not in seen:
            seen.add(line)
            out.append(line)
    return out


def check_schema(document: Any, name: str, *, where: str,
                 error: type[EgovStudyError] = EgovStudyError) -> None:
    """Raise ``error`` listing every schema problem of ``document``, one per line.

    ``where`` names the file (``"study file data/study.yaml"``); it starts every
    line so that each problem can be read on its own.

    Examples
    --------
    >>> try:
    ...     check_schema({"langauge": "id", "data": "d.csv", "model": {}}, "study",
    ...                  where="study file s.yaml")
    ... except EgovStudyError as exc:
    ...     print(exc)
    study file s.yaml: top level: unknown key 'langauge' (did you mean 'language'?).
        Fix: rename it to 'language'
    study file s.yaml: codebook: required key missing.
        Fix: add 'codebook:' (see docs/reference.md)
    study file s.yaml: model.outcome: required key missing.
        Fix: add 'outcome:' (see docs/reference.md)
    study file s.yaml: model.predictors: required key missing.
        Fix: add 'predictors:' (see docs/reference.md)
    """
    problems = schema_problems(document, name)
    if problems:
        raise error("\n".join(f"{where}: {p}" for p in problems))


# ------------------------------------------------------------------------- reference page
def _type_text(schema: Mapping[str, Any], root: Mapping[str, Any]) -> str:
    if "$ref" in schema:
        return _type_text(_deref(schema, root), root)
    text = _expected(schema)
    inner = schema.get("items") if schema.get("type") == "array" else None
    if isinstance(inner, Mapping) and "enum" in inner:
        text = "a list of " + ", ".join(map(str, inner["enum"]))
    elif isinstance(inner, Mapping) and isinstance(inner.get("type"), str):
        text = f"a list of {_TYPE_PLURALS.get(inner['type'], inner['type'])}"
    return text


def _deref(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        return dict(root["$defs"][ref.split("/")[-1]])
    return schema


def _children(schema: Mapping[str, Any], root: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]
                                                                          ] | None:
    """Return (suffix, sub-schema) holding nested keys of a list or mapping entry."""
    schema = _deref(schema, root)
    if "properties" in schema:
        return "", schema
    for option in schema.get("anyOf", []):
        option = _deref(option, root)
        if option.get("type") == "array" and isinstance(option.get("items"), Mapping):
            inner = _deref(option["items"], root)
            if "properties" in inner:
                return "[]", inner
    if schema.get("type") in ("array", ["array", "null"]) and isinstance(
            schema.get("items"), Mapping):
        inner = _deref(schema["items"], root)
        if "properties" in inner:
            return "[]", inner
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping) and "properties" in _deref(extra, root):
        return ".<name>", _deref(extra, root)
    return None


def _rows(schema: Mapping[str, Any], root: Mapping[str, Any], prefix: str,
          required: Sequence[str]) -> list[str]:
    rows = []
    for key, sub in schema.get("properties", {}).items():
        full = f"{prefix}{key}"
        sub_d = _deref(sub, root)
        default = ("required" if key in required else
                   json.dumps(sub_d["default"], ensure_ascii=False)
                   if "default" in sub_d and not isinstance(sub_d["default"], str)
                   else str(sub_d.get("default", "")))
        desc = str(sub_d.get("description", "")).replace("|", "\\|")
        rows.append(f"| `{full}` | {_type_text(sub_d, root)} | {default} | {desc} |")
        nested = _children(sub_d, root)
        if nested is not None:
            suffix, inner = nested
            rows += _rows(inner, root, f"{full}{suffix}.", inner.get("required", []))
    return rows


def reference_markdown() -> str:
    """Return ``docs/reference.md``: every key of every input file, generated from the schemas.

    Examples
    --------
    >>> "| `model.cluster` |" in reference_markdown()
    True
    """
    from egovstudy._yaml import MAX_YAML_ALIASES, MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES

    lines = ["# Input-file reference", "",
             "Generated from `egovstudy/schemas/*.schema.json` by "
             "`python -m egovstudy.schema docs`; do not edit by hand.", "",
             "Every mapping is closed: a key not listed here is an error naming it, with a "
             "\"did you mean\" suggestion. All problems of a file are reported at once.", "",
             "YAML files are read with the safe loader (no tags) and refused when larger than "
             f"{MAX_YAML_BYTES} bytes, with more than {MAX_YAML_ALIASES} aliases, more than "
             f"{MAX_YAML_NODES} values once aliases are expanded, or nested deeper than "
             f"{MAX_YAML_DEPTH} levels. Raise the limits with the environment variables "
             "`EGOVSTUDY_MAX_YAML_BYTES`, `EGOVSTUDY_MAX_YAML_ALIASES`, "
             "`EGOVSTUDY_MAX_YAML_NODES` and `EGOVSTUDY_MAX_YAML_DEPTH`.", ""]
    for name in SCHEMAS:
        schema = load_schema(name)
        lines += [f"## {schema['title']}", "", str(schema["description"]), "",
                  "| Key | Type | Default | Description |", "|---|---|---|---|",
                  *_rows(schema, schema, "", schema.get("required", [])), ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m egovstudy.schema docs [--check] [--output docs/reference.md]``."""
    import argparse

    from egovstudy._paths import project_root

    parser = argparse.ArgumentParser(prog="python -m egovstudy.schema",
                                     description="Write the input-file reference page.")
    parser.add_argument("verb", choices=["docs"])
    parser.add_argument("--output", default=str(project_root() / "docs" / "reference.md"))
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the page differs from the schemas")
    args = parser.parse_args(argv)
    target = Path(args.output)
    page = reference_markdown()
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != page:
            print(f"{target} is out of date. Fix: run python -m egovstudy.schema docs",
                  file=sys.stderr)
            return 1
        return 0
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    print(target)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
