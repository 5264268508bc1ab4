"""Build aiblint/data/vm_sizes.json: the size table below, checked against the Azure docs.

Where each column comes from:

- vCPUs and memory (GiB): the size tables of the Azure documentation ("Sizes for virtual
  machines in Azure", one page per series in MicrosoftDocs/azure-docs, the "vCPU" / "vCPUs
  (Qty.)" and "Memory: GiB" / "Memory (GB)" columns);
- Hyper-V generations: the same pages' "VM Generation Support: Generation 1 and 2" line (older
  pages) or their "Generation 1 VMs: Supported" / "Generation 2 VMs: Supported" lines.

The table below restates those pages by hand so the build needs no network. Given local copies
of the pages (``--docs DIR``, any *.md files from the azure-docs repository), the parsed rows
replace the hand-written ones and the pages are recorded in ``_from_docs``; a size Azure added
later and not listed is missing: AIB026 is a warning, and ``ignore = ["AIB026"]`` silences it.
tests/test_vm_sizes.py checks the table against such pages when ``AIBLINT_VM_SIZE_DOCS`` names
a folder of them (and skips otherwise).

    python tools/build_vm_sizes.py [--docs DIR]   # rewrite aiblint/data/vm_sizes.json
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "aiblint" / "data" / "vm_sizes.json"

# (name pattern with {n}, vCPU counts, GiB per vCPU or explicit list, generations)
FAMILIES: list[tuple[str, list[int], float | list[float], str]] = [
    # A-series v2 and the retired A0-A7: Generation 1 only
    ("Standard_A{n}_v2", [1, 2, 4, 8], 2, "1"),
    ("Standard_A{n}m_v2", [2, 4, 8], 8, "1"),
    # B-series burstable
    ("Standard_B{n}ms", [2, 4, 8, 12, 16, 20], 4, "12"),  # B1ms has 2 GiB: in SINGLE
    ("Standard_B{n}s", [1, 2], [1, 4], "12"),
    ("Standard_B{n}s_v2", [2, 4, 8, 16, 32], 4, "12"),
    ("Standard_B{n}ls_v2", [2, 4, 8, 16, 32], 2, "12"),
    ("Standard_B{n}as_v2", [2, 4, 8, 16, 32], 4, "12"),
    ("Standard_B{n}als_v2", [2, 4, 8, 16, 32], 2, "12"),
    # Dv2 / DSv2: the size number is not the vCPU count (D3_v2 has 4, D11_v2 has 2): in SINGLE
    # Dv3 / Dsv3, Ev3 / Esv3: the non-premium (no "s") sizes are Generation 1 only
    ("Standard_D{n}_v3", [2, 4, 8, 16, 32, 48, 64], 4, "1"),
    ("Standard_D{n}s_v3", [2, 4, 8, 16, 32, 48, 64], 4, "12"),
    ("Standard_E{n}_v3", [2, 4, 8, 16, 20, 32, 48], 8, "1"),
    ("Standard_E{n}s_v3", [2, 4, 8, 16, 20, 32, 48], 8, "12"),
    # v4 and v5 general purpose and memory optimised (Intel and AMD)
    *[(f"Standard_D{{n}}{suffix}_v4", [2, 4, 8, 16, 32, 48, 64], 4, "12") for suffix in ("", "s", "d", "ds", "a", "as")],
    *[(f"Standard_D{{n}}{suffix}_v5", [2, 4, 8, 16, 32, 48, 64, 96], 4, "12") for suffix in ("", "s", "d", "ds", "as", "ads")],
    *[(f"Standard_D{{n}}{suffix}_v5", [2, 4, 8, 16, 32, 48, 64, 96], 2, "12") for suffix in ("ls", "lds")],
    *[(f"Standard_E{{n}}{suffix}_v4", [2, 4, 8, 16, 20, 32, 48, 64], 8, "12") for suffix in ("", "s", "d", "ds", "a", "as")],
    *[
        (f"Standard_E{{n}}{suffix}_v5", [2, 4, 8, 16, 20, 32, 48, 64, 96], 8, "12")
        for suffix in ("", "s", "d", "ds", "as", "ads")
    ],
    # v6: NVMe, Generation 2 only
    *[(f"Standard_D{{n}}{suffix}_v6", [2, 4, 8, 16, 32, 48, 64, 96, 128], 4, "2") for suffix in ("s", "ds", "as", "ads")],
    *[(f"Standard_D{{n}}{suffix}_v6", [2, 4, 8, 16, 32, 48, 64, 96, 128], 2, "2") for suffix in ("ls", "lds", "als", "alds")],
    *[(f"Standard_E{{n}}{suffix}_v6", [2, 4, 8, 16, 20, 32, 48, 64, 96, 128], 8, "2") for suffix in ("s", "ds", "as", "ads")],
    # compute optimised
    ("Standard_F{n}", [1, 2, 4, 8, 16], 2, "1"),
    ("Standard_F{n}s", [1, 2, 4, 8, 16], 2, "12"),
    ("Standard_F{n}s_v2", [2, 4, 8, 16, 32, 48, 64, 72], 2, "12"),
    ("Standard_F{n}as_v6", [2, 4, 8, 16, 32, 48, 64], 4, "2"),
    # storage optimised
    ("Standard_L{n}s_v2", [8, 16, 32, 48, 64, 80], 8, "12"),
    ("Standard_L{n}s_v3", [8, 16, 32, 48, 64, 80], 8, "12"),
    ("Standard_L{n}as_v3", [8, 16, 32, 48, 64, 80], 8, "12"),
]
# Sizes whose name carries no simple pattern: name -> (vCPU, GiB, generations)
SINGLE = {
    "Standard_A0": (1, 0.75, "1"), "Standard_A1": (1, 1.75, "1"), "Standard_A2": (2, 3.5, "1"),
    "Standard_A3": (4, 7, "1"), "Standard_A4": (8, 14, "1"), "Standard_A5": (2, 14, "1"),
    "Standard_A6": (4, 28, "1"), "Standard_A7": (8, 56, "1"), "Standard_B1ls": (1, 0.5, "12"),
    "Standard_B1ms": (1, 2, "12"),
    "Standard_D1_v2": (1, 3.5, "1"), "Standard_D2_v2": (2, 7, "1"), "Standard_D3_v2": (4, 14, "1"),
    "Standard_D4_v2": (8, 28, "1"), "Standard_D5_v2": (16, 56, "1"),
    "Standard_DS1_v2": (1, 3.5, "12"), "Standard_DS2_v2": (2, 7, "12"), "Standard_DS3_v2": (4, 14, "12"),
    "Standard_DS4_v2": (8, 28, "12"), "Standard_DS5_v2": (16, 56, "12"),
    "Standard_D11_v2": (2, 14, "1"), "Standard_D12_v2": (4, 28, "1"), "Standard_D13_v2": (8, 56, "1"),
    "Standard_D14_v2": (16, 112, "1"), "Standard_D15_v2": (20, 140, "1"),
    "Standard_DS11_v2": (2, 14, "12"), "Standard_DS12_v2": (4, 28, "12"), "Standard_DS13_v2": (8, 56, "12"),
    "Standard_DS14_v2": (16, 112, "12"), "Standard_DS15_v2": (20, 140, "12"),
    "Standard_B2ts_v2": (2, 1, "12"), "Standard_B2ats_v2": (2, 1, "12"),
    "Standard_E64_v3": (64, 432, "1"), "Standard_E64s_v3": (64, 432, "12"),
    "Standard_E64i_v3": (64, 432, "1"), "Standard_E64is_v3": (64, 432, "12"),
    "Standard_NC4as_T4_v3": (4, 28, "12"), "Standard_NC8as_T4_v3": (8, 56, "12"),
    "Standard_NC16as_T4_v3": (16, 110, "12"), "Standard_NC64as_T4_v3": (64, 440, "12"),
    "Standard_NC6s_v3": (6, 112, "12"), "Standard_NC12s_v3": (12, 224, "12"), "Standard_NC24s_v3": (24, 448, "12"),
    "Standard_NV4as_v4": (4, 14, "12"), "Standard_NV8as_v4": (8, 28, "12"),
    "Standard_NV16as_v4": (16, 56, "12"), "Standard_NV32as_v4": (32, 112, "12"),
    "Standard_NV6ads_A10_v5": (6, 55, "12"), "Standard_NV12ads_A10_v5": (12, 110, "12"),
    "Standard_NV18ads_A10_v5": (18, 220, "12"), "Standard_NV36ads_A10_v5": (36, 440, "12"),
    "Standard_NV12s_v3": (12, 112, "12"), "Standard_NV24s_v3": (24, 224, "12"), "Standard_NV48s_v3": (48, 448, "12"),
    "Standard_HB120rs_v2": (120, 456, "12"), "Standard_HB120rs_v3": (120, 448, "12"), "Standard_HC44rs": (44, 352, "12"),
}  # fmt: skip


# Names the docs misprint in a table (bv1-series lists "Standard_B1ls2" for Standard_B1ls).
DOC_ERRATA = {"Standard_B1ls2": "Standard_B1ls"}

_ROW = re.compile(r"^\|\s*\**(Standard_[A-Za-z0-9_]+)")
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)")


def _generations(text: str) -> str | None:
    """'1', '2' or '12' from a page's (or section's) generation support lines."""
    old = re.findall(r"VM Generation Support\]\([^)]*\):\s*Generation\s*([12](?:\s*and\s*2)?)", text)
    if old:
        return "12" if "and" in old[-1] else old[-1].strip()
    gen1 = re.search(r"Generation 1 VMs\]\([^)]*\):\s*(Not )?Supported", text)
    gen2 = re.search(r"Generation 2 VMs\]\([^)]*\):\s*(Not )?Supported", text)
    if not gen1 and not gen2:
        return None
    found = ("1" if gen1 and not gen1.group(1) else "") + ("2" if gen2 and not gen2.group(1) else "")
    return found or None


def parse_doc_page(text: str) -> dict[str, tuple[int, float, str | None]]:
    """Every size row of a docs page: name -> (vCPUs, GiB, generations or None)."""
    found: dict[str, tuple[int, float, str | None]] = {}
    cpu_col = mem_col = None
    lines = text.splitlines()
    for index, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and any("vCPU" in c for c in cells) and any("Memory" in c for c in cells):
            cpu_col = next(i for i, c in enumerate(cells) if "vCPU" in c)
            mem_col = next(i for i, c in enumerate(cells) if "Memory" in c)
            continue
        if not line.lstrip().startswith("|"):
            cpu_col = mem_col = None  # a table ends at its first non-table line
            continue
        match = _ROW.match(line.strip())
        if match is None or cpu_col is None or mem_col is None or max(cpu_col, mem_col) >= len(cells):
            continue
        cpus, gib = _NUMBER.match(cells[cpu_col]), _NUMBER.match(cells[mem_col])
        if cpus is None or gib is None:
            continue
        name = DOC_ERRATA.get(match.group(1), match.group(1))
        section = "\n".join(lines[:index])
        heading = max(section.rfind("\n#"), 0)
        generations = _generations(section[heading:]) or _generations(text)
        memory = float(gib.group(1))
        found[name] = (int(float(cpus.group(1))), int(memory) if memory.is_integer() else memory, generations)
    return found


def parse_docs(folder: Path) -> dict[str, dict[str, tuple[int, float, str | None]]]:
    """page file name -> its rows, for every *.md under ``folder``."""
    pages = {}
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        # a first-line `<!-- repo path@commit -->` names where the copy came from
        origin = re.match(r"<!--\s*(.*?)\s*-->", text)
        pages[origin.group(1) if origin else path.name] = parse_doc_page(text)
    return pages


def build(docs: Path | None = None) -> dict[str, object]:
    sizes: dict[str, list[object]] = {}
    for pattern, counts, memory, generations in FAMILIES:
        for index, n in enumerate(counts):
            gib = memory[index] if isinstance(memory, list) else n * memory
            sizes[pattern.format(n=n)] = [n, gib, generations]
    for name, (cpus, gib, generations) in SINGLE.items():
        sizes[name] = [cpus, gib, generations]
    from_docs: dict[str, list[str]] = {}
    for page, rows in (parse_docs(docs) if docs is not None else {}).items():
        for name, (cpus, gib, generations) in rows.items():
            known = sizes.get(name)
            sizes[name] = [cpus, gib, generations or (known[2] if known else "1")]
        if rows:
            from_docs[page] = sorted(rows)
    result: dict[str, object] = {
        "_source": [line for line in (__doc__ or "").strip().splitlines()[2:9] if line.strip()],
        # where each column comes from is in _source (the docstring above)
        "_columns": ["vCPUs", "memory GiB", "Hyper-V generations supported ('1', '2' or '12')"],
    }
    if from_docs:
        result["_from_docs"] = from_docs
    result["sizes"] = dict(sorted(sizes.items(), key=lambda item: item[0].lower()))
    return result


if __name__ == "__main__":
    import sys

    parser = argparse.ArgumentParser(description="rewrite aiblint/data/vm_sizes.json")
    parser.add_argument("--docs", type=Path, help="a folder of azure-docs size pages (*.md) to take rows from")
    arguments = parser.parse_args()
    sys.path.insert(0, str(OUT.parents[2]))
    from tools.data_models import VmSizes  # the strict model of the file: validate before writing

    text = json.dumps(build(arguments.docs), indent=0, sort_keys=False) + "\n"
    VmSizes.model_validate_json(text)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
