"""What template-scope rules are handed: the typed template plus a way to report."""

from __future__ import annotations

from functools import cached_property

from aiblint.armeval import Resolver
from aiblint.diagnostics import Finding, Severity, Span
from aiblint.jsontree import AnyNode
from aiblint.lint import FileContext
from aiblint.locate import Located
from aiblint.model import Template


class TemplateContext:
    def __init__(self, file: FileContext, located: Located) -> None:
        self.file = file
        self.located = located
        self.resolver = Resolver(located.deployment, located.scope)
        self.template = Template(located, self.resolver)

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

    def report(
        self,
        code: str,
        where: AnyNode | Span,
        message: str,
        *,
        pointer: str | None = None,
        severity: Severity | None = None,
        anchor: str = "",
        fix: tuple[int, str] | None = None,
    ) -> None:
        self.file.report(code, where, message, pointer=pointer, severity=severity, anchor=anchor, fix=fix)

    def add(self, finding: Finding) -> None:
        self.file.add(finding)

    def enabled(self, code: str) -> bool:
        return self.file.enabled(code)

    @cached_property
    def schema_version(self) -> str:
        """The apiVersion whose schema applies: the template's own when known, else the newest stable."""
        from aiblint.schema import known_versions, newest_stable

        version = self.template.api_version
        return version if version in known_versions() else newest_stable()

    @cached_property
    def schema_findings(self) -> list:  # type: ignore[type-arg]
        """Schema validation, run once; AIB010-AIB016 each report their own share."""
        from aiblint.schema import validate

        version = self.template.api_version
        if version is not None and version.endswith("-preview"):
            return []  # AIB003 names the root cause; the preview specs are incomplete copies
        strict = version is not None  # an apiVersion we could not resolve: report softly
        return validate(self.template.resource, self.schema_version, self.is_arm, strict_allowed=strict)

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
        from aiblint.rules.values import checkable, uri_fields
        from aiblint.urls import check_all

        urls = [checkable(self, node) for _, node in uri_fields(self)]
        results = check_all([u for u in urls if u and u.startswith(("http://", "https://"))])
        for result in results.values():
            if result.identity_fetched and result.status is not None and result.status >= 400:
                self.file.notes.append(
                    f"{result.url}: not checked (HTTP {result.status} without credentials); the build reads blob storage through the template identity"
                )
        return results

    @cached_property
    def scripts(self) -> list:  # type: ignore[type-arg]
        """The Shell and PowerShell scripts of this template, parsed once for every rule."""
        from aiblint.scripts.collect import collect_scripts

        return collect_scripts(self)

    def run_scripts(self) -> None:
        from aiblint.scripts.collect import analyse_scripts

        analyse_scripts(self)
