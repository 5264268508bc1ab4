"""`aiblint diagnose`: every documented failure from the guide's own text and a variant,
phases and the failing customizer, ordering, --template, and a 100 MB log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aiblint.diagnose import diagnose, signatures

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "diagnose_samples"
ROWS = sorted(p.stem for p in (SAMPLES / "guide").glob("*.txt") if p.stem != "understanding-the-customization-log")


def _diagnose(text: str):
    return diagnose(text.splitlines(keepends=True))


def test_every_signature_id_is_a_guide_row():
    ids = {s.id for s in signatures()[0]}
    assert set(ROWS) == ids, set(ROWS) ^ ids


@pytest.mark.parametrize("kind", ["guide", "variant"])
@pytest.mark.parametrize("row", ROWS)
def test_row_is_recognised(row, kind):
    result = _diagnose((SAMPLES / kind / f"{row}.txt").read_text(encoding="utf-8"))
    assert result.failures, f"nothing recognised in {kind}/{row}.txt"
    assert result.failures[0].signature.id == row, [f.signature.id for f in result.failures]


def test_apt_abort_is_a_packer_failure_caused_by_aib401():
    result = _diagnose((SAMPLES / "variant" / "packer-build-command-failure.txt").read_text())
    first = result.failures[0]
    assert first.signature.id == "packer-build-command-failure"
    assert first.rules == ["AIB401"] and "Abort" in first.text
    assert result.failed_step is not None and result.failed_step.name == "shell"


def test_customization_log_phases():
    guide = _diagnose((SAMPLES / "guide" / "understanding-the-customization-log.txt").read_text())
    assert guide.failures == []
    assert guide.phases_seen == ["deployment", "deployment-status", "connect", "customization", "deprovisioning", "cleanup"]
    variant = _diagnose((SAMPLES / "variant" / "understanding-the-customization-log.txt").read_text())
    assert variant.phase == "customization" and variant.failed_step is not None


LOG = """\
[abc] PACKER OUT ==> azure-arm: Deploying deployment template ...
[abc] PACKER ERR 2020/04/30 23:30:50 packer: Waiting for WinRM, up to timeout: 10m0s
[abc] PACKER OUT     azure-arm: WinRM connected.
[abc] PACKER ERR 2020/04/30 23:31:00 [INFO] (telemetry) Starting provisioner powershell
[abc] PACKER ERR 2020/04/30 23:32:00 [INFO] (telemetry) ending powershell
[abc] PACKER ERR 2020/04/30 23:32:00 [INFO] (telemetry) Starting provisioner windows-restart
[abc] PACKER ERR 2020/04/30 23:34:00 [INFO] (telemetry) ending windows-restart
[abc] PACKER ERR 2020/04/30 23:34:00 [INFO] (telemetry) Starting provisioner powershell
[abc] PACKER OUT     azure-arm: Installing...
Deployment failed. Failed in building/customizing image: Failed while waiting for packerizer: Timeout waiting for microservice to complete: 'context deadline exceeded'
[abc] PACKER ERR 2020/04/30 23:59:00 Cancelling builder after context cancellation context canceled
[abc] PACKER ERR 2020/04/30 23:59:01 packer: Azure request method="DELETE" request="https://management.azure.com/.../networkInterfaces/pkrni"
"message": "network.InterfacesClient#UpdateTags: Failure responding to request: StatusCode=404 -- Original Error: Code=\\"ResourceNotFound\\""
"""


def test_mixed_input_names_the_root_cause_first():
    result = _diagnose(LOG)
    ids = [f.signature.id for f in result.failures]
    assert ids[0] == "timeout-exceeded"
    assert ids[-1] == "cancelling-builder-after-context-cancellation-context-canceled"
    assert "resource-not-found" in ids
    assert result.phase == "customization"
    assert result.failed_step is not None and result.failed_step.name == "powershell" and result.failed_step.started_line == 8


def test_hidden_deprovisioning_step_is_not_the_users_customizer():
    log = [
        *LOG.splitlines()[:7],
        "[abc] PACKER ERR 2020/03/04 23:05:04 [INFO] (telemetry) Starting provisioner powershell",
        '[abc] PACKER ERR 2020/03/04 23:05:04 packer: Found command: if( TEST-PATH c:\\DeprovisioningScript.ps1 ){cat c:\\DeprovisioningScript.ps1} else {echo "Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. Image build may fail"}',
        "[abc] PACKER OUT     azure-arm: IMAGE_STATE_UNDEPLOYABLE",
    ]
    result = diagnose(line + "\n" for line in log)
    assert [f.signature.id for f in result.failures] == ["sysprep-timing"]  # the routine Found command line is no failure
    assert result.phase == "deprovisioning"
    assert result.to_json()["failed_customizer"] is None


def test_gallery_deadline_is_not_the_generic_timeout():
    result = _diagnose((SAMPLES / "variant" / "error-waiting-on-shared-image-gallery.txt").read_text())
    assert [f.signature.id for f in result.failures] == ["error-waiting-on-shared-image-gallery"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiblint", "diagnose", *args], capture_output=True, text=True, input=stdin, timeout=300, cwd=ROOT
    )


def test_cli_json_contract_and_template_mapping(tmp_path):
    template = json.loads((ROOT / "examples" / "windows-good.json").read_text())
    template["properties"]["customize"].append({"type": "PowerShell", "name": "install-agent", "inline": ["Write-Host hi"]})
    path = tmp_path / "win.json"
    path.write_text(json.dumps(template, indent=2))
    result = run("--format", "json", "--template", str(path), "-", stdin=LOG)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert set(data) >= {"failures", "phase", "customizers", "failed_customizer"}
    assert set(data["failures"][0]) == {"id", "title", "cause", "fix", "rules", "evidence"}
    assert data["failures"][0]["evidence"]["line"] == 10
    # the 2nd powershell provisioner is the 2nd PowerShell customizer: install-agent
    assert data["failed_customizer"] == "install-agent"
    assert data["failed_customizer_position"]["index"] == 4


def test_cli_text_and_no_match():
    text = run("-", stdin=LOG).stdout
    assert text.startswith("Root cause: Timeout exceeded") and "Failed customizer: powershell" in text
    nothing = run("--format", "json", "-", stdin="all good\n")
    assert nothing.returncode == 0 and json.loads(nothing.stdout)["failures"] == []
    assert run("no/such/log.txt").returncode == 2


def test_rule_pages_name_the_guide_section_they_prevent():
    from aiblint.catalog import page

    for signature in signatures()[0]:
        for code in signature.rules:
            assert f"`{signature.id}`" in (page(code) or ""), (code, signature.id)


@pytest.mark.slow
def test_100mb_log_in_bounded_memory(tmp_path):
    path = tmp_path / "customization.log"
    filler = "[086cf9c4-0457-4e8f-bfd4-908cfe3fe43c] PACKER ERR 2020/04/30 23:38:58 packer: 2020/04/30 23:38:58 [INFO] 1672 bytes written for 'stdout'\n"
    with path.open("w") as handle:
        handle.write("[x] PACKER ERR (telemetry) Starting provisioner powershell\n")
        chunk = filler * 10_000
        while handle.tell() < 100 * 1024 * 1024:
            handle.write(chunk)
        handle.write(
            "Failed while waiting for packerizer: Timeout waiting for microservice to complete: 'context deadline exceeded'\n"
        )
    code = (
        "import resource, sys, time, json\n"
        "from aiblint.cli import main\n"
        "start = time.perf_counter()\n"
        "rc = main(['diagnose', '--format', 'json', sys.argv[1]])\n"
        "print(json.dumps({'rc': rc, 'seconds': time.perf_counter() - start, 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    stats = json.loads(result.stderr.strip().splitlines()[-1])
    data = json.loads(result.stdout)
    assert data["failures"][0]["id"] == "timeout-exceeded"
    assert stats["peak_mb"] < 100, stats
    print(f"100 MB log: {stats['seconds']:.1f} s, peak RSS {stats['peak_mb']:.0f} MB")
