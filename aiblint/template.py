"""What template-scope rules are handed: the typed template plus a way to report."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import Any

from aiblint.armeval import Resolver
from aiblint.context import FileContext
from aiblint.locate import Located
from aiblint.model import Template


class TemplateContext:
    def __init__(self, file: FileContext, located: Located) -> None:
        self.file = file
        self.located = located
        self.resolver = Resolver(located.deployment, located.scope)
        self.template = Template(located, self.resolver)
        self.rule_state: dict[str, Any] = {}  # what a rule carries from one script of this template to the next
        # where every rule reports: the file's own context (one signature, one place)
        self.report = file.report
        self.add = file.add
        self.enabled = file.enabled

    def add_evaluation_notes(self) -> None:
        """What the evaluator had to give up on (one note per file), and unknown conditions."""
        scope = self.resolver.scope
        for note in [*self.located.notes, scope.budget.note if scope is not None else None]:
            if note and note not in self.file.notes:
                self.file.notes.append(note)

    @property
    def config(self):  # type: ignore[no-untyped-def]
        return self.file.config

    @property
    def document(self):  # type: ignore[no-untyped-def]
        return self.file.document

    @property
    def is_arm(self) -> bool:
        return self.located.kind == "arm"

    @cached_property
    def declared_api_version(self) -> str | None:
        """The apiVersion the template is submitted with: its own (parameter defaults and a
        parameter file resolved), else ``api-version`` from the config; None when unknown."""
        from aiblint.schema import known_versions

        version = self.template.api_version
        if version is not None and version in known_versions():
            return version
        configured = self.config.api_version
        if configured is not None and configured in known_versions():
            return configured
        return None

    @property
    def version_unknown(self) -> bool:
        """No apiVersion is known: only checks that hold for every version run."""
        return self.declared_api_version is None

    @cached_property
    def schema_version(self) -> str:
        """The apiVersion whose schema applies: the declared one when known, else the newest stable."""
        from aiblint.schema import newest_stable

        return self.declared_api_version or newest_stable()

    @cached_property
    def schema_findings(self) -> list:  # type: ignore[type-arg]
        """Schema validation, run once; AIB010-AIB016 each report their own share.

        With the apiVersion unknown, a finding is kept only when every stable version's
        schema makes it (``skipped_by_version`` counts the others, for AIB003's note)."""
        from aiblint.schema import validate

        version = self.declared_api_version
        if version is not None:
            if version.endswith("-preview"):
                return []  # AIB003 names the root cause; the preview specs are incomplete copies
            return validate(self.template.resource, version, self.is_arm)
        return self._version_independent_findings()

    @cached_property
    def skipped_by_version(self) -> dict[str, int]:
        """Per code, the findings left out because they depend on the unknown apiVersion."""
        _ = self.schema_findings
        return self.__dict__.get("_skipped", {})

    def _version_independent_findings(self) -> list:  # type: ignore[type-arg]
        from aiblint.schema import known_versions, newest_stable, validate

        newest = newest_stable()
        older = sorted((v for v in known_versions() if not v.endswith("-preview") and v != newest), reverse=True)
        findings = validate(self.template.resource, newest, self.is_arm, strict_allowed=False)
        # A place every version objects to (even under another code: read-only here, unknown
        # there) is kept, in the newest version's words.
        common = {f.node.start for f in findings}
        for version in older:
            if not common:
                break
            common &= {f.node.start for f in validate(self.template.resource, version, self.is_arm, strict_allowed=False)}
        skipped: dict[str, int] = {}
        kept = []
        for finding in findings:
            if finding.node.start in common:
                kept.append(replace(finding, message=_unknown_version_words(finding.message, newest)))
            else:
                skipped[finding.code] = skipped.get(finding.code, 0) + 1
        self.__dict__["_skipped"] = skipped
        return kept

    @cached_property
    def source_info(self):  # type: ignore[no-untyped-def]
        """OS, family and generation of the build VM, inferred from the source."""
        from aiblint.osinfo import infer

        return infer(self.template)

    @cached_property
    def build_estimate(self):  # type: ignore[no-untyped-def]
        """The lower-bound build time (aiblint/estimate.py), computed once."""
        from aiblint.estimate import estimate

        return estimate(self)

    @cached_property
    def url_results(self) -> dict:  # type: ignore[type-arg]
        """With --check-urls only: every script/file URL of the template, checked once."""
        if not self.config.check_urls:
            return {}
        from aiblint.literals import checkable, uri_fields
        from aiblint.urls import check_all

        urls = [checkable(self, node) for _, node in uri_fields(self)]
        results = check_all(
            [u for u in urls if u and u.startswith(("http://", "https://"))], allow_private=self.config.allow_private_urls
        )
        for result in results.values():
            if result.note is not None:
                self.file.notes.append(f"{result.url[:200]}: {result.note}")
            elif result.identity_fetched and result.status is not None and result.status >= 400:
                self.file.notes.append(
                    f"{result.url}: not checked (HTTP {result.status} without credentials); the build reads blob storage through the template identity"
                )
        return results

    @cached_property
    def scripts(self) -> list:  # type: ignore[type-arg]
        """The Shell and PowerShell scripts of this template, parsed once for every rule."""
        from aiblint.scripts.collect import collect_scripts

        return collect_scripts(self)


def _unknown_version_words(message: str, newest: str) -> str:
    """A schema message written for one version, reworded for "the version is unknown"."""
    from aiblint.schema import STRICT_FROM

    effect = f"the apiVersion is unknown: versions before {STRICT_FROM} ignore it, later ones reject it"
    message = message.replace(f"(the service silently ignores it in apiVersion {newest})", f"({effect})")
    message = message.replace(f"(apiVersion {newest})", "(in every stable apiVersion)")
    return message.replace(f"it is not valid in {newest}", "it is not valid in any stable apiVersion")
