"""Script facts are computed once: the script rules and AIB200's build estimate read the same
sleeps and downloads (aiblint/scripts/facts.py), so they agree."""

from __future__ import annotations

import json
import re

import pytest

from aiblint.config import Config
from aiblint.lint import LintOptions, lint_text
from tests.conftest import LINUX_SOURCE, WINDOWS_SOURCE

WINDOWS, LINUX = WINDOWS_SOURCE, LINUX_SOURCE


def _lint(source: dict, kind: str, inline: list[str], timeout: int = 60) -> dict[str, list[str]]:
    template = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2024-02-01",
        "location": "westus2",
        "identity": {
            "type": "UserAssigned",
            "userAssignedIdentities": {
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id": {}
            },
        },
        "properties": {
            "buildTimeoutInMinutes": timeout,
            "source": source,
            "customize": [{"type": kind, "name": "step", "inline": inline}],
            "distribute": [],
        },
    }
    result = lint_text(json.dumps(template, indent=2), "t.json", Config(), None, LintOptions())
    found: dict[str, list[str]] = {}
    for diagnostic in result.diagnostics:
        found.setdefault(diagnostic.code, []).append(diagnostic.message)
    return found


def _estimated(messages: dict[str, list[str]], part: str) -> int:
    (message,) = messages["AIB200"]
    match = re.search(rf"{part} (\d+) min", message)
    assert match, message
    return int(match.group(1))


def test_start_sleep_milliseconds_counts_in_the_estimate_as_in_aib530():
    found = _lint(WINDOWS, "PowerShell", ["Start-Sleep -Milliseconds 7200000"])
    assert any("Start-Sleep of 120 minutes" in m for m in found["AIB530"])
    assert _estimated(found, "sleeps") == 120


def test_webclient_downloadfile_of_an_iso_counts_in_the_estimate_as_in_aib531():
    found = _lint(
        WINDOWS,
        "PowerShell",
        ["(New-Object Net.WebClient).DownloadFile('https://example.com/office.iso', 'C:\\\\office.iso')", "Start-Sleep 3000"],
    )
    assert any("downloads office.iso" in m for m in found["AIB531"])
    assert _estimated(found, "large downloads") > 0


@pytest.mark.parametrize(
    ("kind", "source", "inline", "code"),
    [
        ("Shell", LINUX, ["sleep 2h"], "AIB430"),
        ("Shell", LINUX, ["curl -fsSL -o /tmp/a.iso https://example.com/a.iso", "sleep 3h"], "AIB431"),
        ("PowerShell", WINDOWS, ["curl.exe -L -o C:\\\\a.iso https://example.com/a.iso", "Start-Sleep 3000"], "AIB531"),
    ],
)
def test_what_a_script_rule_reports_the_estimate_counts(kind, source, inline, code):
    found = _lint(source, kind, inline)
    assert code in found
    part = "sleeps" if code in ("AIB430", "AIB530") else "large downloads"
    assert _estimated(found, part) > 0


@pytest.mark.parametrize(
    "line",
    ["Install-WindowsUpdate -AcceptAll -IgnoreReboot", "Get-WindowsUpdate -Install -AcceptAll", "usoclient.exe StartInstall"],
)
def test_a_script_that_runs_windows_update_counts_as_windows_update(line):
    found = _lint(WINDOWS, "PowerShell", ["Install-Module PSWindowsUpdate -Force", line], timeout=61)
    assert _estimated(found, "Windows Update") >= 30


def test_listing_updates_is_not_installing_them():
    from aiblint.scripts.facts import powershell_facts
    from aiblint.scripts.powershell import analyse

    assert powershell_facts(analyse("Get-WindowsUpdate\nusoclient StartScan")).windows_updates == []
    assert len(powershell_facts(analyse("Get-WindowsUpdate -Install")).windows_updates) == 1
