"""A fresh shielded ledger (contracts/ShieldedLedger.sol) beside the sandbox's registry, for the
tests that build calls by hand: deploy it with its verifiers, and build, prove and relay origin
mints and custody steps from the zk layer's twins and a participant's synced registry trees (the
SDK's own operations go through the deployment's ledger: tests/ledger/test_custody.py)."""

from __future__ import annotations

from dataclasses import dataclass

from web3.logs import DISCARD

from batterytrace.evm.artifacts import load
from batterytrace.model.membership import ROLE_INDEX, MembershipSet, participant_key
from batterytrace.model.registry import FacilityType
from batterytrace.zk.custody import CustodyOperation, Participant, custody_inputs, custody_successor
from batterytrace.zk.merkle import LeanIMT
from batterytrace.zk.notes import Note
from batterytrace.zk.origin import (
    COBALT_HYDROXIDE,
    ORIGIN_TYPES,
    CertificationWindow,
    Site,
    TypeFloors,
    origin_inputs,
    origin_note,
)

CONTRACTS = ("ShieldedLedger", "OriginVerifier", "CustodyVerifier", "NoteTransformVerifier")
OPENINGS = [b"opening encrypted for the owner", b"opening encrypted for the auditor"]


@dataclass
class Ledger:
    world: object
    contract: object
    address: str
    relayer: object
    notes: LeanIMT

    def send(self, function, description: str):
        return self.world.chain.transact(self.relayer, function, description)


def compiled_ledger() -> dict:
    """The ledger and its verifiers as shipped (a fresh ledger per test keeps its note tree empty)."""
    return {name: load(name) for name in CONTRACTS}


def deploy_ledger(world, compiled) -> tuple[object, str]:
    chain, admin = world.chain, world.admin.signer
    origin_verifier, _ = chain.deploy_artifact(admin, compiled["OriginVerifier"])
    custody_verifier, _ = chain.deploy_artifact(admin, compiled["CustodyVerifier"])
    transform_verifier, _ = chain.deploy_artifact(admin, compiled["NoteTransformVerifier"])
    address, _ = chain.deploy_artifact(admin, compiled["ShieldedLedger"], world.deployment.registry, origin_verifier,
                                       custody_verifier, transform_verifier,
                                       libraries={"PoseidonT3": world.deployment.poseidon_t3})
    return chain.w3.eth.contract(address=address, abi=compiled["ShieldedLedger"].abi), address


def participant(client) -> Participant:
    record = client.participant(client.address)
    return Participant(participant_key(client.address), ROLE_INDEX[record.role],
                       int(client.operator_risk_flags(client.address)), client.shielding_public_key)


def floors(client) -> TypeFloors:
    read = client.registry.functions.co2eFloorGramsPerKg
    return TypeFloors.of_types({origin_type: client.chain.call(read(origin_type)) for origin_type in ORIGIN_TYPES})


def mine_site(world) -> Site:
    site = world.facilities["miner"]
    return Site(participant_key(site.operator), site.facility_id, int(site.facility_type), 0, site.max_yield_loss_bps,
                site.co2e_floor_grams_per_kg, int.from_bytes(site.country.encode(), "big"))


def mint(ledger: Ledger, *, external_id: int = 0xE4, proof_time: int | None = None, openings=OPENINGS,
         send: bool = True):
    """The miner's certified origin note, proven and (unless ``send`` is False) relayed."""
    world, miner = ledger.world, ledger.world.miner
    trees = miner.trees
    trees.sync()
    site = mine_site(world)
    certification = miner.certification(world.certification_ids["miner"])
    window = CertificationWindow(certification.certification_id, certification.facility_id, int(certification.scheme),
                                 int(certification.valid_from.timestamp()), int(certification.valid_until.timestamp()))
    type_floors = floors(miner)
    note = origin_note(owner=miner.shielding_public_key, secret=miner.shielding_keys.secret, site=site,
                       operator_flags=0, kind=COBALT_HYDROXIDE, grams=(700_000, 0, 0), total_grams=2_000_000,
                       co2e_grams=700 * max(6_000, type_floors.of(int(FacilityType.INDUSTRIAL_MINE)), site.co2e_floor_grams_per_kg),
                       external_id=external_id, floors=type_floors, certified=True)
    openings = _openings(openings, note)
    proof_time = world.chain.latest_timestamp() if proof_time is None else proof_time
    context = world.chain.call(ledger.contract.functions.originContext(openings))
    inputs = origin_inputs(
        note, secret=miner.shielding_keys.secret, minter=participant(miner),
        participant_proof=trees.proof(MembershipSet.PARTICIPANTS, participant_key(miner.address)), site=site,
        facility_proof=trees.proof(MembershipSet.FACILITIES, site.facility_id), certification=window,
        certification_proof=trees.proof(MembershipSet.CERTIFICATIONS, window.certification_id),
        certifications_root=trees.root(MembershipSet.CERTIFICATIONS), proof_time=proof_time, floors=type_floors,
        external_id=external_id, context=context)
    proof = miner.prover.prove("origin", inputs)
    request = (inputs["outputCommitment"], inputs["mintTag"], inputs["participantsRoot"], inputs["facilitiesRoot"],
               inputs["certificationsRoot"], proof_time)
    call = ledger.contract.functions.mintOrigin(request, proof.solidity_proof(), openings)
    if send:
        receipt = ledger.send(call, "mintOrigin")
        ledger.notes.insert(note.commitment)
        return note, receipt
    return note, call


def _openings(openings, note: Note) -> list[bytes]:
    """``openings`` as given, or made for the new note when it is a function of it."""
    return list(openings(note)) if callable(openings) else openings


def step(ledger: Ledger, note: Note, operation: CustodyOperation, actor, *, receiver=None, evidence: bytes = b"\0" * 32,
         openings=OPENINGS, note_root: int | None = None):
    """A custody step by ``actor`` on ``note``: (the successor, the call), not yet sent."""
    trees = actor.trees
    trees.sync()
    me = participant(actor)
    successor = custody_successor(note, operation, me, receiver=receiver.shielding_public_key if receiver else 0)
    openings = _openings(openings, successor)
    context = ledger.world.chain.call(ledger.contract.functions.custodyContext(int(operation), evidence, openings))
    note_proof = ledger.notes.proof(note.commitment)
    inputs = custody_inputs(note, note_proof, successor, operation, me, actor.shielding_keys.secret,
                            trees.proof(MembershipSet.PARTICIPANTS, participant_key(actor.address)), context)
    proof = actor.prover.prove("custody", inputs)
    request = (int(operation), note_proof.root if note_root is None else note_root, note.nullifier,
               successor.commitment, inputs["participantsRoot"], evidence)
    return successor, ledger.contract.functions.custody(request, proof.solidity_proof(), openings)


def events(ledger: Ledger, receipt, name: str) -> list[dict]:
    # The receipt holds the operation's other events too: those are not this one's, not errors.
    decoded = getattr(ledger.contract.events, name)().process_receipt({"logs": list(receipt.logs)}, errors=DISCARD)
    return [dict(event["args"]) for event in decoded]
