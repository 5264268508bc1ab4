"""What the build VM runs: OS, distribution family, Windows edition, Hyper-V generation.

Evidence, strongest first: a platform image's publisher / offer / SKU (ARM parameter
defaults resolved); names inside a managed or gallery image ID; the customizer types.
``strength`` says how sure we are: rules that would be wrong on a guess (AIB300) need
"strong"; when the evidence is weak or contradictory the OS is "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiblint.model import Template

# publisher (lower-case) -> (os, family)
_PUBLISHERS = {
    "microsoftwindowsserver": ("windows", "server"),
    "microsoftwindowsdesktop": ("windows", "client"),
    "microsoftvisualstudio": ("windows", "client"),
    "microsoftwindowsserverhpcpack": ("windows", "server"),
    "microsoft-ads": ("windows", "client"),
    "canonical": ("linux", "debian"),
    "debian": ("linux", "debian"),
    "redhat": ("linux", "rhel"),
    "openlogic": ("linux", "rhel"),
    "almalinux": ("linux", "rhel"),
    "resf": ("linux", "rhel"),
    "oracle": ("linux", "rhel"),
    "suse": ("linux", "suse"),
    "microsoftcblmariner": ("linux", "mariner"),
    "kinvolk": ("linux", "other"),
}
_WINDOWS_WORDS = re.compile(r"win(dows)?|wvd|avd|evd|office-365|datacenter|sql20\d\d-ws", re.I)
_LINUX_WORDS = {
    "debian": re.compile(r"ubuntu|debian|jammy|focal|bionic|noble", re.I),
    "rhel": re.compile(r"rhel|redhat|centos|alma|rocky|oracle-linux|ol\d", re.I),
    "suse": re.compile(r"sles|suse", re.I),
    "mariner": re.compile(r"mariner|azurelinux|azure-linux", re.I),
}
_CLIENT = re.compile(r"windows-1[01]|win1[01]|office-365|\bavd\b|-avd|evd|wvd|windows-7|windows-ent-cpc|visualstudio", re.I)
_GEN2 = re.compile(r"gen2|gensecond|(^|[-_])g2($|[-_])|azure-edition|win11|windows-11", re.I)
_SERVER_YEAR = re.compile(r"(2008|2012|2016|2019|2022|2025)")


@dataclass(frozen=True)
class SourceInfo:
    os: str  # "windows" | "linux" | "unknown"
    family: str | None  # windows: "server" | "client"; linux: "debian" | "rhel" | "suse" | "mariner" | "other"
    generation: str  # "gen1" | "gen2" | "unknown"
    strength: str  # "strong" | "weak" | "none"
    server_year: str | None = None
    evidence: str = ""

    @property
    def is_windows(self) -> bool:
        return self.os == "windows"

    @property
    def is_linux(self) -> bool:
        return self.os == "linux"

    @property
    def default_vm_size(self) -> str:
        return "Standard_D2ds_v4" if self.generation == "gen2" else "Standard_D1_v2"


UNKNOWN = SourceInfo("unknown", None, "unknown", "none")


def _text(template: Template, name: str) -> str:
    source = template.source
    if source is None:
        return ""
    value = template.value(source.get_ci(name))
    return value if isinstance(value, str) else ""


def infer(template: Template) -> SourceInfo:
    source = template.source
    if source is None:
        return _from_customizers(template)
    kind = template.source_kind
    if kind == "platformimage":
        return _from_platform(template)
    if kind in ("managedimage", "sharedimageversion"):
        ident = _text(template, "imageId") or _text(template, "imageVersionId")
        return _from_names(template, ident)
    if kind == "iso":
        return SourceInfo("linux", "rhel", "gen1", "weak", evidence="ISO source (RHEL)")
    return _from_customizers(template)


def _from_platform(template: Template) -> SourceInfo:
    publisher = _text(template, "publisher")
    offer = _text(template, "offer")
    sku = _text(template, "sku")
    evidence = f"{publisher}/{offer}/{sku}"
    words = f"{offer} {sku}"
    known = _PUBLISHERS.get(publisher.lower())
    if known is None and publisher.lower() in (
        "microsoftsqlserver",
        "microsoft-dsvm",
        "center-for-internet-security-inc",
        "microsoft-aks",
    ):
        known = _guess_from_words(words)
    if known is None and (offer or sku):
        known = _guess_from_words(f"{publisher} {words}")
    if known is None:
        return _from_customizers(template)
    os_name, family = known
    if os_name == "windows" and family == "server" and _CLIENT.search(words):
        family = "client"
    if _GEN2.search(sku) or _GEN2.search(offer):
        generation = "gen2"
    else:
        generation = "gen1" if sku and "<" not in sku else "unknown"
    year = None
    if os_name == "windows" and family == "server":
        match = _SERVER_YEAR.search(sku) or _SERVER_YEAR.search(offer)
        year = match.group(1) if match else None
    strength = "strong" if publisher and (offer or sku) else "weak"
    return SourceInfo(os_name, family, generation, strength, year, evidence)


def _guess_from_words(words: str) -> tuple[str, str] | None:
    if _WINDOWS_WORDS.search(words):
        return ("windows", "client" if _CLIENT.search(words) else "server")
    for family, pattern in _LINUX_WORDS.items():
        if pattern.search(words):
            return ("linux", family)
    return None


def _from_names(template: Template, ident: str) -> SourceInfo:
    names = " ".join(part for part in ident.split("/")[-5:] if part)
    guess = _guess_from_words(names)
    customizers = _from_customizers(template)
    if guess is None:
        return customizers
    os_name, family = guess
    if customizers.os not in ("unknown", os_name):
        return UNKNOWN  # the names and the customizers disagree: say nothing
    generation = "gen2" if _GEN2.search(names) else "unknown"
    return SourceInfo(os_name, family, generation, "weak", evidence=f"image name {names!r}")


def _from_customizers(template: Template) -> SourceInfo:
    kinds = {step.kind for step in template.customizers}
    windows = kinds & {"powershell", "windowsupdate", "windowsrestart"}
    linux = kinds & {"shell"}
    if windows and not linux:
        return SourceInfo("windows", None, "unknown", "weak", evidence="PowerShell/Windows customizers")
    if linux and not windows:
        return SourceInfo("linux", None, "unknown", "weak", evidence="Shell customizers")
    return UNKNOWN
