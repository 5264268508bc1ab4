"""AIB4xx: Shell customizer scripts. Each rule reads the command model (aiblint.scripts.shell)."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING

from aiblint.diagnostics import Severity
from aiblint.registry import rule
from aiblint.scripts.collect import ScriptContext
from aiblint.scripts.options import value_options

if TYPE_CHECKING:
    from aiblint.scripts.shell import ShellCommand, ShellModel, Word

DEPROVISION_SCRIPT = "/tmp/DeprovisioningScript.sh"


def _commands(ctx: ScriptContext) -> list[ShellCommand]:
    model: ShellModel = ctx.model
    return model.commands


def _named(ctx: ScriptContext, names: Collection[str]) -> list[ShellCommand]:
    model: ShellModel = ctx.model
    return model.named(names)


def _answered_by_pipe(command: ShellCommand) -> bool:
    """`yes | cmd`, `echo y | cmd`, `printf 'y\\n' | cmd` answer the prompt."""
    source = command.piped_from
    if source is None:
        return False
    if source.name == "yes":
        return True
    if source.name in ("echo", "printf"):
        text = " ".join(source.words).strip().lower().replace("\\n", "")
        return text in ("y", "yes", "-e y", "-e yes")
    return False


def _option_like_expansion(command: ShellCommand) -> bool:
    """An unknown `$APT_OPTS` could hold -y: stay quiet rather than guess."""
    return any(w.value is None and re.search(r"opt|flag|arg|yes|assume", w.raw, re.I) for w in command.args)


# -- AIB400 ---------------------------------------------------------------------------


@rule("AIB400", "error", "the Shell script does not parse", scope="shell")
def shell_syntax_error(ctx: ScriptContext) -> None:
    from aiblint.scripts.shell_syntax import check, shell_confirms_error

    problem = check(ctx.source.text)
    if problem is None:
        return
    first_line = ctx.source.text.split("\n", 1)[0]
    # Inline lines run under /bin/sh; a mapped script file under its own shebang.
    dialect = "bash" if not ctx.is_inline and first_line.startswith("#!") and "bash" in first_line else "sh"
    if not problem.sh_accepts and shell_confirms_error(ctx.source.text, dialect) is False:
        return  # a real shell parses it: our lexer was wrong, not the script
    # sh reads an open here-document to the end of the script: it parses, but not as meant
    prefix = "" if problem.sh_accepts else "the script does not parse: "
    ctx.report("AIB400", problem.offset, problem.offset + 1, prefix + problem.message)


# -- AIB401 ---------------------------------------------------------------------------

_APT = {"apt-get", "apt", "aptitude"}
_APT_PROMPTING = {
    "install",
    "upgrade",
    "dist-upgrade",
    "full-upgrade",
    "remove",
    "purge",
    "autoremove",
    "autopurge",
    "reinstall",
    "build-dep",
}
_APT_VALUE_OPTS = value_options("apt-get")  # the same for apt and aptitude
_YUM = {"yum", "dnf", "tdnf", "microdnf"}
_YUM_PROMPTING = {
    "install", "update", "upgrade", "remove", "erase", "reinstall", "downgrade", "autoremove", "groupinstall",
    "groupupdate", "groupremove", "localinstall", "distro-sync", "update-minimal", "upgrade-minimal", "swap",
}  # fmt: skip
_YUM_GROUP = {
    "group": {"install", "remove", "upgrade", "update", "mark"},
    "module": {"enable", "disable", "install", "remove", "reset", "switch-to"},
}
_YUM_VALUE_OPTS = value_options("yum")  # the same for dnf, tdnf, microdnf
_ZYPPER_PROMPTING = {"in", "install", "rm", "remove", "up", "update", "dup", "dist-upgrade", "patch", "si", "source-install"}
_ZYPPER_VALUE_OPTS = value_options("zypper")


def _apt_subcommand(command: ShellCommand) -> str | None:
    positional = command.positionals(_APT_VALUE_OPTS)
    return positional[0].text if positional else None


def _apt_assumes_yes(command: ShellCommand) -> bool:
    if command.has_option("-y", "--yes", "--assume-yes") or command.count_short("q") >= 2 or command.has_option("--quiet=2"):
        return True
    return any(re.match(r"APT::Get::Assume-Yes\s*=\s*(true|1|yes)", v, re.I) for v in command.all_option_values("-o"))


def _yum_subcommand(command: ShellCommand) -> tuple[str, str] | None:
    positional = command.positionals(_YUM_VALUE_OPTS)
    if not positional:
        return None
    sub = positional[0].text
    if sub in _YUM_GROUP and len(positional) > 1 and positional[1].text in _YUM_GROUP[sub]:
        return sub, positional[1].text
    return (sub, "") if sub in _YUM_PROMPTING else None


# add-apt-repository is not here: it asks "Press [ENTER] to continue" only when stdin is a
# terminal (software-properties checks sys.stdin.isatty()), and the build's SSH session has none.
_PROMPTING_TOOLS = {*_APT, *_YUM, "zypper", "pip", "pip3", "conda", "mamba"}

# Installed on Ubuntu and Debian marketplace images: `apt-get install` of only these has
# nothing to install, so nothing to confirm.
_APT_PREINSTALLED = frozenset(
    {
        "unattended-upgrades", "curl", "wget", "git", "vim", "openssh-server", "openssh-client", "python3",
        "ca-certificates", "sudo", "tar", "gzip", "cloud-init", "walinuxagent", "software-properties-common",
        "lsb-release", "gnupg", "apt-transport-https", "rsyslog", "cron", "less", "bash", "coreutils",
    }
)  # fmt: skip


def _apt_packages(command: ShellCommand) -> list[str]:
    """The package names after the subcommand (version and architecture suffixes dropped)."""
    named = [w.text for w in command.positionals(_APT_VALUE_OPTS)[1:]]
    return [re.split(r"[=:]", n, maxsplit=1)[0].lower() for n in named]


def _apt_nothing_to_do(command: ShellCommand, sub: str) -> bool:
    packages = _apt_packages(command)
    return sub == "install" and bool(packages) and all(p in _APT_PREINSTALLED for p in packages)


@rule("AIB401", "error", "package manager waits for confirmation", scope="shell")
def package_manager_prompt(ctx: ScriptContext) -> None:
    _package_config(ctx)  # every script's, even with no package command: later scripts read it
    for command in _named(ctx, _PROMPTING_TOOLS):
        name = command.name
        if _answered_by_pipe(command) or _option_like_expansion(command):
            continue
        if (name in _APT and _configured(ctx, "apt-assumes-yes", command)) or (
            name in _YUM and _configured(ctx, "yum-assumes-yes", command)
        ):
            continue  # a configuration snippet written before answers yes
        if name in _APT:
            sub = _apt_subcommand(command)
            if sub in _APT_PROMPTING and not _apt_assumes_yes(command) and _apt_nothing_to_do(command, sub):
                ctx.report(
                    "AIB401",
                    command.start,
                    command.end,
                    f'{name} {sub} without -y: Ubuntu and Debian marketplace images already ship {_apt_packages(command)[0]}, so apt has nothing to confirm and the build passes today; add -y so it does not stop at "Do you want to continue? [Y/n]" once there is something to install',
                    severity=Severity.INFO,  # nothing fails: advice (rules.md severities)
                    insert=(command.positionals(_APT_VALUE_OPTS)[0].end, " -y"),
                )
            elif sub in _APT_PROMPTING and not _apt_assumes_yes(command):
                ctx.report(
                    "AIB401",
                    command.start,
                    command.end,
                    f'{name} {sub} without -y stops at "Do you want to continue? [Y/n]" whenever it has more to do than the named packages, and the build cannot answer: add -y',
                    insert=(command.positionals(_APT_VALUE_OPTS)[0].end, " -y"),
                )
        elif name in _YUM:
            found = _yum_subcommand(command)
            if found and name != "microdnf" and not command.has_option("-y", "--assumeyes"):
                sub = " ".join(part for part in found if part)
                ctx.report(
                    "AIB401",
                    command.start,
                    command.end,
                    f'{name} {sub} waits for an "Is this ok [y/N]" answer the build cannot give: add -y',
                    insert=(command.positionals(_YUM_VALUE_OPTS)[0].end, " -y"),
                )
            elif found and name == "microdnf" and not command.has_option("-y", "--assumeyes"):
                ctx.report("AIB401", command.start, command.end, f"microdnf {found[0]} may wait for confirmation: add -y")
        elif name == "zypper":
            positional = command.positionals(_ZYPPER_VALUE_OPTS)
            sub = positional[0].text if positional else None
            if sub in _ZYPPER_PROMPTING and not command.has_option("-n", "--non-interactive", "-y", "--no-confirm"):
                ctx.report(
                    "AIB401",
                    command.start,
                    command.end,
                    f"zypper {sub} asks for confirmation: add --non-interactive (zypper -n {sub} ...)",
                )
        elif name in ("pip", "pip3") and command.subcommand == "uninstall" and not command.has_option("-y", "--yes"):
            ctx.report("AIB401", command.start, command.end, f'{name} uninstall asks "Proceed (Y/n)?": add -y')
        elif (
            name in ("conda", "mamba")
            and command.subcommand
            in (
                "install",
                "create",
                "remove",
                "update",
                "upgrade",
                "uninstall",
            )
            and not command.has_option("-y", "--yes")
        ):
            ctx.report("AIB401", command.start, command.end, f'{name} {command.subcommand} asks "Proceed ([y]/n)?": add -y')


# -- AIB402 ---------------------------------------------------------------------------

# Packages whose installation asks debconf questions unless DEBIAN_FRONTEND=noninteractive.
# Only packages whose questions show at debconf's default (high) priority are listed.
_DEBCONF_PACKAGES = {
    "tzdata", "postfix", "iptables-persistent", "netfilter-persistent", "wireshark", "wireshark-common",
    "tshark", "krb5-user", "krb5-config", "slapd", "keyboard-configuration", "console-setup", "sddm",
    "gdm3", "lightdm", "kexec-tools", "jackd2", "davfs2", "nslcd", "libnss-ldap", "libpam-ldap",
    "phpmyadmin", "roundcube", "macchanger", "encfs", "libdvd-pkg",
}  # fmt: skip
_EULA_PACKAGES = re.compile(r"^(msodbcsql\d*|mssql-tools\d*|mssql-server)$")
_UPGRADES = {"upgrade", "dist-upgrade", "full-upgrade"}


# What a snippet in the package managers' configuration settles for every later command:
# `APT::Get::Assume-Yes "true";` (apt.conf.d), `assumeyes=1` (yum.conf / dnf.conf) answer yes;
# `Dpkg::Options {"--force-confdef"; ...}` keeps changed configuration files without asking.
_CONFIG_FILES = ("apt.conf", "yum.conf", "dnf.conf")
_CONFIG_FACTS = {
    "apt-assumes-yes": re.compile(r"APT::Get::Assume-Yes\s*(?:\"\s*)?(true|1|yes)\b", re.I),
    "yum-assumes-yes": re.compile(r"^[ \t]*assumeyes[ \t]*=[ \t]*(1|true|yes)\b", re.I | re.M),
    "dpkg-force-conf": re.compile(r"force-conf"),
}


def _package_config(ctx: ScriptContext) -> dict[str, int]:
    """Fact -> index of the command after which it holds (-1: an earlier customizer wrote it).

    The VM keeps the file for every later step, so this script's facts are kept for the
    scripts after it.
    """
    if "package-config" in ctx.script.summaries:
        return ctx.script.summaries["package-config"]  # type: ignore[no-any-return]
    facts = dict.fromkeys(_earlier_package_config(ctx), -1)
    text_mentions_config = any(marker in ctx.source.text for marker in _CONFIG_FILES)
    for command in _commands(ctx) if text_mentions_config else ():
        text = _config_written(command)
        if text is not None:
            for fact, pattern in _CONFIG_FACTS.items():
                if pattern.search(text):
                    facts.setdefault(fact, command.index)
    ctx.script.summaries["package-config"] = facts
    return facts


class _EarlierConfig:
    """The facts the customizers before a script wrote, folded in once per script.

    Scripts are analysed in template order, so each call only folds the scripts between the
    previous one and this one: linear in the number of customizers (each script used to scan
    every earlier one: quadratic, ~4 s for 3,000 customizers)."""

    def __init__(self) -> None:
        self.folded = 0  # scripts[:folded] are in facts
        self.facts: set[str] = set()


def _earlier_package_config(ctx: ScriptContext) -> set[str]:
    state = ctx.template.rule_state.setdefault("package-config", _EarlierConfig())
    scripts = ctx.template.scripts
    while state.folded < len(scripts) and scripts[state.folded] is not ctx.script:
        state.facts.update(scripts[state.folded].summaries.get("package-config", {}))
        state.folded += 1
    if state.folded < len(scripts):
        return state.facts
    # not met in order (a caller outside the per-script pass): scan from the start
    del ctx.template.rule_state["package-config"]
    facts: set[str] = set()
    for script in scripts:
        if script is ctx.script:
            break
        facts.update(script.summaries.get("package-config", {}))
    return facts


def _configured(ctx: ScriptContext, fact: str, command: ShellCommand) -> bool:
    at = _package_config(ctx).get(fact)
    return at is not None and at < command.index


def _config_written(command: ShellCommand) -> str | None:
    """What a command writes into apt.conf(.d), yum.conf or dnf.conf, when the script shows it."""
    targets = [target for _, target in command.output_files()]
    if command.name == "tee":
        targets += [word for word in command.words if not word.startswith("-")]
    if not any(marker in target for target in targets for marker in _CONFIG_FILES):
        return None
    return _written_content(command)


def _force_conf(ctx: ScriptContext, command: ShellCommand) -> bool:
    """--force-confdef/--force-confold on the command, or in an apt.conf snippet written before it."""
    if any("force-conf" in v for v in command.all_option_values("-o")) or any("force-conf" in w for w in command.words):
        return True
    return _configured(ctx, "dpkg-force-conf", command)


def _noninteractive(command: ShellCommand) -> bool:
    return command.env.get("DEBIAN_FRONTEND") == "noninteractive"


_ASKING_TOOLS = {"read", "passwd", "ssh-keygen", "ufw", "az", "dpkg-reconfigure", *_APT}


@rule("AIB402", "warning", "command that stops for a person", scope="shell")
def interactive_command(ctx: ScriptContext) -> None:
    _package_config(ctx)  # every script's, even with no package command: later scripts read it
    commands = _commands(ctx)
    for command in _named(ctx, _ASKING_TOOLS):
        name = command.name
        if name == "read" and not command.stdin_fed and not command.has_option("-t"):
            _read_without_input(ctx, command)
        elif (
            name == "passwd"
            and not command.stdin_fed
            and not command.has_option(
                "--stdin", "-d", "--delete", "-l", "--lock", "-u", "--unlock", "-e", "--expire", "-S", "--status"
            )
        ):
            ctx.report(
                "AIB402",
                command.start,
                command.end,
                "passwd asks for the new password on a terminal: use `chpasswd` or `passwd --stdin`",
            )
        elif name == "ssh-keygen" and not command.has_option(
            "-N", "-A", "-l", "-F", "-R", "-y", "-e", "-i", "-K", "-k", "-Q", "-s", "-D", "-H", "-r", "-L", "-Y"
        ):
            ctx.report("AIB402", command.start, command.end, "ssh-keygen asks for a passphrase: add -N '' (and -f FILE)")
        elif (
            name == "ufw"
            and command.subcommand == "enable"
            and not command.has_option("--force")
            and not _answered_by_pipe(command)
        ):
            ctx.report(
                "AIB402",
                command.start,
                command.end,
                'ufw enable asks "Command may disrupt existing ssh connections. Proceed with operation (y|n)?": use ufw --force enable, after ufw allow OpenSSH',
            )
        elif (
            name == "az"
            and command.subcommand == "login"
            and not command.has_option("--identity", "-i", "--service-principal", "--federated-token")
        ):
            if not (command.has_option("-u", "--username") and command.has_option("-p", "--password")):
                ctx.report(
                    "AIB402",
                    command.start,
                    command.end,
                    "az login without --identity waits for a browser or device-code sign-in: use az login --identity",
                )
        elif (
            name == "dpkg-reconfigure"
            and not (command.has_option("-f", "--frontend") and "noninteractive" in " ".join(command.words))
            and not _noninteractive(command)
        ):
            ctx.report(
                "AIB402", command.start, command.end, "dpkg-reconfigure asks its questions on a terminal: add -f noninteractive"
            )
        elif name in ("apt-get", "apt", "aptitude"):
            _apt_questions(ctx, command, commands, command.index)


def _read_without_input(ctx: ScriptContext, command: ShellCommand) -> None:
    if command.tested == "loop" and not command.has_option("-p"):
        return  # `while read line`: a filter over stdin, which is empty in a build: no one is asked
    if command.tested:
        message = (
            "read asks for input that an unattended build never sends: it gets end-of-file at once, so the answer is always empty"
        )
    else:
        message = "read waits for input that an unattended build never sends (it gets end-of-file and the script fails)"
    ctx.report("AIB402", command.start, command.end, message)


_PREFIXABLE = {"sudo", "env", "bash -c", "sh -c"}  # wrappers that accept VAR=value before the command
_FORCE_CONF = " -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"


def _upgrade_fix(command: ShellCommand, noninteractive: bool, force: bool) -> tuple[tuple[int, int, str], ...]:
    """DEBIAN_FRONTEND=noninteractive before the command and/or the force-conf options after
    the subcommand; nothing when the variable cannot go there (timeout, nohup, xargs ...)."""
    edits: list[tuple[int, int, str]] = []
    if not noninteractive:
        if not set(command.via) <= _PREFIXABLE:
            return ()
        edits.append((command.name_word.start, command.name_word.start, "DEBIAN_FRONTEND=noninteractive "))
    if not force:
        sub = command.positionals(_APT_VALUE_OPTS)[0]
        edits.append((sub.end, sub.end, _FORCE_CONF))
    return tuple(edits)


def _apt_questions(ctx: ScriptContext, command: ShellCommand, commands: list[ShellCommand], index: int) -> None:
    """Debconf and changed-config-file questions; looks back only when it has to."""
    sub = _apt_subcommand(command)
    if sub is None:
        return
    noninteractive = _noninteractive(command)
    if sub in _UPGRADES:
        force = _force_conf(ctx, command)
        if noninteractive and force:
            return
        missing = []
        if not noninteractive:
            missing.append(
                "DEBIAN_FRONTEND=noninteractive reaching the command"
                + (
                    " (sudo drops exported variables: use sudo DEBIAN_FRONTEND=noninteractive apt-get ...)"
                    if command.sudo and not command.env
                    else ""
                )
            )
        if not force:
            missing.append("-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold")
        edits = _upgrade_fix(command, noninteractive, force)
        ctx.report(
            "AIB402",
            command.start,
            command.end,
            f"{command.name} {sub} can stop at a debconf or changed-config-file question: add {' and '.join(missing)}",
            edits=edits,
            safe=force,  # choosing the old config files is a decision for the author: --unsafe-fixes
        )
        return
    if sub != "install":
        return
    packages = [w.text.split("=", 1)[0] for w in command.positionals(_APT_VALUE_OPTS)[1:]]
    eula = [p for p in packages if _EULA_PACKAGES.match(p)]
    if eula and command.env.get("ACCEPT_EULA", "").upper() != "Y":
        ctx.report(
            "AIB402",
            command.start,
            command.end,
            f"installing {eula[0]} asks to accept its licence: set ACCEPT_EULA=Y for the command (sudo ACCEPT_EULA=Y apt-get install -y ...)",
        )
        return
    asking = [p for p in packages if p in _DEBCONF_PACKAGES]
    if asking and not noninteractive and not any(c.name == "debconf-set-selections" for c in commands[:index]):
        ctx.report(
            "AIB402",
            command.start,
            command.end,
            f"{asking[0]} asks debconf questions when installed: run apt-get with DEBIAN_FRONTEND=noninteractive (or preseed with debconf-set-selections)",
        )


# -- AIB403 ---------------------------------------------------------------------------

_ROOT_COMMANDS = {"apt-get", "apt", "yum", "dnf", "zypper", "tdnf", "microdnf", "add-apt-repository", "useradd", "usermod", "userdel", "groupadd", "modprobe", "update-alternatives", "ufw", "iptables", "ip6tables", "firewall-cmd", "hostnamectl", "timedatectl", "mount"}  # fmt: skip
_READ_ONLY = {
    "search",
    "show",
    "list",
    "info",
    "policy",
    "madison",
    "--version",
    "-v",
    "--help",
    "status",
    "check-update",
    "repolist",
    "history",
}
_SYSTEMCTL_CHANGES = {
    "start",
    "stop",
    "restart",
    "reload",
    "enable",
    "disable",
    "mask",
    "unmask",
    "daemon-reload",
    "set-default",
    "isolate",
    "edit",
}
_ROOT_DIRS = ("/etc/", "/usr/", "/opt/", "/var/lib/", "/boot/")
_FILE_CHANGERS = {"cp", "mv", "mkdir", "ln", "install", "chmod", "chown", "rm", "touch", "tee", "unzip", "tar"}


def _written_paths(command: ShellCommand) -> list[str]:
    """Where a file-changing command writes: `cp /etc/hosts ~/h` only reads /etc."""
    name = command.name
    if name in ("cp", "mv", "ln", "install") and not (name == "install" and command.has_option("-d", "--directory")):
        target = command.option_value("-t", "--target-directory")
        if target is not None:
            return [target]
        positional = command.positionals()
        return [positional[-1].text] if len(positional) >= 2 else []
    if name in ("unzip", "tar"):
        target = command.option_value("-d") if name == "unzip" else command.option_value("-C", "--directory")
        return [target] if target is not None else []
    return [word.text for word in command.positionals()]


@rule("AIB403", "info", "root-only command without sudo", scope="shell", default=False)
def missing_sudo(ctx: ScriptContext) -> None:
    if not ctx.is_inline:
        return
    for command in _commands(ctx):
        if command.sudo:
            continue
        name = command.name
        sub = command.subcommand
        reason = None
        if name in _ROOT_COMMANDS and sub not in _READ_ONLY and not (name == "ufw" and sub == "status"):
            reason = f"{name} needs root"
        elif name == "systemctl" and sub in _SYSTEMCTL_CHANGES and not command.has_option("--user"):
            reason = f"systemctl {sub} needs root"
        elif name in ("dpkg", "rpm") and command.has_option(
            "-i", "--install", "-r", "--remove", "-P", "--purge", "-U", "-e", "--erase"
        ):
            reason = f"{name} needs root to change packages"
        elif name == "snap" and sub in ("install", "remove", "refresh"):
            reason = f"snap {sub} needs root"
        elif name in _FILE_CHANGERS and any(path.startswith(_ROOT_DIRS) for path in _written_paths(command)):
            reason = f"{name} writes under a root-owned folder"
        elif name == "sed" and command.has_option("-i") and any(w.text.startswith(_ROOT_DIRS) for w in command.positionals()):
            reason = "sed -i edits a root-owned file"
        else:
            targets = [t for op, t in command.output_files() if t.startswith(_ROOT_DIRS)]
            if targets:
                reason = f"the redirect writes {targets[0]}, which needs root (use `| sudo tee {targets[0]}`)"
        if reason:
            ctx.report(
                "AIB403",
                command.start,
                command.end,
                f"{reason}: inline Shell commands run as the build user; prefix it with sudo",
            )


# -- AIB404 ---------------------------------------------------------------------------


@rule("AIB404", "warning", "bash-only syntax in an inline /bin/sh script", scope="shell")
def bashism(ctx: ScriptContext) -> None:
    if not ctx.is_inline:
        return  # a scriptUri script runs under its own shebang
    family = ctx.template.source_info.family
    if family in ("rhel", "suse", "mariner"):
        return  # /bin/sh is bash there
    for construct in ctx.model.bashisms:
        ctx.report(
            "AIB404",
            construct.start,
            construct.end,
            f"{construct.what} is bash-only, but inline lines run under /bin/sh -e (dash on Debian and Ubuntu): wrap the line in bash -c '...' or use a scriptUri script with a bash shebang",
        )


# -- AIB405 ---------------------------------------------------------------------------

# Commands that create or write the path they are given (the destination for cp/mv/ln/install).
_WRITERS_ANY = {"mkdir", "touch", "tee", "unzip", "git"}
_WRITERS_LAST = {"cp", "mv", "ln", "install", "rsync"}
# (A download into ~ is usually staging for a later install, and a later command that reads the
# path is too: only what stays there is reported.)
_WRITER_OPTIONS = {"unzip": ("-d",), "tar": ("-C", "--directory")}


def _in_build_home(word: Word) -> bool:
    """An unquoted `~/...` or a `$HOME` path: the build user's home directory."""
    raw = word.raw.lstrip('"')
    return (word.raw.startswith("~") and not word.raw.startswith("~root")) or raw.startswith(("$HOME", "${HOME}"))


def _home_writes(command: ShellCommand) -> list[Word]:
    if "sh -c" in command.via and command.sudo:
        return []  # the inner shell runs as root: its ~ is /root, which stays
    words = [w for w in command.args if not w.text.startswith("-")]
    found = [r.target for r in command.redirects if r.operator in (">", ">>", "&>") and r.target is not None]
    if command.name in _WRITERS_ANY:
        found += words[1:] if command.name == "git" and words[:1] and words[0].text == "clone" else words
    elif command.name in _WRITERS_LAST and len(words) >= 2:
        found.append(words[-1])
    options = _WRITER_OPTIONS.get(command.name, ())
    for index, word in enumerate(command.args[:-1]):
        if word.text in options:
            found.append(command.args[index + 1])
    return [w for w in found if _in_build_home(w)]


def _read_later(path: str, later: list[ShellCommand]) -> bool:
    """A later command names the path (or what is under it): it was staging, not the result."""
    stem = path.rstrip("/")
    return any(w.raw.startswith(stem) and not _home_writes_word(c, w) for c in later for w in c.args)


def _home_writes_word(command: ShellCommand, word: Word) -> bool:
    return any(w is word for w in _home_writes(command))


@rule("AIB405", "warning", "Linux customizer writes under the build user's home", scope="shell")
def writes_to_build_home(ctx: ScriptContext) -> None:
    commands = _commands(ctx)
    for index, command in enumerate(commands):
        written = [w for w in _home_writes(command) if not _read_later(w.raw, commands[index + 1 :])]
        if written:
            ctx.report(
                "AIB405",
                command.start,
                command.end,
                f"{command.name} writes {written[0].raw}, in the build user's home: AIB's deprovisioning (waagent -deprovision+user) deletes that user and its home, so nothing written there reaches the image; write to a system path (/opt, /etc/skel for new users' homes, /usr/local)",
            )


def _written_content(command: ShellCommand) -> str | None:
    """What a command writes, when the script shows it (echo/printf args, a heredoc)."""
    if command.name in ("echo", "printf"):
        return " ".join(command.words)
    if command.name in ("cat", "tee"):
        body = command.heredoc()
        if body is not None:
            return body
        source = command.piped_from
        if source is not None and source.name in ("echo", "printf"):
            return " ".join(source.words)
        if source is not None and source.name == "cat" and source.heredoc() is not None:
            return source.heredoc()  # cat <<EOF | sudo tee FILE
    return None
