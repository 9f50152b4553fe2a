"""What a cleaning run hands back: the clean HTML and what was removed, and why."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Removal:
    """One thing taken out of (or replaced in) a post, explained for editors in German.

    `needles` are strings to look for in the source file, best first, to find the line."""

    what: str  # e.g. "<iframe>", "Attribut onclick", "Link „javascript:…“"
    reason: str  # e.g. "externe Inhalte werden nicht eingebunden"
    action: str = "entfernt"
    needles: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.what} {self.action} – {self.reason}"

    def to_json(self) -> dict:
        return {"what": self.what, "reason": self.reason, "action": self.action,
                "needles": list(self.needles)}

    @classmethod
    def from_json(cls, data: dict) -> Removal:
        return cls(data["what"], data["reason"], data["action"], tuple(data["needles"]))


@dataclass(frozen=True)
class CleanResult:
    html: str
    removals: list[Removal] = field(default_factory=list)
    source: str | None = None  # where the HTML came from, shown in messages()

    def messages(self) -> list[str]:
        """One German line per removal, prefixed with the source if known."""
        prefix = f"{self.source}: " if self.source else ""
        return [f"{prefix}{removal}" for removal in self.removals]
