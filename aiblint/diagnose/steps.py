"""Which phase the build was in and which step (provisioner) was running, line by line.

Steps come from `(telemetry) Starting provisioner X` / `ending X` when the log has them, and
otherwise from what the lines themselves name: packer plugin names (packer-provisioner-shell,
-windows-update, -windows-restart...), the PowerShell provisioner's script names
(packer-elevated-shell-<id>.ps1, script-<id>.ps1: one id per customizer), the Shell provisioner's
/tmp/script_<n>.sh, the Windows Update script, and the deprovisioning script's path. A phase is
kept with the line that shows it. State is bounded: at most MAX_STEPS steps are kept (the
counters go on), and ending a step is a dictionary look-up, not a scan.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Any

MAX_STEPS = 256
MAX_NAMES = 64  # provisioner names tracked (real logs have a handful; each name's state is bounded)

_START = re.compile(r"\(telemetry\) Starting provisioner ([\w-]{1,64})")
_END = re.compile(r"\(telemetry\) ending ([\w-]{1,64})")
_DEPROVISION_PATH = re.compile(r"DeprovisioningScript\.(ps1|sh)", re.I)
# what a line says about the step it belongs to: (kind, the script that identifies the step)
_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    (
        "windows-update",
        re.compile(
            r"packer-provisioner-windows-update|packer-windows-update(?:-elevated)?\.ps1|Windows update script exited", re.I
        ),
    ),
    ("windows-restart", re.compile(r"packer-provisioner-windows-restart")),
    (
        "powershell",
        re.compile(r"(?P<script>packer-elevated-shell-[\w-]{1,64}\.ps1|\bscript-[\w-]{1,64}\.ps1)|packer-provisioner-powershell"),
    ),
    ("shell", re.compile(r"(?P<script>/tmp/script_\d{1,12}\.sh)|packer-provisioner-shell(?!-local)")),
    ("file", re.compile(r"packer-provisioner-file")),
]
_MARKER_HINT = re.compile(r"packer-|script[-_]|Windows update script|\.ps1", re.I)

# phase markers outside the customizers, most specific first; each with the words that rule it out
_PHASES: list[tuple[str, re.Pattern[str]]] = [
    (
        "cleanup",
        re.compile(
            r'method="DELETE"|deleting individual resources|Deleting (?:the )?(?:resource group|temporary)|Error deleting resource',
            re.I,
        ),
    ),
    (
        "distribution",
        re.compile(r"Failed in distributing|Capturing image|Distribute \d|Skipping image creation|Snapshot ID", re.I),
    ),
    ("connect", re.compile(r"Waiting for (?:WinRM|SSH)|WinRM connected|Connected to SSH", re.I)),
    ("deployment-status", re.compile(r"operationStatuses|Deployment status", re.I)),
    (
        "deployment",
        re.compile(
            r'Deploying deployment template|request method="POST"|Starting deployment|Validating deployment template', re.I
        ),
    ),
    ("customization", re.compile(r"Failed in building/customizing image", re.I)),
]
_NOT_A_PHASE = re.compile(r"cleanup provisioner", re.I)
PHASE_HINT = re.compile(
    r"DELETE|deleting|Deleting|distribut|Distribute|Capturing|Skipping image|Snapshot ID|WinRM|SSH|operationStatuses|Deployment|Deploying|POST|customizing"
)


@dataclass
class Step:
    name: str
    started_line: int
    evidence: str
    ended: bool = False
    deprovisioning: bool = False
    telemetry: bool = False  # started by a (telemetry) line: its end is known
    script: str | None = None
    ordinal: int = 0  # how many user steps of this kind came before it
    template: dict[str, Any] | None = None


@dataclass
class PhaseMark:
    name: str
    line: int
    text: str


class Tracker:
    def __init__(self) -> None:
        self.steps: deque[Step] = deque(maxlen=MAX_STEPS)
        self.total_steps = 0
        self.current: Step | None = None
        self._open: dict[str, list[Step]] = {}  # telemetry steps not ended, per name
        self._counts: dict[str, int] = {}
        self.phase: PhaseMark | None = None
        self.phases_seen: list[str] = []

    # -- phases
    def _set_phase(self, name: str, number: int, text: str) -> None:
        if self.phase is not None and self.phase.name == name:
            return
        self.phase = PhaseMark(name, number, text)
        if name not in self.phases_seen:
            self.phases_seen.append(name)

    # -- steps
    def _new_step(self, name: str, number: int, text: str, telemetry: bool, script: str | None = None) -> Step:
        if self.current is not None and not self.current.telemetry:
            self.current.ended = True  # steps run one after another: the inferred one before has ended
        step = Step(name, number, text, telemetry=telemetry, script=script, ordinal=self._counts.get(name, 0))
        if name in self._counts or len(self._counts) < MAX_NAMES:
            self._counts[name] = step.ordinal + 1
        self.steps.append(step)
        self.total_steps += 1
        self.current = step
        if telemetry and (name in self._open or len(self._open) < MAX_NAMES):
            stack = self._open.setdefault(name, [])
            stack.append(step)
            del stack[:-16]  # starts without ends: keep the latest only
        return step

    def _deprovisioning(self, number: int, text: str) -> None:
        step = self.current
        hidden = (
            step is not None
            and not step.ended
            and (step.deprovisioning or (step.telemetry and step.name in ("powershell", "shell")))
        )
        if step is None or not hidden:
            step = self._new_step("powershell" if ".ps1" in text.lower() else "shell", number, text, telemetry=False)
        if not step.deprovisioning:
            step.deprovisioning = True
            if step.name in self._counts:
                self._counts[step.name] = max(0, self._counts[step.name] - 1)
        self._set_phase("deprovisioning", number, text)

    def _end(self, name: str) -> None:
        stack = self._open.get(name)
        if not stack:
            return
        step = stack.pop()
        step.ended = True
        if not stack:
            del self._open[name]  # names come and go: keep only those with open steps
        if self.current is step:
            self.current = None

    def _inferred(self, number: int, text: str) -> None:
        for kind, pattern in _MARKERS:
            found = pattern.search(text)
            if found is None:
                continue
            script = found.groupdict().get("script")
            step = self.current
            if step is not None and not step.ended and step.deprovisioning and kind in ("powershell", "shell"):
                return  # the hidden deprovisioning step runs its script through the same provisioner
            same_kind = step is not None and not step.ended and step.name == kind
            if same_kind and step is not None and (script is None or step.script in (None, script)):
                step.script = step.script or script
                return
            if step is not None and step.telemetry and not step.ended:
                return  # the telemetry line said which step runs; a plugin name does not override it
            self._new_step(kind, number, text, telemetry=False, script=script)
            self._set_phase("customization", number, text)
            return

    def feed(self, number: int, text: str) -> None:
        """One normalised line that passed the cheap prefilter."""
        if "telemetry" in text:
            start = _START.search(text)
            if start:
                self._new_step(start.group(1), number, text, telemetry=True)
                self._set_phase("customization", number, text)
                return
            end = _END.search(text)
            if end:
                self._end(end.group(1))
                return
        if _DEPROVISION_PATH.search(text):
            self._deprovisioning(number, text)
            return
        if _MARKER_HINT.search(text):
            self._inferred(number, text)
        if PHASE_HINT.search(text) and not _NOT_A_PHASE.search(text):
            for name, pattern in _PHASES:
                if pattern.search(text):
                    in_steps = self.phase is not None and self.phase.name in ("customization", "deprovisioning")
                    if not (name == "connect" and in_steps):
                        self._set_phase(name, number, text)
                    break

    @property
    def last_open(self) -> Step | None:
        for step in reversed(self.steps):
            if not step.ended:
                return step
        return None
