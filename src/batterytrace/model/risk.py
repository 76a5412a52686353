"""Risk findings: one flag set, from the circuits' bits to the passport's vocabulary."""

from __future__ import annotations

from enum import IntFlag


class RiskFlag(IntFlag):
    """Risk findings an auditor recorded for the origin site; they propagate into every descendant."""

    NONE = 0
    CHILD_LABOUR = 1
    HUMAN_RIGHTS = 2
    ARTISANAL = 4
    CONFLICT_AREA = 8

    @property
    def term(self) -> str:
        """The flag's name in the passport document's vocabulary (GBA rulebooks), e.g. "childLabour"."""
        if self.name is None or self.value == 0 or self.value & (self.value - 1):
            raise ValueError(f"{self!r} is not a single risk flag")
        head, *rest = self.name.lower().split("_")
        return head + "".join(part.capitalize() for part in rest)

    @classmethod
    def from_term(cls, term: str) -> RiskFlag:
        """The flag named ``term`` in the document vocabulary."""
        for flag in cls:
            if flag.value and flag.term == term:
                return flag
        raise ValueError(f"{term!r} is not a risk flag (one of {', '.join(flag.term for flag in cls if flag.value)})")

    def singles(self) -> tuple[RiskFlag, ...]:
        """The single flags set in this set, lowest bit first."""
        return tuple(flag for flag in type(self) if flag.value and self & flag)
