"""Comments are found from the `#` characters of the script; this checks that against a walk
over every node of the tree, for both languages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aiblint.scripts.powershell import _parser as powershell_parser
from aiblint.scripts.powershell import analyse as analyse_powershell
from aiblint.scripts.shell import analyse as analyse_shell
from aiblint.scripts.shell import parse_tree

SHELL_PIECES = [
    "echo a",
    "# a comment",
    "echo '# not a comment'",
    'echo "# nor this"',
    "echo ${#x} $#",
    "curl https://example.com/#top",
    "x=1 # trailing",
    "## double",
    "echo a#b",
    "cat <<EOF\n# heredoc text\nEOF",
    "if true; then # why\n  echo ok\nfi",
    "y=$(ls # inside\n)",
    "é # non-ASCII before",
]
POWERSHELL_PIECES = [
    "Write-Host a",
    "# a comment",
    "<# a block\ncomment #>",
    "Write-Host '# not a comment'",
    'Write-Host "# nor this"',
    "Write-Host C# and https://x/#top",
    "$x = 1 # trailing",
    "Get-Date <# inline #> | Out-Null",
    "@'\n# here-string text\n'@",
]


def _comment_starts(root) -> list[int]:  # type: ignore[no-untyped-def]
    found = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            found.append(node.start_byte)
        stack.extend(node.children)
    return sorted(found)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SHELL_PIECES), min_size=1, max_size=8))
def test_shell_comments_match_a_full_walk(pieces):
    text = "\n".join(pieces)
    tree, _ = parse_tree(text)  # non-ASCII becomes `a`: byte offsets are character offsets
    assert [c.start for c in analyse_shell(text).comments] == _comment_starts(tree.root_node)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(POWERSHELL_PIECES), min_size=1, max_size=8))
def test_powershell_comments_match_a_full_walk(pieces):
    text = "\n".join(pieces)  # ASCII only: byte offsets are character offsets
    tree = powershell_parser().parse(text.encode())
    assert [c.start for c in analyse_powershell(text).comments] == _comment_starts(tree.root_node)
