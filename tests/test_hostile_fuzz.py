"""Property: real templates with hostile leaves lint to exit 0 or 1, quickly (issue 14).

hypothesis picks a template of the public corpus (../shared/corpus/templates; the test
skips without it), replaces one to three of its leaves (strings, numbers, booleans, null)
with hostile values and runs the whole CLI on the result. Hostile values: integers past
Python's int-string limit, non-finite numbers, deeply nested ARM expressions, odd URLs,
control characters, long strings, script lines that stress the parsers. The run must exit 0
or 1 with no internal error or traceback, within a time bound.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiblint.cli import main
from tests.conftest import corpus_files

SECONDS = 10.0  # per lint of one template; the typical one takes 0.05 s
RAW = "@@RAW{}@@"  # a string leaf replaced by raw JSON text after serialising


def _templates() -> list[object]:
    loaded = []
    for path in corpus_files()[::8]:  # every eighth: Linux and Windows, bare and ARM
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            loaded.append(json.loads(path.read_text(encoding="utf-8-sig")))
    return loaded


TEMPLATES = _templates()


def _leaves(value: object, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [path]


def _set(value: object, path: tuple, new: object) -> None:
    for step in path[:-1]:
        value = value[step]  # type: ignore[index]
    value[path[-1]] = new  # type: ignore[index]


_raw_numbers = st.sampled_from(
    ["9" * 5000, "-" + "9" * 5000, "1e400", "-1e400", "9" * 5000 + ".5", "1e-400", "0." + "0" * 5000 + "1"]
)
_deep_expressions = st.builds(
    lambda function, depth: "[" + f"{function}(" * depth + "'x'" + ")" * depth + "]",
    st.sampled_from(["concat", "string", "toLower", "json", "first", "base64", "length", "createArray"]),
    st.integers(20, 400),
)
_odd_urls = st.sampled_from(
    [
        "http://[::1/x",
        "https://[::1]:99999/x",
        "http://%zz/",
        "https://a" + ".a" * 5000,
        "file:///etc/passwd",
        "https://example.com/" + "%" * 1000,
        "https:" + "/" * 5000,
        "http://user:pa@ss@host/",
        "https://raw.githubusercontent.com/o/r/main/../../../../x",
        "\\\\server\\share\\x.ps1",
    ]
)
_script_lines = st.sampled_from(
    [
        "sleep " + "9" * 400,
        "Start-Sleep -Seconds Infinity",
        "Start-Sleep -Milliseconds NaN",
        "echo a\x00b && sudo apt-get install x",
        "cat <<A <<B " * 500,
        "sudo " * 5000 + "apt-get install x",
        "a && " * 400 + "b",
        "@{" * 2000,
        "[" * 3000,
        "# aiblint: disable=" + " " * 50000,
        "echo '" + "x" * 100000,
    ]
)
_control = st.text(alphabet=st.characters(max_codepoint=0x9F, categories=["Cc"]), min_size=1, max_size=50)
_long = st.builds(
    lambda char, count: char * count, st.sampled_from(["x", " ", "1", "\\", "[", "$", "\n"]), st.integers(10_000, 200_000)
)
_values = st.one_of(
    _raw_numbers.map(lambda raw: ("raw", raw)),
    st.sampled_from([float("inf"), -1.0, 0, 2**63, True, None]).map(lambda v: ("value", v)),
    _deep_expressions.map(lambda v: ("value", v)),
    _odd_urls.map(lambda v: ("value", v)),
    _script_lines.map(lambda v: ("value", v)),
    _control.map(lambda v: ("value", v)),
    _long.map(lambda v: ("value", v)),
)


def _lint(text: str) -> tuple[int, str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        out, err = io.StringIO(), io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(path), "--format", "json"])
        return code, err.getvalue(), time.perf_counter() - start


@pytest.mark.skipif(not TEMPLATES, reason="../shared/corpus/templates is not beside this checkout")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_hostile_leaves_in_real_templates(data):
    template = json.loads(json.dumps(data.draw(st.sampled_from(TEMPLATES))))
    leaves = _leaves(template)
    if not leaves or leaves == [()]:
        return
    raw: dict[str, str] = {}
    for number in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(leaves))
        kind, value = data.draw(_values)
        if kind == "raw":
            raw[RAW.format(number)] = value
            value = RAW.format(number)
        _set(template, where, value)
    text = json.dumps(template, indent=2, allow_nan=True).replace("Infinity", "1e400")
    for placeholder, replacement in raw.items():
        text = text.replace(json.dumps(placeholder), replacement)
    code, err, seconds = _lint(text)
    assert code in (0, 1), err
    assert "internal error" not in err and "Traceback" not in err
    assert seconds < SECONDS
