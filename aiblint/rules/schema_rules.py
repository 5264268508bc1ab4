"""AIB003, AIB006, AIB007, AIB010-AIB017: the template against the schema of its apiVersion.

Schema validation runs once per template (TemplateContext.schema_findings); each code here
reports its share, so every code stays independently selectable. Cross-field constraints
that the swagger only states in prose are AIB013 and AIB017.
"""

from __future__ import annotations

from aiblint.arm import ExpressionError, is_expression, parse_expression
from aiblint.context import FileContext
from aiblint.diagnostics import Severity, Span
from aiblint.jsontree import AnyNode, ArrayNode, NumberNode, ObjectNode, StringNode
from aiblint.locate import is_arm_deployment
from aiblint.registry import rule
from aiblint.template import TemplateContext


def _point(node: AnyNode) -> AnyNode | Span:
    """Objects and arrays are reported at their first character, not their whole extent."""
    if isinstance(node, (ObjectNode, ArrayNode)):
        return Span(node.start, node.start + 1)
    return node


def _emit_schema(ctx: TemplateContext, code: str) -> None:
    for finding in ctx.schema_findings:
        if finding.code == code:
            ctx.report(code, _point(finding.node), finding.message, pointer=finding.node.pointer, severity=finding.severity)


# -- AIB003 ---------------------------------------------------------------------------


@rule("AIB003", "warning", "apiVersion missing, unknown, preview or old", scope="template")
def api_version(ctx: TemplateContext) -> None:
    from aiblint.schema import known_versions, newest_stable

    node = ctx.template.api_version_node
    version = ctx.template.api_version
    newest = newest_stable()
    configured = ctx.config.api_version if ctx.declared_api_version == ctx.config.api_version else None
    if node is None:
        where = ctx.template.resource.get_ci("type") or ctx.template.resource
        # A REST body (a bare template) gets its version from the request: nothing to fix here.
        ctx.report(
            "AIB003",
            _point(where),
            f"no apiVersion: {_version_basis(ctx, configured)}",
            pointer=ctx.template.resource.pointer,
            # a REST body or `az image builder` file: the version is a command-line argument there
            severity=None if ctx.is_arm else Severity.INFO,
        )
        return
    if version is None:
        ctx.report(
            "AIB003",
            node,
            f"apiVersion comes from an expression aiblint cannot resolve (a parameter without a default, and no parameter file): {_version_basis(ctx, configured)}",
            severity=Severity.INFO,
        )
        return
    from aiblint.literals import PLACEHOLDER

    if PLACEHOLDER.search(version):
        return  # a <placeholder>: AIB020's
    if version not in known_versions():
        ctx.report(
            "AIB003", node, f"apiVersion '{version}' is not an Image Builder API version: use {newest}, the newest stable one"
        )
    elif version.endswith("-preview"):
        state = (
            "deprecated (release notes: 'deprecated, but still supported')"
            if version == "2019-05-01-preview"
            else "no longer documented"
        )
        ctx.report(
            "AIB003",
            node,
            f"apiVersion {version} is a preview, {state}: move to {newest}, the newest stable one (aiblint skips the schema check for previews)",
        )
    elif version < "2022-07-01":
        ctx.report(
            "AIB003",
            node,
            f"apiVersion {version} is old (supported, but the docs suggest at least 2022-07-01; the newest is {newest})",
            severity=Severity.INFO,
        )


# -- AIB006, AIB007 -------------------------------------------------------------------


@rule("AIB006", "error", "malformed ARM expression", scope="file")
def malformed_expression(ctx: FileContext) -> None:
    root = ctx.document.root
    if not isinstance(root, ObjectNode) or not is_arm_deployment(root):
        return
    for node in ctx.document.walk():
        if not isinstance(node, StringNode) or not is_expression(node.text) or "/inline/" in node.pointer:
            continue
        try:
            parse_expression(node.text)
        except ExpressionError as exc:
            ctx.report("AIB006", node, f"malformed ARM expression: {exc.message}")


@rule("AIB007", "error", "inline script line that ARM reads as an expression", scope="template")
def inline_line_read_by_arm(ctx: TemplateContext) -> None:
    if not ctx.is_arm or ctx.document.language != "json":
        return  # a Bicep/Terraform front end writes the `[[` escape itself, as `bicep build` does
    for step in ctx.template.steps:
        if step.kind not in ("shell", "powershell"):
            continue
        for line in step.inline_lines or []:
            text = line.text
            # `[[` is ARM's escape for a literal `[`. A Shell line that also holds `]]` was
            # written as bash's `[[ ... ]]` and loses a bracket; PowerShell has no `[[`.
            if text.startswith("[[") and not text.startswith("[[[") and step.kind == "shell" and "]]" in text:
                ctx.report(
                    "AIB007",
                    line,
                    f"ARM removes the first '[' of a line that starts with '[[': this runs as `{text[1:60]}`; write `[{text[:60]}` to keep it",
                )
            elif is_expression(text):
                try:
                    parse_expression(text)
                except ExpressionError:
                    ctx.report(
                        "AIB007",
                        line,
                        f"ARM reads this line as an expression and the deployment fails: write `[{text[:60]}` so the script gets `{text[:60]}`",
                    )
                # a valid expression is a deliberate one: ARM computes the line


def _version_basis(ctx: TemplateContext, configured: str | None) -> str:
    """What the checks rest on when the template does not say its apiVersion."""
    if configured is not None:
        return f"checked against {configured} (api-version in the config)"
    skipped = ctx.skipped_by_version
    detail = ", ".join(f"{count} {code}" for code, count in sorted(skipped.items()))
    left_out = f"; left out: {detail} that hold only for some versions" if detail else ""
    return (
        "the version is unknown, so only the checks that hold for every stable version ran "
        f"(version-specific ones skipped: unknown/required properties that differ between versions, deprecations{left_out}); "
        'give it in the template, a parameter file, or api-version = "..." under [tool.aiblint]'
    )


# -- AIB010 - AIB016 from the schema ---------------------------------------------------


@rule("AIB010", "error", "required property missing", scope="template")
def required_missing(ctx: TemplateContext) -> None:
    _emit_schema(ctx, "AIB010")


@rule("AIB011", "error", "unknown property", scope="template")
def unknown_property(ctx: TemplateContext) -> None:
    _emit_schema(ctx, "AIB011")
    version = ctx.template.api_version
    if isinstance(version, str) and version.endswith("-preview"):
        _preview_script_key(ctx, version)


def _preview_script_key(ctx: TemplateContext, version: str) -> None:
    """Previews skip the schema check; the one key that changed under them is still worth a word."""
    for step in ctx.template.steps:
        member = next((m for m in step.node.members if m.key.text.lower() == "script"), None)
        if step.kind not in ("shell", "powershell") or member is None:
            continue
        if version >= "2019-05-01-preview":
            ctx.report(
                "AIB011",
                member.key,
                f"`script` is not a property in apiVersion {version}: it was renamed `scriptUri` in 2019-05-01-preview (aiblint does not check preview schemas otherwise)",
                severity=Severity.WARNING,
            )
        else:
            ctx.report(
                "AIB011",
                member.key,
                f"`script` is {version}'s name for `scriptUri`: every later apiVersion rejects or ignores it; use `scriptUri` with a stable apiVersion",
                severity=Severity.INFO,
            )


@rule("AIB012", "error", "wrong type, out of range, not in an enum or not matching a pattern", scope="template")
def wrong_value(ctx: TemplateContext) -> None:
    _emit_schema(ctx, "AIB012")
    timeout = ctx.template.prop("buildTimeoutInMinutes")
    if isinstance(timeout, NumberNode) and 1 <= timeout.number <= 5:
        ctx.report(
            "AIB012",
            timeout,
            f"buildTimeoutInMinutes {timeout.raw} is too short to start: builds with 1-5 minutes fail at once with a token-expiry error (client_jwt will expire within 5 minutes); use 0 (4 hours) or at least 6",
        )


@rule("AIB014", "error", "wrong letter case in a property name or enum value", scope="template")
def wrong_case(ctx: TemplateContext) -> None:
    _emit_schema(ctx, "AIB014")


@rule("AIB015", "warning", "read-only property in a template to submit", scope="template")
def read_only(ctx: TemplateContext) -> None:
    _emit_schema(ctx, "AIB015")


@rule("AIB016", "warning", "deprecated property", scope="template")
def deprecated(ctx: TemplateContext) -> None:
    _emit_schema(ctx, "AIB016")
    if ctx.version_unknown or ctx.schema_version < "2022-07-01":
        return  # before 2022-07-01 replicationRegions is the only form (and required)
    for distributor in ctx.template.distributors:
        member = distributor.member("replicationRegions")
        if member is not None and distributor.get_ci("targetRegions") is None:
            ctx.report(
                "AIB016",
                member.key,
                f'replicationRegions is deprecated from apiVersion 2022-07-01 (still accepted by {ctx.schema_version}): use targetRegions ([{{"name": "westeurope", "replicaCount": 1}}])',
                severity=Severity.INFO,
            )


# -- AIB013: exclusive and conditional properties --------------------------------------


def _present(node: ObjectNode, key: str) -> bool:
    value = node.get_ci(key)
    if value is None:
        return False
    if isinstance(value, StringNode):
        return value.text != ""
    if isinstance(value, ArrayNode):
        return bool(value.items)
    return True


def _vnet_of(subnet_id: str) -> str | None:
    lowered = subnet_id.lower()
    marker = "/subnets/"
    return lowered[: lowered.index(marker)] if marker in lowered else None


def _inline_or_uri(ctx: TemplateContext, kind: str, node: ObjectNode) -> None:
    """Exactly one of `inline` and `scriptUri`: reported at the keys, with the step's pointer."""
    inline, uri = _present(node, "inline"), _present(node, "scriptUri")
    if inline and uri:
        keys = sorted((m.key for m in node.members if m.key.text.lower() in ("inline", "scripturi")), key=lambda k: k.start)
        first, second = keys[0], keys[-1]
        line, _ = ctx.document.lines.position(first.start)
        ctx.report(
            "AIB013",
            second,
            f"{kind} step has both `{second.text}` and `{first.text}` (line {line}): give exactly one",
            pointer=node.pointer,
            related=((first, f"`{first.text}` is also given"),),  # the key is inline or scriptUri (any case)
        )
    elif not inline and not uri:
        named = {m.key.text.lower(): m.key for m in node.members}
        empty = named.get("inline")
        anchor = empty or named.get("type") or _point(node)
        shown = " (`inline` is empty)" if empty is not None else ""
        ctx.report(
            "AIB013",
            anchor,
            f"{kind} step has neither `inline` nor `scriptUri`{shown}: give exactly one",
            pointer=node.pointer,
        )


@rule("AIB013", "error", "mutually exclusive or conditionally required properties", scope="template")
def exclusive_properties(ctx: TemplateContext) -> None:
    for step in ctx.template.steps:
        node = step.node
        if step.kind in ("shell", "powershell") and node.get_ci("script") is None:  # `script`: AIB011's
            _inline_or_uri(ctx, step.type, node)
        if step.kind == "powershell":
            system = step.resolver.value(node.get_ci("runAsSystem"))
            elevated = step.resolver.value(node.get_ci("runElevated"))
            if system is True and elevated is not True:
                member = node.member("runAsSystem")
                ctx.report("AIB013", member.key if member else _point(node), "runAsSystem needs runElevated: true")
    for distributor in ctx.template.distributors:
        if _present(distributor, "replicationRegions") and _present(distributor, "targetRegions"):
            member = distributor.member("targetRegions")
            other = distributor.member("replicationRegions")
            ctx.report(
                "AIB013",
                member.key if member else _point(distributor),
                "give either replicationRegions or targetRegions, not both (targetRegions replaces it)",
                related=((other.key, "replicationRegions is also given"),) if other else (),
            )
    profile = ctx.template.vm_profile
    vnet = profile.get_ci("vnetConfig") if profile is not None else None
    if isinstance(vnet, ObjectNode):
        _vnet_rules(ctx, vnet)


def _vnet_rules(ctx: TemplateContext, vnet: ObjectNode) -> None:
    aci = vnet.member("containerInstanceSubnetId")
    if aci is None or not _present(vnet, "containerInstanceSubnetId"):
        return
    if _present(vnet, "proxyVmSize"):
        proxy = vnet.member("proxyVmSize")
        ctx.report(
            "AIB013",
            aci.key,
            "containerInstanceSubnetId cannot be combined with proxyVmSize (isolated builds use no proxy VM)",
            related=((proxy.key, "proxyVmSize is given"),) if proxy else (),
        )
    subnet = ctx.template.value(vnet.get_ci("subnetId"))
    aci_value = ctx.template.value(aci.value)
    if not _present(vnet, "subnetId"):
        ctx.report("AIB013", aci.key, "containerInstanceSubnetId needs subnetId (the build VM's subnet in the same VNet)")
    elif isinstance(subnet, str) and isinstance(aci_value, str):
        given = vnet.member("subnetId")
        related = ((given.key, "subnetId is given"),) if given else ()
        if subnet.lower() == aci_value.lower():
            ctx.report("AIB013", aci.key, "containerInstanceSubnetId must be a different subnet from subnetId", related=related)
        elif _vnet_of(subnet) and _vnet_of(aci_value) and _vnet_of(subnet) != _vnet_of(aci_value):
            ctx.report("AIB013", aci.key, "containerInstanceSubnetId must be in the same VNet as subnetId", related=related)


# -- AIB017: properties with no effect --------------------------------------------------


@rule("AIB017", "warning", "property that has no effect where it stands", scope="template")
def no_effect(ctx: TemplateContext) -> None:
    for step in ctx.template.steps:
        checksum = step.node.member("sha256Checksum")
        if (
            checksum is not None
            and isinstance(checksum.value, StringNode)
            and checksum.value.text
            and _present(step.node, "inline")
        ):
            ctx.report("AIB017", checksum.key, "sha256Checksum is ignored with `inline`: it checks a scriptUri download")
    for distributor in ctx.template.distributors:
        if ctx.template.kind_of(distributor) != "sharedimage":
            continue
        storage = distributor.member("storageAccountType")
        if (
            storage is not None
            and not _present(distributor, "replicationRegions")
            and not ctx.version_unknown
            and ctx.schema_version >= "2022-07-01"
        ):
            ctx.report(
                "AIB017",
                storage.key,
                "the distributor-level storageAccountType only applies with replicationRegions: set it per region in targetRegions",
            )
        versioning = distributor.get_ci("versioning")
        if isinstance(versioning, ObjectNode):
            scheme = ctx.template.value(versioning.get_ci("scheme"))
            major = versioning.member("major")
            if isinstance(scheme, str) and scheme.lower() == "source" and major is not None:
                ctx.report(
                    "AIB017",
                    major.key,
                    "versioning.major only applies to the Latest scheme: the Source scheme takes the version from the source image",
                )
