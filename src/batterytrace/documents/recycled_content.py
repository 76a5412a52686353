"""Recycled content per metal: the Battery Pass Circularity fields from the proven shares, and the
minimums of Reg. (EU) 2023/1542 Art. 8 beside them.

Annex XIII (1e) makes eight figures public: the pre- and post-consumer recycled shares of cobalt,
lithium, nickel and lead. The document states them from the claim proof (lower bounds, in percent),
never from the maker's word. Lead is not traced: the ledger carries cobalt, lithium and nickel only
(a Li-ion pack holds no lead), so its two shares are stated 0 and unproven.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from batterytrace.documents.passport_input import ProvenClaims, RecycledMaterial
from batterytrace.exceptions import PassportError
from batterytrace.model.lots import METAL_NAMES

#: The dates Art. 8(2) and Art. 8(3) set their minimums from.
ART8_DATES = (date(2031, 8, 18), date(2036, 8, 18))

#: Art. 8(2) and 8(3): the minimum recycled share (pre- and post-consumer together) of each material in
#: the active materials of an EV, industrial or SLI battery, from each of ``ART8_DATES``, in basis points.
ART8_MINIMUM_BPS: Mapping[RecycledMaterial, tuple[int, int]] = {
    RecycledMaterial.COBALT: (1_600, 2_600),
    RecycledMaterial.LITHIUM: (600, 1_200),
    RecycledMaterial.NICKEL: (600, 1_500),
    RecycledMaterial.LEAD: (8_500, 8_500),
}

#: The document's materials the ledger traces, by the ledger's metal names.
TRACED_MATERIALS: Mapping[str, RecycledMaterial] = {
    "cobalt": RecycledMaterial.COBALT,
    "lithium": RecycledMaterial.LITHIUM,
    "nickel": RecycledMaterial.NICKEL,
}

#: What the document and page say of lead.
LEAD_UNPROVEN = "not traced: the ledger carries no lead (Li-ion)"


def percent_number(basis_points: int) -> int | float:
    """A share in the schema's percent: whole percents stay integers, others become 2-decimal floats."""
    return basis_points // 100 if basis_points % 100 == 0 else basis_points / 100


def recycled_content_entries(claims: ProvenClaims) -> list[dict[str, Any]]:
    """The Circularity aspect's ``recycledContent``: for cobalt, lithium and nickel the pre- and
    post-consumer shares the claim proof establishes at least; lead at 0 for both, unproven because
    the ledger carries no lead (a Li-ion pack holds none to trace)."""
    entries = [
        {
            "recycledMaterial": TRACED_MATERIALS[name].value,
            "preConsumerShare": percent_number(metal.min_pre_consumer_share_bps),
            "postConsumerShare": percent_number(metal.min_post_consumer_share_bps),
        }
        for name, metal in claims.by_metal()
    ]
    entries.append({"recycledMaterial": RecycledMaterial.LEAD.value, "preConsumerShare": 0, "postConsumerShare": 0})
    return entries


@dataclass(frozen=True)
class RecycledRow:
    """One material as the page shows it: the proven figures (None for lead, which is not traced) and
    its Art. 8 minimums."""

    material: RecycledMaterial
    grams_traced: int | None
    min_certified_bps: int = 0
    min_pre_consumer_bps: int = 0
    min_post_consumer_bps: int = 0

    @property
    def min_recycled_bps(self) -> int:
        return self.min_pre_consumer_bps + self.min_post_consumer_bps

    @property
    def minimums_bps(self) -> tuple[int, int]:
        return ART8_MINIMUM_BPS[self.material]

    def meets(self, minimum_bps: int) -> bool | None:
        """Whether the proven recycled share reaches ``minimum_bps``; None where nothing is proven."""
        if not self.grams_traced:
            return None
        return self.min_recycled_bps >= minimum_bps


def recycled_rows(claims: Mapping[str, Any]) -> list[RecycledRow]:
    """The page's rows, cobalt, lithium, nickel then lead, from a document's ``batterytraceClaims``."""
    metals = claims.get("metals")
    if not isinstance(metals, Mapping) or any(not isinstance(metals.get(name), Mapping) for name in METAL_NAMES):
        raise PassportError(f"the document's batterytraceClaims.metals must hold {', '.join(METAL_NAMES)}")
    try:
        rows = [
            RecycledRow(TRACED_MATERIALS[name], int(metals[name]["gramsTraced"]), int(metals[name]["minCertifiedShareBps"]),
                        int(metals[name]["minPreConsumerRecycledShareBps"]),
                        int(metals[name]["minPostConsumerRecycledShareBps"]))
            for name in METAL_NAMES
        ]
    except (KeyError, TypeError, ValueError) as error:
        raise PassportError(f"the document's batterytraceClaims.metals lacks or garbles a figure: {error!r}") from error
    rows.append(RecycledRow(RecycledMaterial.LEAD, None))
    return rows
