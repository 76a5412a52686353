"""Pack notes shared by the passport circuit tests (pack_batch_notes.py): a pack maker's active pack
note among unrelated notes (notes.py's Ledger, with a pack maker and an OEM registered)."""

from __future__ import annotations

from batterytrace.zk.notes import MetalValues, Note, NoteState, NoteValues
from batterytrace.zk.pack_batch import PACK

from .lots import ARTISANAL_SITE
from .notes import AUDITOR, MINE, Ledger, Party, participant_leaf, party

PACK_MAKER_ROLE_INDEX, OEM_ROLE_INDEX = 5, 6
MODULE = 8  # MaterialKind.MODULE (model/lots.py): the kind just below a pack

PACK_MAKER = party(666, 0x6666666666666666666666666666666666666666, PACK_MAKER_ROLE_INDEX)
OEM = party(777, 0x7777777777777777777777777777777777777777, OEM_ROLE_INDEX, risk_flags=0b10)
PASSPORT_PARTIES = (MINE, PACK_MAKER, OEM, AUDITOR)

# 8 kg of cobalt in a 75 kWh pack: 40% certified, 10% pre- and 15% post-consumer recycled; 7 kg of
# lithium: 50% certified, 6% pre- and 8% post-consumer; 40 kg of nickel: 75% certified, 5% and 10%;
# 60 kg CO2e (7.5 kg per kg of cobalt, 800 g per kWh), from an artisanal site.
CAPACITY_WH = 75_000
PACK_VALUES = NoteValues((MetalValues(8_000, 3_200, 800, 1_200), MetalValues(7_000, 3_500, 420, 560),
                          MetalValues(40_000, 30_000, 2_000, 4_000)), total_grams=450_000, co2e_grams=60_000,
                         risk_flags=ARTISANAL_SITE)
def pack_note(owner: Party = PACK_MAKER, *, kind: int = PACK, state: NoteState = NoteState.ACTIVE,
              counterparty: Party | None = None, values: NoteValues = PACK_VALUES) -> Note:
    return Note(values, kind=kind, owner=owner.key, tag=0x9AC7, state=state,
                counterparty=counterparty.key if counterparty else 0, blinding=0x5EED9AC + kind + int(state))


class PassportLedger(Ledger):
    """A note tree holding the notes given and a participants tree holding PASSPORT_PARTIES."""

    def __init__(self, notes: list[Note], registered: tuple[Party, ...] = PASSPORT_PARTIES) -> None:
        super().__init__(notes, registered)

    def issuer_proof(self, issuer: Party):
        # An issuer outside the tree proves with another leaf's path: the circuit must refuse that.
        leaf = participant_leaf(issuer.participant)
        return self.participants.proof(leaf if self.participants.has(leaf) else self.participants.leaves[0])
