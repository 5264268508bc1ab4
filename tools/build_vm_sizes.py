"""Build aiblint/data/vm_sizes.json from the Azure documentation's size pages.

Where each column comes from:

- vCPUs and memory (GiB): the size tables of the Azure documentation (one page per series in
  MicrosoftDocs/azure-compute-docs articles/virtual-machines/sizes/, older ones in
  MicrosoftDocs/azure-docs), the "vCPUs (Qty.)" / "vCPU" and "Memory (GB)" / "Memory: GiB" columns;
- Hyper-V generations: the same pages' "VM Generation Support: Generation 1 and 2" line or their
  "Generation 1 VMs: Supported" / "Generation 2 VMs: Supported" lines (as text, list or table).
- `_from_docs` names the page (repository, path and commit) each documented row came from (the
  size names without their "Standard_");
- `_hand_written` lists the rows no page read here gives, and `_generation_by_hand` the rows
  whose page states no generation (the previous-generation page): both from the table
  HAND_FAMILIES / HAND_SIZES of tools/build_vm_sizes.py.

The pages are not part of this repository (they are not ours to ship). Rebuild with a folder
of copies of them, each starting with a `<!-- repository path @commit -->` line:

    python tools/build_vm_sizes.py --docs DIR           # rewrite aiblint/data/vm_sizes.json
    python tools/build_vm_sizes.py --docs DIR --check   # exit 1 if the shipped file differs

tests/test_vm_sizes.py compares every row with the pages when AIBLINT_VM_SIZE_DOCS names such a
folder, and a fixed sample of rows always. A size Azure added later and not listed is missing:
AIB026 is a warning, and `ignore = ["AIB026"]` silences it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "aiblint" / "data" / "vm_sizes.json"
# the docstring's "where each column comes from", written into the file
_SOURCE = (__doc__ or "").split("Where each column comes from:\n", 1)[-1].split("\nThe pages are not part", 1)[0]

Row = tuple[int, float, str | None]  # vCPUs, GiB, generations ('1', '2', '12') or None when unstated

# Retired series, for what their page does not state (the generations): (name pattern with {n},
# vCPU counts, GiB per vCPU, generations)
HAND_FAMILIES: list[tuple[str, list[int], float, str]] = [
    ("Standard_F{n}", [1, 2, 4, 8, 16], 2, "1"),
    ("Standard_F{n}s", [1, 2, 4, 8, 16], 2, "12"),
]
# Retired sizes whose name carries no pattern: name -> (vCPU, GiB, generations); the previous-
# generation page gives Standard_A0 0.768 GiB, which the built table takes
HAND_SIZES: dict[str, tuple[int, float, str]] = {
    "Standard_A0": (1, 0.75, "1"), "Standard_A1": (1, 1.75, "1"), "Standard_A2": (2, 3.5, "1"),
    "Standard_A3": (4, 7, "1"), "Standard_A4": (8, 14, "1"), "Standard_A5": (2, 14, "1"),
    "Standard_A6": (4, 28, "1"), "Standard_A7": (8, 56, "1"),
}  # fmt: skip

# Names the docs misprint in a table: a footnote digit run into the name, or a stray suffix.
DOC_ERRATA = {
    "Standard_B1ls2": "Standard_B1ls",
    "Standard_D2a_v41": "Standard_D2a_v4",
    "Standard_E104id_v52": "Standard_E104id_v5",
    "Standard_L80s_v26": "Standard_L80s_v2",
}

_ROW = re.compile(r"^\|\s*\**(Standard_[A-Za-z0-9_-]+)")
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)")
# "VM Generation Support: Generation 1 and 2", with or without a link, as text or a table cell
_GENERATION_SUPPORT = re.compile(r"VM Generation Support(?:\]\([^)]*\))?\s*[:|]\s*Generation\s*([12](?:\s*and\s*2)?)")


def _supported(text: str, generation: str) -> bool | None:
    """What a page says of 'Generation N VMs': True, False, or None when it says nothing."""
    found = re.findall(rf"Generation {generation} VMs(?:\]\([^)]*\))?\s*[:|]\s*(Not )?Supported", text)
    return None if not found else not found[-1]


def _generations(text: str) -> str | None:
    """'1', '2' or '12' from a page's (or section's) generation support lines."""
    old = _GENERATION_SUPPORT.findall(text)
    if old:
        return "12" if "and" in old[-1] else old[-1].strip()
    gen1, gen2 = _supported(text, "1"), _supported(text, "2")
    if gen1 is None and gen2 is None:
        return None
    return ("1" if gen1 else "") + ("2" if gen2 else "") or None


def _header_columns(cells: list[str]) -> tuple[int, int] | None:
    """The vCPU and memory column of a table header row, if it has both."""
    cpu = next((i for i, c in enumerate(cells) if "vCPU" in c), None)
    memory = next((i for i, c in enumerate(cells) if c.startswith("Memory")), None)
    return None if cpu is None or memory is None else (cpu, memory)


def parse_doc_page(text: str) -> dict[str, Row]:
    """Every size row of a docs page's vCPU/memory tables: name -> (vCPUs, GiB, generations or None)."""
    found: dict[str, Row] = {}
    columns: tuple[int, int] | None = None
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not line.lstrip().startswith("|"):
            columns = None  # a table ends at its first non-table line
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        header = _header_columns(cells)
        if header is not None:
            columns = header
            continue
        match = _ROW.match(line.strip())
        if match is None or columns is None or max(columns) >= len(cells):
            continue
        # "1,488": the docs write thousands with a comma
        cpus, gib = (_NUMBER.match(cells[column].replace(",", "")) for column in columns)
        if cpus is None or gib is None:
            continue
        name = DOC_ERRATA.get(match.group(1), match.group(1))
        section = "\n".join(lines[:index])
        heading = max(section.rfind("\n#"), 0)
        generations = _generations(section[heading:]) or _generations(text)
        found[name] = (int(float(cpus.group(1))), _gib(float(gib.group(1))), generations)
    return found


def _gib(value: float) -> float:
    return int(value) if float(value).is_integer() else value


def parse_docs(folder: Path) -> dict[str, dict[str, Row]]:
    """page origin -> its rows, for every *.md under ``folder``."""
    pages = {}
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        # a first-line `<!-- repo path@commit -->` names where the copy came from
        origin = re.match(r"<!--\s*(.*?)\s*-->", text)
        pages[origin.group(1) if origin else path.name] = parse_doc_page(text)
    return pages


def hand_rows() -> dict[str, tuple[int, float, str]]:
    rows = {pattern.format(n=n): (n, _gib(n * gib), gens) for pattern, counts, gib, gens in HAND_FAMILIES for n in counts}
    return {**rows, **HAND_SIZES}


def documented_rows(pages: dict[str, dict[str, Row]]) -> tuple[dict[str, tuple[int, float, str]], dict[str, list[str]]]:
    """Rows from every page (sizes on two pages must agree; generations stated on either count;
    "" where no page states one) and the rows each page gave."""
    figures: dict[str, tuple[int, float]] = {}
    generations: dict[str, set[str]] = {}
    conflicts = []
    for page, rows in pages.items():
        for name, (cpus, gib, gens) in rows.items():
            if figures.setdefault(name, (cpus, gib)) != (cpus, gib):
                conflicts.append(f"{name}: {figures[name]} and {(cpus, gib)} ({page})")
            generations.setdefault(name, set()).update(gens or "")
    if conflicts:
        raise ValueError("; ".join(conflicts))
    rows = {name: (cpus, gib, "".join(sorted(generations[name]))) for name, (cpus, gib) in figures.items()}
    # the page's names without the common "Standard_" (the file stays small)
    return rows, {page: sorted(name.removeprefix("Standard_") for name in names) for page, names in pages.items() if names}


def build(docs: Path) -> dict[str, object]:
    documented, from_docs = documented_rows(parse_docs(docs))
    table = hand_rows()
    unstated = sorted((name for name, row in documented.items() if not row[2]), key=str.lower)
    missing = [name for name in unstated if name not in table]
    if missing:
        raise ValueError(f"no page states a generation for {', '.join(missing)}, and the hand table has none")
    # a page that states no generation (the previous-generation sizes): the hand table's
    documented.update({name: (*documented[name][:2], table[name][2]) for name in unstated})
    hand = {name: row for name, row in table.items() if name not in documented}
    sizes = {**hand, **documented}
    return {
        "_source": [line for line in _SOURCE.splitlines() if line.strip()],
        "_columns": ["vCPUs", "memory GiB", "Hyper-V generations supported ('1', '2' or '12')"],
        "_from_docs": dict(sorted(from_docs.items())),
        "_hand_written": sorted(hand, key=str.lower),
        "_generation_by_hand": unstated,
        "sizes": {name: list(sizes[name]) for name in sorted(sizes, key=str.lower)},
    }


def render(data: dict[str, object]) -> str:
    """The JSON text: one line per size and per page, so the file stays small and diffs read well."""
    parts = []
    for key, value in data.items():
        if isinstance(value, dict):
            inner = ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in value.items())
            parts.append(f"{json.dumps(key)}: {{\n{inner}\n}}")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description="rewrite aiblint/data/vm_sizes.json from the Azure docs' size pages")
    parser.add_argument("--docs", type=Path, required=True, help="a folder of size pages (*.md) from the docs repositories")
    parser.add_argument("--check", action="store_true", help="do not write: exit 1 if the shipped file differs")
    arguments = parser.parse_args()
    sys.path.insert(0, str(OUT.parents[2]))
    from tools.data_models import VmSizes  # the strict model of the file: validate before writing

    text = render(build(arguments.docs))
    VmSizes.model_validate_json(text)
    if arguments.check:
        current = OUT.read_text(encoding="utf-8") == text
        print(f"{OUT} is {'current' if current else 'out of date'}")
        return 0 if current else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
