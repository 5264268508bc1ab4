"""AIB5xx and AIB305: PowerShell customizer scripts, read from the PowerShell command model."""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING

from aiblint.registry import rule
from aiblint.scripts.collect import ScriptContext
from aiblint.scripts.facts import installed_software, is_installer_name, script_facts

if TYPE_CHECKING:
    from aiblint.scripts.powershell import PsArg, PsCommand, PsModel

DEPROVISION = r"c:\deprovisioningscript.ps1"
WINRM_PORTS = ("5985", "5986")


def _commands(ctx: ScriptContext) -> list[PsCommand]:
    model: PsModel = ctx.model
    return model.commands


def _path(text: str) -> str:
    """A Windows path as compared here: lower case, backslashes, drive variables expanded."""
    lowered = text.strip().strip("'\"").lower().replace("/", "\\")
    for variable in ("$env:systemdrive", "${env:systemdrive}", "%systemdrive%"):
        lowered = lowered.replace(variable, "c:")
    return lowered


def _targets(command: PsCommand) -> list[PsArg]:
    """The paths a file cmdlet acts on: -Path / -LiteralPath or the first positional."""
    found = [v for v in (command.value("Path"), command.value("LiteralPath")) if v is not None]
    if not found and command.positionals:
        found = [command.positionals[0]]
    expanded: list[PsArg] = []
    for arg in found:
        expanded.extend(arg.items or [arg])
    return expanded


# -- AIB500 ---------------------------------------------------------------------------


@rule("AIB500", "error", "the PowerShell script does not parse", scope="powershell")
def powershell_syntax_error(ctx: ScriptContext) -> None:
    from aiblint.scripts.powershell_syntax import check

    problem = check(ctx.source.text)
    if problem is not None:
        ctx.report("AIB500", problem.offset, problem.offset + 1, f"the script does not parse: {problem.message}")


# -- AIB501 ---------------------------------------------------------------------------

_PROMPTING_INSTALLERS = ("Install-Module", "Install-PackageProvider", "Install-Script", "Uninstall-Module", "Update-Module")


def _gallery_trusted(earlier: list[PsCommand]) -> bool:
    trusted = any(c.name == "Set-PSRepository" and c.value_text("InstallationPolicy") == "trusted" for c in earlier)
    nuget = any(c.name == "Install-PackageProvider" and c.has("Force") for c in earlier)
    return trusted and nuget


# PowerShell drives whose items never have children: removing one never asks.
_FLAT_DRIVES = ("function:", "env:", "variable:", "alias:")


def _looks_like_folder(path: str, made_folders: set[str]) -> bool:
    cleaned = _path(path)
    if any(ch in cleaned for ch in "*?") or cleaned.lower().startswith(_FLAT_DRIVES):
        return False
    if cleaned.endswith("\\") or cleaned in made_folders:
        return True
    last = cleaned.rstrip("\\").rsplit("\\", 1)[-1]
    return bool(last) and "." not in last and ":" not in last and not last.startswith("$")


@rule("AIB501", "error", "cmdlet that prompts", scope="powershell")
def prompting_cmdlet(ctx: ScriptContext) -> None:
    commands = _commands(ctx)
    made_folders: set[str] = set()
    for index, command in enumerate(commands):
        name = command.name
        if (name == "New-Item" and command.value_text("ItemType") == "directory") or name == "mkdir":
            made_folders.update(_path(t.text) for t in _targets(command))
        if name in ("Read-Host", "Get-Credential", "pause"):
            ctx.report(
                "AIB501",
                command.start,
                command.end,
                f"{command.written} waits for someone to type: over WinRM nobody can, and the build hangs or fails",
            )
        elif (
            name in _PROMPTING_INSTALLERS
            and not command.has("Force")
            and not (name == "Install-Module" and _gallery_trusted(commands[:index]))
        ):
            ctx.report(
                "AIB501",
                command.start,
                command.end,
                f"{name} without -Force asks to trust the repository or install the NuGet provider: add -Force",
                insert=(command.end, " -Force") if not command.via else None,
            )
        elif name == "Remove-Item" and not command.has("Recurse"):
            folders = [t.text for t in _targets(command) if t.value is not None and _looks_like_folder(t.text, made_folders)]
            if folders:
                ctx.report(
                    "AIB501",
                    command.start,
                    command.end,
                    f"Remove-Item of the folder {folders[0]} without -Recurse asks for confirmation when it has children (-Confirm:$false does not answer that question): add -Recurse",
                )


# -- AIB502 ---------------------------------------------------------------------------


_OPTION_LIKE = re.compile(r"arg|opt|param|switch|flag|silent|quiet", re.I)


def _options_unknown(command: PsCommand) -> bool:
    """An argument known only at run time whose name says it holds options."""
    arguments = [value for _, value, _ in command.parameters if value is not None] + command.positionals
    for argument in arguments:
        for part in argument.items or [argument]:
            if part.value is None and "$" in part.raw and _OPTION_LIKE.search(part.raw):
                return True
    return False


_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def _array_switches(words: list[str]) -> set[str]:
    """Switches inside an `@('/i', $msi, '/qn')` argument list, which arrives as one word."""
    found: set[str] = set()
    for word in words:
        if word.startswith("@(") and word.endswith(")"):
            for single, double in _QUOTED.findall(word):
                found.update(w.lower() for w in (single or double).split() if w.startswith(("/", "-")))
    return found


@rule("AIB502", "error", "installer without silent switches", scope="powershell")
def noisy_installer(ctx: ScriptContext) -> None:
    commands = _commands(ctx)
    choco_confirmed = False
    for command in commands:
        name = command.name
        if _options_unknown(command):
            continue  # `-ArgumentList $installArgs`: the silent switch may well be in there
        switches = command.native_switches()
        words = [w.lower() for w in command.words()]
        if name == "msiexec":
            switches |= _array_switches(words)
        if name == "choco" and words[:3] == ["feature", "enable", "-n"] and "allowglobalconfirmation" in words:
            choco_confirmed = True
        if name == "msiexec" and command.native:
            if not switches & {"/qn", "/quiet", "/passive", "/q", "/qn!", "/qb!-"}:
                ctx.report(
                    "AIB502",
                    command.start,
                    command.end,
                    "msiexec without /qn (or /quiet, /passive) shows its installer dialog and waits: add /qn",
                    insert=(command.end, " /qn") if not command.via else None,
                )
        elif name == "choco" and words[:1] and words[0] in ("install", "upgrade", "uninstall") and not choco_confirmed:
            if not switches & {"-y", "--yes", "--confirm", "-yes", "-confirm"} and not any(
                w.startswith("-") and not w.startswith("--") and "y" in w[1:] and w[1:].isalpha() for w in words
            ):
                ctx.report(
                    "AIB502",
                    command.start,
                    command.end,
                    f'choco {words[0]} without -y asks "Do you want to run the script?": add -y',
                )
        elif name == "winget" and words[:1] and words[0] in ("install", "upgrade", "add"):
            missing = []
            if not switches & {"--silent", "-h"}:
                missing.append("--silent")
            if not switches & {"--accept-package-agreements"}:
                missing.append("--accept-package-agreements")
            if not switches & {"--accept-source-agreements"}:
                missing.append("--accept-source-agreements")
            if missing:
                ctx.report(
                    "AIB502",
                    command.start,
                    command.end,
                    f"winget {words[0]} can stop at a licence or source agreement prompt: add {' '.join(missing)}",
                )
        elif command.native and is_installer_name(command.written) and not command.parameters and not command.positionals:
            how = "Start-Process" if "Start-Process" in command.via else "the call"
            ctx.report(
                "AIB502",
                command.start,
                command.end,
                f"{how} runs the installer {command.written} with no arguments: it shows its wizard and waits; pass its silent switch (/S, /quiet, /silent ...)",
            )


# -- AIB503 ---------------------------------------------------------------------------


@rule("AIB503", "warning", "Invoke-WebRequest without -UseBasicParsing", scope="powershell")
def basic_parsing(ctx: ScriptContext) -> None:
    for command in _commands(ctx):
        if command.name != "Invoke-WebRequest" or command.has("UseBasicParsing"):
            continue
        # The IE engine is only used to parse a response written to the pipeline (PowerShell's
        # WebCmdlet source): -OutFile without -PassThru writes the file and returns nothing.
        if command.has("OutFile") and not command.has("PassThru"):
            continue
        shown = command.written if command.written.lower() != "invoke-webrequest" else "Invoke-WebRequest"
        alias = f" ({shown} is Invoke-WebRequest in Windows PowerShell)" if shown != "Invoke-WebRequest" else ""
        ctx.report(
            "AIB503",
            command.start,
            command.end,
            f"Invoke-WebRequest without -UseBasicParsing{alias} fails over WinRM where Internet Explorer was never started: add -UseBasicParsing",
        )


# -- AIB504 ---------------------------------------------------------------------------


@rule("AIB504", "warning", 'a command name that starts with \\" (double-escaped quote)', scope="powershell")
def escaped_quote_command(ctx: ScriptContext) -> None:
    for command in _commands(ctx):
        if command.native and command.written.startswith('\\"'):
            shown = command.written if len(command.written) <= 40 else command.written[:37] + "..."
            ctx.report(
                "AIB504",
                command.start,
                command.start + len(command.written),
                f'PowerShell runs {shown} as a command name ("The term ... is not recognized"): the JSON holds \\\\\\" where \\" was meant, and PowerShell has no backslash escape; write \\" in the JSON (PowerShell then sees ") or use single quotes',
            )


# -- AIB505 ---------------------------------------------------------------------------

_NEEDS_ELEVATION = re.compile(r"office|onedrive|teams|languagepack|language-pack|lp\.cab|fslogix|\.appx|\.msix", re.I)
_ADMIN_CMDLETS = {"Add-AppxProvisionedPackage", "Add-WindowsCapability", "Add-WindowsPackage", "Install-Language"}


def _elevated(ctx: ScriptContext) -> bool | None:
    """runElevated or runAsSystem on the step; None when unknown (an expression)."""
    step = ctx.step
    if step is None:
        return True  # a local file or validator without a step: nothing to say
    values = [step.resolver.value(node) for k in ("runElevated", "runAsSystem") if (node := step.field(k)) is not None]
    if any(v is True for v in values):
        return True
    if any(v is not None and not isinstance(v, bool) for v in values):
        return None
    return False


def _elevation_reason(command: PsCommand) -> str | None:
    words = " ".join([command.written, *command.words()])
    if command.name.lower() in ("reg", "reg.exe") and command.words()[:1] and command.words()[0].lower() == "load":
        return "reg load of a user hive"
    if command.name in _ADMIN_CMDLETS:
        return command.name
    if installed_software([command]) and _NEEDS_ELEVATION.search(words):
        return f"the install {command.written}"
    return None


@rule("AIB505", "warning", "install step that needs runElevated", scope="powershell")
def needs_elevation(ctx: ScriptContext) -> None:
    if _elevated(ctx) is not False:
        return
    for command in _commands(ctx):
        reason = _elevation_reason(command)
        if reason:
            ctx.report(
                "AIB505",
                command.start,
                command.end,
                f'{reason} runs in a PowerShell step without runElevated: Office, OneDrive, Teams, language pack and user-hive (reg load HKU) steps need an elevated token, and without one the build can stop responding; set "runElevated": true (or runAsSystem)',
            )
            return  # one per step: the fix is one property


# -- AIB510, AIB511 ---------------------------------------------------------------------


def _mentions_winrm(values: list[str]) -> bool:
    text = " ".join(values).lower()
    return any(port in text for port in WINRM_PORTS) or "winrm" in text or "windows remote management" in text


def _arg_values(arg: PsArg | None) -> list[str]:
    if arg is None:
        return []
    return [i.text for i in arg.items] if arg.items else [arg.text]


@rule("AIB510", "error", "firewall change that cuts WinRM (port 5986)", scope="powershell")
def firewall_cuts_winrm(ctx: ScriptContext) -> None:
    for command in _commands(ctx):
        name = command.name
        if name in ("New-NetFirewallRule", "Set-NetFirewallRule"):
            action = command.value_text("Action")
            direction = command.value_text("Direction", "inbound")
            if action != "block" or direction != "inbound":
                continue
            ports = _arg_values(command.value("LocalPort"))
            protocol = command.value_text("Protocol", "any")
            remote = command.value("RemoteAddress")
            if remote is not None:
                continue  # a block for some addresses only
            if any(p.strip() in WINRM_PORTS or p.strip().lower() == "any" for p in ports) or (
                not ports and protocol in ("tcp", "any", "6")
            ):
                ctx.report(
                    "AIB510",
                    command.start,
                    command.end,
                    "this inbound block rule covers WinRM (5985/5986), the connection the build runs over: block rules win over allow rules in Windows Firewall",
                )
        elif name == "Set-NetFirewallProfile":
            allow = command.value("AllowInboundRules")
            if allow is not None and allow.text.lower() in ("false", "$false", "0"):
                ctx.report(
                    "AIB510",
                    command.start,
                    command.end,
                    "-AllowInboundRules False ignores every allow rule, WinRM's included: the build loses its connection",
                )
        elif name == "netsh":
            words = [w.lower() for w in command.words()]
            text = " ".join(words)
            if "advfirewall" in words and "firewallpolicy" in words and "blockinboundalways" in text:
                ctx.report(
                    "AIB510",
                    command.start,
                    command.end,
                    "blockinboundalways drops every inbound connection, WinRM's included: the build loses its connection",
                )
            elif (
                "advfirewall" in words
                and "action=block" in text
                and "dir=in" in text
                and any(f"localport={p}" in text for p in WINRM_PORTS)
            ):
                ctx.report(
                    "AIB510",
                    command.start,
                    command.end,
                    "this netsh block rule covers WinRM (5985/5986), the connection the build runs over",
                )
        elif name in ("Disable-NetFirewallRule", "Remove-NetFirewallRule"):
            selectors = (
                _arg_values(command.value("DisplayGroup"))
                + _arg_values(command.value("Name"))
                + _arg_values(command.value("DisplayName"))
                + [p.text for p in command.positionals]
            )
            if _mentions_winrm(selectors):
                ctx.report(
                    "AIB510",
                    command.start,
                    command.end,
                    f"{name} of the WinRM rules closes the port the build connects through (5986)",
                )


@rule("AIB511", "error", "WinRM stopped or its listener removed", scope="powershell")
def winrm_stopped(ctx: ScriptContext) -> None:
    commands = _commands(ctx)
    for index, command in enumerate(commands):
        name = command.name
        targets = [t.lower() for t in (_arg_values(command.value("Name")) or [p.text for p in command.positionals])]
        if name == "Stop-Service" and "winrm" in targets:
            ctx.report(
                "AIB511", command.start, command.end, "Stop-Service WinRM drops the connection the build runs over at once"
            )
        elif name in ("net", "sc") and command.native and [w.lower() for w in command.words()][:2] == ["stop", "winrm"]:
            ctx.report(
                "AIB511", command.start, command.end, f"{name} stop winrm drops the connection the build runs over at once"
            )
        elif name == "winrm" and command.native:
            words = [w.lower() for w in command.words()]
            if words[:1] in (["delete"], ["d"]) and any("listener" in w for w in words):
                ctx.report(
                    "AIB511", command.start, command.end, "deleting the WinRM listener drops the connection the build runs over"
                )
        elif name == "Remove-Item" and any(_path(t.text).startswith("wsman:\\localhost\\listener") for t in _targets(command)):
            ctx.report(
                "AIB511", command.start, command.end, "removing the WSMan listener drops the connection the build runs over"
            )
        elif name == "Set-Service" and "winrm" in targets:
            startup = command.value_text("StartupType")
            status = command.value_text("Status")
            if status == "stopped":
                ctx.report(
                    "AIB511",
                    command.start,
                    command.end,
                    "Set-Service WinRM -Status Stopped drops the connection the build runs over",
                )
            elif startup == "disabled" and _restart_follows(ctx, commands[index + 1 :]):
                ctx.report(
                    "AIB511",
                    command.start,
                    command.end,
                    "WinRM is disabled and a restart follows: after it the build cannot reconnect",
                )


def _restart_follows(ctx: ScriptContext, later: list[PsCommand]) -> bool:
    if any(c.name == "Restart-Computer" or (c.name == "shutdown" and {"/r", "-r"} & c.native_switches()) for c in later):
        return True
    step = ctx.step
    if step is None or step.section != "customize":
        return False
    following = [s for s in ctx.template.template.customizers if s.index > step.index]
    return any(s.kind in ("windowsrestart", "windowsupdate") for s in following)


# -- AIB520, AIB521, AIB522 -------------------------------------------------------------

_FILE_REMOVERS = ("Remove-Item", "Move-Item")


def _matches_deprovision(path: str) -> bool:
    cleaned = _path(path)
    if cleaned == DEPROVISION:
        return True
    return any(ch in cleaned for ch in "*?") and fnmatch.fnmatchcase(DEPROVISION, cleaned)


@rule("AIB520", "error", "deletes the deprovisioning script C:\\DeprovisioningScript.ps1", scope="powershell")
def deletes_deprovision_script(ctx: ScriptContext) -> None:
    for command in _commands(ctx):
        hit = None
        if command.name in _FILE_REMOVERS:
            hit = next((t.text for t in _targets(command) if _matches_deprovision(t.text)), None)
        elif command.native and command.name in ("del", "erase", "move") and "cmd /c" in command.via:
            hit = next((w for w in command.words() if _matches_deprovision(w)), None)
        if hit:
            verb = "moves" if command.name == "Move-Item" else "deletes"
            ctx.report(
                "AIB520",
                command.start,
                command.end,
                f"{command.written} {hit} {verb} C:\\DeprovisioningScript.ps1, which AIB runs at the end of the build (Sysprep): the build fails",
            )


def _writes_deprovision(command: PsCommand) -> bool:
    if command.redirect_target and _path(command.redirect_target) == DEPROVISION:
        return True
    if command.name in ("Set-Content", "Out-File"):
        path = command.value("Path", "FilePath", "LiteralPath") or (command.positionals[0] if command.positionals else None)
        return path is not None and _path(path.text) == DEPROVISION
    return False


def _override_content(command: PsCommand) -> tuple[str, str] | None:
    """('full', text) when the new content is visible, ('patch', replacement) for a -replace, or None."""
    value = command.value("Value", "InputObject")
    if value is None and command.name == "Set-Content" and len(command.positionals) > 1:
        value = command.positionals[1]
    if value is not None and value.value is not None:
        return "full", value.value
    source = command.piped_from
    if source is None:
        return None
    raw = source.written
    if source.name in ("Write-Output",) and source.positionals and source.positionals[0].value is not None:
        return "full", source.positionals[0].value
    return ("patch", raw) if "-replace" in raw.lower() else None


@rule("AIB521", "warning", "Sysprep override without /generalize and /oobe (or /mode:vm on client images)", scope="powershell")
def sysprep_override(ctx: ScriptContext) -> None:
    client = ctx.template.source_info.family == "client"
    for command in _commands(ctx):
        if not _writes_deprovision(command):
            continue
        content = _override_content(command)
        if content is None:
            continue
        kind, text = content
        lowered = text.lower()
        if kind == "patch":
            continue  # a -replace keeps the default command around it: see the rule page
        missing = [flag for flag in ("/generalize", "/oobe") if flag not in lowered]
        if "sysprep" not in lowered:
            missing = ["Sysprep /oobe /generalize"]
        if client and "/mode:vm" not in lowered:
            missing.append("/mode:vm (Windows client image)")
        if missing:
            ctx.report(
                "AIB521",
                command.start,
                command.end,
                f"this replaces C:\\DeprovisioningScript.ps1 with a Sysprep run that lacks {', '.join(missing)}: the image is not generalized correctly",
            )


@rule("AIB522", "error", "customizer runs Sysprep /generalize itself", scope="powershell")
def runs_sysprep(ctx: ScriptContext) -> None:
    for command in _commands(ctx):
        if command.name == "sysprep" and command.native and "/generalize" in command.native_switches():
            ctx.report(
                "AIB522",
                command.start,
                command.end,
                "Sysprep /generalize in a customizer cuts WinRM and makes AIB's own Sysprep fail: override C:\\DeprovisioningScript.ps1 instead",
            )


# -- AIB530, AIB531, AIB305 --------------------------------------------------------------


@rule("AIB530", "warning", "long Start-Sleep left in", scope="powershell")
def long_sleep(ctx: ScriptContext) -> None:
    for sleep in script_facts(ctx.script).sleeps:
        seconds = sleep.seconds
        if seconds >= 600:
            ctx.report(
                "AIB530",
                sleep.start,
                sleep.end,
                f"Start-Sleep of {seconds / 60:g} minutes adds that much to every build (the guide's debug pause?): remove it before submitting",
            )


@rule("AIB531", "info", "large download", scope="powershell")
def large_download(ctx: ScriptContext) -> None:
    model: PsModel = ctx.model
    progress_off = any(
        name.lower() == "$progresspreference" and (value or "").lower() == "silentlycontinue"
        for name, value, _, _ in model.assignments
    )
    for download in script_facts(ctx.script).downloads:
        name = download.large
        if not name:
            continue
        if download.method:
            message = f"{download.tool} downloads {name} (an archive, disk image or installer): allow for it in buildTimeoutInMinutes and the VM size"
        else:
            hint = (
                " Set $ProgressPreference = 'SilentlyContinue' first: the progress bar slows large downloads many times over in Windows PowerShell."
                if download.tool == "Invoke-WebRequest" and not progress_off
                else ""
            )
            message = f"downloads {name} (an archive, disk image or installer): allow for it in buildTimeoutInMinutes and the VM size.{hint}"
        ctx.report("AIB531", download.start, download.end, message)


@rule("AIB305", "warning", "a PowerShell customizer restarts the machine itself", scope="powershell")
def restarts_itself(ctx: ScriptContext) -> None:
    for restart in script_facts(ctx.script).restarts:
        ctx.report(
            "AIB305",
            restart.start,
            restart.end,
            f"{restart.written} restarts the VM under the build's feet: the step fails or the build loses WinRM; use a WindowsRestart customizer after this step",
        )
