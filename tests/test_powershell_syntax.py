"""AIB500's lexer: what breaks PowerShell's parser, and what only looks like it does.

No PowerShell can be installed here to ask, so the verdicts are PowerShell's documented
tokenizer rules (about_Quoting_Rules, about_Comments, about_Special_Characters).
"""

from __future__ import annotations

import pytest

from aiblint.scripts.powershell_syntax import check

VALID = [
    "Write-Host 'it''s fine'",
    'Write-Host "say `"hi`" now"',
    'Write-Host "it\'s" \'say "hi"\'',
    'Write-Host "total: $(Get-Date -Format "yyyy") done"',
    "$h = @{ a = 1; b = @(1, 2) }",
    "@'\nraw ( { [ text\n'@\nWrite-Host done",
    '@"\nexpanded $x\n"@',
    "<# a block comment with ( and ' #>\nWrite-Host x",
    "Write-Host x # a comment with ( and '",
    "Write-Host C# and F#",
    "Invoke-WebRequest -Uri (Get-Url https://example.com/docs/#top) -OutFile x.html",
    "Get-ChildItem `\n  -Recurse",
    "[string]$x = [System.IO.Path]::GetTempPath()",
]

INVALID = [
    ("Write-Host (Get-Date", "'(' is never closed"),
    ("if ($x) { Write-Host y", "'{' is never closed"),
    ("Write-Host 'abc", "'"),
    ('Write-Host "abc', '"'),
    ("@'\nnever closed", "here-string"),
    ("<# never closed", "block comment"),
    ("Write-Host x)", "unexpected ')'"),
]


@pytest.mark.parametrize("text", VALID)
def test_valid_powershell_is_quiet(text):
    assert check(text) is None


@pytest.mark.parametrize(("text", "expected"), INVALID)
def test_broken_powershell_is_found(text, expected):
    problem = check(text)
    assert problem is not None and expected in problem.message
