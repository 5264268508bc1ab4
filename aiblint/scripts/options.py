"""Which options of a command take a value: one declarative table for every command the
Shell model and the Shell rules read past (in the style of ShellCheck's ``getOpts``).

Each entry is ``(short letters, long names)``: ``"ugC"`` means ``-u``, ``-g`` and ``-C`` each
take the next word as their value. The model uses it to find the command a wrapper runs
(``sudo -u admin apt-get ...``), the rules to find a command's operands (``apt-get -o X=1
install nginx``: the packages, not ``X=1``).
"""

from __future__ import annotations

from functools import cache

_APT = ("oct", "option config-file target-release default-release")
_YUM = ("cdex", "config releasever installroot enablerepo disablerepo exclude setopt repo repoid")

VALUE_OPTIONS: dict[str, tuple[str, str]] = {
    # wrappers the Shell model looks through (aiblint/scripts/shell_wrappers.py)
    "sudo": ("ugCDhprtTU", "user group close-from chdir host prompt role type command-timeout other-user"),
    "env": ("uCS", "unset chdir split-string"),
    "timeout": ("sk", "signal kill-after"),
    "xargs": ("IinPdLlsaEe", "max-args max-procs delimiter max-lines arg-file replace eof"),
    "nice": ("n", "adjustment"),
    "ionice": ("cnpPu", "class classdata"),
    "chroot": ("", "userspec groups"),
    "flock": ("wE", "timeout conflict-exit-code"),
    "runuser": ("ugG", "user group"),
    # package managers (AIB401-AIB403)
    "apt-get": _APT,
    "apt": _APT,
    "aptitude": _APT,
    "yum": _YUM,
    "dnf": _YUM,
    "tdnf": _YUM,
    "microdnf": _YUM,
    "zypper": ("rRcDC", "repo root config reposd-dir cache-dir raw-cache-dir"),
}


@cache
def value_options(command: str) -> frozenset[str]:
    """``{"-u", "--user", ...}``: the options of ``command`` that take a value (empty if unknown)."""
    short, long = VALUE_OPTIONS.get(command, ("", ""))
    return frozenset([f"-{letter}" for letter in short] + [f"--{name}" for name in long.split()])
