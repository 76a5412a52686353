"""Pack notes and passport claims shared by the pack-claim circuit tests: a pack maker's active pack
note among unrelated notes (notes.py's Ledger, with a pack maker and an OEM registered), claims
exactly at the note's values, and the inputs a prover sends, honest (through the SDK's twin) or
cheating (past it)."""

from __future__ import annotations

from dataclasses import replace

from batterytrace.zk.notes import MetalValues, Note, NoteState, NoteValues
from batterytrace.zk.pack_claim import PACK, PackClaims, pack_claim_inputs

from .lots import ARTISANAL_SITE, CHILD_LABOUR, CONFLICT_AREA
from .notes import AUDITOR, CONTEXT, MINE, Ledger, Party, participant_leaf, party

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
#: Every claim exactly at the pack's values; child labour and conflict areas forbidden.
CLAIMS = PackClaims(declared_grams=(8_000, 7_000, 40_000), min_certified_bps=(4_000, 5_000, 7_500),
                    min_pre_consumer_bps=(1_000, 600, 500), min_post_consumer_bps=(1_500, 800, 1_000),
                    max_co2e_grams_per_kg_cobalt=7_500, max_co2e_grams_per_kwh=800,
                    capacity_wh=CAPACITY_WH, forbidden_risk_flags=CHILD_LABOUR | CONFLICT_AREA)


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

    def claim_inputs(self, note: Note, issuer: Party = PACK_MAKER, claims: PackClaims = CLAIMS,
                     context: int = CONTEXT) -> dict[str, object]:
        """The honest inputs, laid out (and checked) by the SDK's twin."""
        return pack_claim_inputs(note, self.notes.proof(note.commitment), claims, issuer.participant, issuer.secret,
                                 self.issuer_proof(issuer), context)

    def forged_inputs(self, note: Note, issuer: Party = PACK_MAKER, claims: PackClaims = CLAIMS,
                      **overrides: object) -> dict[str, object]:
        """What a cheating issuer sends for `note` (a leaf of the tree), past the twin's checks: the
        note's values, tag and blinding with its path in the tree, as if it were an active pack of the
        issuer; then `claims` and `overrides` as given."""
        as_pack = replace(note, kind=PACK, owner=issuer.key, state=NoteState.ACTIVE, counterparty=0)
        path = replace(self.notes.proof(note.commitment), leaf=as_pack.commitment)
        laid_out = pack_claim_inputs(as_pack, path, PackClaims.tightest(as_pack, CAPACITY_WH),
                                     issuer.participant, issuer.secret, self.issuer_proof(issuer), CONTEXT)
        return {**laid_out, **claims.circuit_inputs(), **overrides}


def pack_scenario() -> dict[str, object]:
    """The honest inputs of a passport claimed from the pack maker's pack, in a ledger of a few notes."""
    pack = pack_note()
    return PassportLedger([pack_note(OEM), pack]).claim_inputs(pack)
