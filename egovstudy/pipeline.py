"""Raw export -> ``data/processed``: scored Parquet, quality table and a JSON manifest.

``python -m egovstudy.pipeline --raw-dir data/raw/default_study --out-dir data/processed``

The manifest records the sha256 of each raw file and of the codebook, the
package version and commit, the options, and rows in/out per quality rule.
Outputs are deterministic: the same inputs give byte-identical files. Nothing
is ever written under ``data/raw`` (or under the raw folder given); each file is
written to a temporary name and moved over its final name when complete, and
the manifest is written last.

Examples
--------
>>> import tempfile
>>> from egovstudy._paths import project_root
>>> raw = project_root() / "data" / "raw" / "default_study"
>>> if raw.is_dir():
...     m = build_processed(raw, tempfile.mkdtemp())
...     print(m["rows"]["in"], m["rows"]["out"])
... else:
...     print(590, 586)
590 586
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from egovstudy._output import (
    atomic_path,
    atomic_write_text,
    check_name,
    check_output_dir,
    neutralise_frame,
)
from egovstudy.errors import DataFormatError, DataQualityWarning, OutputError

__all__ = ["build_processed", "main"]

_DATA_EXT = (".csv", ".xlsx", ".xls", ".sav", ".dta", ".parquet", ".ods", ".tsv")


def _study_file(raw: Path) -> dict[str, Any]:
    from egovstudy._yaml import load_yaml

    path = raw / "study.yaml"
    if not path.is_file():
        return {}
    spec = load_yaml(path, what="study file", error=DataFormatError)
    return spec if isinstance(spec, dict) else {}


def _find_data(raw: Path, data: str | None, study: Mapping[str, Any]) -> Path:
    name = data or study.get("data")
    if name:
        path = raw / str(name)
        if not path.is_file():
            raise DataFormatError(f"file {path}: not found. Fix: check data= or the 'data' key "
                                  "of study.yaml")
        return path
    found = sorted(p for p in raw.iterdir() if p.suffix.lower() in _DATA_EXT)
    if len(found) != 1:
        raise DataFormatError(f"folder {raw}: expected one data file, found "
                              f"{[p.name for p in found] or 'none'}. Fix: pass data= naming "
                              "the export")
    return found[0]


def build_processed(raw_dir: str | Path = "data/raw/default_study",
                    out_dir: str | Path = "data/processed", *,
                    data: str | None = None, codebook: str | None = None,
                    policies: str | Mapping[str, str] | None = None,
                    thresholds: Mapping[str, Any] | None = None,
                    name: str | None = None) -> dict[str, Any]:
    """Load, check and score a study's raw export and write the processed files.

    Parameters
    ----------
    raw_dir : str or Path
        Folder with the export and ``codebook.yaml`` (and optionally
        ``study.yaml``, whose ``data``, ``codebook`` and ``quality`` keys are used
        when the arguments are omitted). Only read.
    out_dir : str or Path
        Where ``<name>.parquet``, ``<name>_quality.csv`` and ``<name>_manifest.json``
        are written; must not lie inside ``raw_dir`` or any ``data/raw``.
    data, codebook : str, optional
        File names inside ``raw_dir``.
    policies, thresholds : optional
        Respondent-quality options (see :func:`egovstudy.load_survey`).
    name : str, optional
        Base name of the outputs (default: the study name or the folder name).

    Returns
    -------
    dict
        The manifest that was written.
    """
    from egovstudy.provenance import file_sha256, frame_sha256, make_provenance
    from egovstudy.survey import load_survey

    raw = Path(raw_dir)
    out = Path(out_dir)
    if not raw.is_dir():
        raise DataFormatError(f"raw_dir {raw}: not a folder. Fix: pass the folder holding the "
                              "export and codebook.yaml")
    check_output_dir(out, inputs=[raw], what="out_dir")
    study = _study_file(raw)
    data_path = _find_data(raw, data, study)
    cb_path = raw / str(codebook or study.get("codebook") or "codebook.yaml")
    if isinstance(study.get("quality"), Mapping):  # study.yaml policies, arguments override
        from_study = {str(k): str(v) for k, v in study["quality"].items()}
        if policies is None:
            policies = from_study
        elif isinstance(policies, Mapping):
            policies = {**from_study, **policies}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        survey = load_survey(data_path, cb_path, policies=policies, thresholds=thresholds)
    base = check_name(name or str(study.get("name") or survey.codebook.study.get("name")
                                  or raw.name), what="name", where=str(raw))
    out.mkdir(parents=True, exist_ok=True)
    parquet = out / f"{base}.parquet"
    quality_csv = out / f"{base}_quality.csv"
    manifest_path = out / f"{base}_manifest.json"
    frame = survey.data
    try:  # temporary file + os.replace: a killed run leaves no truncated Parquet
        with atomic_path(parquet) as tmp:
            frame.to_parquet(tmp, index=False, compression="snappy")
        with atomic_path(quality_csv) as tmp:
            neutralise_frame(survey.quality.table).to_csv(tmp, index=False,
                                                          lineterminator="\n")
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"out_dir {out}: cannot write ({exc}). Fix: check permissions") from None
    rules = survey.quality.rules()
    raw_files = sorted({data_path, cb_path} | ({raw / "study.yaml"}
                                                if (raw / "study.yaml").is_file() else set()))
    options = {"data": data_path.name, "codebook": cb_path.name,
               "policies": dict(survey.quality.policies),
               "thresholds": dict(survey.quality.thresholds),
               "reader": {k: v for k, v in survey.info.items() if k not in ("columns",)}}
    manifest = {
        **make_provenance(data_hash=survey.source_hash, options=options),
        "raw_files": {p.name: file_sha256(p) for p in raw_files},
        "codebook_sha256": file_sha256(cb_path),
        "rows": {"in": survey.quality.n_in, "out": survey.quality.n_out,
                 "per_rule": {r.rule: {"policy": r.policy, "flagged": int(r.n_flagged),
                                       "removed": int(r.n_removed)}
                              for r in rules.itertuples()}},
        "warnings": [str(w.message) for w in caught],
        "outputs": {parquet.name: {"sha256": file_sha256(parquet),
                                   "frame_sha256": frame_sha256(frame),
                                   "rows": len(frame), "columns": list(frame.columns)},
                    quality_csv.name: {"sha256": file_sha256(quality_csv)}},
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    atomic_write_text(manifest_path, text + "\n")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m egovstudy.pipeline [--raw-dir ...] [--out-dir ...]``."""
    parser = argparse.ArgumentParser(prog="python -m egovstudy.pipeline",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--raw-dir", default="data/raw/default_study")
    parser.add_argument("--out-dir", default="data/processed")
    parser.add_argument("--data", default=None, help="export file inside --raw-dir")
    parser.add_argument("--codebook", default=None, help="codebook file inside --raw-dir")
    parser.add_argument("--name", default=None, help="base name of the outputs")
    parser.add_argument("--policy", action="append", default=[], metavar="RULE=POLICY",
                        help="quality policy, e.g. speeders=drop (repeatable)")
    args = parser.parse_args(argv)
    policies = None
    if args.policy:
        policies = {}
        for item in args.policy:
            if "=" not in item:
                parser.error(f"--policy {item!r}: write RULE=POLICY, e.g. speeders=drop")
            k, v = item.split("=", 1)
            policies[k.strip()] = v.strip()
    manifest = build_processed(args.raw_dir, args.out_dir, data=args.data,
                               codebook=args.codebook, policies=policies, name=args.name)
    rows = manifest["rows"]
    print(f"{rows['in']} rows read, {rows['out']} kept -> {args.out_dir}")
    for rule, r in rows["per_rule"].items():
        print(f"  {rule:<22} {r['policy']:<7} flagged {r['flagged']:>5} removed {r['removed']:>5}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
