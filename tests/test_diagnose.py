"""`aiblint diagnose`: every documented failure from the guide's own text and a variant,
phases and the failing customizer, ordering, --template, and a large log in bounded memory."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aiblint.diagnose import diagnose, diagnose_bytes, signatures
from tests.conftest import PEAK_MB_SOURCE, SHARED

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "diagnose_samples"
SIGNATURES = signatures()[0]
BY_ID = {s.id: s for s in SIGNATURES}
# guide sections that quote no error text: advice (tips, successful builds, support) or the log's own
# description, which the phase tests cover
ADVICE_2020 = {
    "understanding-the-customization-log",
    "customization-log",
    "tips-for-troubleshooting-scriptinline-customization",
    "troubleshooting-successful-builds",
    "troubleshooting-the-task",
    "devops-task",
    "command-locations-and-filenames",
    "sysprep-command-windows",
    "deprovision-command-linux",
    "overriding-the-commands",
    "getting-support",
    "next-steps",
    "troubleshoot-azure-image-builder-service",
    "troubleshoot-build-failures",
    "troubleshoot-common-build-errors",
    "troubleshoot-image-template-submission-errors",  # no error quoted in 2020; the 2023 one has its signature
    "error",
    "cause",
    "solution",
}
ADVICE_2023 = {
    "stages-of-the-customization-log",
    "customization-log",
    "access-live-logs-during-image-build",
    "download-the-customization-andor-validation-log-after-image-build",
    "troubleshoot-script-or-inline-customization",
    "command-locations-and-file-names",
    "sysprep-command-for-windows",
    "deprovision-command-for-linux",
    "overriding-the-commands",
    "get-support",
    "related-content",
    "troubleshoot-build-failures",
    "troubleshoot-common-build-errors",
    "troubleshoot-azure-devops",
}


def _diagnose(text: str):
    return diagnose(text.splitlines(keepends=True))


def _cases(kind: str) -> list[str]:
    return sorted(p.stem for p in (SAMPLES / kind).glob("*.txt") if p.stem != "understanding-the-customization-log")


def test_every_signature_has_its_guide_quotes_and_a_second_wording():
    for signature in SIGNATURES:
        assert (SAMPLES / "variant" / f"{signature.id}.txt").is_file(), signature.id
        if "2020" in signature.guides:
            assert signature.guides["2020"] == signature.id  # a failure in both guides keeps its 2020 id
            assert (SAMPLES / "guide" / f"{signature.id}.txt").is_file(), signature.id
        if "2023" in signature.guides:
            assert (SAMPLES / "guide2023" / f"{signature.id}.txt").is_file(), signature.id
    assert set(_cases("guide")) | set(_cases("guide2023")) | set(_cases("variant")) <= set(BY_ID)


def test_documented_means_a_guide_section_and_undocumented_says_where_its_fix_comes_from():
    for signature in SIGNATURES:
        assert signature.documented == bool(signature.guides), signature.id
        if not signature.documented:
            assert signature.source, signature.id


def _slug(heading: str) -> str:
    heading = re.sub(r"['\"\u2019]", "", heading.lower())
    return re.sub(r"[^a-z0-9 -]", "", heading).strip().replace(" ", "-")


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds is not beside this checkout")
def test_every_section_of_the_2020_guide_has_a_signature_or_is_advice():
    anchors: set[str] = set()
    for seed in (SHARED / "seeds").glob("*.txt"):
        anchors.update(re.findall(r'<a name="([a-z0-9-]+)"', seed.read_text(encoding="utf-8")))
    covered = {s.guides["2020"] for s in SIGNATURES if "2020" in s.guides}
    assert anchors - covered - ADVICE_2020 == set()


GUIDE_2023 = SHARED / "reference" / "docs-2023" / "image-builder-troubleshoot.md"


@pytest.mark.skipif(not GUIDE_2023.is_file(), reason="../shared/reference/docs-2023 is not beside this checkout")
def test_every_section_of_the_2023_guide_has_a_signature_or_is_advice():
    headings = re.findall(r"^#{2,3} (.+)$", GUIDE_2023.read_text(encoding="utf-8"), re.M)
    anchors = {_slug(h) for h in headings}
    covered = {s.guides["2023"] for s in SIGNATURES if "2023" in s.guides}
    assert anchors - covered - ADVICE_2023 == set()
    assert covered <= anchors | {"prerequisites"}  # every 2023 id is a real anchor of the guide


@pytest.mark.parametrize(
    ("kind", "row"),
    [("guide", r) for r in _cases("guide")]
    + [("guide2023", r) for r in _cases("guide2023")]
    + [("variant", r) for r in _cases("variant")],
)
def test_row_is_recognised(row, kind):
    result = diagnose_bytes((SAMPLES / kind / f"{row}.txt").read_bytes())
    if BY_ID[row].harmless:
        assert row in [w.signature.id for w in result.warnings], (kind, row)
        assert row not in [f.signature.id for f in result.failures]  # a harmless warning is never the cause
        return
    assert result.failures, f"nothing recognised in {kind}/{row}.txt"
    assert result.failures[0].signature.id == row, [f.signature.id for f in result.failures]


def test_private_endpoint_nic_is_the_one_deletion_error_that_is_not_harmless():
    result = diagnose_bytes((SAMPLES / "guide2023" / "resource-deletion-errors-appear.nic.log").read_bytes())
    assert [f.signature.id for f in result.failures] == ["resource-deletion-errors-appear"]
    assert "private endpoint" in result.failures[0].cause


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
    assert guide.phase == "cleanup" and guide.phase_evidence is not None and 'method="DELETE"' in guide.phase_evidence.text
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
    assert set(data["failures"][0]) >= {"id", "title", "cause", "fix", "rules", "evidence", "documented", "guides"}
    assert (
        data["failures"][0]["documented"] is True and data["failures"][0]["guides"]["2023"] == "deployment-fails-due-to-timeout"
    )
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
def test_large_log_streams_in_bounded_memory(tmp_path):
    """30 MB here to keep CI short; 100 MB measured the same way is in the README (23 MB peak)."""
    path = tmp_path / "customization.log"
    filler = "[086cf9c4-0457-4e8f-bfd4-908cfe3fe43c] PACKER ERR 2020/04/30 23:38:58 packer: 2020/04/30 23:38:58 [INFO] 1672 bytes written for 'stdout'\n"
    with path.open("w") as handle:
        handle.write("[x] PACKER ERR (telemetry) Starting provisioner powershell\n")
        chunk = filler * 10_000
        while handle.tell() < 30 * 1024 * 1024:
            handle.write(chunk)
        handle.write(
            "Failed while waiting for packerizer: Timeout waiting for microservice to complete: 'context deadline exceeded'\n"
        )
    code = (
        "import sys, time, json\n" + PEAK_MB_SOURCE + "from aiblint.cli import main\n"
        "start = time.perf_counter()\n"
        "rc = main(['diagnose', '--format', 'json', sys.argv[1]])\n"
        "print(json.dumps({'rc': rc, 'seconds': time.perf_counter() - start, 'peak_mb': peak_mb()}), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    stats = json.loads(result.stderr.strip().splitlines()[-1])
    data = json.loads(result.stdout)
    assert data["failures"][0]["id"] == "timeout-exceeded"
    assert stats["peak_mb"] < 60, stats  # the README's bound
    print(f"30 MB log: {stats['seconds']:.1f} s, peak RSS {stats['peak_mb']:.0f} MB")
