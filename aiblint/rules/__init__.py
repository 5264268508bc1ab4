"""Rule modules, one per family. Importing this package registers every rule."""

from aiblint.rules import shell, structure  # noqa: F401
