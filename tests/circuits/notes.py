"""Notes, parties and trees shared by the shielded-ledger circuit tests (custody and origin now;
transform next): parties with shielding keys and participants-tree leaves, and a ledger whose note
and participants trees hold the notes and parties a test uses among unrelated leaves."""

from __future__ import annotations

from dataclasses import dataclass

from batterytrace.model.registry import FacilityType
from batterytrace.zk.custody import AUDITOR_ROLE_INDEX, CustodyOperation, Participant, custody_inputs, custody_successor
from batterytrace.zk.merkle import LeanIMT
from batterytrace.zk.notes import MetalValues, Note, NoteState, NoteValues
from batterytrace.zk.origin import (
    COBALT_HYDROXIDE,
    CertificationWindow,
    Site,
    TypeFloors,
    origin_inputs,
    origin_note,
    origin_tag,
)
from batterytrace.zk.poseidon import poseidon

#: IRegistry.FacilityType of the lithium and nickel origin types.
BRINE, HARD_ROCK, NICKEL = 8, 9, 10
SHIELDING_DOMAIN = int.from_bytes(b"batterytrace.shielding.v1", "big")
CONTEXT = 0xC0FFEE
MINER_ROLE_INDEX, PROCESSOR_ROLE_INDEX = 2, 3


@dataclass(frozen=True)
class Party:
    secret: int
    participant: Participant

    @property
    def key(self) -> int:
        return self.participant.shielding_key


def party(secret: int, account: int, role_index: int, risk_flags: int = 0) -> Party:
    return Party(secret, Participant(account, role_index, risk_flags, poseidon([SHIELDING_DOMAIN, secret])))


def participant_leaf(p: Participant) -> int:
    return poseidon([p.account | p.role_index << 160 | p.risk_flags << 168, p.shielding_key])


MINE = party(111, 0x1111111111111111111111111111111111111111, MINER_ROLE_INDEX, risk_flags=0b100)
REFINERY = party(222, 0x2222222222222222222222222222222222222222, PROCESSOR_ROLE_INDEX)
AUDITOR = party(333, 0x3333333333333333333333333333333333333333, AUDITOR_ROLE_INDEX)
OUTSIDER = party(444, 0x4444444444444444444444444444444444444444, PROCESSOR_ROLE_INDEX)
REGISTERED = (MINE, REFINERY, AUDITOR)

NONE = MetalValues()
BAG = NoteValues((MetalValues(700_000, 700_000, 0, 0), NONE, NONE), total_grams=2_000_000, co2e_grams=3_500_000,
                 risk_flags=4)


def note(state: NoteState = NoteState.ACTIVE, owner: Party = MINE, counterparty: Party | None = None) -> Note:
    return Note(BAG, kind=1, owner=owner.key, tag=0xBA6, state=state,
                counterparty=counterparty.key if counterparty else 0, blinding=0x5EED + int(state))


class Ledger:
    """A note tree and a participants tree with some unrelated leaves around the ones used."""

    def __init__(self, notes: list[Note], registered: tuple[Party, ...] = REGISTERED) -> None:
        self.notes = LeanIMT([7, 8, 9] + [n.commitment for n in notes] + [10, 11])
        self.participants = LeanIMT([participant_leaf(p.participant) for p in registered] + [12])

    def inputs(self, spent: Note, operation: CustodyOperation, actor: Party, *, receiver: Party | None = None,
               successor: Note | None = None, context: int = CONTEXT) -> dict[str, object]:
        successor = successor or custody_successor(spent, operation, actor.participant,
                                                   receiver=receiver.key if receiver else 0, blinding=0xB1)
        # An actor outside the tree proves with another leaf's path: the circuit must refuse that.
        actor_proof = self.participants.proof(participant_leaf(actor.participant)) \
            if self.participants.has(participant_leaf(actor.participant)) \
            else self.participants.proof(self.participants.leaves[0])
        return custody_inputs(spent, self.notes.proof(spent.commitment), successor, operation,
                              actor.participant, actor.secret, actor_proof, context)


#: Each custody step's honest start: the note it spends (owner, state, counterparty), who acts, and
#: the receiver of an offer.
CUSTODY_STEPS = {
    CustodyOperation.OFFER: (note(), MINE, REFINERY),
    CustodyOperation.CANCEL: (note(NoteState.OFFERED, REFINERY, MINE), MINE, None),
    CustodyOperation.ACCEPT: (note(NoteState.OFFERED, REFINERY, MINE), REFINERY, None),
    CustodyOperation.DISPUTE: (note(NoteState.OFFERED, REFINERY, MINE), REFINERY, None),
    CustodyOperation.DELIVER: (note(NoteState.DISPUTED, REFINERY, MINE), AUDITOR, None),
    CustodyOperation.RETURN: (note(NoteState.DISPUTED, REFINERY, MINE), AUDITOR, None),
}


def custody_scenario(operation: CustodyOperation) -> dict[str, object]:
    """The honest inputs of one custody step (CUSTODY_STEPS), in a ledger of a few notes."""
    spent, actor, receiver = CUSTODY_STEPS[operation]
    return Ledger([spent]).inputs(spent, operation, actor, receiver=receiver)


# -- origin mints ------------------------------------------------------------------------------------

NOW = 1_790_000_000
FLOORS = TypeFloors.of_types({int(FacilityType.INDUSTRIAL_MINE): 5_000, int(FacilityType.ARTISANAL_SITE): 4_000,
                               int(FacilityType.RECYCLER): 1_000, BRINE: 3_000, HARD_ROCK: 7_000, NICKEL: 6_500})
RECYCLER_PARTY = party(555, 0x5555555555555555555555555555555555555555, 7, risk_flags=0)
COUNTRY_CD = int.from_bytes(b"CD", "big")

MINE_SITE = Site(MINE.participant.account, 3, int(FacilityType.INDUSTRIAL_MINE), 0, 0, 6_000, COUNTRY_CD)
ARTISANAL = Site(MINE.participant.account, 4, int(FacilityType.ARTISANAL_SITE), 4, 0, 0, COUNTRY_CD)
RECYCLING = Site(RECYCLER_PARTY.participant.account, 5, int(FacilityType.RECYCLER), 0, 200, 0,
                 int.from_bytes(b"BE", "big"), 3_000)
BRINE_SITE = Site(MINE.participant.account, 7, BRINE, 0, 0, 0, int.from_bytes(b"CL", "big"))
NICKEL_SITE = Site(MINE.participant.account, 8, NICKEL, 0, 0, 0, int.from_bytes(b"ID", "big"))
REFINING = Site(REFINERY.participant.account, 6, int(FacilityType.REFINERY), 0, 200, 0, COUNTRY_CD)
CERTIFICATION = CertificationWindow(9, MINE_SITE.facility_id, 0, NOW - 86_400, NOW + 86_400)


def site_leaf(site: Site) -> int:
    """The facility leaf as IMembershipRoots lays it out, computed here rather than by the model's twin."""
    packed = (site.facility_id | site.facility_type << 32 | site.risk_flags << 40 | site.max_yield_loss_bps << 48
              | site.co2e_floor_grams_per_kg << 64 | site.country << 96 | site.recycled_pre_consumer_bps << 112)
    return poseidon([site.operator, packed])


def certification_leaf(window: CertificationWindow) -> int:
    return poseidon([window.certification_id | window.facility_id << 64 | window.scheme << 96,
                     window.valid_from | window.end << 64])


class Registry:
    """The three registry trees, with unrelated leaves around the ones used."""

    def __init__(self, certifications: tuple[CertificationWindow, ...] = (CERTIFICATION,)) -> None:
        self.participants = LeanIMT([11, participant_leaf(MINE.participant), participant_leaf(REFINERY.participant),
                                     participant_leaf(RECYCLER_PARTY.participant), 12])
        self.facilities = LeanIMT([21] + [site_leaf(s) for s in (MINE_SITE, ARTISANAL, RECYCLING, REFINING,
                                                                         BRINE_SITE, NICKEL_SITE)])
        self.certifications = LeanIMT([31, 32] + [certification_leaf(c) for c in certifications])

    def inputs(self, note, minter, site: Site, *, certification: CertificationWindow | None = None,
               external_id: int = 0xE4, proof_time: int = NOW, **overrides) -> dict[str, object]:
        inputs = origin_inputs(
            note, secret=minter.secret, minter=minter.participant,
            participant_proof=self.participants.proof(participant_leaf(minter.participant)), site=site,
            facility_proof=self.facilities.proof(site_leaf(site)), certification=certification,
            certification_proof=self.certifications.proof(certification_leaf(certification)) if certification else None,
            certifications_root=self.certifications.root, proof_time=proof_time, floors=FLOORS,
            external_id=external_id, context=CONTEXT)
        return {**inputs, **overrides}


def mined(site: Site = MINE_SITE, minter=MINE, *, certified: bool = True, kind: int = COBALT_HYDROXIDE,
          cobalt: int = 700_000, co2e: int = 4_900_000, operator_flags: int | None = None, external_id: int = 0xE4,
          lithium: int = 0, nickel: int = 0):
    return origin_note(owner=minter.key, secret=minter.secret, site=site,
                       operator_flags=minter.participant.risk_flags if operator_flags is None else operator_flags,
                       kind=kind, grams=(cobalt, lithium, nickel), total_grams=2_000_000, co2e_grams=co2e,
                       external_id=external_id, floors=FLOORS, certified=certified, blinding=0xB1)


def forged(site: Site, minter, *, kind: int = COBALT_HYDROXIDE) -> Note:
    """An origin note built by hand, past the twin's checks."""
    values = NoteValues((MetalValues(700_000, 0, 0, 0), NONE, NONE), 2_000_000, 4_900_000, site.risk_flags)
    return Note(values, kind=kind, owner=minter.key, tag=origin_tag(minter.secret, site.facility_id, 0xE4),
                blinding=0xB1)
