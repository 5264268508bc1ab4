"""Shell rules about the build's connection and its end: firewalls and SSH (AIB410, AIB411), the
deprovisioning script (AIB420-AIB422), sleeps and large downloads (AIB430, AIB431)."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from typing import TYPE_CHECKING

from aiblint.registry import rule
from aiblint.rules.shell import DEPROVISION_SCRIPT, _answered_by_pipe, _commands, _named, _written_content
from aiblint.scripts.collect import ScriptContext
from aiblint.scripts.facts import script_facts

if TYPE_CHECKING:
    from aiblint.scripts.shell import ShellCommand


# -- AIB410 ---------------------------------------------------------------------------


def _mentions_ssh_port(words: list[str]) -> bool:
    for i, text in enumerate(words):
        lowered = text.lower()
        if lowered in ("22", "22/tcp", "ssh", "openssh", "ssh/tcp"):
            return True
        if lowered == "port" and i + 1 < len(words) and words[i + 1].split("/")[0] in ("22", "ssh"):
            return True
        if re.search(r"(^|,)22(,|$|/tcp)", lowered) and lowered.replace(",", "").replace("/tcp", "").isdigit():
            return True
    return False


def _iptables_targets_ssh(command: ShellCommand) -> bool:
    dports = (
        command.all_option_values("--dport")
        + command.all_option_values("--dports")
        + command.all_option_values("--destination-port")
    )
    return any(re.search(r"(^|,)22($|,|:)", p) or p == "ssh" for p in dports)


def _iptables_chain_op(command: ShellCommand) -> tuple[str, str] | None:
    for flag, op in (
        ("-A", "append"),
        ("--append", "append"),
        ("-I", "insert"),
        ("--insert", "insert"),
        ("-P", "policy"),
        ("--policy", "policy"),
    ):
        value = command.option_value(flag)
        if value is not None:
            return op, value.upper()
    return None


_IPTABLES = ("iptables", "ip6tables", "iptables-nft", "iptables-legacy")
_FIREWALL_TOOLS = {"ufw", *_IPTABLES, "firewall-cmd", "nft"}


@rule("AIB410", "error", "firewall change that cuts the build's SSH connection (port 22)", scope="shell")
def firewall_cuts_ssh(ctx: ScriptContext) -> None:
    ufw_ssh_allowed = False
    iptables_ok = False
    nft_ok = False
    commands = _commands(ctx)
    for command in _named(ctx, _FIREWALL_TOOLS):
        name = command.name
        words = command.words
        if name == "ufw":
            sub = command.subcommand
            if sub in ("allow", "limit") and _mentions_ssh_port(words[1:]):
                ufw_ssh_allowed = True
            elif sub in ("deny", "reject") and _mentions_ssh_port(words[1:]):
                ctx.report(
                    "AIB410", command.start, command.end, f"ufw {sub} of port 22 blocks the SSH connection the build runs over"
                )
            elif sub == "enable" and (command.has_option("--force") or _answered_by_pipe(command)) and not ufw_ssh_allowed:
                ctx.report(
                    "AIB410",
                    command.start,
                    command.end,
                    "ufw enable with no earlier `ufw allow OpenSSH` (or 22/tcp) blocks the SSH connection the build runs over",
                )
        elif name in _IPTABLES:
            operation = _iptables_chain_op(command)
            target = (command.option_value("-j", "--jump") or "").upper()
            if operation is None:
                continue
            op, chain = operation
            if chain != "INPUT":
                continue
            state = " ".join(words).upper()
            if target == "ACCEPT" and (_iptables_targets_ssh(command) or "ESTABLISHED" in state):
                iptables_ok = True
            elif (
                op == "policy"
                and len(command.positionals()) >= 1
                and command.positionals()[-1].text.upper() == "DROP"
                and not iptables_ok
            ):
                ctx.report(
                    "AIB410",
                    command.start,
                    command.end,
                    "the INPUT policy DROP, with no earlier ACCEPT of port 22 or of ESTABLISHED connections, cuts the build's SSH connection",
                )
            elif (
                target in ("DROP", "REJECT")
                and not iptables_ok
                and not command.has_option("-s", "--source", "-i", "--in-interface")
            ):
                protocol = (command.option_value("-p", "--protocol") or "all").lower()
                if _iptables_targets_ssh(command) or (
                    protocol in ("all", "tcp")
                    and not command.all_option_values("--dport")
                    and not command.all_option_values("--dports")
                ):
                    ctx.report(
                        "AIB410",
                        command.start,
                        command.end,
                        f"this {target} rule on INPUT, with no earlier ACCEPT of port 22, cuts the build's SSH connection",
                    )
        elif name == "firewall-cmd":
            permanent_only = command.has_option("--permanent") and not any(
                c.name == "firewall-cmd" and c.has_option("--reload", "--complete-reload") for c in commands[command.index + 1 :]
            )
            if permanent_only:
                continue
            removed = command.all_option_values("--remove-service") + command.all_option_values("--remove-port")
            zone = command.option_value("--set-default-zone")
            if any(v in ("ssh", "22/tcp") for v in removed):
                ctx.report(
                    "AIB410",
                    command.start,
                    command.end,
                    "removing ssh / 22/tcp from the firewall cuts the build's SSH connection",
                )
            elif zone in ("drop", "block"):
                ctx.report("AIB410", command.start, command.end, f"the '{zone}' zone refuses SSH: the build loses its connection")
            elif command.has_option("--panic-on"):
                ctx.report(
                    "AIB410", command.start, command.end, "panic mode drops every packet, the build's SSH connection included"
                )
        elif name == "nft":
            text = " ".join(words).lower()
            if _nft_ssh_verdict(text, _NFT_ACCEPT) or _nft_accepts_established(text):
                nft_ok = True
            elif _nft_ssh_verdict(text, _NFT_DROP) and not nft_ok:
                ctx.report("AIB410", command.start, command.end, "this nft rule drops port 22, the build's SSH connection")
            elif _nft_input_policy_drop(text) and not nft_ok:
                ctx.report(
                    "AIB410",
                    command.start,
                    command.end,
                    "an input chain with policy drop and no earlier accept of port 22 cuts the build's SSH connection",
                )


# A port set is short: bounded repeats keep each attempt linear (an open `{` followed by a
# megabyte of ports must not be rescanned from every `dport`). `.*` between two patterns is
# replaced by "the first match of one, then any match of the other after it" (two scans).
_NFT_SSH_PORT = re.compile(r"dport\s{1,64}(\{[^}]{0,2000}\}|22\b|ssh\b)")
_NFT_ACCEPT = re.compile(r"\baccept\b")
_NFT_DROP = re.compile(r"\b(?:drop|reject)\b")
_NFT_HOOK_INPUT = re.compile(r"hook\s{1,64}input\b")
_NFT_POLICY_DROP = re.compile(r"\bpolicy\s{1,64}drop")


def _nft_ssh_verdict(text: str, verdict: re.Pattern[str]) -> bool:
    """A dport naming 22 (alone or in a set), then the verdict somewhere after it."""
    for match in _NFT_SSH_PORT.finditer(text):
        ports = match.group(1)
        if ports.startswith("{") and not re.search(r"\b22\b", ports):
            continue
        return verdict.search(text, match.end()) is not None
    return False


def _nft_accepts_established(text: str) -> bool:
    """`ct state ... established ... accept` within one statement (no `;` between)."""
    start = text.find("ct state")
    while start >= 0:
        end = text.find(";", start)
        statement = text[start : end if end >= 0 else len(text)]
        found = statement.find("established")
        if found >= 0 and statement.find("accept", found) >= 0:
            return True
        if end < 0:
            return False
        start = text.find("ct state", end)
    return False


def _nft_input_policy_drop(text: str) -> bool:
    hook = _NFT_HOOK_INPUT.search(text)
    return hook is not None and _NFT_POLICY_DROP.search(text, hook.end()) is not None


# -- AIB411 ---------------------------------------------------------------------------

_SSH_UNITS = {"ssh", "sshd", "ssh.service", "sshd.service", "ssh.socket", "openssh-server", "sshd.socket"}
# [ \t]* rather than \s* after ^: \s* would run over the following newlines from every line start.
_SSH_DIRECTIVE = re.compile(
    r"^[ \t]*(Port[ \t]+(\d+)|ListenAddress[ \t]+\S+|AllowUsers\b.*|AllowGroups\b.*|DenyUsers\b.*)", re.I | re.M
)


def _changes_sshd_config(text: str) -> str | None:
    for match in _SSH_DIRECTIVE.finditer(text):
        if match.group(2) is not None and match.group(2) == "22":
            continue
        return match.group(1).strip()
    return None


def _sed_replacements(expression: str) -> str:
    if len(expression) > 2 and expression[0] == "s":
        delimiter = expression[1]
        parts = expression[2:].split(delimiter)
        if len(parts) >= 2:
            return parts[1]
    if expression[:1] not in "/$0123456789aic":
        return ""
    match = re.search(r"(?:^|[^\\])[aic]\\?\s*([^\n]*)$", expression[:2000])
    return match.group(1) if match else ""


# The commands that can stop sshd; any other command can still edit sshd_config.
_SSH_STOPPERS = {"systemctl", "service", "ssh", "sshd", "apt-get", "apt", "yum", "dnf"}


@rule("AIB411", "error", "SSH daemon stopped, disabled or moved", scope="shell")
def sshd_stopped(ctx: ScriptContext) -> None:
    edits_possible = "sshd_config" in ctx.source.text  # the edit check reads the words as written
    for command in _commands(ctx) if edits_possible else _named(ctx, _SSH_STOPPERS):
        name = command.name
        if name not in _SSH_STOPPERS:
            _sshd_config_edit(ctx, command)
            continue
        words = command.words
        sub = command.subcommand
        units = {w for w in words[1:] if w in _SSH_UNITS}
        if name == "systemctl" and sub in ("stop", "disable", "mask", "kill") and units:
            ctx.report(
                "AIB411",
                command.start,
                command.end,
                f"systemctl {sub} {sorted(units)[0]} stops or removes the SSH service the build connects through",
            )
        elif name == "service" and len(words) >= 2 and words[0] in _SSH_UNITS and words[1] == "stop":
            ctx.report(
                "AIB411", command.start, command.end, f"service {words[0]} stop stops the SSH service the build connects through"
            )
        elif name in ("ssh", "sshd") and command.name_word.text.startswith("/etc/init.d/") and "stop" in words:
            ctx.report("AIB411", command.start, command.end, "stops the SSH service the build connects through")
        elif (
            name in ("apt-get", "apt", "yum", "dnf")
            and sub in ("remove", "purge", "erase", "autoremove")
            and any(w in ("openssh-server", "openssh") for w in words[1:])
        ):
            ctx.report(
                "AIB411",
                command.start,
                command.end,
                f"removing {'openssh-server' if 'openssh-server' in words else 'openssh'} stops sshd, the build's connection",
            )
        elif edits_possible:
            _sshd_config_edit(ctx, command)


def _sshd_config_edit(ctx: ScriptContext, command: ShellCommand) -> None:
    if not any("sshd_config" in w.raw for w in command.args) and not any(
        r.target is not None and "sshd_config" in r.target.raw for r in command.redirects
    ):
        return  # the cheap test first: this runs for every command
    targets = [t for _, t in command.output_files()] + [w.text for w in command.positionals()]
    if not any("sshd_config" in t for t in targets):
        return
    written = ""
    if command.name == "sed":
        written = "\n".join(
            _sed_replacements(e) for e in command.all_option_values("-e") + [w.text for w in command.positionals()[:1]]
        )
    elif command.name in ("echo", "printf"):
        written = "\n".join(w.replace("\\n", "\n") for w in command.words)
    elif command.name in ("tee", "cat"):
        written = command.heredoc() or ""
        if command.piped_from is not None and command.piped_from.name in ("echo", "printf"):
            written += "\n".join(command.piped_from.words)
    change = _changes_sshd_config(written)
    if change:
        ctx.report(
            "AIB411",
            command.start,
            command.end,
            f"sets `{change}` in sshd_config: once sshd reloads, the build (port 22, user packer) can no longer connect",
        )


# -- AIB420, AIB421, AIB422 -------------------------------------------------------------


def _absolute(path: str, cwd: str | None) -> str | None:
    if path.startswith("/"):
        return posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "")
    if cwd is None:
        return None
    return posixpath.normpath(posixpath.join(cwd, path))


def _hits_deprovision_script(pattern: str, cwd: str | None, recursive: bool) -> bool:
    path = _absolute(pattern, cwd)
    if path is None:
        return False
    if fnmatch.fnmatchcase(DEPROVISION_SCRIPT, path):
        return True
    return recursive and path.rstrip("/") in ("/tmp", "/")


@rule("AIB420", "error", "deletes the deprovisioning script /tmp/DeprovisioningScript.sh", scope="shell")
def deletes_deprovision_script(ctx: ScriptContext) -> None:
    for command in _commands(ctx):
        name = command.name
        if name in ("rm", "unlink", "shred"):
            recursive = command.has_option("-r", "-R", "--recursive")
            for word in command.positionals():
                if _hits_deprovision_script(word.text, command.cwd, recursive):
                    ctx.report(
                        "AIB420",
                        command.start,
                        command.end,
                        f"{name} {word.text} deletes {DEPROVISION_SCRIPT}, which AIB runs at the end of the build: the build fails",
                    )
                    break
        elif name == "mv":
            sources = command.positionals()[:-1]
            if any(_hits_deprovision_script(w.text, command.cwd, False) for w in sources):
                ctx.report(
                    "AIB420",
                    command.start,
                    command.end,
                    f"mv takes {DEPROVISION_SCRIPT} away from where AIB runs it at the end of the build",
                )
        elif name == "find":
            positional = command.positionals()
            roots = [w.text for w in positional if not w.text.startswith(("-", "(", "!"))][:1]
            if not roots or _absolute(roots[0], command.cwd) not in ("/tmp", "/tmp/"):
                continue
            words = command.words
            deletes = "-delete" in words or any(
                w == "-exec" and i + 1 < len(words) and words[i + 1] in ("rm", "/bin/rm") for i, w in enumerate(words)
            )
            names = command.all_option_values("-name") + command.all_option_values("-iname")
            types = command.all_option_values("-type")
            if deletes and "d" not in types and (not names or any(fnmatch.fnmatch("DeprovisioningScript.sh", n) for n in names)):
                ctx.report(
                    "AIB420",
                    command.start,
                    command.end,
                    f"find /tmp ... deletes {DEPROVISION_SCRIPT}, which AIB runs at the end of the build",
                )


@rule("AIB421", "warning", "deprovisioning script override without waagent -deprovision", scope="shell")
def override_without_deprovision(ctx: ScriptContext) -> None:
    if "Deprovisioning" not in ctx.source.text:
        return  # the cheap test first: the script never names the file
    for command in _commands(ctx):
        overwrites = any(op in (">", ">|", "&>") and t == DEPROVISION_SCRIPT for op, t in command.output_files())
        overwrites = overwrites or (
            command.name == "tee" and not command.has_option("-a", "--append") and DEPROVISION_SCRIPT in command.words
        )
        if not overwrites:
            continue
        content = _written_content(command)
        if content is None:
            continue  # written from a file or a URL: the content is not in the template
        if "waagent" in content and "-deprovision" in content:
            continue
        ctx.report(
            "AIB421",
            command.start,
            command.end,
            f"this replaces {DEPROVISION_SCRIPT} with commands that never run `waagent -force -deprovision+user`: the image is not generalized",
        )


@rule("AIB422", "error", "customizer runs waagent -deprovision itself", scope="shell")
def runs_deprovision(ctx: ScriptContext) -> None:
    for command in _commands(ctx):
        if command.name == "waagent" and any(w.startswith("-deprovision") for w in command.words):
            flag = next(w for w in command.words if w.startswith("-deprovision"))
            extra = " and deletes the build user mid-build" if "+user" in flag else ""
            ctx.report(
                "AIB422",
                command.start,
                command.end,
                f"waagent {flag} in a customizer generalizes the VM before AIB's own last step{extra}: override {DEPROVISION_SCRIPT} instead",
            )


# -- AIB430, AIB431 ---------------------------------------------------------------------


@rule("AIB430", "warning", "long sleep left in a script", scope="shell")
def long_sleep(ctx: ScriptContext) -> None:
    for sleep in script_facts(ctx.script).sleeps:
        seconds = sleep.seconds
        if seconds >= 600:
            ctx.report(
                "AIB430",
                sleep.start,
                sleep.end,
                f"sleep of {seconds / 60:g} minutes adds that much to every build (the guide's debug pause?): remove it before submitting",
            )


@rule("AIB431", "info", "download of a large artifact", scope="shell")
def large_download(ctx: ScriptContext) -> None:
    for download in script_facts(ctx.script).downloads:
        if download.large:
            ctx.report(
                "AIB431",
                download.start,
                download.end,
                f"{download.tool} downloads {download.large} (an archive, disk image or installer, size unknown until the build): allow for it in buildTimeoutInMinutes and the VM size",
            )
