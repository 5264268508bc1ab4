"""aiblint's benchmarks, one command: `python benchmarks/run.py` (after `pip install -e '.[test]'`).

Prints a table of medians over interleaved runs (so machine noise hits both sides alike):

a. one typical template, whole process: aiblint vs check-jsonschema validating the same
   file against aiblint's own schema for its apiVersion (schema only: the closest peer);
b. the public corpus (../shared/corpus/templates) in one call;
c. scaling with template size (1x, 10x, 100x customizers), in process;
d. `aiblint --version` beside a bare `python -c pass`;
e. the language server's re-lint after a change (the work behind publishDiagnostics) for a
   1000-line template, and the script analysers alone on 1000-line scripts;
f. ARM expressions (issue 16's targets): a synthetic Bicep-compiled template
   (benchmarks/arm_templates.py) with about 1,900 and 12,000 expressions, in process (the
   parse cache emptied before each run: a file's first lint) and whole process, and the
   parser alone; with AIBLINT_AVM_FILE=<path of the compiled
   avm/ptn/virtual-machine-images/azure-image-builder main.json> also that real file.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "templates"
sys.path.insert(0, str(ROOT))
# A pip install compiles every module to bytecode. An editable checkout run with
# PYTHONDONTWRITEBYTECODE (set on some machines) would recompile aiblint on every start
# while check-jsonschema, from site-packages, loads its bytecode: give both sides the same
# bytecode cache, in a temporary folder, so the comparison is the one users see.
PYCACHE = tempfile.mkdtemp(prefix="aiblint-bench-pyc-")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": PYCACHE}


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=ENV, check=False)
    return time.perf_counter() - start


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():
        _time(argv)  # warm: fills the bytecode cache and the OS file cache
    for _ in range(runs):
        for name, argv in commands.items():
            samples[name].append(_time(argv))
    return {name: statistics.median(values) for name, values in samples.items()}


def in_process(func, runs: int) -> float:  # type: ignore[no-untyped-def]
    func()  # warm: schemas and grammars load once per run in real use too
    values = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        values.append(time.perf_counter() - start)
    return statistics.median(values)


def _template(customizers: int, lines: int = 10) -> str:
    template = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text())
    step = {"type": "Shell", "name": "s", "inline": [f"sudo apt-get install -y pkg{i} && echo step {i}" for i in range(lines)]}
    template["properties"]["customize"] = [dict(step, name=f"s{i}") for i in range(customizers)]
    return json.dumps(template, indent=2)


def _arm_rows(config, python: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Issue 16's two targets: a 1 MB Bicep-compiled template with ~1,900 expressions under
    0.3 s, 12,000 expressions under 1 s. In process (the lint's own work, the parse cache
    emptied: each file's first lint) and whole process (start-up included)."""
    from aiblint import arm
    from aiblint.lint import LintOptions, lint_text
    from benchmarks.arm_templates import bicep_like, count_expressions

    def cold(text: str):  # type: ignore[no-untyped-def]
        def run() -> None:
            arm._CACHE.clear()  # each file's first lint: nothing parsed yet
            lint_text(text, "t.json", config, None, LintOptions())

        return run

    def measured(label: str, text: str, path: str) -> list[tuple[str, str]]:
        seconds = in_process(cold(text), 5)
        whole = interleaved({"lint": [python, "-m", "aiblint", "--quiet", "--exit-zero", path]}, 5)["lint"]
        described = f"{label} ({count_expressions(text):,} expressions, {len(text) // 1024} KB)"
        return [
            (f"f. ARM, {described}, lint in process", f"{seconds:.2f} s"),
            ("f. ARM, the same, whole process", f"{whole:.2f} s"),
        ]

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for wanted in (1900, 12000):
            text = bicep_like(wanted)
            path = Path(folder) / f"synthetic-{wanted}.json"
            path.write_text(text, encoding="utf-8")
            rows.extend(measured("synthetic", text, str(path)))
    texts = [f"[concat(variables('a{i}')[0].b, format('{{0}}-x', parameters('p')), 'it''s')]" for i in range(2000)]

    def parse_all() -> None:
        arm._CACHE.clear()
        for text in texts:
            arm.parse_expression(text)

    rows.append(("f. ARM parser alone, per distinct expression", f"{in_process(parse_all, 3) / len(texts) * 1e6:.0f} us"))
    avm = os.environ.get("AIBLINT_AVM_FILE")
    if avm and Path(avm).is_file():
        rows.extend(measured("real AVM azure-image-builder", Path(avm).read_text(encoding="utf-8"), avm))
    return rows


def _package_lock(megabytes: int) -> bytes:
    """A package-lock.json of about `megabytes` MB: what pre-commit meets beside templates."""
    packages = {}
    index = 0
    while len(packages) * 265 < megabytes * 1_000_000:
        packages[f"node_modules/pkg-{index}"] = {
            "version": f"1.{index % 50}.{index % 7}",
            "resolved": f"https://registry.npmjs.org/pkg-{index}/-/pkg-{index}-1.0.0.tgz",
            "integrity": "sha512-" + "A" * 86 + "==",
        }
        index += 1
    return json.dumps({"name": "app", "lockfileVersion": 3, "packages": packages}, indent=2).encode()


def _non_template_rows(python: str) -> list[tuple[str, str]]:
    """f. `aiblint .` in a folder whose only JSON is a 12 MB package-lock.json (issue 19: under
    0.2 s of work beyond start-up, decided from the bytes), beside Python's json.loads of it."""
    from aiblint.prefilter import might_hold_template

    data = _package_lock(12)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "package-lock.json").write_bytes(data)
        runs = interleaved(
            {
                "aiblint": [python, "-m", "aiblint", "--quiet", "--exit-zero", folder],
                "version": [python, "-m", "aiblint", "--version"],
            },
            5,
        )
        scan = in_process(lambda: might_hold_template((Path(folder) / "package-lock.json").read_bytes()), 5)
    parse = in_process(lambda: json.loads(data), 3)
    megabytes = len(data) / 1e6
    return [
        (f"f. aiblint . on a {megabytes:.0f} MB package-lock.json, whole process", f"{runs['aiblint'] * 1000:.0f} ms"),
        ("f. the same, minus start-up (aiblint --version)", f"{(runs['aiblint'] - runs['version']) * 1000:.0f} ms"),
        ("f. read + byte scan alone, in process", f"{scan * 1000:.0f} ms"),
        ("f. json.loads of the same file (for scale)", f"{parse * 1000:.0f} ms"),
    ]


def main() -> int:
    from aiblint.config import Config
    from aiblint.lint import LintOptions, lint_text

    python = sys.executable
    aiblint = [python, "-m", "aiblint", "--quiet", "--exit-zero"]
    typical = "examples/windows-good.json"
    rows: list[tuple[str, str]] = []
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )

    check = shutil.which("check-jsonschema") or str(Path(python).parent / "check-jsonschema")
    commands = {"aiblint": [*aiblint, typical]}
    if Path(check).exists():
        commands["check-jsonschema"] = [check, "--schemafile", "schemas/2024-02-01.json", typical]
    result = interleaved(commands, 11)
    rows.append(("a. typical template, aiblint (full lint)", f"{result['aiblint'] * 1000:.0f} ms"))
    if "check-jsonschema" in result:
        rows.append(("a. same file, check-jsonschema (schema only)", f"{result['check-jsonschema'] * 1000:.0f} ms"))
        rows.append(("a. ratio aiblint / check-jsonschema", f"{result['aiblint'] / result['check-jsonschema']:.2f}x"))

    if CORPUS.is_dir():
        files = [str(p) for p in sorted(CORPUS.iterdir())]
        corpus = interleaved({"corpus": [*aiblint, *files]}, 5)["corpus"]
        rows.append((f"b. corpus, {len(files)} files in one call", f"{corpus:.2f} s"))

    config = Config()
    per_size = {}
    for factor in (1, 10, 100):
        text = _template(factor)
        per_size[factor] = in_process(lambda text=text: lint_text(text, "t.json", config, None, LintOptions()), 5)
        rows.append((f"c. {factor:>3} customizers ({len(text) // 1024} KB), in process", f"{per_size[factor] * 1000:.1f} ms"))
    rows.append(("c. 100x / 10x time (linear: ~10)", f"{per_size[100] / per_size[10]:.1f}"))

    console = Path(python).parent / "aiblint"
    version = [str(console), "--version"] if console.exists() else [python, "-m", "aiblint", "--version"]
    startup = interleaved({"version": version, "bare": [python, "-c", "pass"]}, 21)
    rows.append(("d. aiblint --version", f"{startup['version'] * 1000:.0f} ms"))
    rows.append(("d. python -c pass", f"{startup['bare'] * 1000:.0f} ms"))
    rows.append(("d. ratio", f"{startup['version'] / startup['bare']:.2f}x"))

    big = _template(1, 1000)
    relint = in_process(lambda: lint_text(big, "t.json", config, None, LintOptions()), 5)
    rows.append(("e. re-lint of a 1000-line template (LSP didChange work)", f"{relint * 1000:.1f} ms"))
    from aiblint.scripts.powershell import analyse as analyse_ps
    from aiblint.scripts.shell import analyse as analyse_shell

    # Dense on purpose: every tenth line a comment, every other line three commands.
    shell_text = "\n".join(
        f"# step {i}" if i % 10 == 0 else f"sudo apt-get install -y pkg{i} && echo 'step {i}' | tee -a /tmp/log"
        for i in range(1000)
    )
    ps_text = "\n".join(
        f"# step {i}" if i % 10 == 0 else f"Install-Module Mod{i} -Force; Write-Host 'step {i}'" for i in range(1000)
    )
    rows.append(("e. Shell model, 1000-line script", f"{in_process(lambda: analyse_shell(shell_text), 5) * 1000:.1f} ms"))
    rows.append(("e. PowerShell model, 1000-line script", f"{in_process(lambda: analyse_ps(ps_text), 5) * 1000:.1f} ms"))
    shell_template = json.loads(_template(1, 1))
    shell_template["properties"]["customize"][0]["inline"] = shell_text.splitlines()
    shell_doc = json.dumps(shell_template)
    rows.append(
        (
            "e. full Shell rules on that script (lint_text)",
            f"{in_process(lambda: lint_text(shell_doc, 't.json', config, None, LintOptions()), 5) * 1000:.1f} ms",
        )
    )
    ps_template = json.loads((ROOT / "examples" / "windows-good.json").read_text())
    ps_template["properties"]["customize"][0]["inline"] = ps_text.splitlines()
    ps_doc = json.dumps(ps_template)
    rows.append(
        (
            "e. full PowerShell rules on that script (lint_text)",
            f"{in_process(lambda: lint_text(ps_doc, 't.json', config, None, LintOptions()), 5) * 1000:.1f} ms",
        )
    )

    rows.extend(_arm_rows(config, python))
    rows.extend(front_end_rows(config))
    rows.extend(_non_template_rows(python))

    shutil.rmtree(PYCACHE, ignore_errors=True)
    width = max(len(name) for name, _ in rows)
    print(f"{'measure'.ljust(width)}  median")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    return 0


def front_end_rows(config) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """f. a Bicep and a Terraform file beside their JSON twins (the issue's budget: 1.5x)."""
    from aiblint.lint import LintOptions, lint_text

    rows = []
    cases = ROOT / "tests" / "frontends"
    for name, source in (("Bicep", cases / "bicep_linux" / "main.bicep"), ("Terraform", cases / "terraform_azapi" / "main.tf")):
        twin = source.parent / "twin.json"
        text, twin_text = source.read_text(), twin.read_text()
        ours = in_process(lambda text=text, source=source: lint_text(text, str(source), config, source, LintOptions()), 21)
        json_time = in_process(
            lambda twin_text=twin_text, twin=twin: lint_text(twin_text, str(twin), config, twin, LintOptions()), 21
        )
        rows.append((f"f. {name} fixture ({source.name}), in process", f"{ours * 1000:.1f} ms"))
        rows.append(("f. its JSON twin, in process", f"{json_time * 1000:.1f} ms"))
        rows.append((f"f. ratio {name} / JSON twin (budget 1.5x)", f"{ours / json_time:.2f}x"))
    rows.extend(_terraform_module_rows(config))
    return rows


def _terraform_module_rows(config) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """f. a module-like .tf (benchmarks/terraform_module.py): only the blocks the front end
    reads are parsed (hcl_scan), beside the same file parsed whole."""
    from unittest import mock

    from aiblint.frontends import hcl_scan
    from aiblint.lint import LintOptions, lint_text
    from benchmarks.terraform_module import module_text

    text = module_text()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "main.tf"
        path.write_text(text)
        ranged = in_process(lambda: lint_text(text, str(path), config, path, LintOptions()), 21)
        with mock.patch.object(hcl_scan, "wanted_ranges", lambda data: None):
            whole = in_process(lambda: lint_text(text, str(path), config, path, LintOptions()), 21)
    size = f"{len(text.encode()) // 1024} KB"
    return [
        (f"f. module-like .tf ({size}), only the read blocks parsed", f"{ranged * 1000:.1f} ms"),
        ("f. the same file parsed whole", f"{whole * 1000:.1f} ms"),
    ]


if __name__ == "__main__":
    raise SystemExit(main())
