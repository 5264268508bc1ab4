"""Script analysis: Shell (tree-sitter-bash) and PowerShell (tree-sitter-pwsh) command models."""
