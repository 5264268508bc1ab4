"""Script models shared by identical scripts of the instances of one copied image template.

A resource-level ``copy`` loop lints the same image template once per copyIndex()
(aiblint/locate.py); most of its scripts are the same text in every instance. The model (the
tree-sitter parse and the command model) and what is derived from the text alone (script
facts, the syntax verdict: ``model.derived``) depend on nothing but the language and the
text, so one parse serves every instance. The rules still run per instance: their findings
depend on where the text comes from and on the template around it.

Memory stays bounded: the cache lives only while one resource's instances are linted, keeps
only the models the last instance used (a script that differs per instance is dropped after
the next one), and holds at most MAX_CACHED_CHARS characters of script text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiblint.scripts.collect import Script

MAX_CACHED_CHARS = 1_000_000  # of script text; a model weighs ~50 bytes per character of its script


class SharedModels:
    def __init__(self) -> None:
        self._models: dict[tuple[str, str], tuple[Any, bool]] = {}  # (language, text) -> (model, too deep)
        self._used: set[tuple[str, str]] = set()
        self._chars = 0
        self.parses_saved = 0

    def lend(self, script: Script) -> bool:
        """Give ``script`` the model of an identical script already parsed; False: none."""
        key = (script.language, script.source.text)
        entry = self._models.get(key)
        if entry is None:
            return False
        script.__dict__["model"], script.too_deep = entry
        self._used.add(key)
        self.parses_saved += 1
        return True

    def keep(self, script: Script) -> None:
        """Keep ``script``'s model (built, its rules run) for the next instances, room allowing."""
        key = (script.language, script.source.text)
        model = script.__dict__.get("model")
        if model is None or key in self._models or self._chars + len(key[1]) > MAX_CACHED_CHARS:
            return
        self._models[key] = (model, script.too_deep)
        self._chars += len(key[1])
        self._used.add(key)

    def next_instance(self) -> None:
        """One instance is done: drop the models it did not use."""
        for key in [key for key in self._models if key not in self._used]:
            del self._models[key]
            self._chars -= len(key[1])
        self._used = set()
