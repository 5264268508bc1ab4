"""``--check-urls``: the only mode in which aiblint touches the network.

Each script or file URL gets a HEAD request (a ranged GET where HEAD is refused) with a
short timeout, a few at a time. Results feed AIB022 (the URL cannot be fetched) and
AIB301 (Content-Length over 20 MB). Blob storage URLs without a SAS are fetched by the
build through the template identity, so an anonymous refusal proves nothing: those get
a note, never a finding.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 5.0
WORKERS = 8


@dataclass(frozen=True)
class UrlResult:
    url: str
    status: int | None  # HTTP status, None when no answer
    length: int | None  # Content-Length (or the total of a ranged answer)
    error: str | None  # what went wrong when there is no status

    @property
    def identity_fetched(self) -> bool:
        """Blob storage without a SAS: the build reads it through the template identity."""
        parts = urlsplit(self.url)
        return parts.hostname is not None and parts.hostname.endswith(".blob.core.windows.net") and "sig=" not in parts.query

    @property
    def unreachable(self) -> str | None:
        """Why the build cannot fetch it, or None."""
        if self.identity_fetched:
            return None
        if self.status is not None and self.status >= 400:
            return f"HTTP {self.status}"
        if self.status is None and self.error:
            return self.error
        return None


def _request(url: str, method: str) -> urllib.request.Request:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": "aiblint --check-urls"})
    if method == "GET":
        request.add_header("Range", "bytes=0-0")
    return request


def check(url: str) -> UrlResult:
    for method in ("HEAD", "GET"):
        try:
            with urllib.request.urlopen(_request(url, method), timeout=TIMEOUT_SECONDS) as response:
                length = response.headers.get("Content-Length")
                content_range = response.headers.get("Content-Range", "")
                if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
                    length = content_range.rsplit("/", 1)[1]
                return UrlResult(url, response.status, int(length) if length and length.isdigit() else None, None)
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 501):
                continue  # some servers refuse HEAD: try a one-byte GET
            return UrlResult(url, exc.code, None, None)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return UrlResult(url, None, None, f"no answer ({reason})")
    return UrlResult(url, None, None, "no answer")


def check_all(urls: list[str]) -> dict[str, UrlResult]:
    unique = sorted(set(urls))
    if not unique:
        return {}
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(unique))) as pool:
        return dict(zip(unique, pool.map(check, unique), strict=False))
