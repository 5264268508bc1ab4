"""Many files and many globs stay within budget (issue 14, item 12).

- 50,000 per-file-ignores globs (a 0.9 MB pyproject.toml) cost one TOML parse and one check
  per code, not a regex compile per glob and file.
- A run over many files with findings keeps only what its output still needs: the line
  formats and json are rendered file by file into a spool (aiblint/report/stream.py), so the
  peak memory of 1,000 files is about that of 200. It grew by 11 KB (text) and 25 KB (json)
  per file before.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLACK = float(os.environ.get("AIBLINT_TIME_SLACK", "3"))  # as in tests/test_hostile_scripts.py

_PEAK = r"""
import contextlib, io, sys
from aiblint.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(code, peak, file=sys.stderr)
"""


def _template() -> dict:
    """A template with a few findings of different kinds (script, File customizer, URL)."""
    template = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text(encoding="utf-8"))
    template["properties"]["customize"] = [
        {"type": "Shell", "name": "tools", "inline": ["apt-get install jq", "curl -o /tmp/a.tgz https://example.com/a.tgz"]},
        {"type": "File", "name": "agent", "sourceUri": "https://example.com/agent.tar.gz", "destination": "/opt/agent.tar.gz"},
    ]
    return template


def _cpu_of(command: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_50000_per_file_ignore_globs(tmp_path):
    (tmp_path / ".git").mkdir()  # the config lookup stops here
    lines = ["[tool.aiblint.per-file-ignores]", *(f'"{i}/*"=["AIB4"]' for i in range(50_000)), '"templates/*.json"=["AIB401"]']
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (tmp_path / "pyproject.toml").stat().st_size < 1024 * 1024  # under the config size limit
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "a.json").write_text(json.dumps(_template()), encoding="utf-8")
    done, cpu = _cpu_of([sys.executable, "-m", "aiblint", "templates", "--format", "json"], tmp_path)
    assert done.returncode in (0, 1), done.stderr
    codes = {d["code"] for d in json.loads(done.stdout)["diagnostics"]}
    assert "AIB401" not in codes and "AIB302" in codes  # the last glob applies, the others do not
    # Was over a minute (a regex compile per glob and file), then 4.6 s (the file parsed twice,
    # each code checked 50,000 times); now about 1 s of CPU, start-up included.
    assert cpu < 2.0 * SLACK, f"{cpu:.2f} s of CPU"


def _peak_kb(folder: Path, fmt: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(folder), "--format", fmt, "--output", os.devnull],
        capture_output=True,
        text=True,
        timeout=300,
    )
    code, peak = done.stderr.strip().splitlines()[-1].split()
    assert code == "1", done.stderr
    return int(peak)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_memory_does_not_grow_with_each_file_with_findings(tmp_path, fmt):
    text = json.dumps(_template(), indent=2)
    small, large = tmp_path / "small", tmp_path / "large"
    for folder, count in ((small, 200), (large, 1_000)):
        folder.mkdir()
        for index in range(count):
            (folder / f"t{index}.json").write_text(text, encoding="utf-8")
    growth = (_peak_kb(large, fmt) - _peak_kb(small, fmt)) / 800
    # Before streaming: 11 KB (text) and 25 KB (json) per file with findings; now under 1 KB.
    assert growth < 3, f"{growth:.1f} KB more peak memory per file"


def test_json_pieces_are_the_whole_document():
    from aiblint.context import FileResult
    from aiblint.diagnostics import Diagnostic, Severity
    from aiblint.report import json_format, summary_counts

    def diagnostic(code: str, message: str) -> Diagnostic:
        return Diagnostic(code, Severity.ERROR, message, "a.json", 1, 2, 1, 3, "/x", help=f"{code} help \u00e9 ##vso[x]")

    runs = [
        [],
        [FileResult("a.json", [])],
        [FileResult("a.json", []), FileResult("b.json", [diagnostic("AIB401", 'say "\n" ü')]), FileResult("c.json", [])],
        [
            FileResult("a.json", [diagnostic("AIB001", "x"), diagnostic("AIB002", "y")]),
            FileResult("b.json", [diagnostic("AIB003", "z")]),
        ],
    ]
    for results in runs:
        items = [json_format._entry(d) for r in results for d in r.diagnostics]
        document = {"version": json_format.__version__, "diagnostics": items, "summary": summary_counts(results)}
        expected = json_format.json_document(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
        assert json_format.render(results) == expected


def test_sarif_pieces_are_the_indented_document(tmp_path):
    # sarif is written result by result; the pieces must still be json.dumps(document, indent=2).
    from aiblint.context import FileResult
    from aiblint.diagnostics import Diagnostic, Severity
    from aiblint.report import sarif_format

    def diagnostic(code: str, line: int, related=()) -> Diagnostic:
        return Diagnostic(code, Severity.WARNING, f"m {code}", "a.json", line, 2, line, 5, "/x", anchor="a", related=related)

    runs = [
        [],
        [FileResult("a.json", [])],
        [FileResult("a.json", [diagnostic("AIB401", 1), diagnostic("AIB401", 1)]), FileResult("b.json", [])],
        [FileResult("a.json", [diagnostic("AIB002", 3, (("a.json", 1, 1, "the call"),)), diagnostic("AIB001", 2)])],
    ]
    for results in runs:
        text = sarif_format.render(results, cwd=tmp_path)
        document = json.loads(text)
        assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        assert len(document["runs"][0]["results"]) == sum(len(r.diagnostics) for r in results)
