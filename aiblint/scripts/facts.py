"""Facts about scripts that rules and the build-time estimate share.

Sleep durations, the names of large artifacts a URL downloads, and literal secrets: the
analysis layer computes them once; rules (aiblint/rules/*) and aiblint/estimate.py read them.
"""

from __future__ import annotations

import re
from typing import Any

from aiblint.diagnostics import Span
from aiblint.literals import PLACEHOLDER

_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def sleep_seconds(words: list[str]) -> float | None:
    total = 0.0
    for word in words:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", word)
        if not match:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
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
    script.summaries["secrets"] = found
    return found
