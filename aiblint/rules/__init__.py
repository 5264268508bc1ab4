"""Rule modules, one per family. Importing this package registers every rule."""

from aiblint.rules import powershell, schema_rules, shell, structure, template_rules, values  # noqa: F401
