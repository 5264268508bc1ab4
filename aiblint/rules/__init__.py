"""Rule modules, one per family. Importing this package registers every rule."""

from aiblint.rules import structure  # noqa: F401
