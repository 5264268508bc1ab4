"""The public corpus (../shared/corpus/templates): never a crash, and the known hazards are found."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from tests.conftest import CORPUS, corpus_files, needs_corpus

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def corpus_run() -> dict:
    files = [str(p) for p in corpus_files()]
    result = subprocess.run(
        [sys.executable, "-m", "aiblint", "--format", "json", *files], capture_output=True, text=True, timeout=300
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert data["summary"]["files"] == len(files)
    return data


def _hits(data: dict, code: str) -> set[str]:
    return {d["file"].rsplit("/", 1)[-1] for d in data["diagnostics"] if d["code"] == code}


def test_every_corpus_file_lints_without_a_crash(corpus_run):
    assert len(corpus_files()) >= 200


def test_unparseable_files_are_aib001(corpus_run):
    expected = {
        "tchristman-lutron__AzureImageBuilder__win2004evd-template-01.json",
        "ty-james__Azure-Image-Builder__AIB-Deploy-ManagedImageTemplatev3.json",
        "ty-james__Azure-Image-Builder__AIB-Deploy-ManagedImageTemplatev4.json",
        "Azure__avdaccelerator__workload__workshop__Azure Image Builder__armTemplateWinSIG.json",
    }
    assert _hits(corpus_run, "AIB001") == expected


def test_observations_shell_hazards_are_found(corpus_run):
    # OBSERVATIONS.md top-10 #1 (apt install without -y), #4 (waagent -deprovision), apt upgrade (krwittmer)
    assert {
        "adybfadel__azure-image-builder__json__ubuntu1804-image-template.json",
        "adybfadel__azure-image-builder__json__linux-vm-image-template.json",
    } <= _hits(corpus_run, "AIB401")
    assert "phillipsj__azure-image-builder__base-kubernetes.json" in _hits(corpus_run, "AIB422")
    assert "phillipsj__azure-image-builder__baseKubernetes.json" not in _hits(corpus_run, "AIB422")
    krwittmer = {f for f in _hits(corpus_run, "AIB402") if f.startswith("krwittmer__")}
    assert len(krwittmer) == 3


def test_no_internal_error_on_any_single_file():
    # One process per file would be slow; the combined run above already proves it. Here we
    # only check the corpus has not shrunk below what the issue promises.
    assert CORPUS.is_dir()
    assert Counter(p.suffix for p in corpus_files())[".json"] >= 190


def test_observations_powershell_hazards(corpus_run):
    # Deliberate Sysprep overrides (OBSERVATIONS "Overriding the deprovisioning script") are
    # never deletions, and templates that turn the firewall off are not AIB510.
    assert _hits(corpus_run, "AIB520") == set()
    firewall_off = {f for f in (p.name for p in corpus_files()) if f.startswith(("michawets__", "wuyvzhang__"))}
    assert not firewall_off & _hits(corpus_run, "AIB510")
    # -OutFile without -PassThru never reaches the IE engine (review FP); a response read from the
    # pipeline ($links = Invoke-WebRequest ...; $links.Links) does.
    assert "lenvolk__images-using-azure-image-builder__LenVolk__AIB-ChocoWin11.json" not in _hits(corpus_run, "AIB503")
    assert "jamasten__AzureImageBuilder__solution.json" in _hits(corpus_run, "AIB503")


def test_observations_template_hazards(corpus_run):
    assert "phillipsj__azure-image-builder__base-kubernetes.json" in _hits(corpus_run, "AIB025")
    assert "Azure__azure-quickstart-templates__demos__imagebuilder-windowsbaseline__azuredeploy.json" in _hits(
        corpus_run, "AIB026"
    )
    assert "Azure__azure-quickstart-templates__demos__imagebuilder-windowsbaseline__azuredeploy.json" in _hits(
        corpus_run, "AIB010"
    )
    nelson = {f for f in _hits(corpus_run, "AIB024") if f.startswith("nelson2000__")}
    assert len(nelson) == 2
    assert {f for f in _hits(corpus_run, "AIB004") if f.startswith("nelson2000__")} == nelson
