"""Microsoft's own samples pass the default gate once their placeholders are filled.

fixtures/samples/ holds edited copies of the azvmimagebuilder quickstarts (Linux and Windows
managed image, Linux gallery image) and the AVD (WVD) solution template, with each
`<placeholder>` replaced the way the quickstarts' `sed` lines do. The AVD template takes its
apiVersion as a deployment parameter (`-api-version 2020-02-14` in the article); the copy gives
that parameter the article's value as its default. The default `--fail-on warning` must pass
them: anything an author of these samples would see as a failure is a precision bug.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "fixtures" / "samples").glob("*.json"))


def test_the_samples_are_there():
    assert len(SAMPLES) >= 4


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_passes_the_default_gate(path):
    result = subprocess.run(
        [sys.executable, "-m", "aiblint", "--no-color", str(path.relative_to(ROOT))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " error " not in result.stdout and " warning " not in result.stdout, result.stdout
