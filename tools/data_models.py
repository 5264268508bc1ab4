"""Strict pydantic models of what aiblint ships besides code: aiblint/data/*.json, the rule
pages' head (rules/CODE.md) and the configuration table ([tool.aiblint] / .aiblint.toml).

Used by the tests (tests/test_data_models.py), by the tools that write data files
(tools/build_vm_sizes.py validates before writing) and to generate the configuration's JSON
Schema (tools/generate_config_schema.py). Never imported by aiblint itself: pydantic is a
test dependency and stays off the lint path (tests/test_startup.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "aiblint" / "data"


def _regex(text: str) -> str:
    try:
        re.compile(text)  # a pattern that does not compile fails validation here, not at diagnose time
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return text


RuleCode = Annotated[str, Field(pattern=r"^AIB\d{3}$")]
CodeOrPrefix = Annotated[str, Field(pattern=r"^(ALL|AIB\d{0,3}|SC\d*)$")]
Regex = Annotated[str, Field(min_length=1), AfterValidator(_regex)]
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


# -- aiblint/data/build_time.json (aiblint/estimate.py) -----------------------------------

ESTIMATE_PARTS = {
    "vm_deployment_linux",
    "vm_deployment_windows",
    "shell_step",
    "powershell_step",
    "file_step",
    "large_download",
    "windows_restart",
    "windows_update",
    "validation_step",
    "deprovision_windows",
    "deprovision_linux",
    "capture",
    "replication_region",
}  # fmt: skip  (every part estimate.minutes() is asked for)


class BuildPart(Strict):
    minutes: Annotated[int, Field(ge=0, le=24 * 60)]
    why: Text


class BuildTime(Strict):
    about: Text = Field(alias="_about")
    parts: dict[str, BuildPart]
    default_timeout_minutes: Annotated[int, Field(gt=0)]

    @model_validator(mode="after")
    def _every_part_is_known(self) -> BuildTime:
        if set(self.parts) != ESTIMATE_PARTS:
            raise ValueError(
                f"parts must be exactly {sorted(ESTIMATE_PARTS)}; differs by {sorted(set(self.parts) ^ ESTIMATE_PARTS)}"
            )
        return self


# -- aiblint/data/regions.json (AIB027) ----------------------------------------------------

Region = Annotated[str, Field(pattern=r"^[a-z0-9]+$")]


class Regions(Strict):
    source: Text = Field(alias="_source")
    supported: list[Region]
    preview: list[Region]

    @model_validator(mode="after")
    def _disjoint(self) -> Regions:
        if set(self.supported) & set(self.preview) or len(set(self.supported)) != len(self.supported):
            raise ValueError("a region is listed twice")
        return self


# -- aiblint/data/signatures.json (aiblint diagnose) ---------------------------------------


Anchor = Annotated[str, Field(pattern=r"^[a-z0-9]+(-+[a-z0-9]+)*$")]
# a regex, or regexes that must match in that order along the line (no backtracking `.*` between)
PatternSpec = Regex | Annotated[list[Regex], Field(min_length=1)]


class Variant(Strict):
    pattern: PatternSpec
    rules: list[RuleCode]
    cause: Text
    harmless: bool | None = None


class Signature(Strict):
    id: Anchor
    title: Text
    cause: Text
    fix: Text
    rules: list[RuleCode]
    patterns: Annotated[list[PatternSpec], Field(min_length=1)]
    phase: (
        Literal["deployment", "deployment-status", "connect", "customization", "deprovisioning", "cleanup", "distribution"] | None
    )
    phase_certain: bool = False  # the matching line alone shows the phase
    variants: list[Variant] = []
    last: bool = False  # a generic consequence: listed after the failures that caused it
    harmless: bool = False  # a warning the guide says to ignore: never the root cause
    unless: Regex | None = None
    documented: bool
    guides: dict[Literal["2020", "2023"], Anchor]  # guide revision -> section anchor
    implied_by: list[Anchor] = []
    exit_code: bool = False
    defaults: dict[str, Text] = {}
    source: Text | None = None  # where an undocumented signature's cause and fix come from

    @model_validator(mode="after")
    def _documented_means_a_section(self) -> Signature:
        if self.documented != bool(self.guides):
            raise ValueError(f"{self.id}: documented must be true exactly when a guide section is named")
        if not self.documented and not self.source:
            raise ValueError(f"{self.id}: an undocumented signature names its source")
        return self


class Signatures(Strict):
    about: Text = Field(alias="_about")
    signatures: list[Signature]

    @model_validator(mode="after")
    def _unique_ids(self) -> Signatures:
        ids = [s.id for s in self.signatures]
        if len(ids) != len(set(ids)):
            raise ValueError("two signatures share an id")
        if {i for s in self.signatures for i in s.implied_by} - set(ids):
            raise ValueError("implied_by names an unknown signature")
        return self


# -- aiblint/data/vm_sizes.json (tools/build_vm_sizes.py) ----------------------------------


class VmSizes(Strict):
    source: list[Text] = Field(alias="_source")
    columns: tuple[Literal["vCPUs"], Literal["memory GiB"], Text] = Field(alias="_columns")
    # the docs pages (repository path @ commit) each docs-derived row came from (tools/build_vm_sizes.py --docs)
    from_docs: dict[Text, list[str]] = Field(alias="_from_docs")
    # the rows no docs page gives (retired series), from the tool's hand-written table
    hand_written: list[str] = Field(alias="_hand_written")
    # the documented rows whose page states no Hyper-V generation: the tool's table gives it
    generation_by_hand: list[str] = Field(alias="_generation_by_hand")
    sizes: dict[
        Annotated[str, Field(pattern=r"^Standard_[A-Za-z0-9_-]+$")],
        tuple[Annotated[int, Field(gt=0)], Annotated[float, Field(gt=0)], Literal["1", "2", "12"]],
    ]


DATA_MODELS: dict[str, type[Strict]] = {
    "build_time.json": BuildTime,
    "regions.json": Regions,
    "signatures.json": Signatures,
    "vm_sizes.json": VmSizes,
}


def validate_data_file(path: Path) -> Strict:
    """Validate one shipped data file as JSON text (strict: no coercion)."""
    return DATA_MODELS[path.name].model_validate_json(path.read_text(encoding="utf-8"))


# -- rule pages: rules/CODE.md --------------------------------------------------------------

SECTIONS = ("What it detects", "Why", "Bad", "Good", "Suppress")


class RulePageHead(Strict):
    """The parts of a rule page other tools read: the title line, the sections, the guide id."""

    code: RuleCode
    title: Annotated[str, Field(min_length=3, max_length=100, pattern=r"^[^\s].*[^.\s]$")]
    sections: Annotated[list[str], Field(min_length=len(SECTIONS))]
    guide_ids: list[Annotated[str, Field(pattern=r"^[a-z0-9]+(-+[a-z0-9]+)*$")]] = []

    @model_validator(mode="after")
    def _required_sections_in_order(self) -> RulePageHead:
        found = [next((s for s in self.sections if s.startswith(required)), None) for required in SECTIONS]
        if None in found:
            raise ValueError(f"sections must include {SECTIONS}; found {self.sections}")
        if [self.sections.index(s) for s in found if s] != sorted(self.sections.index(s) for s in found if s):
            raise ValueError(f"sections out of order: {self.sections}")
        return self


def rule_page_head(path: Path) -> RulePageHead:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0] if text else ""
    match = re.fullmatch(r"# (AIB\d{3}): (.+)", first)
    if match is None:
        raise ValueError(f"{path.name}: the first line must be '# CODE: title'")
    sections = re.findall(r"^## (.+)$", text, re.M)
    guide_ids = re.findall(r"`aiblint diagnose` id\)?: `([^`]+)`", text)
    return RulePageHead(code=match.group(1), title=match.group(2), sections=sections, guide_ids=guide_ids)


# -- the configuration: [tool.aiblint] in pyproject.toml, or .aiblint.toml -----------------


class AiblintConfig(Strict):
    """[tool.aiblint] in pyproject.toml, or the top level (or [tool.aiblint]) of .aiblint.toml.

    aiblint/config.py reads the table by hand (exact messages, no pydantic at start-up); this
    model states the same keys for editors (JSON Schema) and tests that the two agree.
    """

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        populate_by_name=True,
        title="aiblint configuration",
    )

    select: list[CodeOrPrefix] | None = Field(
        None, description="Rules to run instead of the default selection (codes or prefixes, ALL)."
    )
    extend_select: list[CodeOrPrefix] = Field(
        [], alias="extend-select", description="Rules to add to the selection, e.g. opt-in rules."
    )
    ignore: list[CodeOrPrefix] = Field([], description="Rules to skip (the more specific of select and ignore wins).")
    per_file_ignores: dict[str, list[CodeOrPrefix]] = Field(
        {}, alias="per-file-ignores", description="Glob (relative to the config file) = rules to skip in matching files."
    )
    severity: dict[CodeOrPrefix, Literal["error", "warning", "info"]] = Field(
        {}, description="Code or prefix = severity to report."
    )
    fail_on: Literal["error", "warning", "info"] = Field(
        "warning", alias="fail-on", description="Lowest severity that makes the exit status 1."
    )
    profile: Literal["default", "azure-devops-hosted"] = Field(
        "default", description="azure-devops-hosted: a Microsoft-hosted agent's limits."
    )
    devops_job_minutes: Annotated[int, Field(gt=0)] = Field(
        60, alias="devops-job-minutes", description="The pipeline job's timeout, for the azure-devops-hosted profile (AIB204)."
    )
    script_roots: dict[Annotated[str, Field(pattern=r"^https?://")], str] = Field(
        {}, alias="script-roots", description="URL prefix = local folder: scriptUri files found there are linted too."
    )
    api_version: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}(-preview)?$")] | None = Field(
        None,
        alias="api-version",
        description="Image Builder apiVersion assumed when a template's own apiVersion cannot be resolved.",
    )
    shellcheck: bool = Field(False, description="Also run ShellCheck on Shell scripts.")
    check_urls: bool = Field(
        False,
        alias="check-urls",
        description="Accepted and checked, never applied: a config file cannot switch the network on (use --check-urls or AIBLINT_CHECK_URLS=1).",
    )


def config_json_schema() -> dict[str, object]:
    schema: dict[str, object] = AiblintConfig.model_json_schema(by_alias=True)
    return schema
