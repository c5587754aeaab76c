"""environment.yml (conda) lists the same dependencies as pyproject.toml (pip)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# conda-forge spells a few packages differently
CONDA_NAMES = {"country-converter": "country_converter", "types-pyyaml": "types-pyyaml"}


def _split(spec: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", spec)
    assert match, spec
    name = match.group(1).lower().replace("_", "-")
    return name, match.group(3).replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["dev"]
    return dict(_split(d) for d in deps)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs: list[str] = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            specs.extend(dep.get("pip", []))
        elif not re.match(r"(python\s*[<>=]|pip$)", dep):
            specs.append(dep)
    return dict(_split(s) for s in specs)


def test_environment_yml_matches_pyproject() -> None:
    pip, conda = _pyproject(), _environment()
    assert sorted(pip) == sorted(conda), (
        f"only in pyproject: {sorted(set(pip) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pip))}"
    )
    differing = {k: (pip[k], conda[k]) for k in pip if pip[k] != conda[k]}
    assert not differing, f"version ranges differ (pyproject, environment.yml): {differing}"


def test_requirements_pin_every_dependency() -> None:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    missing = sorted(set(_pyproject()) - set(pins))
    assert not missing, f"requirements.txt lacks pins for {missing}: run pip freeze"


def test_compat_requirements_pin_the_oldest_supported_pandas_and_numpy() -> None:
    pins = dict(line.split("==", 1) for line in
                (ROOT / "requirements-compat.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    lower = {name: spec.removeprefix(">=") for name, spec in _pyproject().items()
             if name in ("pandas", "numpy")}
    assert pins["pandas"].startswith(lower["pandas"]) and pins["numpy"].startswith(lower["numpy"])
    main = (ROOT / "requirements.txt").read_text()
    assert "pandas==3." in main, "requirements.txt pins pandas 3 (the current major release)"


def test_compat_requirements_differ_from_the_main_pins_only_in_pandas_and_numpy() -> None:
    def pins(name: str) -> dict[str, str]:
        return {line.split("==", 1)[0]: line for line in (ROOT / name).read_text().splitlines()
                if "==" in line and not line.startswith("#")}

    main, compat = pins("requirements.txt"), pins("requirements-compat.txt")
    assert set(main) == set(compat)
    assert {k for k in main if main[k] != compat[k]} == {"pandas", "numpy"}
