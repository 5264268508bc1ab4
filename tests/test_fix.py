"""--fix / --diff / --show-fixes / --unsafe-fixes round trips (issue 19 item 5).

Every fix of every rule runs here, in strict JSON, JSONC with comments, an ARM deployment
template, CRLF, a UTF-8 BOM and UTF-16, with escapes in the string it edits. Each case
checks: exactly the expected bytes change, the file still parses, the finding is gone, no
finding appears that was not there, a second --fix changes nothing, --diff writes nothing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from aiblint.cli import main
from aiblint.config import Config
from aiblint.fix import split_bom
from aiblint.jsontree import parse
from aiblint.lint import LintOptions, lint_bytes

ROOT = Path(__file__).resolve().parent.parent
UBUNTU = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text())
WINDOWS = json.loads((ROOT / "examples" / "windows-good.json").read_text())


def _shell(lines: list[str]) -> dict:
    template = json.loads(json.dumps(UBUNTU))
    template["properties"]["customize"][0]["inline"] = lines
    return template


def _windows(lines: list[str], sku: str = "win11-23h2-avd", update: bool = False) -> dict:
    template = json.loads(json.dumps(WINDOWS))
    if sku.startswith("win11"):
        template["properties"]["source"].update({"publisher": "MicrosoftWindowsDesktop", "offer": "windows-11", "sku": sku})
    else:
        template["properties"]["source"]["sku"] = sku
    steps = [{"type": "PowerShell", "name": "tools", "inline": lines}]
    if update:
        steps.append({"type": "WindowsUpdate"})
    template["properties"]["customize"] = steps
    return template


def _with_restart(template: dict) -> dict:
    template["properties"]["customize"].append({"type": "WindowsRestart", "restartTimeout": "10m"})
    return template


def _arm(resource: dict) -> dict:
    resource = json.loads(json.dumps(resource))
    resource["name"] = "[concat('img-', uniqueString(resourceGroup().id))]"
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [resource],
    }


def _text(template: dict) -> str:
    return json.dumps(template, indent=2, ensure_ascii=False) + "\n"


def _uri_step(uri: str) -> dict:
    template = _shell(["echo ok"])
    template["properties"]["customize"].insert(0, {"type": "Shell", "name": "get", "scriptUri": uri, "sha256Checksum": "a" * 64})
    return template


@dataclass
class Case:
    name: str
    code: str
    text: str
    old: str  # the bytes the fix replaces (exactly once in the file)
    new: str
    unsafe: bool = False
    encoding: str = "utf-8"
    bom: bool = False
    crlf: bool = False

    def _encode(self, text: str) -> bytes:
        text = text.replace("\n", "\r\n") if self.crlf else text
        if self.encoding == "utf-16":
            return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")

    def data(self) -> bytes:
        return self._encode(self.text)

    def expected(self) -> bytes:
        assert self.text.count(self.old) == 1, self.name
        return self._encode(self.text.replace(self.old, self.new))


APT = "sudo apt-get install nginx"
RESTART_END = '{\n        "type": "WindowsUpdate"\n      }'
CASES = [
    Case("apt -y", "AIB401", _text(_shell(["echo 'naïve 😀'", APT])), APT, "sudo apt-get install -y nginx"),
    Case(
        "apt -y, escapes kept",
        "AIB401",
        _text(_shell(['echo "a\\tb" && sudo apt-get install nginx'])).replace("a\\\\tb", "a\\u0009b"),
        "sudo apt-get install nginx",
        "sudo apt-get install -y nginx",
    ),
    Case("yum -y", "AIB401", _text(_shell(["sudo yum install httpd"])), "sudo yum install httpd", "sudo yum install -y httpd"),
    Case("apt -y, CRLF + BOM", "AIB401", _text(_shell([APT])), APT, "sudo apt-get install -y nginx", crlf=True, bom=True),
    Case("apt -y, UTF-16", "AIB401", _text(_shell(["echo 日本", APT])), APT, "sudo apt-get install -y nginx", encoding="utf-16"),
    Case(
        "apt -y, JSONC comments kept",
        "AIB401",
        _text(_shell([APT])).replace('"inline": [', '"inline": [ // the packages\n          /* one per line */'),
        APT,
        "sudo apt-get install -y nginx",
    ),
    Case("apt -y, ARM template", "AIB401", _text(_arm(_shell([APT]))), APT, "sudo apt-get install -y nginx"),
    Case(
        "apt -y, ARM [[ escape",
        "AIB401",
        _text(_arm(_shell(["[[ -d /opt ] && sudo apt-get install nginx"]))),
        "sudo apt-get install nginx",
        "sudo apt-get install -y nginx",
    ),
    Case(
        "Install-Module -Force",
        "AIB501",
        _text(_windows(["Install-PackageProvider -Name NuGet"])),
        "Install-PackageProvider -Name NuGet",
        "Install-PackageProvider -Name NuGet -Force",
    ),
    Case(
        "msiexec /qn",
        "AIB502",
        # A restart after the install: without one the install is also AIB303's, and --fix would add it.
        _text(_with_restart(_windows(["msiexec /i C:\\tmp\\app.msi"]))),
        "msiexec /i C:\\\\tmp\\\\app.msi",
        "msiexec /i C:\\\\tmp\\\\app.msi /qn",
    ),
    Case(
        "WindowsRestart at the end",
        "AIB303",
        _text(_windows(["Write-Host ok"], update=True)),
        RESTART_END,
        RESTART_END + ',\n      { "type": "WindowsRestart", "restartTimeout": "10m" }',
    ),
    Case(
        "WindowsRestart at the end, CRLF",
        "AIB303",
        _text(_windows(["Write-Host ok"], update=True)),
        RESTART_END,
        RESTART_END + ',\n      { "type": "WindowsRestart", "restartTimeout": "10m" }',
        crlf=True,
    ),
    Case(
        "WindowsRestart on Windows Server 2016: 30 minutes (no AIB306)",
        "AIB303",
        _text(_windows(["Write-Host ok"], sku="2016-datacenter", update=True)),
        RESTART_END,
        RESTART_END + ',\n      { "type": "WindowsRestart", "restartTimeout": "30m" }',
    ),
    Case(
        "GitHub blob URL to raw",
        "AIB024",
        _text(_uri_step("https://github.com/contoso/images/blob/main/setup.sh")),
        "https://github.com/contoso/images/blob/main/setup.sh",
        "https://raw.githubusercontent.com/contoso/images/main/setup.sh",
    ),
    Case(
        "GitHub blob URL to raw, escaped slashes kept",
        "AIB024",
        _text(_uri_step("https://www.github.com/contoso/images/blob/v1/a-b.sh")).replace(
            "https://www.github.com/contoso/images/blob/v1/a-b.sh",
            "https:\\/\\/www.github.com\\/contoso\\/images\\/blob\\/v1\\/a-b.sh",
        ),
        "https:\\/\\/www.github.com\\/contoso\\/images\\/blob\\/v1\\/a-b.sh",
        "https:\\/\\/raw.githubusercontent.com\\/contoso\\/images\\/v1\\/a-b.sh",
    ),
    Case(
        "DEBIAN_FRONTEND before apt-get upgrade (safe: force-conf given)",
        "AIB402",
        _text(_shell(["sudo apt-get -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef upgrade -y"])),
        "sudo apt-get -o",
        "sudo DEBIAN_FRONTEND=noninteractive apt-get -o",
    ),
    Case(
        "DEBIAN_FRONTEND and force-conf (unsafe)",
        "AIB402",
        _text(_shell(["apt-get dist-upgrade -y"])),
        "apt-get dist-upgrade -y",
        "DEBIAN_FRONTEND=noninteractive apt-get dist-upgrade -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -y",
        unsafe=True,
    ),
    Case(
        "force-conf only (unsafe)",
        "AIB402",
        _text(_shell(["sudo DEBIAN_FRONTEND=noninteractive apt-get upgrade -y"])),
        "apt-get upgrade -y",
        "apt-get upgrade -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -y",
        unsafe=True,
    ),
]


def _findings(data: bytes) -> Counter[str]:
    result = lint_bytes(data, "t.json", Config(), None, LintOptions())
    return Counter(d.code for d in result.diagnostics)


def _run(path: Path, *flags: str, capsys) -> tuple[int, str, str]:
    code = main([str(path), "--no-color", *flags])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fix_round_trip(case: Case, tmp_path: Path, capsys):
    path = tmp_path / "image.json"
    original = case.data()
    path.write_bytes(original)
    before = _findings(original)
    assert before[case.code] == 1, before
    unsafe = ("--unsafe-fixes",) if case.unsafe else ()

    code, out, err = _run(path, "--diff", *unsafe, capsys=capsys)
    assert path.read_bytes() == original  # --diff writes nothing
    assert code == 1 and out.startswith("--- a/") and f"{case.code} would fix" in err

    if case.unsafe:  # without --unsafe-fixes the fix is not applied
        _run(path, "--fix", capsys=capsys)
        assert path.read_bytes() == original

    _run(path, "--fix", "--show-fixes", *unsafe, capsys=capsys)
    fixed = path.read_bytes()
    assert fixed == case.expected()  # exactly these bytes changed: BOM, encoding, endings, escapes kept
    parse(split_bom(fixed)[0])  # still parses
    after = _findings(fixed)
    assert after[case.code] == 0
    assert not (after - before), f"new findings: {after - before}"

    _run(path, "--fix", *unsafe, capsys=capsys)
    assert path.read_bytes() == fixed  # a second --fix changes nothing


def test_every_fix_of_every_rule_is_exercised():
    offered = set()
    for source in (ROOT / "aiblint" / "rules").glob("*.py"):
        text = source.read_text(encoding="utf-8")
        for call in re.finditer(r'report\(\s*"(AIB\d+)"', text):
            rest = text[call.end() :]
            stop = re.search(r"report\(|\ndef |\n@", rest)
            if re.search(r"\b(insert|edits|fix)=", rest[: stop.start() if stop else len(rest)]):
                offered.add(call.group(1))
    assert offered == {c.code for c in CASES}


def test_several_fixes_in_one_file_and_exit_codes(tmp_path: Path, capsys):
    path = tmp_path / "image.json"
    path.write_text(_text(_shell([APT, "sudo yum install httpd", "sudo apt-get install curl"])))
    code, out, err = _run(path, "--fix", "--show-fixes", capsys=capsys)
    inline = json.loads(path.read_text())["properties"]["customize"][0]["inline"]
    assert inline == ["sudo apt-get install -y nginx", "sudo yum install -y httpd", "sudo apt-get install -y curl"]
    assert err.count("AIB401 fixed: insert -y") == 3
    assert code == 0 and "AIB401" not in out  # what is left is reported; nothing is


def test_unfixable_findings_remain_and_fail(tmp_path: Path, capsys):
    path = tmp_path / "image.json"
    path.write_text(_text(_shell(["read -p 'name? ' x"])))
    original = path.read_bytes()
    code, out, _ = _run(path, "--fix", capsys=capsys)
    assert path.read_bytes() == original and code == 1 and "AIB402" in out
    code, out, _ = _run(path, "--diff", capsys=capsys)
    assert code == 0 and out == ""


def test_symlinks_are_not_rewritten(tmp_path: Path, capsys):
    target = tmp_path / "real.json"
    target.write_text(_text(_shell([APT])))
    link = tmp_path / "link.json"
    link.symlink_to(target)
    _, _, err = _run(link, "--fix", capsys=capsys)
    assert APT in target.read_text() and "not fixed (a symbolic link)" in err


def test_diff_output_escapes_control_characters(tmp_path: Path, capsys):
    path = tmp_path / "image\x1b[31m.json"
    path.write_text(_text(_shell([APT])))
    _, out, _ = _run(path, "--diff", capsys=capsys)
    assert "\x1b" not in out and "\\x1b" in out
