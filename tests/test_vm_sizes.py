"""aiblint/data/vm_sizes.json against the Azure documentation's size tables.

The table is built by tools/build_vm_sizes.py from copies of the docs' size pages (not shipped:
they are not ours). With those copies in the folder named by AIBLINT_VM_SIZE_DOCS, every row is
compared with its page and the whole file is rebuilt and compared; without them those tests skip
and the fixed sample below (values read from the pages named beside each row) still holds the
table to the published figures, and the hand-written rows to the tool's table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import ROOT

SHIPPED = ROOT / "aiblint" / "data" / "vm_sizes.json"
DATA = json.loads(SHIPPED.read_text(encoding="utf-8"))
TABLE = DATA["sizes"]
DOCS = Path(os.environ["AIBLINT_VM_SIZE_DOCS"]) if os.environ.get("AIBLINT_VM_SIZE_DOCS") else None
needs_docs = pytest.mark.skipif(
    DOCS is None or not DOCS.is_dir(), reason="AIBLINT_VM_SIZE_DOCS (a folder of the docs' size pages) not given"
)

# name: (vCPUs, GiB, generations), as the docs page states it
SAMPLE = {
    # azure-docs articles/virtual-machines/dv2-dsv2-series.md and azure-compute-docs .../dv2-series.md
    "Standard_D1_v2": (1, 3.5, "1"),
    "Standard_D3_v2": (4, 14, "1"),
    "Standard_D4_v2": (8, 28, "1"),
    "Standard_DS2_v2": (2, 7, "12"),
    "Standard_DS5_v2": (16, 56, "12"),
    # azure-docs articles/virtual-machines/sizes-previous-gen.md (figures; generations: the tool's table)
    "Standard_A0": (1, 0.768, "1"),
    "Standard_F16s": (16, 32, "12"),
    # azure-docs articles/virtual-machines/dv2-dsv2-series-memory.md
    "Standard_D11_v2": (2, 14, "1"),
    "Standard_D15_v2": (20, 140, "1"),
    "Standard_DS13_v2": (8, 56, "12"),
    # sizes/general-purpose/bv1-series.md (the table prints "Standard_B1ls2")
    "Standard_B1ls": (1, 0.5, "12"),
    "Standard_B1s": (1, 1, "12"),
    "Standard_B1ms": (1, 2, "12"),
    "Standard_B20ms": (20, 80, "12"),
    # sizes/general-purpose/dv3-series.md, dsv3-series.md, dav4-series.md ("Standard_D2a_v41"), dsv6-series.md
    "Standard_D2_v3": (2, 8, "1"),
    "Standard_D4s_v3": (4, 16, "12"),
    "Standard_D2a_v4": (2, 8, "12"),
    "Standard_D192s_v6": (192, 768, "2"),
    # sizes/memory-optimized/ev3-esv3-series.md, ev4-series.md, ev5-series.md, easv6-series.md
    "Standard_E64_v3": (64, 432, "1"),
    "Standard_E64_v4": (64, 504, "12"),
    "Standard_E96_v5": (96, 672, "12"),
    "Standard_E96as_v6": (96, 672, "2"),
    # sizes/storage-optimized/lsv2-series.md ("Standard_L80s_v26"), high-performance-compute/hbv2-series.md
    "Standard_L80s_v2": (80, 640, "12"),
    "Standard_HB120-96rs_v2": (96, 456, "12"),
}


def _builder():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_vm_sizes", ROOT / "tools" / "build_vm_sizes.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.mark.parametrize("name", sorted(SAMPLE))
def test_sample_rows_match_the_docs(name):
    assert tuple(TABLE[name]) == SAMPLE[name]


def test_every_row_is_documented_or_hand_written_not_both():
    documented = {f"Standard_{name}" for names in DATA["_from_docs"].values() for name in names}
    hand = set(DATA["_hand_written"])
    assert not documented & hand
    assert documented | hand == set(TABLE)


def test_what_the_pages_do_not_state_is_the_tools_table():
    hand = _builder().hand_rows()
    for name in DATA["_hand_written"]:
        assert TABLE[name] == list(hand[name]), name
    for name in DATA["_generation_by_hand"]:  # the figures are the page's, the generation the table's
        assert TABLE[name][2] == hand[name][2], name


_HEADER = "| Size Name | vCPUs (Qty.) | Memory (GB) |\n| --- | --- | --- |\n"
# page layout: (page text, the rows the parser must read from it)
LAYOUTS = {
    "old page: generation line with a link, vCPU / Memory: GiB, a footnote after the name": (
        "[VM Generation Support](generation-2.md): Generation 1 and 2<br>\n\n"
        "| Size | vCPU | Memory: GiB | Temp storage (SSD) GiB |\n|---|---|---|---|\n"
        "| Standard_DS1_v2<sup>1</sup> | 1  | 3.5 | 7 |\n\n"
        "| Size | Base CPU |\n|---|---|\n| Standard_DS9_v2 | 5% |\n",
        {"Standard_DS1_v2": (1, 3.5, "12")},
    ),
    "new page: Generation 1/2 VMs lines with links": (
        "[Generation 2 VMs](../../generation-2.md): Supported <br>[Generation 1 VMs](../../generation-2.md): Not Supported <br>\n"
        + _HEADER
        + "| Standard_D2s_v6 | 2 | 8 |\n",
        {"Standard_D2s_v6": (2, 8, "2")},
    ),
    "new page: plain generation line": (
        "VM Generation Support: Generation 1<br>\n\n" + _HEADER + "| Standard_D2_v3 | 2 | 8 |\n",
        {"Standard_D2_v3": (2, 8, "1")},
    ),
    "feature table, more columns, a constrained-vCPU name and a misprinted one": (
        "| Size Name | vCPUs (Qty.) | Memory (GiB) | L3 Cache (MB) |\n| --- | --- | --- | --- |\n"
        "| Standard_HB120-16rs_v3 | 16 | 448 | 1536 |\n| Standard_D2a_v41 | 2 | 8 | 1 |\n\n"
        "|Feature name | Support status |\n| --- | --- |\n|[Generation 2 VMs](../../generation-2.md) |  Supported |\n"
        "|[Generation 1 VMs](../../generation-2.md)| Supported |\n",
        {"Standard_HB120-16rs_v3": (16, 448, "12"), "Standard_D2a_v4": (2, 8, "12")},
    ),
    "a thousands separator in a figure": (
        "VM Generation Support: Generation 2<br>\n\n" + _HEADER + "| Standard_D372s_v7 | 372 | 1,488 |\n",
        {"Standard_D372s_v7": (372, 1488, "2")},
    ),
    "two series on one page, each under its own heading": (
        "## Ev3-series\n- [VM Generation Support](../../generation-2.md): Generation 1\n\n"
        "| Size | vCPU | Memory: GiB |\n|---|---|---|\n| Standard_E2_v3 | 2 | 16 |\n\n"
        "## Esv3-series\n|[VM Generation Support](../../generation-2.md)| Generation 1 and 2 |\n\n"
        "| Size | vCPU | Memory: GiB |\n|---|---|---|\n| Standard_E2s_v3 | 2 | 16 |\n",
        {"Standard_E2_v3": (2, 16, "1"), "Standard_E2s_v3": (2, 16, "12")},
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_docs_parser_reads_every_page_layout(layout):
    text, rows = LAYOUTS[layout]
    assert _builder().parse_doc_page(text) == rows


def test_pages_that_disagree_stop_the_build():
    documented_rows = _builder().documented_rows
    rows, _ = documented_rows({"a": {"Standard_X2": (2, 8, "1")}, "b": {"Standard_X2": (2, 8, "2")}})
    assert rows == {"Standard_X2": (2, 8, "12")}  # a generation either page states counts
    with pytest.raises(ValueError, match="Standard_X2"):
        documented_rows({"a": {"Standard_X2": (2, 8, "1")}, "b": {"Standard_X2": (2, 16, "1")}})
    assert documented_rows({"a": {"Standard_X2": (2, 8, None)}})[0] == {"Standard_X2": (2, 8, "")}


def test_a_size_no_source_gives_a_generation_stops_the_build(tmp_path):
    (tmp_path / "page.md").write_text("| Size | vCPU | Memory: GiB |\n|---|---|---|\n| Standard_X2 | 2 | 8 |\n")
    with pytest.raises(ValueError, match="no page states a generation for Standard_X2"):
        _builder().build(tmp_path)


@needs_docs
def test_every_row_of_the_docs_pages_matches():
    pages = _builder().parse_docs(DOCS)
    assert any(pages.values()), f"no size rows found under {DOCS}"
    for page, rows in pages.items():
        for name, (cpus, gib, generations) in rows.items():
            assert name in TABLE, (page, name)
            assert TABLE[name][:2] == [cpus, gib], (page, name, TABLE[name])
            if generations is not None:
                assert set(generations) <= set(TABLE[name][2]), (page, name, TABLE[name])


@needs_docs
def test_the_pages_rebuild_the_shipped_file():
    builder = _builder()
    assert builder.render(builder.build(DOCS)) == SHIPPED.read_text(encoding="utf-8")
