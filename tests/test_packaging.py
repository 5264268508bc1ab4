"""Issue 19 item 7: LICENSE in the repository, the sdist and the wheel; metadata; the version
taken from the release tag; -q, --output-format and --statistics."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_license_and_metadata():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert {"Homepage", "Repository", "Issues"} <= set(project["urls"])
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in project["classifiers"]
    assert project["requires-python"] == ">=3.10" and len(project["keywords"]) >= 5


@pytest.mark.slow
def test_sdist_and_wheel_carry_the_license(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0 and "No module named build" in result.stderr:
        pytest.skip("the build package is not installed")
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    (sdist,) = tmp_path.glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata and "Classifier: Programming Language :: Python :: 3.13" in metadata
    assert "Project-URL: Repository, " in metadata
    with tarfile.open(sdist) as archive:
        assert any(n.endswith("/LICENSE") for n in archive.getnames())
        assert any(n.endswith("/action.yml") for n in archive.getnames())


def test_version_from_the_tag(tmp_path):
    from set_version import set_version, version_from_tag

    init = tmp_path / "__init__.py"
    init.write_text('"""doc"""\n\n__version__ = "0.1.0"\n', encoding="utf-8")
    assert set_version("v1.4.2", init) == "1.4.2"
    assert '__version__ = "1.4.2"' in init.read_text(encoding="utf-8")
    assert version_from_tag("refs/tags/v2.0.0rc1") == "2.0.0rc1"
    for bad in ("main", "v1", "v1.2.3; rm -rf /", "1.2.3\n"):
        with pytest.raises(SystemExit):
            version_from_tag(bad)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "aiblint/__init__.py"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aiblint", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_quiet_output_format_and_statistics():
    quiet = _cli("-q", "--output-format", "text", "examples/ubuntu-hazards.json")
    assert quiet.returncode == 1 and "in 1 file" not in quiet.stdout
    assert _cli("--output-format", "github", "examples/ubuntu-hazards.json").stdout.startswith("::")
    statistics = _cli("--statistics", "examples/")
    assert statistics.returncode == 1
    rows = [line.split("\t") for line in statistics.stdout.splitlines()]
    assert rows and all(len(row) == 3 and row[0].strip().isdigit() and row[1].startswith("AIB") for row in rows)
    counts = [int(row[0]) for row in rows]
    assert counts == sorted(counts, reverse=True)
    listed = json.loads(_cli("--format", "json", "examples/").stdout)["diagnostics"]
    assert sum(counts) == len(listed)
    as_json = json.loads(_cli("--statistics", "--format", "json", "examples/").stdout)
    assert {row["code"]: row["count"] for row in as_json} == {row[1]: int(row[0]) for row in rows}
