"""AIB101, AIB102, AIB2xx, AIB3xx: the template as a whole (identity, timing, VM size, OS)."""

from __future__ import annotations

import re

from aiblint.arm import Call, ExpressionError, is_expression, parse_expression
from aiblint.diagnostics import Fix, Severity, Span
from aiblint.estimate import replication_regions, timeout_minutes
from aiblint.jsontree import AnyNode, ArrayNode, ObjectNode, StringNode
from aiblint.literals import PLACEHOLDER, checkable, literal, uri_fields
from aiblint.registry import rule
from aiblint.rules.values import size_info
from aiblint.scripts.facts import large_artifact
from aiblint.template import TemplateContext


def _key_or_first(node: ObjectNode | None, key: str, fallback: ObjectNode) -> AnyNode | Span:
    member = node.member(key) if node is not None else None
    if member is not None:
        return member.key
    return Span(fallback.start, fallback.start + 1)


def _properties_anchor(ctx: TemplateContext) -> AnyNode | Span:
    return _key_or_first(ctx.template.resource, "properties", ctx.template.resource)


def effective_vm_size(ctx: TemplateContext) -> tuple[str, AnyNode | None, bool]:
    """(size name, its node or None, set explicitly); '' when an unresolved expression."""
    profile = ctx.template.vm_profile
    node = profile.get_ci("vmSize") if profile is not None else None
    if node is None or (isinstance(node, StringNode) and node.text == ""):
        return ctx.source_info.default_vm_size, node, False
    value = ctx.template.value(node)
    return (value if isinstance(value, str) else ""), node, True


# -- AIB101 ---------------------------------------------------------------------------


def _resource_group(resource_id: str) -> str | None:
    match = re.match(r"^(/subscriptions/[^/]+/resourceGroups/[^/]+)", resource_id, re.I)
    return match.group(1) if match else None


@rule("AIB101", "info", "permission plan for the template identity", scope="template")
def permission_plan(ctx: TemplateContext) -> None:
    identity = ctx.template.resource.get_ci("identity")
    if not isinstance(identity, ObjectNode):
        return
    template = ctx.template
    plan: list[str] = []
    source = template.source
    if source is not None:
        for key, what in (("imageId", "the source managed image"), ("imageVersionId", "the source gallery image")):
            value = checkable(ctx, source.get_ci(key))
            if value:
                plan.append(f"Reader on {what} ({_short(value)})")
    for distributor in template.distributors:
        for key in ("imageId", "galleryImageId"):
            value = checkable(ctx, distributor.get_ci(key))
            if value:
                group = _resource_group(value)
                plan.append(
                    f"Contributor (or the image-builder custom role) on {_short(group or value)} to write the {'image' if key == 'imageId' else 'gallery image version'}"
                )
    accounts = set()
    for _, node in uri_fields(ctx):
        value = checkable(ctx, node)
        match = re.match(r"^https://([a-z0-9]+)\.blob\.core\.windows\.net/", value or "", re.I)
        if match and "sig=" not in (value or ""):
            accounts.add(match.group(1))
    for account in sorted(accounts):
        plan.append(
            f"Storage Blob Data Reader on the storage account {account} (scripts and files are read through the identity)"
        )
    profile = template.vm_profile
    vnet = profile.get_ci("vnetConfig") if profile is not None else None
    if isinstance(vnet, ObjectNode):
        for key in ("subnetId", "containerInstanceSubnetId"):
            value = checkable(ctx, vnet.get_ci(key))
            if value:
                plan.append(f"Network Contributor (or join/read on the VNet) for {_short(value.rsplit('/subnets/', 1)[0])}")
    staging = checkable(ctx, template.prop("stagingResourceGroup"))
    if staging:
        plan.append(f"Contributor on the staging resource group {_short(staging)}")
    identities = profile.get_ci("userAssignedIdentities") if profile is not None else None
    if isinstance(identities, ArrayNode) and identities.items:
        plan.append(
            f"Managed Identity Operator on each of the {len(identities.items)} build-VM identities (vmProfile.userAssignedIdentities)"
        )
    vaults = sorted(
        {
            name.lower()
            for script in ctx.scripts
            if "vault" in script.source.text.lower()  # the cheap test first: most scripts name none
            for match in _VAULT.findall(script.source.text)
            for name in match
            if name
        }
    )
    for vault in vaults:
        plan.append(
            f"Key Vault Secrets User on {vault} for the build VM's identity (vmProfile.userAssignedIdentities); its public access must stay enabled"
        )
    if plan:
        ctx.report(
            "AIB101",
            _key_or_first(ctx.template.resource, "identity", ctx.template.resource),
            "the template identity needs: " + "; ".join(plan),
        )


# Key Vault names are 3-24 characters: bounded so a long word cannot make this quadratic.
_VAULT = re.compile(r"(?<![a-z0-9-])([a-z0-9-]{3,24})\.vault\.azure\.net|--vault-name\s+([a-z0-9-]{3,24})", re.I)


def _short(resource_id: str) -> str:
    return re.sub(r"^/subscriptions/[^/]+", "/subscriptions/…", resource_id)


# -- AIB102 ---------------------------------------------------------------------------

_UNIQUE = {"utcnow", "newguid", "guid", "uniquestring", "deployment"}


def _calls(tree: object) -> set[str]:
    names: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            names.add(node.name.lower())
            stack.extend(node.args)
        elif hasattr(node, "target"):
            stack.extend([node.target, node.key])  # type: ignore[attr-defined]
    return names


@rule("AIB102", "warning", "ARM template deploys an image template under a fixed name", scope="template")
def fixed_name(ctx: TemplateContext) -> None:
    if not ctx.is_arm:
        return
    node = ctx.template.name_node
    if not isinstance(node, StringNode):
        return
    text = node.text
    if PLACEHOLDER.search(text):
        return  # AIB020's
    if is_expression(text):
        try:
            calls = _calls(parse_expression(text))
        except ExpressionError:
            return
        if calls & _UNIQUE:
            return
        value = ctx.template.value(node)
        if not isinstance(value, str):
            return  # chosen at deployment time (a parameter without a default)
        if PLACEHOLDER.search(value):
            return
        shown = f"'{value}' (from a default)"
    else:
        shown = f"'{text}'"
    ctx.report(
        "AIB102",
        node,
        f'the image template is always named {shown}: redeploying a changed template fails with "Conflict ... Update/Upgrade of image templates is currently not supported"; add a version or unique suffix (e.g. utcNow()) or delete the old template first',
    )


# -- AIB200 - AIB204 ---------------------------------------------------------------------


def _timeout_anchor(ctx: TemplateContext) -> AnyNode | Span:
    node = ctx.template.prop("buildTimeoutInMinutes")
    return node if node is not None else _properties_anchor(ctx)


@rule("AIB200", "warning", "buildTimeoutInMinutes lower than the work the template declares", scope="template")
def timeout_too_short(ctx: TemplateContext) -> None:
    timeout, explicit = timeout_minutes(ctx)
    if timeout is None:
        return
    if ctx.source_info.is_windows and explicit and 1 <= timeout <= 59 and timeout > 5:
        ctx.report(
            "AIB200",
            _timeout_anchor(ctx),
            f"buildTimeoutInMinutes {timeout} on a Windows build: the docs advise at least 60 (deployment, Sysprep and capture alone take most of it)",
        )
        return
    result = ctx.build_estimate
    if result.build > timeout:
        given = f"buildTimeoutInMinutes {timeout}" if explicit else "the default timeout of 4 hours"
        ctx.report("AIB200", _timeout_anchor(ctx), f"{given} is shorter than the work the template declares: {result.describe()}")


# What makes a download reliably larger than a few MB: a disk image, or a product that never
# ships small. A .zip, .exe or .msi name alone is not (the Office Deployment Tool's setup.exe,
# a portable editor's zip are a few MB).
_DISK_IMAGES = (".iso", ".vhd", ".vhdx", ".wim", ".esd", ".qcow2", ".img")
_BIG_PRODUCTS = {
    "office": "Office",
    "o365": "Office",
    "onedrive": "OneDrive",
    "teams": "Teams",
    "fslogix": "FSLogix",
    "sqlserver": "SQL Server",
    "sql20": "SQL Server",
    "sqlexpr": "SQL Server Express",
    "ssms": "SQL Server Management Studio",
    "vslayout": "a Visual Studio offline layout",
    "vs_layout": "a Visual Studio offline layout",
    "visualstudio": "Visual Studio",
    "languagepack": "a language pack",
    "langpack": "a language pack",
    "cuda": "CUDA",
    "dotnet-sdk": "the .NET SDK",
    "jdk": "a JDK",
}
_BIG_DOWNLOAD_BYTES = 100 * 1024 * 1024


def large_download_evidence(ctx: TemplateContext, url: str) -> str | None:
    """Why ``url`` is a large download, or None when nothing says so (its name alone is no proof)."""
    checked = ctx.url_results.get(url)
    if checked is not None and checked.length is not None:
        size = checked.length / 1048576
        return f"{size:.0f} MB by its Content-Length" if checked.length > _BIG_DOWNLOAD_BYTES else None
    name = large_artifact(url)
    if name is None:
        return None
    lowered = name.lower()
    if lowered.endswith(_DISK_IMAGES):
        return f"{name} is a disk image"
    for word, product in _BIG_PRODUCTS.items():
        if word in lowered.replace(" ", "").replace("%20", ""):
            return f"{name} is {product}, whose installers are well over 20 MB"
    return None


def _large_downloads(ctx: TemplateContext) -> list[str]:
    from aiblint.scripts.facts import script_facts

    urls = [d.url for script in ctx.scripts for d in script_facts(script).downloads if d.large]
    urls += [v for s in ctx.template.steps if s.kind == "file" and (v := checkable(ctx, s.field("sourceUri")))]
    return [reason for url in urls if (reason := large_download_evidence(ctx, url))]


@rule("AIB201", "warning", "heavy work on a 1-vCPU or small build VM", scope="template")
def small_vm(ctx: TemplateContext) -> None:
    size, node, explicit = effective_vm_size(ctx)
    info = size_info(size) if size else None
    if info is None or (info[0] > 1 and info[1] >= 4):
        return
    windows = ctx.source_info.is_windows
    heavy = []
    if windows and any(s.kind == "windowsupdate" for s in ctx.template.customizers):
        heavy.append("Windows Update")
    downloads = _large_downloads(ctx)
    if downloads:
        heavy.append(f"large downloads ({downloads[0]})")
    if not heavy and windows and info[0] == 1 and not _trivial_windows_build(ctx):
        # Microsoft's AVD article: the default size "is not suitable for Windows. Use a Standard_D2_v2 or greater"
        where = node if node is not None else _properties_anchor(ctx)
        default = "" if explicit else " (the default for this source)"
        ctx.report(
            "AIB201",
            where,
            f'a Windows build on {size}{default}, {info[0]} vCPU and {info[1]:g} GB: Microsoft\'s AVD guidance says this size "is not suitable for Windows" (Sysprep timing failures, WinRM drops); use Standard_D2_v2 or larger',
        )
        return
    if not heavy:
        return
    where = node if node is not None else _properties_anchor(ctx)
    default = "" if explicit else " (the default for this source)"
    symptom = (
        'the build can run out of resources or time ("Waiting for the Windows Modules Installer")'
        if windows
        else "unpacking and installing on one vCPU can run out of memory or time"
    )
    ctx.report(
        "AIB201",
        where,
        f"{' and '.join(heavy)} on {size}{default}, {info[0]} vCPU and {info[1]:g} GB: {symptom}; use Standard_D2s_v3 or larger",
    )


def _trivial_windows_build(ctx: TemplateContext) -> bool:
    """So little to do that Sysprep may start before the guest agent is ready (AIB202's case)."""
    steps = ctx.template.customizers
    lines = sum(len(s.inline.items) for s in steps if s.inline is not None)
    busy = any(s.kind in ("windowsupdate", "windowsrestart", "file") or s.field("scriptUri") is not None for s in steps)
    return not busy and lines <= 3


@rule("AIB202", "warning", "Windows build with only trivial customizations on a small VM", scope="template")
def sysprep_timing(ctx: TemplateContext) -> None:
    if not ctx.source_info.is_windows:
        return
    size, _, _ = effective_vm_size(ctx)
    info = size_info(size) if size else None
    if info is None or info[0] > 1:
        return
    if not _trivial_windows_build(ctx):
        return
    node = ctx.template.prop("customize")
    anchor = node if node is not None else _properties_anchor(ctx)
    ctx.report(
        "AIB202",
        Span(anchor.start, anchor.start + 1) if isinstance(anchor, (ObjectNode, ArrayNode)) else anchor,
        f"so little runs before Sysprep on {size} (1 vCPU) that the guest agent may not be ready (IMAGE_STATE_UNDEPLOYABLE): add a PowerShell step with Start-Sleep -Seconds 60, or use a larger VM",
    )


@rule("AIB203", "warning", "gallery replication may outlive the build timeout", scope="template")
def replication_timeout(ctx: TemplateContext) -> None:
    timeout, _ = timeout_minutes(ctx)
    if timeout is None:
        return
    result = ctx.build_estimate
    if result.build > timeout or result.total <= timeout or not result.replication:
        return  # AIB200 covers a build that is already too long
    regions = replication_regions(ctx)
    anchor: AnyNode | Span = _properties_anchor(ctx)
    for distributor in ctx.template.distributors:
        for key in ("targetRegions", "replicationRegions"):
            member = distributor.member(key)
            if member is not None:
                anchor = member.key
    ctx.report(
        "AIB203",
        anchor,
        f'replication to {regions} regions needs about {result.replication} min more after a build {result.describe(with_replication=True)}, over the {timeout}-minute timeout: raise buildTimeoutInMinutes or replicate fewer regions ("Error waiting on shared image gallery")',
    )


@rule("AIB204", "warning", "the build likely outlives an Azure DevOps hosted job", scope="template")
def devops_job(ctx: TemplateContext) -> None:
    if ctx.config.profile != "azure-devops-hosted":
        return
    limit = ctx.config.devops_job_minutes
    result = ctx.build_estimate
    if result.total > limit:
        ctx.report(
            "AIB204",
            _timeout_anchor(ctx),
            f'a Microsoft-hosted Azure DevOps job stops after {limit} minutes, but the build is {result.describe(with_replication=True)}: run the build asynchronously or on a self-hosted agent ("The operation was canceled")',
        )


# -- AIB300 - AIB308 ---------------------------------------------------------------------

_LINUX_ONLY = {"shell"}
_WINDOWS_ONLY = {"powershell", "windowsupdate", "windowsrestart"}


@rule("AIB300", "error", "customizer not valid for the source OS", scope="template")
def customizer_os(ctx: TemplateContext) -> None:
    info = ctx.source_info
    if info.strength != "strong":
        return
    for step in ctx.template.steps:
        wrong = (info.is_windows and step.kind in _LINUX_ONLY) or (info.is_linux and step.kind in _WINDOWS_ONLY)
        if wrong and step.type_node is not None:
            ctx.report(
                "AIB300",
                step.type_node,
                f"a {step.type} step cannot run on {'Windows' if info.is_windows else 'Linux'} (source {info.evidence}): the build fails when it reaches it",
            )


@rule("AIB301", "warning", "File customizer that likely downloads more than 20 MB", scope="template")
def large_file(ctx: TemplateContext) -> None:
    for step in ctx.template.steps:
        if step.kind != "file":
            continue
        node = step.field("sourceUri")
        value = checkable(ctx, node)
        name = large_artifact(value) if value else None
        checked = ctx.url_results.get(value) if value else None
        if checked is not None and checked.length is not None and node is not None:
            if checked.length > 20 * 1024 * 1024:
                ctx.report(
                    "AIB301",
                    node,
                    f"the File customizer is meant for files under 20 MB, and this one is {checked.length / 1048576:.0f} MB (Content-Length): download it in a Shell or PowerShell step instead (curl / Invoke-WebRequest)",
                )
            continue
        reason = large_download_evidence(ctx, value) if name and value else None
        if reason and node is not None:
            ctx.report(
                "AIB301",
                node,
                f"the File customizer is meant for files under 20 MB, and this one is likely larger ({reason}): download it in a Shell or PowerShell step instead (curl / Invoke-WebRequest)",
            )


@rule("AIB302", "error", "File destination the build cannot write", scope="template")
def file_destination(ctx: TemplateContext) -> None:
    linux = ctx.source_info.is_linux
    for step in ctx.template.steps:
        if step.kind != "file":
            continue
        node = step.field("destination")
        value = checkable(ctx, node)
        if value is None or node is None:
            continue
        windows_path = re.match(r"^[A-Za-z]:[\\/]", value) or value.startswith(("\\\\", "$env:", "%"))
        if not value.startswith("/") and not windows_path:
            ctx.report("AIB302", node, f"destination '{value}' is a relative path: give the full path, file name included")
        elif linux and not (value == "/tmp" or value.startswith("/tmp/")):
            ctx.report(
                "AIB302",
                node,
                f"destination '{value}' is outside /tmp: the File customizer runs as the build user, who can only write /tmp; copy it to /tmp and move it with sudo in a Shell step",
            )


def _installs(ctx: TemplateContext, step: object) -> list[str]:
    """What a PowerShell customizer installs (from its script's summary)."""
    return [i for script in ctx.scripts if script.step is step for i in script.summaries.get("installs", [])]


@rule("AIB303", "warning", "Windows Update or software installs not followed by a restart", scope="template")
def restart_at_end(ctx: TemplateContext) -> None:
    info = ctx.source_info
    if not info.is_windows:
        return
    steps = ctx.template.customizers
    restarts = [i for i, s in enumerate(steps) if s.kind == "windowsrestart"]
    tail = steps[restarts[-1] + 1 :] if restarts else steps
    updates = [s for s in tail if s.kind == "windowsupdate"]
    installing = [(s, found) for s in tail if s.kind == "powershell" and (found := _installs(ctx, s))]
    if updates:
        last_update = tail.index(updates[-1])
        installing = [(s, found) for s, found in installing if tail.index(s) > last_update]
    client = info.family == "client"
    fix = _append_restart(ctx)
    if installing:
        step, found = installing[-1]
        anchor = step.type_node or step.node
        where = "on a Windows client image" if client else "on a server image"
        ctx.report(
            "AIB303",
            anchor,
            f"software is installed after the last restart ({found[0]}) {where}: installs that finish at the next boot run during Sysprep or at the first logon of every VM "
            '("Please wait for the Windows Modules Installer"); end with a WindowsRestart customizer',
            severity=None if client else Severity.INFO,
            fix=fix,
        )
    elif updates:
        last = updates[-1]
        ctx.report(
            "AIB303",
            last.type_node or last.node,
            "Windows Update is the last step: its customizer restarts the VM itself while updates need it, so the build passes, but work it leaves pending can slow the first logon"
            + (" of VMs from this client image" if client else "")
            + "; a final WindowsRestart customizer settles it",
            severity=Severity.INFO,
            fix=fix,
        )


def _append_restart(ctx: TemplateContext) -> Fix | tuple[int, str] | None:
    """Insert a WindowsRestart after the last customizer, indented like it, in the file's syntax."""
    customize = ctx.template.prop("customize")
    if not isinstance(customize, ArrayNode) or not customize.items:
        return None
    last = customize.items[-1]
    text = ctx.document.text
    line_start = text.rfind("\n", 0, last.start) + 1
    own_line = text[line_start : last.start].strip() == ""
    indent = text[line_start : last.start] if own_line else " "
    timeout = "30m" if ctx.source_info.server_year == "2016" else "10m"  # AIB306: 2016 needs 30 minutes
    json_step = f',\n{indent}{{ "type": "WindowsRestart", "restartTimeout": "{timeout}" }}'
    edit_map = ctx.document.edit_map
    if edit_map is None:
        return last.end, json_step
    if customize.file is not None:  # a module's template, linted through the file that deploys it
        return Fix.withheld_because(f"the customize list is written in {customize.file}: fix it there")
    written = customize.start < last.start and last.end < customize.end
    syntax = edit_map.array_syntax(customize.start, customize.end) if written else None
    if syntax is None:
        return Fix.withheld_because(
            "the customize list is built by an expression (a variable, loop or function): add the WindowsRestart step by hand"
        )
    if syntax == "bicep":
        if not own_line:
            return Fix.withheld_because("the customize list is written on one line: add the WindowsRestart step by hand")
        inner = indent + "  "
        step = f"\n{indent}{{\n{inner}type: 'WindowsRestart'\n{inner}restartTimeout: '{timeout}'\n{indent}}}"
        return last.end, step
    if syntax == "hcl":
        return last.end, f',\n{indent}{{ type = "WindowsRestart", restartTimeout = "{timeout}" }}'
    return last.end, json_step  # a JSON heredoc: JSON, with no ${ to escape


@rule("AIB304", "info", "external script or file without sha256Checksum", scope="template")
def no_checksum(ctx: TemplateContext) -> None:
    missing: list[tuple[str, AnyNode]] = []
    for step in ctx.template.steps:
        for key in ("scriptUri", "sourceUri"):
            node = step.field(key)
            value = checkable(ctx, node)
            if value is None or node is None:
                continue
            checksum = step.field("sha256Checksum")
            if not isinstance(checksum, StringNode) or checksum.text == "":
                missing.append((value, node))
    if not missing:
        return
    # One finding per template: a list of sixteen identical notes helps nobody.
    names = [value.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or value for value, _ in missing]
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    what = "an external script or file has" if len(missing) == 1 else f"{len(missing)} external scripts or files have"
    ctx.report(
        "AIB304",
        missing[0][1],
        f"{what} no sha256Checksum ({shown}): a changed or tampered file runs unnoticed; add each file's SHA-256 (lower-case hex)",
    )


@rule("AIB306", "info", "Windows Server 2016 restart timeout under 30 minutes", scope="template")
def ws2016_restart(ctx: TemplateContext) -> None:
    info = ctx.source_info
    if not (info.is_windows and info.server_year == "2016"):
        return
    for step in ctx.template.customizers:
        if step.kind != "windowsrestart":
            continue
        node = step.field("restartTimeout")
        # absent or "" means the service's default, 5m
        value = "5m" if node is None or literal(ctx, node) == "" else checkable(ctx, node)
        match = re.fullmatch(r"(\d{1,9})([smh])", value or "")  # more digits: not a duration AIB012 accepts
        if not match:
            continue
        minutes = int(match.group(1)) * {"s": 1 / 60, "m": 1, "h": 60}[match.group(2)]
        if minutes < 30:
            where = node if node is not None else (step.type_node or step.node)
            ctx.report(
                "AIB306",
                where,
                f"Windows Server 2016 restarts can exceed {value} (documented restart error 1190): set restartTimeout to 30m",
            )


@rule("AIB307", "warning", "CIS-hardened marketplace source", scope="template")
def cis_source(ctx: TemplateContext) -> None:
    source = ctx.template.source
    publisher = source.get_ci("publisher") if source is not None else None
    value = checkable(ctx, publisher)
    if value and value.lower() == "center-for-internet-security-inc" and publisher is not None:
        ctx.report(
            "AIB307",
            publisher,
            "CIS-hardened images restrict WinRM, SSH and file permissions in ways that often break Image Builder builds: test the build early, or harden in a customizer instead",
        )


@rule("AIB308", "info", "VHD distribution without uri", scope="template")
def vhd_without_uri(ctx: TemplateContext) -> None:
    for distributor in ctx.template.distributors:
        if ctx.template.kind_of(distributor) == "vhd" and distributor.get_ci("uri") is None:
            hint = (
                "; set uri to a blob URL of your own to keep it"
                if ctx.schema_version >= "2022-07-01"
                else "; from apiVersion 2022-07-01 a uri can name your own blob"
            )
            anchor = distributor.get_ci("type") or distributor
            ctx.report(
                "AIB308",
                anchor,
                f"the VHD stays in the staging storage account and is deleted with the image template: copy it out before deleting the template{hint}",
            )
