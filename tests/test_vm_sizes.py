"""aiblint/data/vm_sizes.json against the Azure documentation's size tables.

The table is built by tools/build_vm_sizes.py. With local copies of the docs' size pages
(MicrosoftDocs/azure-docs, any *.md) in the folder named by AIBLINT_VM_SIZE_DOCS, every row
those pages list is compared; without them that test skips and the sample below (values read
from the pages named beside each row) still holds the table to the published figures.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import ROOT

TABLE = json.loads((ROOT / "aiblint" / "data" / "vm_sizes.json").read_text(encoding="utf-8"))["sizes"]
DOCS = Path(os.environ["AIBLINT_VM_SIZE_DOCS"]) if os.environ.get("AIBLINT_VM_SIZE_DOCS") else None

# name: (vCPUs, GiB, generations), as the docs page states it
SAMPLE = {
    # articles/virtual-machines/dv2-dsv2-series.md
    "Standard_D1_v2": (1, 3.5, "1"),
    "Standard_D3_v2": (4, 14, "1"),
    "Standard_D4_v2": (8, 28, "1"),
    "Standard_DS2_v2": (2, 7, "12"),
    "Standard_DS5_v2": (16, 56, "12"),
    # articles/virtual-machines/dv2-dsv2-series-memory.md
    "Standard_D11_v2": (2, 14, "1"),
    "Standard_D15_v2": (20, 140, "1"),
    "Standard_DS13_v2": (8, 56, "12"),
    # articles/virtual-machines/sizes/general-purpose/bv1-series.md
    "Standard_B1s": (1, 1, "12"),
    "Standard_B1ms": (1, 2, "12"),
    "Standard_B2ms": (2, 8, "12"),
    "Standard_B20ms": (20, 80, "12"),
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


def test_the_hand_table_builds_the_shipped_file():
    # the docs-derived rows and the hand-written table agree: rebuilding offline changes nothing
    assert _builder().build()["sizes"] == TABLE


def test_docs_parser_reads_both_page_layouts():
    builder = _builder()
    old = (
        "[VM Generation Support](generation-2.md): Generation 1 and 2<br>\n\n"
        "| Size | vCPU | Memory: GiB | Temp storage (SSD) GiB |\n|---|---|---|---|\n"
        "| Standard_DS1_v2<sup>1</sup> | 1  | 3.5 | 7 |\n\n"
        "| Size | Base CPU |\n|---|---|\n| Standard_DS9_v2 | 5% |\n"
    )
    assert builder.parse_doc_page(old) == {"Standard_DS1_v2": (1, 3.5, "12")}
    new = (
        "[Generation 2 VMs](../../generation-2.md): Supported <br>[Generation 1 VMs](../../generation-2.md): Not Supported <br>\n"
        "| Size Name | vCPUs (Qty.) | Memory (GB) |\n| --- | --- | --- |\n| Standard_D2s_v6 | 2 | 8 |\n"
    )
    assert builder.parse_doc_page(new) == {"Standard_D2s_v6": (2, 8, "2")}


@pytest.mark.skipif(
    DOCS is None or not DOCS.is_dir(), reason="AIBLINT_VM_SIZE_DOCS (a folder of azure-docs size pages) not given"
)
def test_every_row_of_the_docs_pages_matches():
    pages = _builder().parse_docs(DOCS)
    assert any(pages.values()), f"no size rows found under {DOCS}"
    for page, rows in pages.items():
        for name, (cpus, gib, generations) in rows.items():
            assert name in TABLE, (page, name)
            assert TABLE[name][:2] == [cpus, gib], (page, name, TABLE[name])
            if generations is not None:
                assert TABLE[name][2] == generations, (page, name, TABLE[name])
