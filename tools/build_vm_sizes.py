"""Build aiblint/data/vm_sizes.json from the family table below.

Facts are restated by hand from the Azure documentation ("Sizes for virtual machines in
Azure", one page per family on learn.microsoft.com, the "vCPU", "Memory: GiB" columns and
the "VM Generation Support" line of each family page). They were written from those pages
without network access from the build machine, so a size Azure added later is missing:
AIB026 is a warning, and `ignore = ["AIB026"]` (or a per-file ignore) silences it.

    python tools/build_vm_sizes.py   # rewrite aiblint/data/vm_sizes.json
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "aiblint" / "data" / "vm_sizes.json"

# (name pattern with {n}, vCPU counts, GiB per vCPU or explicit list, generations)
FAMILIES: list[tuple[str, list[int], float | list[float], str]] = [
    # A-series v2 and the retired A0-A7: Generation 1 only
    ("Standard_A{n}_v2", [1, 2, 4, 8], 2, "1"),
    ("Standard_A{n}m_v2", [2, 4, 8], 8, "1"),
    # B-series burstable
    ("Standard_B{n}ms", [1, 2, 4, 8, 12, 16, 20], 4, "12"),
    ("Standard_B{n}s", [1, 2], [1, 4], "12"),
    ("Standard_B{n}s_v2", [2, 4, 8, 16, 32], 4, "12"),
    ("Standard_B{n}ls_v2", [2, 4, 8, 16, 32], 2, "12"),
    ("Standard_B{n}as_v2", [2, 4, 8, 16, 32], 4, "12"),
    ("Standard_B{n}als_v2", [2, 4, 8, 16, 32], 2, "12"),
    # Dv2 / DSv2 (D1-D5, D11-D15)
    ("Standard_D{n}_v2", [1, 2, 3, 4, 5], [3.5, 7, 14, 28, 56], "1"),
    ("Standard_DS{n}_v2", [1, 2, 3, 4, 5], [3.5, 7, 14, 28, 56], "12"),
    ("Standard_D1{n}_v2", [1, 2, 3, 4, 5], [14, 28, 56, 112, 140], "1"),
    ("Standard_DS1{n}_v2", [1, 2, 3, 4, 5], [14, 28, 56, 112, 140], "12"),
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


def build() -> dict[str, object]:
    sizes: dict[str, list[object]] = {}
    for pattern, counts, memory, generations in FAMILIES:
        for index, n in enumerate(counts):
            gib = memory[index] if isinstance(memory, list) else n * memory
            sizes[pattern.format(n=n)] = [n, gib, generations]
    for name, (cpus, gib, generations) in SINGLE.items():
        sizes[name] = [cpus, gib, generations]
    return {
        "_source": __doc__.strip().splitlines()[2:6],
        "_columns": ["vCPUs", "memory GiB", "Hyper-V generations supported ('1', '2' or '12')"],
        "sizes": dict(sorted(sizes.items(), key=lambda item: item[0].lower())),
    }


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(OUT.parents[2]))
    from tools.data_models import VmSizes  # the strict model of the file: validate before writing

    text = json.dumps(build(), indent=0, sort_keys=False) + "\n"
    VmSizes.model_validate_json(text)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
