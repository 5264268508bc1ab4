"""``aiblint lsp``: the language server. pygls is imported only here (the ``lsp`` extra)."""

from __future__ import annotations

import sys


def run_server() -> int:
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        print("aiblint: error: the language server needs the lsp extra: pip install 'aiblint[lsp]'", file=sys.stderr)
        return 2
    from aiblint.lsp.server import serve

    return serve()
