"""build_processed: Parquet + manifest, deterministic, never writes under data/raw."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from egovstudy.errors import OutputError
from egovstudy.pipeline import build_processed

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "data" / "raw" / "default_study"


def _tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def raw_copy(tmp_path: Path) -> Path:
    if not STUDY.is_dir():
        pytest.skip("default study not generated")
    dest = tmp_path / "data" / "raw" / "study"
    shutil.copytree(STUDY, dest)
    return dest


def test_outputs_manifest_and_raw_untouched(raw_copy: Path, tmp_path: Path) -> None:
    before = _tree_hashes(raw_copy.parent)
    out = tmp_path / "processed"
    manifest = build_processed(raw_copy, out)
    assert _tree_hashes(raw_copy.parent) == before  # nothing written under data/raw
    files = {p.name for p in out.iterdir()}
    assert files == {"default_study.parquet", "default_study_manifest.json",
                     "default_study_quality.csv"}
    on_disk = json.loads((out / "default_study_manifest.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(manifest, default=str))
    csv = raw_copy / "survei_asn_opd.csv"
    assert manifest["raw_files"]["survei_asn_opd.csv"] == hashlib.sha256(
        csv.read_bytes()).hexdigest()
    assert manifest["codebook_sha256"] == hashlib.sha256(
        (raw_copy / "codebook.yaml").read_bytes()).hexdigest()
    assert manifest["version"] and manifest["options"]["policies"]["speeders"] == "drop"
    rows = manifest["rows"]
    removed = sum(r["removed"] for r in rows["per_rule"].values())
    assert rows["in"] - removed == rows["out"]
    frame = pd.read_parquet(out / "default_study.parquet")
    assert len(frame) == rows["out"]
    assert str(frame["hrq1"].dtype) == "Int8" and "digitalisation" in frame


def test_deterministic(raw_copy: Path, tmp_path: Path) -> None:
    build_processed(raw_copy, tmp_path / "a")
    build_processed(raw_copy, tmp_path / "b")
    assert _tree_hashes(tmp_path / "a") == _tree_hashes(tmp_path / "b")


def test_refuses_to_write_raw(raw_copy: Path) -> None:
    with pytest.raises(OutputError, match="raw data is never written"):
        build_processed(raw_copy, raw_copy / "processed")
    with pytest.raises(OutputError, match="raw data is never written"):
        build_processed(raw_copy, raw_copy.parent / "other")


def test_command_line(raw_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    before = _tree_hashes(raw_copy.parent)
    res = subprocess.run([sys.executable, "-m", "egovstudy.pipeline", "--raw-dir",
                          str(raw_copy), "--out-dir", str(out), "--policy", "missing=drop"],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert "rows read" in res.stdout
    manifest = json.loads((out / "default_study_manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"]["per_rule"]["missing"]["removed"] == 1
    assert _tree_hashes(raw_copy.parent) == before
