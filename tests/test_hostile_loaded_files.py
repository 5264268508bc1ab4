"""Files a Bicep or Terraform template loads are read like every other input (issue 14, item 5).

``loadTextContent`` and ``file()`` go through aiblint/safe_read.read_limited: regular files
only, opened without blocking, the size limit applied while reading. A FIFO or a symlink to
/dev/zero committed next to the template is one clean note: no hang, no traceback, and the
template's other findings are kept.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")

BICEP = """resource image 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = {
  name: 'linux'
  location: 'westeurope'
  properties: {
    source: {
      type: 'PlatformImage'
      publisher: 'Canonical'
      offer: '0001-com-ubuntu-server-jammy'
      sku: '22_04-lts-gen2'
      version: 'latest'
    }
    customize: [
      {
        type: 'Shell'
        name: 'loaded'
        inline: [
          loadTextContent('%s')
          'apt-get install jq'
        ]
      }
    ]
  }
}
"""

TERRAFORM = """resource "azapi_resource" "image" {
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "linux"
  location  = "westeurope"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images"
  body = {
    properties = {
      source = {
        type      = "PlatformImage"
        publisher = "Canonical"
        offer     = "0001-com-ubuntu-server-jammy"
        sku       = "22_04-lts-gen2"
        version   = "latest"
      }
      customize = [
        {
          type   = "Shell"
          name   = "loaded"
          inline = [file("${path.module}/%s"), "apt-get install jq"]
        },
      ]
    }
  }
}
"""


def _repository(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    os.mkfifo(tmp_path / "pipe.sh")  # never written: a blocking read would hang forever
    (tmp_path / "zero.sh").symlink_to("/dev/zero")
    return tmp_path


def _lint(folder: Path, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiblint", name, "--format", "json"], capture_output=True, text=True, timeout=30, cwd=folder
    )


@pytest.mark.parametrize("language", ["bicep", "terraform"])
@pytest.mark.parametrize("target", ["pipe.sh", "zero.sh"])
def test_special_file_loaded_by_a_template_is_a_note(tmp_path, language, target):
    import json

    folder = _repository(tmp_path)
    name = "main.bicep" if language == "bicep" else "main.tf"
    (folder / name).write_text((BICEP if language == "bicep" else TERRAFORM) % target, encoding="utf-8")
    done = _lint(folder, name)  # the timeout is the hang check
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    notes = [line for line in done.stderr.splitlines() if target in line]
    assert len(notes) == 1 and notes[0].startswith("aiblint: note:"), done.stderr
    assert "not followed" in notes[0]
    codes = {d["code"] for d in json.loads(done.stdout)["diagnostics"]}
    assert "AIB401" in codes  # the template's own line after the load is still linted


def test_parameter_file_that_is_a_fifo_is_a_note(tmp_path):
    import json

    folder = _repository(tmp_path)
    resource = json.loads((Path(__file__).resolve().parent.parent / "examples" / "ubuntu-good.json").read_text(encoding="utf-8"))
    resource["properties"]["customize"][0]["inline"] = ["[concat('apt-get install ', parameters('p'))]"]
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"p": {"type": "string", "defaultValue": "jq"}},
        "resources": [resource],
    }
    (folder / "azuredeploy.json").write_text(json.dumps(template), encoding="utf-8")
    os.mkfifo(folder / "values.json")  # named with --parameters (a FIFO sibling is simply not picked up)
    done = subprocess.run(
        [sys.executable, "-m", "aiblint", "azuredeploy.json", "--parameters", "values.json", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=folder,
    )
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    assert "values.json: not a regular file: parameter file ignored" in done.stderr
    assert "AIB401" in {d["code"] for d in json.loads(done.stdout)["diagnostics"]}  # the default value is used
