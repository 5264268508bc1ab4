"""AIB020-AIB030, AIB100: values the service will refuse or the build cannot use.

Expressions are never judged here: a value is checked only when it is a literal string
(``Template.literal`` returns None for ``"[...]"``). A ``<placeholder>`` is AIB020 and no
other code (rules.md, "one code per root cause").
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from aiblint.arm import is_expression
from aiblint.context import FileContext
from aiblint.diagnostics import Finding, Fix, Severity, Span
from aiblint.editmap import EditMap
from aiblint.jsontree import AnyNode, ArrayNode, ObjectNode, StringNode
from aiblint.literals import PLACEHOLDER, checkable, literal, passed_text, uri_fields
from aiblint.locate import locate
from aiblint.registry import rule
from aiblint.scripts.facts import script_secrets, secret_in_text
from aiblint.template import TemplateContext

DATA = Path(__file__).resolve().parent.parent / "data"


# -- AIB020 ---------------------------------------------------------------------------


# Values the service stores as text and never acts on: a placeholder there fails nothing.
_FREE_TEXT = re.compile(r"/(tags|artifactTags)/[^/]+$|/(customize|inVMValidations)/\d+/name$")
# In a script line `<...>` is usually a redirect or HTML; it is a placeholder inside a URL or
# when its words say so (`<your SAS token>`).
_SCRIPT_PLACEHOLDER_WORDS = re.compile(
    r"your|replace|insert|subscription|resource.?group|storage|account|sas|token|tenant|secret|password", re.I
)


def _placeholders(ctx: TemplateContext) -> list[tuple[str, Span, str, bool]]:
    """Every placeholder: (text, span, JSON pointer, in free text), in file order."""
    found: list[tuple[str, Span, str, bool]] = []
    stack: list[AnyNode] = [ctx.template.resource]
    while stack:
        node = stack.pop()
        if isinstance(node, ObjectNode):
            for member in node.members:
                match = PLACEHOLDER.search(member.key.text) if "/userAssignedIdentities" in node.pointer else None
                if match:
                    found.append((match.group(), Span(member.key.start, member.key.end), member.key.pointer, False))
                if member.key.text.lower() == "inline":
                    found.extend(_script_placeholders(ctx, member.value))
                    continue  # script text: `<h1>` in an echo is not a placeholder
                stack.append(member.value)
        elif isinstance(node, ArrayNode):
            stack.extend(node.items)
        elif isinstance(node, StringNode):
            text = passed_text(ctx, node)  # evaluated, or the expression's literal pieces
            match = PLACEHOLDER.search(text or "")
            if match:
                found.append((match.group(), Span(node.start, node.end), node.pointer, bool(_FREE_TEXT.search(node.pointer))))
    return sorted(found, key=lambda f: f[1].start)


def _script_placeholders(ctx: TemplateContext, lines: AnyNode) -> list[tuple[str, Span, str, bool]]:
    found: list[tuple[str, Span, str, bool]] = []
    items = lines.items if isinstance(lines, ArrayNode) else []
    for item in items:
        text = literal(ctx, item)
        if not text or "<" not in text or not isinstance(item, StringNode):
            continue
        for match in PLACEHOLDER.finditer(text):
            before = text[: match.start()]
            if re.search(r"(^|\s)#", before):
                continue  # a comment in either language: it never runs
            in_url = re.search(r"https?://[^\s'\"]*$", before) is not None
            if in_url or _SCRIPT_PLACEHOLDER_WORDS.search(match.group()):
                shift = 1 if ctx.is_arm and item.text.startswith("[[") else 0
                start = item.file_offset(match.start() + shift)
                end = item.file_offset(match.end() + shift)
                found.append((match.group(), Span(start, end), item.pointer, False))
    return found


def _read_only(ctx: TemplateContext) -> tuple[str, ...]:
    """The pointers of read-only properties (AIB015's): the service sets them and ignores what the
    file says, so a placeholder there fails nothing; AIB015 already says to remove them."""
    return tuple(f.node.pointer for f in ctx.schema_findings if f.code == "AIB015")


@rule("AIB020", "error", "unreplaced placeholder", scope="template")
def placeholder(ctx: TemplateContext) -> None:
    groups: dict[str, list[tuple[str, Span, str, bool]]] = {}
    read_only = _read_only(ctx)
    for occurrence in _placeholders(ctx):
        if any(occurrence[2] == p or occurrence[2].startswith(p + "/") for p in read_only):
            continue
        groups.setdefault(occurrence[0], []).append(occurrence)
    lines = ctx.document.lines
    for text, occurrences in groups.items():
        real = [o for o in occurrences if not o[3]]
        first = (real or occurrences)[0]
        others = sorted({lines.position(o[1].start)[0] for o in occurrences if o is not first})
        also = f" (also on line{'s' if len(others) > 1 else ''} {', '.join(map(str, others))})" if others else ""
        # every other place as a related location (its words fixed: the placeholder is the template's text)
        related = tuple((o[1], "the same placeholder") for o in occurrences if o is not first)
        if real and "/inline/" in first[2]:
            message = f"placeholder {text} was never replaced in a script line{also}: the script runs with it as written (a download of that URL fails)"
            ctx.report("AIB020", first[1], message, pointer=first[2], related=related)
        elif real:
            message = f"placeholder {text} was never replaced: the service receives it as written{also}"
            ctx.report("AIB020", first[1], message, pointer=first[2], related=related)
        else:
            message = f"placeholder {text} was never replaced in free text (a tag or a step name){also}: the service stores it as written and nothing fails, but the image carries it"
            ctx.report("AIB020", first[1], message, pointer=first[2], severity=Severity.WARNING, related=related)


# -- AIB021 ---------------------------------------------------------------------------

_ID_SHAPES = {
    "managed image": "subscriptions/*/resourceGroups/*/providers/Microsoft.Compute/images/*",
    "gallery image version": "subscriptions/*/resourceGroups/*/providers/Microsoft.Compute/galleries/*/images/*/versions/*",
    "gallery image": "subscriptions/*/resourceGroups/*/providers/Microsoft.Compute/galleries/*/images/*",
    "subnet": "subscriptions/*/resourceGroups/*/providers/Microsoft.Network/virtualNetworks/*/subnets/*",
    "user-assigned identity": "subscriptions/*/resourceGroups/*/providers/Microsoft.ManagedIdentity/userAssignedIdentities/*",
    "resource group": "subscriptions/*/resourceGroups/*",
}
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def id_problem(value: str, shape: str) -> str | None:
    """Why ``value`` is not a resource ID of ``shape`` (segment by segment), or None."""
    expected = _ID_SHAPES[shape]
    if re.search(r"\s", value):
        return "it contains white space"
    if not value.startswith("/"):
        return f"it must start with /subscriptions/ (expected /{expected})"
    if value.endswith("/") and len(value[1:].rstrip("/").split("/")) == len(expected.split("/")) - 1:
        return f"it ends with '/': the {shape} name is missing"
    segments = value[1:].rstrip("/").split("/")
    wanted = expected.split("/")
    for index, want in enumerate(wanted):
        if index >= len(segments):
            return f"it stops after {len(segments)} segments (expected /{expected})"
        got = segments[index]
        if not got:
            return f"segment {index + 1} is empty (a doubled '/')"
        if want != "*" and got.lower() != want.lower():
            return f"segment {index + 1} is '{got}' where '{want}' belongs (expected /{expected})"
    if len(segments) > len(wanted):
        return f"it has extra segments after the {shape} name: /{'/'.join(segments[len(wanted) :])}"
    return None


def _gallery_version_problem(value: str, api_version: str, allow_latest: bool) -> str | None:
    lowered = value.lower()
    if lowered.startswith(("/communitygalleries/", "/sharedgalleries/")):
        parts = value.strip("/").split("/")
        if len(parts) != 6 or parts[2].lower() != "images" or parts[4].lower() != "versions":
            return "expected /CommunityGalleries/<gallery>/Images/<image>/Versions/<version>"
        return None
    problem = id_problem(value, "gallery image version")
    if problem:
        return problem
    version = value.rstrip("/").rsplit("/", 1)[-1]
    if version.lower() == "latest":
        if not allow_latest:
            return "a gallery distribution needs an explicit new version x.y.z (or the image definition ID)"
        if api_version < "2022-07-01":
            return "versions/latest needs apiVersion 2022-07-01 or later"
        return None
    if not _VERSION.match(version):
        return f"the version '{version}' must be major.minor.patch (or latest)"
    return None


def _check_id(ctx: TemplateContext, node: AnyNode | None, shape: str) -> None:
    value = checkable(ctx, node)
    if value is None or node is None:
        return
    problem = id_problem(value, shape)
    if problem:
        ctx.report("AIB021", node, f"not a valid {shape} ID: {problem}")


@rule("AIB021", "error", "malformed Azure resource ID", scope="template")
def resource_ids(ctx: TemplateContext) -> None:
    template = ctx.template
    source = template.source
    if source is not None:
        kind = template.source_kind
        if kind == "managedimage":
            _check_id(ctx, source.get_ci("imageId"), "managed image")
        elif kind == "sharedimageversion":
            node = source.get_ci("imageVersionId")
            value = checkable(ctx, node)
            if value and node is not None:
                problem = _gallery_version_problem(value, ctx.schema_version, allow_latest=True)
                if problem:
                    ctx.report("AIB021", node, f"not a valid gallery image version ID: {problem}")
    for distributor in template.distributors:
        kind = template.kind_of(distributor)
        if kind == "managedimage":
            _check_id(ctx, distributor.get_ci("imageId"), "managed image")
        elif kind == "sharedimage":
            node = distributor.get_ci("galleryImageId")
            value = checkable(ctx, node)
            if value and node is not None:
                shape = "gallery image version" if "/versions/" in value.lower() else "gallery image"
                problem = (
                    _gallery_version_problem(value, ctx.schema_version, allow_latest=False)
                    if shape == "gallery image version"
                    else id_problem(value, shape)
                )
                if problem:
                    ctx.report("AIB021", node, f"not a valid {shape} ID: {problem}")
    profile = template.vm_profile
    if profile is not None:
        vnet = profile.get_ci("vnetConfig")
        if isinstance(vnet, ObjectNode):
            _check_id(ctx, vnet.get_ci("subnetId"), "subnet")
            _check_id(ctx, vnet.get_ci("containerInstanceSubnetId"), "subnet")
        identities = profile.get_ci("userAssignedIdentities")
        if isinstance(identities, ArrayNode):
            for item in identities.items:
                _check_id(ctx, item, "user-assigned identity")
    identity = template.resource.get_ci("identity")
    keys = identity.get_ci("userAssignedIdentities") if isinstance(identity, ObjectNode) else None
    if isinstance(keys, ObjectNode):
        for member in keys.members:
            _check_id(ctx, member.key, "user-assigned identity")
    staging = template.prop("stagingResourceGroup")
    value = checkable(ctx, staging)
    if value and staging is not None:
        problem = id_problem(value, "resource group")
        if problem is None and value.rstrip("/").endswith("."):
            problem = "a resource group name cannot end with '.'"
        if problem:
            ctx.report("AIB021", staging, f"not a valid resource group ID: {problem}")


# -- AIB022, AIB024 ---------------------------------------------------------------------


_GITHUB_BLOB = re.compile(r"^https?://(www\.)?github\.com/([^/]+)/([^/]+)/blob/(.+)$", re.I)


@rule("AIB022", "error", "malformed or non-fetchable URI", scope="template")
def bad_uri(ctx: TemplateContext) -> None:
    for name, node in uri_fields(ctx):
        value = checkable(ctx, node)
        if value is None or _GITHUB_BLOB.match(value):
            continue
        problem = None
        try:
            parts = urlsplit(value)
        except ValueError as exc:  # "Invalid IPv6 URL": a '[' host that never closes, and the like
            ctx.report("AIB022", node, f"{name} '{value[:80]}' cannot be downloaded: it is not a valid URL ({exc})")
            continue
        if re.search(r"\s", value):
            problem = "it contains white space (encode it as %20)"
        elif parts.scheme.lower() not in ("http", "https"):
            problem = (
                "it is a local path: the build VM downloads from an http(s) URL"
                if not parts.scheme or len(parts.scheme) == 1
                else f"the build downloads http(s) only, not {parts.scheme}:"
            )
        elif not parts.netloc:
            problem = "it has no host"
        if problem is None and ctx.url_results.get(value) is not None:
            reason = ctx.url_results[value].unreachable
            problem = f"--check-urls got {reason}" if reason else None
        if problem:
            ctx.report("AIB022", node, f"{name} '{value[:80]}' cannot be downloaded: {problem}")


def _raw_query(path: str) -> bool:
    """`?raw=true` (or `=1`) makes GitHub redirect a blob URL to the raw file."""
    query = path.split("#", 1)[0].partition("?")[2]
    return any(part.lower() in ("raw=true", "raw=1") for part in query.split("&"))


@rule("AIB024", "error", "URI points at a GitHub web page, not the file", scope="template")
def github_blob(ctx: TemplateContext) -> None:
    for name, node in uri_fields(ctx):
        value = checkable(ctx, node)
        match = _GITHUB_BLOB.match(value or "")
        if match and not _raw_query(match.group(4)):
            path = match.group(4).split("?", 1)[0].split("#", 1)[0]
            raw = f"https://raw.githubusercontent.com/{match.group(2)}/{match.group(3)}/{path}"
            # The fix rewrites the host and drops "blob/" only; a query or fragment would be kept, so offer none then.
            exact = isinstance(node, StringNode) and node.text == value and path == match.group(4)
            fix = _raw_url_fix(node, match) if exact and isinstance(node, StringNode) else None
            edit_map = ctx.document.edit_map
            if (
                fix is not None and edit_map is not None and isinstance(node, StringNode)
            ):  # Bicep, Terraform: written in their syntax, or withheld
                fix = _front_end_url_fix(edit_map, node, fix)
            ctx.report(
                "AIB024", node, f"{name} is a GitHub web page: the build downloads its HTML and runs it; use {raw}", fix=fix
            )


def _front_end_url_fix(edit_map: EditMap, node: StringNode, fix: Fix) -> Fix:
    """The URL fix in a Bicep or HCL file: the URL must be one piece of text written there."""
    if node.file is not None:
        return Fix.withheld_because(f"the URL is written in {node.file}")
    offsets = [node.file_offset(i) for i in range(len(node.text) + 1)]
    if any(a >= b for a, b in itertools.pairwise(offsets)):
        return Fix.withheld_because("the URL is assembled from several places")
    return edit_map.string_fix(fix.edits, fix.safe)


def _raw_url_fix(node: StringNode, match: re.Match[str]) -> Fix:
    """github.com/O/R/blob/REF/PATH -> raw.githubusercontent.com/O/R/REF/PATH: two edits, so
    escapes elsewhere in the string stay as written."""
    host_start, host_end = match.start(1) if match.group(1) else match.start(2) - len("github.com/"), match.start(2) - 1
    blob_start = match.start(4) - len("blob/")
    return Fix(
        (
            (node.file_offset(host_start), node.file_offset(host_end), "raw.githubusercontent.com"),
            (node.file_offset(blob_start), node.file_offset(match.start(4)), ""),
        )
    )


# -- AIB023 ---------------------------------------------------------------------------


@rule("AIB023", "error", "runOutputName repeated or malformed", scope="template")
def run_output_names(ctx: TemplateContext) -> None:
    _ = [f for f in ctx.schema_findings if f.code == "AIB023"]
    for finding in _:
        ctx.report("AIB023", finding.node, finding.message)
    seen: dict[str, StringNode] = {}
    for distributor in ctx.template.distributors:
        node = distributor.get_ci("runOutputName")
        value = checkable(ctx, node)
        if value is None or not isinstance(node, StringNode):
            continue
        key = value.lower()
        if key in seen:
            line = ctx.document.lines.position(seen[key].start)[0]
            ctx.report(
                "AIB023", node, f"runOutputName '{value}' is already used on line {line}: each distribution target needs its own"
            )
        else:
            seen[key] = node


# -- AIB025 ---------------------------------------------------------------------------


@rule("AIB025", "error", "platform image version neither latest nor major.minor.patch", scope="template")
def platform_version(ctx: TemplateContext) -> None:
    source = ctx.template.source
    if source is None or ctx.template.source_kind != "platformimage":
        return
    node = source.get_ci("version")
    value = checkable(ctx, node)
    if value is None or node is None:
        return
    if value.lower() == "latest" or _VERSION.match(value):
        return
    hint = " (the part after 'latest/' looks like the version you meant)" if value.lower().startswith("latest/") else ""
    ctx.report(
        "AIB025", node, f"platform image version '{value}' must be 'latest' or major.minor.patch such as 18.04.201912050{hint}"
    )


# -- AIB026, AIB027, AIB028 ---------------------------------------------------------------


@lru_cache(maxsize=1)
def vm_sizes() -> dict[str, tuple[int, float, str]]:
    data = json.loads((DATA / "vm_sizes.json").read_text(encoding="utf-8"))
    return {name.lower(): (cpus, gib, gens) for name, (cpus, gib, gens) in data["sizes"].items()}


@lru_cache(maxsize=1)
def _size_names() -> dict[str, str]:
    data = json.loads((DATA / "vm_sizes.json").read_text(encoding="utf-8"))
    return {name.lower(): name for name in data["sizes"]}


def size_info(name: str) -> tuple[int, float, str] | None:
    return vm_sizes().get(name.lower())


def _size_nodes(ctx: TemplateContext) -> list[tuple[str, AnyNode]]:
    profile = ctx.template.vm_profile
    found: list[tuple[str, AnyNode]] = []
    if profile is None:
        return found
    size = profile.get_ci("vmSize")
    if size is not None:
        found.append(("vmSize", size))
    vnet = profile.get_ci("vnetConfig")
    if isinstance(vnet, ObjectNode) and vnet.get_ci("proxyVmSize") is not None:
        found.append(("proxyVmSize", vnet.get_ci("proxyVmSize")))  # type: ignore[arg-type]
    return found


@rule("AIB026", "warning", "unknown VM size", scope="template")
def unknown_size(ctx: TemplateContext) -> None:
    for field, node in _size_nodes(ctx):
        value = checkable(ctx, node)
        if value is None or size_info(value) is not None:
            continue
        suggestions = _size_suggestions(value)
        hint = f": did you mean {' or '.join(suggestions)}?" if suggestions else ""
        ctx.report("AIB026", node, f"{field} '{value}' is not a known Azure VM size{hint} (the build VM would not deploy)")


_LONGEST_SIZE_NAME = 64


def _size_suggestions(value: str) -> list[str]:
    """The nearest size of the same family, and the same size in another generation."""
    names = _size_names()
    if len(value) > _LONGEST_SIZE_NAME:
        return []  # no size is that long; and the parse below is quadratic on a long run of digits
    match = re.match(r"^(.*?)(\d+)([a-z]*)(_v\d+)?$", value, re.I)
    if not match:
        close = difflib.get_close_matches(value.lower(), list(names), n=1, cutoff=0.8)
        return [names[c] for c in close]
    prefix, number, letters, version = (
        match.group(1).lower(),
        int(match.group(2)),
        match.group(3).lower(),
        (match.group(4) or "").lower(),
    )
    family = []
    other_versions = []
    for lowered, name in names.items():
        m = re.match(r"^(.*?)(\d+)([a-z]*)(_v\d+)?$", lowered)
        if not m or m.group(1) != prefix or m.group(3) != letters:
            continue
        if (m.group(4) or "") == version:
            family.append((abs(int(m.group(2)) - number), int(m.group(2)), name))
        elif int(m.group(2)) == number:
            other_versions.append(name)
    found = [min(family)[2]] if family else []
    return found + sorted(other_versions)[:1]


@lru_cache(maxsize=1)
def regions() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads((DATA / "regions.json").read_text(encoding="utf-8"))
    return frozenset(data["supported"]), frozenset(data["preview"])


def normalise_region(text: str) -> str:
    return text.replace(" ", "").lower()


_REGION_WORDS = ("north", "south", "east", "west", "central", "us", "eu", "europe", "asia", "uk")


def _region_tokens(text: str) -> list[str]:
    """`us east`, `east-us`, `US_East2` and `useast` as their words: ['us', 'east', '2']."""
    tokens: list[str] = []
    for part in re.split(r"[\s_.-]+", text.lower()):
        while part:
            word = next((w for w in sorted(_REGION_WORDS, key=len, reverse=True) if part.startswith(w)), None)
            if word is None:
                match = re.match(r"\d+|[a-z]+", part)
                word = match.group() if match else part[0]
            tokens.append(word)
            part = part[len(word) :]
    return tokens


def _word_swapped(value: str, supported: frozenset[str]) -> str | None:
    """The region with the same words in another order (`useast` -> eastus), before edit distance."""
    tokens = sorted(_region_tokens(value))
    matches = [r for r in sorted(supported) if sorted(_region_tokens(r)) == tokens]
    return matches[0] if len(matches) == 1 else None


@rule("AIB027", "warning", "location where Image Builder does not run", scope="template")
def unsupported_region(ctx: TemplateContext) -> None:
    node = ctx.template.resource.get_ci("location")
    value = checkable(ctx, node)
    if value is None or node is None:
        return
    supported, preview = regions()
    region = normalise_region(value)
    if region in supported:
        return
    if region in preview:
        ctx.report(
            "AIB027",
            node,
            f"'{value}' runs Image Builder only after registering the preview feature (FairfaxPublicPreview / MooncakePublicPreview)",
            severity=Severity.INFO,
        )
        return
    swapped = _word_swapped(value, supported)
    close = [swapped] if swapped else difflib.get_close_matches(region, sorted(supported), n=1, cutoff=0.8)
    hint = f": did you mean {close[0]}?" if close else ""
    ctx.report("AIB027", node, f"'{value}' is not a region where Azure Image Builder runs{hint}")


@rule("AIB028", "error", "build VM size cannot boot the source's Hyper-V generation", scope="template")
def generation_mismatch(ctx: TemplateContext) -> None:
    info = ctx.source_info
    if info.generation != "gen2":
        return
    for field, node in _size_nodes(ctx):
        if field != "vmSize":
            continue
        value = checkable(ctx, node)
        size = size_info(value) if value else None
        if size is not None and "2" not in size[2]:
            ctx.report(
                "AIB028",
                node,
                f"{value} supports only Generation 1 VMs, but the source ({info.evidence}) is Generation 2: the build VM never deploys; use e.g. Standard_D2s_v3 or Standard_D2ds_v4",
            )


# -- AIB029 ---------------------------------------------------------------------------


@rule("AIB029", "error", "two image templates share a stagingResourceGroup", scope="file")
def shared_staging(ctx: FileContext) -> None:
    from aiblint.armeval import Resolver

    seen: dict[str, StringNode] = {}
    for located in locate(ctx.document):
        properties = located.resource.get_ci("properties")
        node = properties.get_ci("stagingResourceGroup") if isinstance(properties, ObjectNode) else None
        if not isinstance(node, StringNode):
            continue
        value = Resolver(located.deployment, located.scope).value(node)
        if not isinstance(value, str) or not value:
            continue
        key = value.lower().rstrip("/")
        if key in seen and seen[key] is node:  # the instances of one resource copy loop
            ctx.report(
                "AIB029",
                node,
                f"every instance of the copy loop '{located.copy.loop if located.copy else ''}' uses this stagingResourceGroup: each template needs its own, empty group",
            )
        elif key in seen:
            line = ctx.document.lines.position(seen[key].start)[0]
            ctx.report(
                "AIB029",
                node,
                f"this stagingResourceGroup is also used by the template on line {line}: each template needs its own, empty group",
            )
        else:
            seen[key] = node


# -- AIB031 ---------------------------------------------------------------------------

# Windows marketplace images ship a 127 GiB OS disk; their `-smalldisk` SKUs a 30 GiB one.
_WINDOWS_OS_DISK_GB = 127


@rule("AIB031", "error", "osDiskSizeGB smaller than the source image's OS disk", scope="template")
def os_disk_too_small(ctx: TemplateContext) -> None:
    info = ctx.source_info
    source = ctx.template.source
    profile = ctx.template.vm_profile
    if not info.is_windows or source is None or profile is None:
        return
    kind, sku = ctx.template.value(source.get_ci("type")), ctx.template.value(source.get_ci("sku"))
    if not (isinstance(kind, str) and kind.lower() == "platformimage" and isinstance(sku, str)):
        return  # a gallery or managed image: its disk size is not in the template
    if "smalldisk" in sku.lower():
        return
    node = profile.get_ci("osDiskSizeGB")
    size = ctx.template.value(node)
    if node is None or isinstance(size, bool) or not isinstance(size, (int, float)) or size == 0:
        return  # absent or 0: the image's own size
    if 0 < size < _WINDOWS_OS_DISK_GB:
        ctx.report(
            "AIB031",
            node,
            f'osDiskSizeGB {size:g} is smaller than the {_WINDOWS_OS_DISK_GB} GB OS disk of Windows marketplace images: the build VM is refused ("The specified disk size ... is smaller than the size of the corresponding disk in the VM image"); use 0 (the image\'s size), {_WINDOWS_OS_DISK_GB} or more, or a -smalldisk SKU',
        )


# -- AIB032 ---------------------------------------------------------------------------


def _region_nodes(ctx: TemplateContext) -> list[AnyNode]:
    """Every region name a distribution target replicates to."""
    found: list[AnyNode] = []
    for distributor in ctx.template.distributors:
        old = distributor.get_ci("replicationRegions")
        if isinstance(old, ArrayNode):
            found.extend(old.items)
        new = distributor.get_ci("targetRegions")
        if isinstance(new, ArrayNode):
            found.extend(n for item in new.items if isinstance(item, ObjectNode) and (n := item.get_ci("name")) is not None)
    return found


@rule("AIB032", "warning", "region name with stray white space", scope="template")
def region_whitespace(ctx: TemplateContext) -> None:
    for node in _region_nodes(ctx):
        value = literal(ctx, node)
        if value and value != value.strip() and value.strip():
            ctx.report(
                "AIB032",
                node,
                f"region '{value}' has white space around it: the gallery replication may not find region '{value}'; write '{value.strip()}'",
            )


# -- AIB030 ---------------------------------------------------------------------------


@rule("AIB030", "error", "secret in the template", scope="template")
def secrets(ctx: TemplateContext) -> None:
    for node in _strings(ctx.template.resource):
        text = literal(ctx, node)
        what = secret_in_text(text or "")
        if what:
            ctx.report(
                "AIB030",
                node,
                f"{what} in the template: the service stores templates and inline scripts in plain text, and the build log keeps them; use the template identity or a Key Vault reference instead",
            )
    for script in ctx.scripts:
        for span, message, pointer in script_secrets(script):
            # a mapped script's span is in that script file: the finding belongs there
            ctx.add(Finding("AIB030", message, span, pointer, None, "", script.source.file))
    for node, name in secure_parameters_in_inline(ctx):
        ctx.report(
            "AIB030",
            node,
            f"the secure parameter '{name}' lands in an inline script: the service stores the image template with its inline scripts in plain text (a secureString stays secret only in the deployment); fetch the secret in the script instead (Key Vault with the build VM identity)",
        )


def secure_parameters_in_inline(ctx: TemplateContext) -> list[tuple[StringNode, str]]:
    """(use site, parameter) for each inline line or ``inline`` expression built from a
    secureString/secureObject parameter."""
    scope = ctx.template.resolver.scope
    if scope is None:
        return []
    found: list[tuple[StringNode, str]] = []
    for step in ctx.template.steps:
        written = step.written("inline")
        lines = [written] if isinstance(written, StringNode) else written.items if isinstance(written, ArrayNode) else []
        for line in lines:
            if isinstance(line, StringNode) and is_expression(line.text):
                for name in dict.fromkeys(scope.secure_references(line.text)):
                    found.append((line, name))
    return found


def _strings(root: AnyNode) -> list[StringNode]:
    found: list[StringNode] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ObjectNode):
            stack.extend(m.value for m in node.members)
        elif isinstance(node, ArrayNode):
            stack.extend(node.items)
        elif isinstance(node, StringNode):
            found.append(node)
    return found


# -- AIB100 ---------------------------------------------------------------------------


@rule("AIB100", "error", "no user-assigned identity, or not exactly one", scope="template")
def identity(ctx: TemplateContext) -> None:
    if ctx.schema_version < "2020-02-14":
        return
    resource = ctx.template.resource
    node = resource.get_ci("identity")
    if node is None:
        where = resource.get_ci("properties") and resource.member("properties")
        anchor: AnyNode | Span = where.key if where else Span(resource.start, resource.start + 1)
        ctx.report(
            "AIB100",
            anchor,
            "no identity: from apiVersion 2020-02-14 an image template needs exactly one user-assigned identity",
            pointer=resource.pointer,
        )
        return
    if not isinstance(node, ObjectNode):
        return  # an expression or a wrong type (AIB012)
    kind_node = node.get_ci("type")
    kind = ctx.template.value(kind_node)
    if isinstance(kind, str) and kind != "UserAssigned" and kind.lower() != "userassigned":
        ctx.report(
            "AIB100", kind_node or node, f"identity type '{kind}': Image Builder needs 'UserAssigned' with exactly one identity"
        )
        return
    identities = node.get_ci("userAssignedIdentities")
    if kind_node is None and identities is not None:
        ctx.report(
            "AIB100",
            Span(node.start, node.start + 1),
            'identity has userAssignedIdentities but no type: add "type": "UserAssigned" (the only type Image Builder accepts)',
            pointer=node.pointer,
        )
    if isinstance(identities, ObjectNode):
        count = len(identities.members)
        empty = next((m.key for m in identities.members if m.key.text.strip() == ""), None)
        if empty is not None:
            ctx.report(
                "AIB100",
                empty,
                "the user-assigned identity's key is empty: it must be the identity's resource ID (/subscriptions/.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME)",
            )
        elif count != 1:
            ctx.report(
                "AIB100",
                Span(identities.start, identities.start + 1),
                f"{count} user-assigned identities: Image Builder supports exactly one (build-VM identities go in vmProfile.userAssignedIdentities)",
                pointer=identities.pointer,
            )
    elif identities is None:
        ctx.report(
            "AIB100",
            Span(node.start, node.start + 1),
            "identity lists no userAssignedIdentities: add exactly one",
            pointer=node.pointer,
        )
