"""Attacks on this session's new code paths (issue 14's rules applied to issue 16's work):
resource copy loops, related locations in every format, the Bicep and Terraform front ends,
the language server and ``diagnose``. Every attack is built here; each is under 1 MB.

The heavy attacks run in a child process under a memory limit, so a regression costs that
child, never the test run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aiblint.config import Config
from aiblint.jsontree import parse
from aiblint.lint import MAX_RELATED_LOCATIONS, LintOptions, lint_text
from aiblint.locate import MAX_RESOURCE_COPIES, locate
from tests.conftest import PEAK_MB_SOURCE

ROOT = Path(__file__).resolve().parent.parent
COPY_FIXTURE = ROOT / "fixtures" / "AIB401" / "arm_resource_copy.json"
PLACEHOLDER_FIXTURE = ROOT / "fixtures" / "AIB020" / "one_per_placeholder.json"
BICEP = (ROOT / "tests" / "frontends" / "bicep_linux" / "main.bicep").read_text()
TERRAFORM = (ROOT / "tests" / "frontends" / "terraform_azapi" / "main.tf").read_text()
FORMATS = ("text", "json", "sarif", "github", "azure", "junit", "lsp")

# The child lints its arguments with the CLI and reports exit code, CPU seconds (start-up
# included; wall-clock time on a shared machine says little) and peak memory;
# an address-space limit of 1.5 GB makes a runaway allocation a MemoryError, not a dead machine.
_CHILD = (
    "import resource, sys, time, json\n"
    "resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))\n"
    + PEAK_MB_SOURCE
    + "from aiblint.cli import main\n"
    "start = time.perf_counter()\n"
    "rc = main(sys.argv[1:])\n"
    "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "stats = {'rc': rc, 'wall': round(time.perf_counter() - start, 2), 'seconds': round(usage.ru_utime + usage.ru_stime, 2)}\n"
    "print(json.dumps({**stats, 'peak_mb': round(peak_mb())}), file=sys.stderr)\n"
)


def _run(*args: str, limit: float = 30.0) -> tuple[dict, str, str]:
    """(stats, stdout, stderr without the stats line); a child that outlives ``limit`` is a hang."""
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, timeout=limit, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"rc": "hang", "seconds": limit, "peak_mb": None}, "", ""
    lines = done.stderr.strip().splitlines()
    try:
        stats = json.loads(lines[-1])
    except (IndexError, ValueError):
        stats = {"rc": done.returncode, "seconds": None, "peak_mb": None}
    assert "Traceback" not in done.stderr
    return stats, done.stdout, "\n".join(lines[:-1])


@pytest.fixture(autouse=True, scope="module")
def _warm() -> None:
    """The first lint in a process loads the rules, grammars and schemas: not the attack's time."""
    lint_text(COPY_FIXTURE.read_text(), "warm.json", Config(), None, LintOptions())


def _bounded(stats: dict, seconds: float = 2.0, peak_mb: float = 300.0) -> bool:
    return stats["rc"] in (0, 1) and stats["seconds"] < seconds and stats["peak_mb"] < peak_mb


def _copy_template(count: object = 3, **properties: object) -> dict:
    template = json.loads(COPY_FIXTURE.read_text())
    template["resources"][0]["copy"]["count"] = count
    template["resources"][0]["properties"].update(properties)
    return template


def _lint(template: dict) -> tuple[object, float]:
    text = json.dumps(template, indent=1)
    assert len(text) < 1_000_000
    start = time.process_time()  # CPU time: the machine running the tests may be shared
    result = lint_text(text, "t.json", Config(), None, LintOptions())
    return result, time.process_time() - start


# -- resource copy loops --------------------------------------------------------------------


def _property_loop(count: object, input_name: str = "[format('s{0}', copyIndex('customize'))]") -> list[dict]:
    return [
        {
            "name": "customize",
            "count": count,
            "input": {
                "type": "Shell",
                "name": input_name,
                "inline": ["[format('sudo apt-get install pkg{0}', copyIndex('customize'))]"],
            },
        }
    ]


def test_a_property_copy_loop_inside_a_resource_copy_loop_is_bounded():
    # 200 instances x 800 customizers made by a property copy loop: 1.6 KB of template that
    # took more than 60 s (each instance is a whole lint). Now measured on the first instance.
    template = _copy_template(200, copy=_property_loop(800))
    del template["resources"][0]["properties"]["customize"]
    result, seconds = _lint(template)
    assert seconds < 2.0, seconds
    assert any("too large to lint every instance" in note for note in result.notes)
    assert not result.internal_errors


def test_a_property_loop_that_grows_with_copy_index_is_charged_per_instance():
    # Instance 0 has no customizer (count = copyIndex()), so its cost says nothing about
    # the others: 0 + 1 + ... + 199 = 19,900 customizers. Took 8.7 s.
    template = _copy_template(200, copy=_property_loop("[copyIndex()]"))
    del template["resources"][0]["properties"]["customize"]
    result, seconds = _lint(template)
    assert seconds < 2.0, seconds
    assert any("too large to lint every instance" in note for note in result.notes)


def test_the_copy_loops_of_one_file_expand_at_most_200_instances_together():
    # 200 image templates, each a loop of 200: 40,000 small lints (10.5 s) under the old
    # per-loop limit, since a small template's text fits the 4 MB budget 3,000 times.
    template = _copy_template(200)
    resource = template["resources"][0]
    template["resources"] = [{**resource, "copy": {"name": f"loop{i}", "count": 200}} for i in range(200)]
    text = json.dumps(template)
    located = locate(parse(text))
    assert len(located) <= MAX_RESOURCE_COPIES + 200  # the first loop expanded, every other one linted once
    result, seconds = _lint(template)
    assert seconds < 3.0, seconds
    assert any("in this file" in note for note in result.notes)


def test_a_count_of_thousands_of_digits_is_not_quoted_in_the_note():
    result, _ = _lint(_copy_template(int("9" * 4000)))
    (note,) = [n for n in result.notes if "copy loop" in n]
    assert len(note) < 400 and "more than 10^12 instances" in note


def test_related_labels_quoting_another_instance_are_bounded():
    # Each instance's vmSize is a different 3,000-character value: the first instance's message
    # is bounded, and each other instance's message became a related label as it was.
    template = json.loads((ROOT / "fixtures" / "AIB026" / "arm_resource_copy.json").read_text())
    template["parameters"]["vmSizes"]["defaultValue"] = [f"Standard_D{i}" + "x" * 3000 for i in range(20)]
    template["resources"][0]["copy"]["count"] = 20
    result, _ = _lint(template)
    (size,) = [d for d in result.diagnostics if d.code == "AIB026"]
    assert len(size.related) == 19 and all(len(what) <= 1000 for *_, what in size.related)


def test_notes_quote_a_long_symbolic_name_briefly():
    # languageVersion 2.0: the resource's symbolic name is in its pointer, and notes quote the
    # pointer: a 300,000-character name made a 300 KB note line.
    template = _copy_template("[parameters('nope')]")
    template["languageVersion"] = "2.0"
    template["resources"] = {"k" * 300_000: template["resources"][0]}
    result, _ = _lint(template)
    assert result.notes and all(len(note) <= 1000 for note in result.notes)


def test_a_copy_loop_with_a_false_condition_is_not_said_to_be_linted():
    template = _copy_template(10**9)
    template["resources"][0]["condition"] = False
    result, _ = _lint(template)
    assert [note for note in result.notes if "copy loop" in note or "condition" in note] == [
        "the image template at /resources/0 has a false condition: ARM does not deploy it, it was not linted"
    ]
    assert not result.diagnostics


@pytest.mark.parametrize(
    "count",
    [-5, 2.5, 3.0, True, None, "abc", {"a": 1}, [1, 2], 10**12, 2**63, "[sub(0, 5)]", "[mul(1000000, 1000000)]", "[div(7, 2)]"],
)
def test_odd_counts_never_crash_and_never_expand_past_the_limit(count):
    result, seconds = _lint(_copy_template(count))
    assert not result.internal_errors and seconds < 2.0
    assert all(d.code != "AIB001" for d in result.diagnostics)


def test_copy_index_with_odd_offsets_and_names_is_unknown_or_exact():
    inline = [
        "[format('echo {0}', copyIndex('nope'))]",  # no such loop: unknown
        "[format('echo {0}', copyIndex('images', -100))]",
        "[string(copyIndex(9223372036854775807))]",
        "[string(copyIndex(copyIndex(), copyIndex()))]",
        "[string(copyIndex(true))]",
        "[string(copyIndex(1.5))]",
    ]
    template = _copy_template(3)
    template["resources"][0]["properties"]["customize"][0]["inline"] = inline
    result, _ = _lint(template)
    assert not result.internal_errors


def test_a_parameter_file_setting_the_count_is_bounded(tmp_path):
    template = _copy_template("[parameters('n')]")
    template["parameters"]["n"] = {"type": "int", "defaultValue": 3}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    for value in (10**9, -1, "[mul(1000, 1000)]", 1e308, "9" * 5000):
        parameters = tmp_path / "p.json"
        body = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"}
        body.update(contentVersion="1.0.0.0", parameters={"n": {"value": 0}})
        written = value if value == "9" * 5000 else json.dumps(value)  # a 5,000-digit number, written as such
        parameters.write_text(json.dumps(body).replace('"value": 0', f'"value": {written}'))
        result = lint_text(path.read_text(), str(path), Config(parameters=str(parameters)), path, LintOptions())
        assert not result.internal_errors
        assert all(len(note) < 600 for note in result.notes)


# -- related locations ----------------------------------------------------------------------


def _many_placeholders(tmp_path: Path, count: int = 40_000) -> Path:
    template = json.loads(PLACEHOLDER_FIXTURE.read_text())
    template["tags"] = {f"t{i}": "<region>" for i in range(count)}
    path = tmp_path / "many.json"
    path.write_text(json.dumps(template, indent=0))
    assert path.stat().st_size < 1_000_000
    return path


def test_a_placeholder_repeated_40000_times_has_a_bounded_related_list(tmp_path):
    path = _many_placeholders(tmp_path)
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    (found,) = [d for d in result.diagnostics if d.code == "AIB020"]
    assert len(found.related) == MAX_RELATED_LOCATIONS == len(found.related_ends)
    assert found.related[-1][3].endswith(
        f"({40_002 - 1 - MAX_RELATED_LOCATIONS:,} more places not listed)"
    )  # 40,000 tags, location, region
    assert len(found.message) <= 1000


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_stays_small_with_40000_related_places(tmp_path, fmt):
    # Before: 13 MB of JSON, 30 MB of SARIF (326 MB peak, 14 s), 24 MB of LSP JSON (35 s).
    path = _many_placeholders(tmp_path)
    stats, out, _ = _run("--format", fmt, "--no-color", str(path))
    assert _bounded(stats, seconds=3.0), stats
    assert len(out) < 100_000, len(out)


# -- Bicep and Terraform front ends: budgets ------------------------------------------------


def _bicep(tmp_path: Path, customize: str, before: str = "") -> Path:
    start, end = BICEP.index("    customize: ["), BICEP.index("    distribute:")
    (tmp_path / "scripts").mkdir(exist_ok=True)
    (tmp_path / "scripts" / "setup.sh").write_text("echo hi\n")
    path = tmp_path / "main.bicep"
    path.write_text(before + BICEP[:start] + "    customize: " + customize + "\n" + BICEP[end:])
    return path


def _terraform(tmp_path: Path, customize: str, before: str = "") -> Path:
    start, end = TERRAFORM.index("      customize = ["), TERRAFORM.index("      distribute =")
    (tmp_path / "scripts").mkdir(exist_ok=True)
    (tmp_path / "scripts" / "setup.sh").write_text("echo hi\n")
    (tmp_path / "terraform.tfvars").write_text('packages = ["a"]\n')
    path = tmp_path / "main.tf"
    path.write_text(before + TERRAFORM[:start] + "      customize = " + customize + "\n" + TERRAFORM[end:])
    return path


def test_bicep_variables_that_repeat_each_other_are_bounded(tmp_path):
    # 12 variables, each the previous one 8 times: 8^11 copies of 40 characters in 1 KB.
    # Measured: 24 GB resident, killed by the kernel after 46 s.
    chain = "var a0 = 'sudo apt-get install xxxxxxxxxxxxxxxxxx'\n" + "".join(
        f"var a{i} = '{('${a' + str(i - 1) + '}') * 8}'\n" for i in range(1, 12)
    )
    path = _bicep(tmp_path, "[{\n type: 'Shell'\n name: 's'\n inline: [a11]\n}]", chain)
    stats, _, _ = _run("--format", "json", str(path))
    assert _bounded(stats), stats


def test_a_bicep_loop_over_a_loaded_file_is_bounded(tmp_path):
    # 200 iterations of loadTextContent() of a 900 KB script: every call builds a new string
    # with one Python int per character (~36 bytes each). Measured with 3.9 MB: 24 GB, killed.
    path = _bicep(
        tmp_path, "[for i in range(0, 200): {\n type: 'Shell'\n name: 's${i}'\n inline: [loadTextContent('scripts/big.sh')]\n}]"
    )
    (tmp_path / "scripts" / "big.sh").write_text("sudo apt-get install foo\n" * 36_000)
    stats, _, _ = _run("--format", "json", str(path))
    assert _bounded(stats, seconds=4.0, peak_mb=600), stats


def test_nested_bicep_for_loops_are_bounded(tmp_path):
    # 200 x 200 x 200 strings from three nested for-expressions (each level is within
    # MAX_LOOP_ITEMS): more than 60 s and 1 GB. Two levels alone take 8.9 s.
    inner = "join([for k in range(0, 200): 'sudo apt-get install x${i}y${j}z${k}'], '\\n')"
    path = _bicep(
        tmp_path,
        f"[for i in range(0, 200): {{\n type: 'Shell'\n name: 's${{i}}'\n inline: [for j in range(0, 200): {inner}]\n}}]",
    )
    stats, _, _ = _run("--format", "json", str(path), limit=10.0)
    assert _bounded(stats), stats


def _bicep_resource_loop(tmp_path: Path, inline: str) -> Path:
    """32 image templates (a resource loop, at most MAX_INSTANCES = 32 expanded), each with 200 customizers."""
    path = _bicep(tmp_path, f"[for j in range(0, 200): {{\n type: 'Shell'\n name: 's${{j}}'\n inline: [{inline}]\n}}]")
    loop = "resource image 'Microsoft.VirtualMachineImages/imageTemplates@2024-02-01' = "
    text = path.read_text().replace(loop + "{", loop + "[for i in range(0, 32): {", 1)
    path.write_text(text.rstrip() + "]\n")
    return path


def test_a_bicep_resource_loop_of_templates_with_200_customizers_is_bounded(tmp_path):
    # 1.7 KB: 32 x 200 customizers, each instance a whole lint. Measured 8.8 s CPU.
    path = _bicep_resource_loop(tmp_path, "'sudo apt-get install x${j}'")
    stats, _, _ = _run("--format", "json", str(path), limit=10.0)
    assert _bounded(stats), stats


def test_a_bicep_resource_loop_over_a_loaded_file_is_bounded(tmp_path):
    # 32 x 200 loadTextContent() of a 900 KB script: MemoryError under 2.5 GB (exit 2).
    path = _bicep_resource_loop(tmp_path, "loadTextContent('scripts/m.sh')")
    (tmp_path / "scripts" / "m.sh").write_text("sudo apt-get install foo\n" * 36_000)
    stats, _, _ = _run("--format", "json", str(path), limit=10.0)
    assert _bounded(stats, seconds=4.0, peak_mb=600), stats


def test_a_bicep_loop_too_long_to_expand_says_so(tmp_path):
    # range(0, 201) customizers: nothing of them is linted and nothing says so (an evasion:
    # every script finding disappears). An ARM copy loop past its limit gets a note.
    path = _bicep(
        tmp_path, "[for i in range(0, 201): {\n type: 'Shell'\n name: 's${i}'\n inline: ['sudo apt-get install x${i}']\n}]"
    )
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    assert any("201" in note or "loop" in note for note in result.notes), result.notes


@pytest.mark.parametrize(
    "chain",
    [
        # string interpolation, concat() of lists, format(): each local 8 times the previous one
        "".join(f' a{i} = "{("${local.a" + str(i - 1) + "}") * 8}"\n' for i in range(1, 12)),
        "".join(f" a{i} = concat({', '.join([f'local.a{i - 1}'] * 8)})\n" for i in range(1, 12)),
        "".join(f' a{i} = format("{"%s" * 8}", {", ".join([f"local.a{i - 1}"] * 8)})\n' for i in range(1, 12)),
    ],
    ids=["interpolation", "concat", "format"],
)
def test_terraform_locals_that_repeat_each_other_are_bounded(tmp_path, chain):
    # Measured: MemoryError (exit 2 "internal error") at 2.5 GB for the first two; the
    # format() chain runs for more than 60 s.
    first = ' a0 = ["sudo apt-get install x"]\n' if "concat" in chain else ' a0 = "sudo apt-get install x"\n'
    inline = "local.a11" if "concat" in chain else "[local.a11]"
    path = _terraform(tmp_path, f'[{{ type = "Shell", name = "s", inline = {inline} }}]', "locals {\n" + first + chain + "}\n")
    stats, _, _ = _run("--format", "json", str(path), limit=10.0)
    assert _bounded(stats), stats


@pytest.mark.parametrize("language", ["bicep", "terraform"])
def test_a_fifo_loaded_by_a_front_end_is_skipped_not_waited_for(tmp_path, language):
    # Issue 14 item 6 (special files) for loadTextContent() and file(): a FIFO in the tree was
    # opened and read, so the run (or the language server's one lint thread) waited for ever.
    (tmp_path / ".git").mkdir()
    if language == "bicep":
        path = _bicep(tmp_path, "[{\n type: 'Shell'\n name: 's'\n inline: [loadTextContent('scripts/f.sh')]\n}]")
    else:
        path = _terraform(tmp_path, '[{ type = "Shell", name = "s", inline = [file("${path.module}/scripts/f.sh")] }]')
    os.mkfifo(tmp_path / "scripts" / "f.sh")
    stats, _, errors = _run("--format", "json", str(path), limit=8.0)
    assert stats["rc"] in (0, 1) and "f.sh" in errors, (stats, errors)


def test_front_ends_never_read_outside_the_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    bicep = _bicep(
        tmp_path,
        "[{\n type: 'Shell'\n name: 's'\n inline: [loadTextContent('../../../../etc/passwd'), loadTextContent('/etc/passwd')]\n}]",
    )
    terraform = _terraform(
        tmp_path, '[{ type = "Shell", name = "s", inline = [file("/etc/passwd"), file("${path.module}/../../../etc/passwd")] }]'
    )
    for path in (bicep, terraform):
        result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
        assert not any("passwd" in file for file in result.other_files)
        assert sum("outside the repository" in note for note in result.notes) == 2


def test_fix_on_bicep_and_terraform_stays_inside_the_file_and_keeps_it_valid(tmp_path):
    # Strings with escapes, interpolations, `'''`, `%{`, `$${` and a heredoc terminator-like
    # line; a loaded script is fixed where it is written (a plain file inside the repository).
    (tmp_path / ".git").mkdir()
    bicep = _bicep(
        tmp_path,
        "[\n  {\n   type: 'Shell'\n   name: 'a'\n   inline: [\n"
        "    'sudo apt-get install \\'${location}\\' \\\\ \\${x} jq'\n"
        "    'sudo apt-get   install    \\u{41}bc'\n"
        "    loadTextContent('scripts/setup.sh')\n"
        "    '''\nsudo apt-get install ${x} %{ EOT\n'''\n"
        "    'sudo apt-get install ${loadTextContent('scripts/setup.sh')}'\n"
        "   ]\n  }\n ]",
    )
    (tmp_path / "scripts" / "setup.sh").write_text("sudo apt-get install jq\n")
    terraform_dir = tmp_path / "tf"
    terraform_dir.mkdir()
    terraform = _terraform(
        terraform_dir,
        '[{ type = "Shell", name = "s", inline = ["sudo apt-get install $${HOME} %%{x} \\"q\\" jq", <<-EOT\n'
        "            sudo apt-get install tree $${x}\n            EOT2\n          EOT\n"
        '          , file("${path.module}/scripts/setup.sh")] }]',
    )
    (terraform_dir / "scripts" / "setup.sh").write_text("sudo apt-get install jq\n")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    for path in (bicep, terraform):
        stats, _, _ = _run("--fix", "--unsafe-fixes", "--format", "json", str(path))
        assert stats["rc"] in (0, 1), stats
        stats, out, _ = _run("--format", "json", str(path))
        assert stats["rc"] in (0, 1) and "AIB001" not in {d["code"] for d in json.loads(out)["diagnostics"]}
    changed = {p for p in tmp_path.rglob("*") if p.is_file() and before.get(p) != p.read_bytes()}
    scripts = {tmp_path / "scripts" / "setup.sh", terraform_dir / "scripts" / "setup.sh"}
    assert changed <= {bicep, terraform, *scripts}
    assert b"install -y" in bicep.read_bytes()
    for script in scripts:  # nothing but the fix itself: the command keeps its line
        assert script.read_text() == "sudo apt-get install -y jq\n"


# -- the language server ----------------------------------------------------------------------


def _message(body: dict) -> bytes:
    data = json.dumps(body).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(data), data)


def _lsp(documents: list[tuple[str, str, str]], limit: float = 30.0) -> list[dict]:
    """The publishDiagnostics the server sends for ``documents`` (uri, language, text)."""
    messages = [_message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": None}})]
    messages.append(_message({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    for uri, language, text in documents:
        item = {"uri": uri, "languageId": language, "version": 1, "text": text}
        messages.append(_message({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}}))
    server = subprocess.Popen(
        [sys.executable, "-m", "aiblint", "lsp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(b"".join(messages))
    server.stdin.flush()
    published: list[dict] = []
    deadline = time.monotonic() + limit
    import select

    buffer = b""
    while len(published) < len(documents) and time.monotonic() < deadline:
        ready, _, _ = select.select([server.stdout], [], [], 0.5)
        if not ready:
            continue
        chunk = server.stdout.read1(65536)  # type: ignore[attr-defined]
        if not chunk:
            break
        buffer += chunk
        while b"\r\n\r\n" in buffer:
            header, rest = buffer.split(b"\r\n\r\n", 1)
            length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
            if len(rest) < length:
                break
            body, buffer = json.loads(rest[:length]), rest[length:]
            if body.get("method") == "textDocument/publishDiagnostics":
                published.append(body["params"])
    server.kill()
    server.wait()
    return published


def test_the_language_server_lints_a_copy_loop_and_a_repeated_placeholder_within_budget(tmp_path):
    template = _copy_template(200, copy=_property_loop(800))
    del template["resources"][0]["properties"]["customize"]
    placeholders = json.loads(PLACEHOLDER_FIXTURE.read_text())
    placeholders["tags"] = {f"t{i}": "<region>" for i in range(20_000)}
    start = time.monotonic()
    published = _lsp(
        [
            ("file:///w/copy.json", "json", json.dumps(template, indent=1)),
            ("file:///w/many.json", "json", json.dumps(placeholders, indent=0)),
            ("file:///w/main.bicep", "bicep", BICEP),
        ]
    )
    assert time.monotonic() - start < 15
    assert {p["uri"] for p in published} == {"file:///w/copy.json", "file:///w/many.json", "file:///w/main.bicep"}
    (many,) = [p for p in published if p["uri"].endswith("many.json")]
    (placeholder,) = [d for d in many["diagnostics"] if d["code"] == "AIB020"]
    assert len(placeholder["relatedInformation"]) == MAX_RELATED_LOCATIONS and len(json.dumps(placeholder)) < 20_000


def test_the_language_server_answers_the_next_document_after_a_hostile_terraform_one(tmp_path):
    chain = "".join(f' a{i} = format("{"%s" * 8}", {", ".join([f"local.a{i - 1}"] * 8)})\n' for i in range(1, 12))
    hostile = _terraform(
        tmp_path, '[{ type = "Shell", name = "s", inline = [local.a11] }]', 'locals {\n a0 = "x"\n' + chain + "}\n"
    )
    published = _lsp([(hostile.as_uri(), "terraform", hostile.read_text()), ("file:///w/main.bicep", "bicep", BICEP)], limit=10.0)
    assert "file:///w/main.bicep" in {p["uri"] for p in published}


# -- diagnose -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        ("[PowerShell] " + "a" * 1_000_000).encode(),
        b"\xff\xfe"
        + (
            "==> azure-arm: \x1b[31mERROR\x1b[0m: Script exited with non-zero exit status: 100\r\n##vso[task.complete]\r\n" * 2000
        ).encode("utf-16-le"),
        b"\r".join(
            [b"==> azure-arm: Provisioning with shell script: /tmp/x.sh", b"E: Unable to locate package \x1b[2Jfoo"] * 10_000
        ),
        b"\0" * 1_000_000,
        b"(" * 400_000 + b"exit status 1" + b")" * 400_000,
    ],
    ids=["1 MB line", "UTF-16 with ANSI and ##vso", "CR-only", "NUL", "parentheses"],
)
def test_diagnose_on_hostile_logs_is_bounded_and_escaped(tmp_path, data):
    log = tmp_path / "build.log"
    log.write_bytes(data)
    stats, out, errors = _run("diagnose", str(log))
    assert stats["rc"] in (0, 1) and stats["seconds"] < 2.0 and stats["peak_mb"] < 300, stats
    for text in (out, errors):
        assert not any(ord(c) < 32 and c not in "\n" for c in text), repr(text[:300])
        assert "\n##vso" not in text


def test_past_the_front_end_budget_the_value_is_unknown_with_one_note_and_the_rest_is_linted(tmp_path):
    # The repeated variables hit the bound (one note, that value unknown: no guess); a plain
    # customizer beside them is still evaluated and its finding reported.
    chain = "var a0 = 'sudo apt-get install xxxxxxxxxxxxxxxxxx'\n" + "".join(
        f"var a{i} = '{('${a' + str(i - 1) + '}') * 8}'\n" for i in range(1, 12)
    )
    path = _bicep(
        tmp_path,
        "[\n {\n  type: 'Shell'\n  name: 's'\n  inline: [a11]\n }\n {\n  type: 'Shell'\n  name: 'p'\n"
        "  inline: ['sudo apt-get install nginx']\n }\n]",
        chain,
    )
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    bounds = [note for note in result.notes if "reached aiblint's bounds" in note]
    assert len(bounds) == 1
    found = [d for d in result.diagnostics if d.code == "AIB401"]
    assert [path.read_text().splitlines()[d.line - 1][d.column - 1 :] for d in found] == ["apt-get install nginx']"]
