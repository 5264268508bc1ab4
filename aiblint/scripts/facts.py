"""Facts about scripts that rules and the build-time estimate share.

Sleeps (with their durations), downloads (with the artifact's name when it is large),
restarts, and literal secrets: read from a script's command model once (``script_facts``)
and kept on the script after its model is freed. The script rules (AIB430, AIB431, AIB530,
AIB531, AIB305, AIB030) and the build-time estimate (aiblint/estimate.py, AIB200-AIB204)
read the same facts, so they cannot disagree about what a script does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiblint.diagnostics import Span
from aiblint.literals import PLACEHOLDER
from aiblint.numbers import finite_float

_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def sleep_seconds(words: list[str]) -> float | None:
    total = 0.0
    for word in words:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", word)
        number = finite_float(match.group(1)) if match else None
        if match is None or number is None:  # `sleep` of 400 digits is infinite, not a duration
            return None
        total += number * _UNITS[match.group(2)]
    return total


LARGE_EXTENSIONS = (
    ".iso",
    ".zip",
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.xz",
    ".txz",
    ".tar.bz2",
    ".7z",
    ".vhd",
    ".vhdx",
    ".img",
    ".qcow2",
    ".msi",
    ".exe",
    ".dmg",
    ".run",
    ".bin",
    ".gz",
    ".xz",
    ".cab",
    ".wim",
)


# -- what a script does, once -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float
    start: int  # the command's span in the script
    end: int


@dataclass(frozen=True, slots=True)
class Download:
    tool: str  # the command's name (curl, Invoke-WebRequest, ...), or WebClient.<method>
    url: str
    large: str | None  # the file name when the URL names an archive, disk image or installer
    start: int
    end: int
    method: bool = False  # a .NET method call ((New-Object Net.WebClient).DownloadFile(...))


@dataclass(frozen=True, slots=True)
class Restart:
    written: str  # the command as written (Restart-Computer, shutdown)
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class WindowsUpdateCall:
    written: str  # Install-WindowsUpdate, usoclient, ...
    start: int
    end: int


@dataclass
class ScriptFacts:
    sleeps: list[Sleep] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)
    restarts: list[Restart] = field(default_factory=list)
    windows_updates: list[WindowsUpdateCall] = field(default_factory=list)  # the work of a WindowsUpdate customizer


def script_facts(script: Any) -> ScriptFacts:
    """The facts of a collected script (aiblint/scripts/collect.py), computed once while its
    model exists and kept in ``script.summaries`` for the template rules that run later."""
    facts: ScriptFacts | None = script.summaries.get("facts")
    if facts is None:
        facts = shell_facts(script.model) if script.language == "shell" else powershell_facts(script.model)
        script.summaries["facts"] = facts
        if script.language == "powershell":  # what AIB303 reads after the model is freed
            script.summaries["installs"] = installed_software(script.model.commands)
    return facts


_SHELL_DOWNLOADERS = ("curl", "wget", "azcopy")


def shell_facts(model: Any) -> ScriptFacts:
    """model: a ShellModel (aiblint/scripts/shell_model.py)."""
    facts = ScriptFacts()
    for command in model.named(("sleep", *_SHELL_DOWNLOADERS)):
        if command.name == "sleep":
            seconds = sleep_seconds(command.words)
            if seconds is not None:
                facts.sleeps.append(Sleep(seconds, command.start, command.end))
            continue
        url = next((w.text for w in command.args if w.text.startswith(("http://", "https://"))), None)
        if url is not None:  # the first URL is what the command fetches
            facts.downloads.append(Download(command.name, url, large_artifact(url), command.start, command.end))
    return facts


_PS_DOWNLOADERS = ("Invoke-WebRequest", "Start-BitsTransfer")


def powershell_facts(model: Any) -> ScriptFacts:
    """model: a PsModel (aiblint/scripts/powershell.py)."""
    facts = ScriptFacts()
    for command in model.commands:
        if command.name == "Start-Sleep":
            seconds = _start_sleep_seconds(command)
            if seconds is not None:
                facts.sleeps.append(Sleep(seconds, command.start, command.end))
        elif command.name in _PS_DOWNLOADERS or (command.name == "curl" and command.native):
            url = _ps_download_url(command)
            if url:
                facts.downloads.append(Download(command.name, url, large_artifact(url), command.start, command.end))
        elif command.name == "Restart-Computer" or (
            command.name == "shutdown" and command.native and bool({"/r", "-r", "/g", "-g"} & command.native_switches())
        ):
            facts.restarts.append(Restart(command.written, command.start, command.end))
        elif _runs_windows_update(command):
            facts.windows_updates.append(WindowsUpdateCall(command.written, command.start, command.end))
    for member, args, start, end in model.method_calls:
        if member.lower() in ("downloadfile", "downloadfileasync") and args:
            url = args[0].text
            facts.downloads.append(Download(f"WebClient.{member}", url, large_artifact(url), start, end, method=True))
    return facts


# PSWindowsUpdate's cmdlets, and the Windows Update clients a script can start
_WU_CMDLETS = ("install-windowsupdate", "invoke-wujob")  # lower case: module cmdlets keep the case written


def _runs_windows_update(command: Any) -> bool:
    name = command.name.lower()
    if command.native:  # native names are lower case without .exe
        words = {w.lower() for w in command.words()}
        if name == "usoclient":
            return bool(words & {"startinstall", "scaninstallwait"})
        return name == "wuauclt" and bool(words & {"/updatenow", "-updatenow"})
    if name in _WU_CMDLETS:
        return True
    return name == "get-windowsupdate" and bool(command.has("Install"))  # lists updates; -Install installs them


def _start_sleep_seconds(command: Any) -> float | None:
    """``Start-Sleep 5``, ``-Seconds 5`` or ``-Milliseconds 5000``; None when not a number."""
    value = command.value("Seconds")
    millis = command.value("Milliseconds")
    text = value.text if value is not None else (command.positionals[0].text if command.positionals else None)
    if text is not None:
        return finite_float(text)  # "Infinity", "NaN" and 400 digits are no duration
    given = finite_float(millis.text) if millis is not None else None
    return given / 1000 if given is not None else None


def _ps_download_url(command: Any) -> str | None:
    if command.native:  # curl.exe
        return next((w for w in command.words() if w.startswith(("http://", "https://"))), None)
    arg = command.value("Uri", "Source") or (command.positionals[0] if command.positionals else None)
    return arg.text if arg is not None else None


def large_artifact(url: str) -> str | None:
    """The file name when a URL names an archive, disk image or installer."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    name = path.rstrip("/").rsplit("/", 1)[-1]
    lowered = name.lower()
    if lowered.endswith(LARGE_EXTENSIONS):
        return name
    return None


# -- secrets (AIB030) ------------------------------------------------------------------

_SAS = re.compile(r"[?&]sig=[^&\s'\"]{10,}", re.I)
_SAS_CONTEXT = re.compile(r"[?&](sv|se|sp)=", re.I)
_ACCOUNT_KEY = re.compile(r"AccountKey=[A-Za-z0-9+/]{20,}={0,2}", re.I)
_PRIVATE_KEY = re.compile(r"-----BEGIN (RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----")
_SECRET_NAME = re.compile(r"(pass(word|wd)?|secret|token|api_?key|access_?key|client_?secret|sas)$", re.I)
_SECRET_OPTIONS = {"--password", "--client-secret", "--account-key", "--sas-token", "-AccountKey", "-Password", "-ClientSecret"}


def secret_in_text(text: str) -> str | None:
    if _SAS.search(text) and _SAS_CONTEXT.search(text):
        return "a SAS token (sig=...)"
    if _ACCOUNT_KEY.search(text):
        return "a storage account key (AccountKey=...)"
    if _PRIVATE_KEY.search(text):
        return "a private key"
    return None


def _is_literal_secret(value: str | None) -> bool:
    text = value or ""
    return (
        len(text) >= 6
        and "$" not in text
        and not PLACEHOLDER.search(text)
        and text.lower() not in ("password", "secret", "changeme")
        # a command (`cat_passwd='getent passwd'`) or a path (`/etc/passwd`), not a secret
        and not any(char.isspace() for char in text)
        and not text.startswith(("/", "./", "~/"))
    )


def script_secrets(script: Any) -> list[tuple[Span, str, str]]:
    """Literal secrets a Shell script passes to an option or assigns to a secret-named variable.

    Read from the command model once; the script pass calls this while the model exists
    (aiblint/scripts/collect.py) and the answer is kept on the script.
    """
    if "secrets" in script.summaries:
        return script.summaries["secrets"]  # type: ignore[no-any-return]
    found: list[tuple[Span, str, str]] = []
    if script.language == "shell":
        source = script.source
        for command in script.model.commands:
            words = command.args
            for index, word in enumerate(words):
                if word.text in _SECRET_OPTIONS and index + 1 < len(words) and _is_literal_secret(words[index + 1].value):
                    found.append(
                        (
                            source.file_span(words[index + 1].start, words[index + 1].end),
                            f"{word.text} is given a literal secret: it stays in the template and the build log; read it from Key Vault with the build VM's identity",
                            source.line_pointer(source.line_of(word.start)),
                        )
                    )
        for name, value, start, end in script.model.assignments:
            if _SECRET_NAME.search(name) and _is_literal_secret(value):
                found.append(
                    (
                        source.file_span(start, end),
                        f"{name} is assigned a literal secret: it stays in the template and the build log; read it from Key Vault with the build VM's identity",
                        source.line_pointer(source.line_of(start)),
                    )
                )
    elif script.language == "powershell":
        found.extend(_powershell_secrets(script))
    script.summaries["secrets"] = found
    return found


# `"Basic {0}" -f "OjN1..."` or a literal "Basic <token>" / "Bearer <token>" header value
# (a `\"` from a double-escaped JSON string, AIB504's mistake, still delimits the token)
_AUTH_FORMAT = re.compile(r"""["'](?:Basic|Bearer)\s+\{0\}\\?["']\s*-f\s*\\?["']([A-Za-z0-9+/=._-]{16,})\\?["']""", re.I)
_AUTH_LITERAL = re.compile(r"""["'](?:Basic|Bearer)\s+([A-Za-z0-9+/=._-]{16,})\\?["']""", re.I)
_PS_SECRET_PARAMETERS = ("Password", "AccountKey", "ClientSecret", "StorageAccountKey", "SasToken")


# every unique-prefix spelling PowerShell accepts for them (-Pass, -password, -AccountK...)
_SECRET_PARAMETER_PREFIXES = frozenset(name.lower()[:end] for name in _PS_SECRET_PARAMETERS for end in range(2, len(name) + 1))


def _names_secret_parameter(written: str) -> bool:
    """`-Pass`, `-password`, `-AccountKey`: a (prefix of a) secret parameter's name."""
    return written.lower() in _SECRET_PARAMETER_PREFIXES


def _powershell_secrets(script: Any) -> list[tuple[Span, str, str]]:
    """Literal secrets in a PowerShell script: a secret-named variable, ConvertTo-SecureString
    -AsPlainText of a literal, a secret parameter's literal, a literal Authorization header."""
    source = script.source
    found: list[tuple[Span, str, str]] = []

    def add(start: int, end: int, message: str) -> None:
        found.append((source.file_span(start, end), message, source.line_pointer(source.line_of(start))))

    keep = "it stays in the template and the build log; read it from Key Vault with the build VM's identity"
    for name, value, start, end in script.model.assignments:
        if _SECRET_NAME.search(name.lstrip("$").split(":")[-1]) and _is_literal_secret(value):
            add(start, end, f"{name} is assigned a literal secret: {keep}")
    for command in script.model.commands:
        if command.name == "ConvertTo-SecureString" and command.has("AsPlainText"):
            arg = command.value("String") or (command.positionals[0] if command.positionals else None)
            if arg is not None and _is_literal_secret(arg.value):
                add(arg.start, arg.end, f"ConvertTo-SecureString -AsPlainText is given a literal secret: {keep}")
        if command.native or not any(_names_secret_parameter(written) for written, _, _ in command.parameters):
            continue  # the common case, without a parameter lookup per secret name
        for parameter in _PS_SECRET_PARAMETERS:
            arg = command.value(parameter)
            if arg is not None and _is_literal_secret(arg.value) and command.name != "ConvertTo-SecureString":
                add(arg.start, arg.end, f"-{parameter} is given a literal secret: {keep}")
                break
    text = source.text
    for pattern in (_AUTH_FORMAT, _AUTH_LITERAL):
        for match in pattern.finditer(text):
            token = match.group(1)
            if token.lower().startswith(("$", "{")) or not re.search(r"[0-9]", token):
                continue
            add(match.start(1), match.end(1), f"a literal Authorization token (Basic/Bearer) in the script: {keep}")
    return found


# -- software installs (AIB303, AIB505) --------------------------------------------------

_INSTALL_CMDLETS = {
    "add-appxprovisionedpackage", "add-appxpackage", "install-package", "add-windowscapability",
    "install-windowsfeature", "add-windowsfeature", "enable-windowsoptionalfeature", "add-windowspackage",
}  # fmt: skip
_SILENT = {"/s", "/q", "/qn", "/quiet", "/silent", "/verysilent", "--silent", "-silent", "/passive", "/install"}


def is_installer_name(written: str) -> bool:
    """The file name (after the last / or \\) ends in .exe and names setup or install.

    The pattern `(setup|install)[^\\/]*\\.exe$` said the same but rescanned the rest of the
    text from every `install` it met: quadratic on a word repeating it.
    """
    base = written.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return base.endswith(".exe") and ("setup" in base[:-4] or "install" in base[:-4])


def installed_software(commands: list[Any]) -> list[str]:
    """The installs a PowerShell script runs (installers, package managers, Windows features), as written."""
    found = []
    for command in commands:
        name = command.name
        exe = command.native and command.written.lower().endswith(".exe")
        if not (exe or name in ("msiexec", "choco", "winget", "dism") or name.lower() in _INSTALL_CMDLETS):
            continue  # most commands: no argument list to read
        words = [w.lower() for w in command.words()]
        verbs = [w for w in words if not w.startswith("-")][:1]
        if (
            name.lower() in _INSTALL_CMDLETS
            or (name == "msiexec" and {"/i", "/package", "/update", "/p"} & set(words))
            or (name in ("choco", "winget") and verbs in (["install"], ["upgrade"]))
            or (name == "dism" and any(w.startswith(("/add-package", "/enable-feature", "/add-capability")) for w in words))
            or (exe and (is_installer_name(command.written) or _SILENT & set(words)))
        ):
            found.append(command.written)
    return found
