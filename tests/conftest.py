from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("AIBLINT_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "templates"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file()) if CORPUS.is_dir() else []


# Marketplace sources the script and estimate tests build templates around.
WINDOWS_SOURCE = {
    "type": "PlatformImage",
    "publisher": "MicrosoftWindowsServer",
    "offer": "WindowsServer",
    "sku": "2022-datacenter-azure-edition",
    "version": "latest",
}
LINUX_SOURCE = {
    "type": "PlatformImage",
    "publisher": "Canonical",
    "offer": "0001-com-ubuntu-server-jammy",
    "sku": "22_04-lts-gen2",
    "version": "latest",
}

# Python source defining peak_mb(), the peak resident memory in MB of the process that runs it,
# for the child processes of the memory tests (it imports resource itself).
PEAK_MB_SOURCE = (
    "import resource\n"
    "def peak_mb():\n"
    "    try:\n"
    "        for row in open('/proc/self/status'):\n"
    "            if row.startswith('VmHWM:'):\n"
    "                return int(row.split()[1]) / 1024  # this process's own peak (ru_maxrss survives exec)\n"
    "    except OSError:\n"
    "        pass\n"
    "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
)

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/templates is not beside this checkout")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-snapshots", action="store_true", help="rewrite tests/format_snapshots")
