"""OS / generation inference over real corpus source blocks, and the build-time model."""

from __future__ import annotations

import json

import pytest

from aiblint.config import Config
from aiblint.context import FileContext
from aiblint.estimate import format_minutes, minutes, model
from aiblint.jsontree import parse
from aiblint.locate import locate
from aiblint.osinfo import infer
from aiblint.template import TemplateContext
from tests.conftest import LINUX_SOURCE, WINDOWS_SOURCE

# (publisher, offer, sku) as found in ../shared/corpus/templates -> (os, family, generation)
REAL_SOURCES = [
    ("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter", "windows", "server", "gen1"),
    ("MicrosoftWindowsServer", "WindowsServer", "2019-datacenter-gensecond", "windows", "server", "gen2"),
    ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition", "windows", "server", "gen2"),
    ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition-hotpatch", "windows", "server", "gen2"),
    ("MicrosoftWindowsServer", "WindowsServer", "2016-Datacenter", "windows", "server", "gen1"),
    ("Canonical", "UbuntuServer", "18.04-LTS", "linux", "debian", "gen1"),
    ("Canonical", "UbuntuServer", "16.04-LTS", "linux", "debian", "gen1"),
    ("Canonical", "UbuntuServer", "22.04-LTS", "linux", "debian", "gen1"),
    ("Canonical", "0001-com-ubuntu-server-focal", "20_04-lts-gen2", "linux", "debian", "gen2"),
    ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "linux", "debian", "gen2"),
    ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts", "linux", "debian", "gen1"),
    ("RedHat", "RHEL", "8-lvm", "linux", "rhel", "gen1"),
    ("RedHat", "RHEL", "8.1", "linux", "rhel", "gen1"),
    ("SUSE", "SLES", "15", "linux", "suse", "gen1"),
    ("microsoft-dsvm", "ubuntu-hpc", "2204", "linux", "debian", "gen1"),
    ("MicrosoftWindowsDesktop", "Windows-10", "20h2-pro", "windows", "client", "gen1"),
    ("MicrosoftWindowsDesktop", "windows-10", "20h1-ent", "windows", "client", "gen1"),
    ("MicrosoftWindowsDesktop", "windows-10", "19h1-evd", "windows", "client", "gen1"),
    ("MicrosoftWindowsDesktop", "windows-10", "21h1-evd-g2", "windows", "client", "gen2"),
    ("MicrosoftWindowsDesktop", "Windows-10", "win10-22h2-avd", "windows", "client", "gen1"),
    ("MicrosoftWindowsDesktop", "Windows-10", "win10-22h2-pro-g2", "windows", "client", "gen2"),
    ("MicrosoftWindowsDesktop", "Windows-10", "20h1-entn-g2", "windows", "client", "gen2"),
    ("MicrosoftWindowsDesktop", "Windows-10", "rs5-pro", "windows", "client", "gen1"),
    ("MicrosoftWindowsDesktop", "windows-11", "win11-22h2-avd", "windows", "client", "gen2"),
    ("MicrosoftWindowsDesktop", "windows11preview", "win11-21h2-ent-cpc-m365", "windows", "client", "gen2"),
    ("MicrosoftWindowsDesktop", "windows11preview", "win11-22h2-ent", "windows", "client", "gen2"),
    ("MicrosoftWindowsDesktop", "office-365", "win10-21h2-avd-m365-g2", "windows", "client", "gen2"),
    ("MicrosoftWindowsDesktop", "office-365", "20h2-evd-o365pp", "windows", "client", "gen1"),
    ("MicrosoftWindowsDesktop", "office-365", "20h2-evd-o365pp-g2", "windows", "client", "gen2"),
    ("microsoftwindowsdesktop", "office-365", "win11-22h2-avd-m365", "windows", "client", "gen2"),
    ("microsoftvisualstudio", "visualstudioplustools", "vs-2022-pro-general-win11-m365-gen2", "windows", "client", "gen2"),
    ("MicrosoftWindowsDesktop", "Windows-10", "<skuName>", "windows", "client", "unknown"),
    ("string", "string", "string", "unknown", None, "unknown"),
]


def _context(source: dict, customize: list | None = None) -> TemplateContext:
    template = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2024-02-01",
        "properties": {"source": source, "customize": customize or [], "distribute": []},
    }
    doc = parse(json.dumps(template))
    file = FileContext("t.json", doc, Config(), None)
    return TemplateContext(file, locate(doc)[0])


@pytest.mark.parametrize(("publisher", "offer", "sku", "os_name", "family", "generation"), REAL_SOURCES)
def test_inference_over_real_source_blocks(publisher, offer, sku, os_name, family, generation):
    ctx = _context({"type": "PlatformImage", "publisher": publisher, "offer": offer, "sku": sku, "version": "latest"})
    info = ctx.source_info
    assert (info.os, info.family, info.generation) == (os_name, family, generation)


def test_weak_evidence_from_names_and_contradictions():
    gallery = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/win2022-base/versions/latest"
    info = _context({"type": "SharedImageVersion", "imageVersionId": gallery}).source_info
    assert (info.os, info.strength) == ("windows", "weak")
    # a gallery name that says Windows, with Shell steps: contradictory, so unknown
    info = _context(
        {"type": "SharedImageVersion", "imageVersionId": gallery}, [{"type": "Shell", "inline": ["echo"]}]
    ).source_info
    assert info.os == "unknown"
    info = _context(
        {"type": "ManagedImage", "imageId": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/images/golden"}
    ).source_info
    assert info.os == "unknown"


def test_default_vm_size_follows_the_generation():
    gen1 = _context(
        {"type": "PlatformImage", "publisher": "Canonical", "offer": "UbuntuServer", "sku": "18.04-LTS", "version": "latest"}
    ).source_info
    gen2 = _context(
        {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "0001-com-ubuntu-server-jammy",
            "sku": "22_04-lts-gen2",
            "version": "latest",
        }
    ).source_info
    assert (gen1.default_vm_size, gen2.default_vm_size) == ("Standard_D1_v2", "Standard_D2ds_v4")


# -- the estimate model ---------------------------------------------------------------

WINDOWS, LINUX = WINDOWS_SOURCE, LINUX_SOURCE


def _parts(source: dict, customize: list) -> dict[str, int]:
    result = _context(source, customize).build_estimate
    parts: dict[str, int] = {}
    for what, amount in result.parts:
        parts[what] = parts.get(what, 0) + amount
    return parts


def test_every_model_part_has_a_reason():
    for name, part in model()["parts"].items():
        assert part["minutes"] > 0 and len(part["why"]) > 20, name


def test_fixed_parts_by_os():
    assert _parts(LINUX, []) == {
        "VM deployment": minutes("vm_deployment_linux"),
        "deprovisioning": minutes("deprovision_linux"),
        "image capture": minutes("capture"),
    }
    assert _parts(WINDOWS, [])["VM deployment"] == minutes("vm_deployment_windows")
    assert _parts(WINDOWS, [])["deprovisioning"] == minutes("deprovision_windows")


def test_windows_update_restart_and_steps():
    parts = _parts(
        WINDOWS,
        [
            {"type": "WindowsUpdate"},
            {"type": "WindowsRestart"},
            {"type": "WindowsUpdate"},
            {"type": "PowerShell", "inline": ["Write-Host a"]},
        ],
    )
    assert parts["Windows Update"] == 2 * minutes("windows_update")
    assert parts["restarts"] == minutes("windows_restart")
    assert parts["PowerShell steps"] == minutes("powershell_step")


def test_sleeps_and_large_downloads_are_read_from_the_scripts():
    parts = _parts(
        LINUX,
        [{"type": "Shell", "inline": ["sleep 10m", "curl -o /tmp/a.tar.gz https://example.com/a.tar.gz", "echo 'sleep 3600'"]}],
    )
    assert parts["sleeps"] == 10
    assert parts["large downloads"] == minutes("large_download")
    assert parts["Shell steps"] == minutes("shell_step")
    parts = _parts(
        WINDOWS,
        [
            {
                "type": "PowerShell",
                "inline": [
                    "Start-Sleep -Seconds 900",
                    "Invoke-WebRequest -Uri https://example.com/x.iso -OutFile C:\\x.iso -UseBasicParsing",
                ],
            }
        ],
    )
    assert parts["sleeps"] == 15 and parts["large downloads"] == minutes("large_download")


def test_file_steps_and_validation():
    parts = _parts(LINUX, [{"type": "File", "sourceUri": "https://example.com/a.zip", "destination": "/tmp/a.zip"}])
    assert parts["File steps"] == minutes("file_step") and parts["large downloads"] == minutes("large_download")


def test_replication_counts_regions_beyond_the_first():
    template = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2024-02-01",
        "properties": {
            "source": LINUX,
            "distribute": [
                {
                    "type": "SharedImage",
                    "galleryImageId": "/x",
                    "runOutputName": "a",
                    "targetRegions": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
                }
            ],
        },
    }
    doc = parse(json.dumps(template))
    ctx = TemplateContext(FileContext("t.json", doc, Config(), None), locate(doc)[0])
    assert ctx.build_estimate.replication == 2 * minutes("replication_region")


@pytest.mark.parametrize(("total", "text"), [(45, "45 min"), (60, "1 h"), (190, "3 h 10 min")])
def test_minutes_are_shown_as_people_read_them(total, text):
    assert format_minutes(total) == text


def test_infer_needs_a_source():
    ctx = _context({"type": "PlatformImage"}, [{"type": "WindowsRestart"}])
    assert infer(ctx.template).os == "windows"
