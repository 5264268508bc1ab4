"""Front ends for templates not written in JSON: Bicep and Terraform.

Each reads its language into the node tree the JSON parser produces (``Document``), every
node pointing at its own source, so every rule runs unchanged. The grammars are imported
only when such a file is seen (linting JSON imports neither).
"""

from __future__ import annotations

from pathlib import Path

from aiblint.jsontree import Document, JsonSyntaxError, LineIndex

BICEP_SUFFIXES = (".bicep", ".bicepparam")
TERRAFORM_SUFFIXES = (".tf",)
SUFFIXES = BICEP_SUFFIXES + TERRAFORM_SUFFIXES


def language_of(name: str) -> str:
    """``bicep``, ``terraform`` or ``json`` (everything else), from the file name."""
    lowered = name.lower()
    if lowered.endswith(BICEP_SUFFIXES):
        return "bicep"
    if lowered.endswith(TERRAFORM_SUFFIXES):
        return "terraform"
    return "json"


def parse_source(text: str, display: str, path: Path | None, language: str) -> Document:
    """The file as the node tree its JSON twin would give; ``JsonSyntaxError`` when unreadable."""
    from aiblint.frontends.values import OverBudget, end_budget, escape_for_arm, place, start_budget

    text = text[1:] if text.startswith("\ufeff") else text
    if language == "bicep":
        from aiblint.frontends.bicep import read
    else:
        from aiblint.frontends.terraform import read  # type: ignore[no-redef]
    budget = start_budget()
    try:
        root, _count, loader, notes, errors, edit_map = read(text, display, path)
        placed = place(escape_for_arm(root), "")
    except RecursionError:
        raise JsonSyntaxError("nesting too deep to read", 0) from None
    except OverBudget:  # built outside any one value (each value's evaluation catches its own)
        raise JsonSyntaxError("the file's values are past aiblint's evaluation bounds", 0) from None
    except (JsonSyntaxError, MemoryError):
        raise
    except Exception as exc:  # a bug in a front end: reported like a crashing rule, other files still run
        from aiblint.context import InternalError

        raise InternalError(f"the {language} front end failed on {display}: {type(exc).__name__}: {exc}") from exc
    finally:
        end_budget(budget)
    return Document(
        text=text,
        root=placed,  # type: ignore[arg-type]
        had_bom=False,
        comments=[],
        trailing_commas=[],
        duplicate_keys=[],
        lines=LineIndex(text),
        language=language,
        other_files=dict(loader.lines),
        notes=notes,
        syntax_errors=errors,
        edit_map=edit_map,
    )
