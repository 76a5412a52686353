"""Passports issued from pack notes of the shielded ledger (sdk/passports.py ``issue_note_passports``):
the passport contract has the ledger redeem the note, with a proof bound to that contract and the
passport id, and records the note's nullifier, never a lot id, holder or supplier. Every refusal
below is a call built by hand from a valid one, so the contract or the ledger's proof check refuses
it, not the SDK."""

from __future__ import annotations


import pytest

from batterytrace.exceptions import MissingRoleError, PassportError, RevertedError, UnknownLotError
from batterytrace.model.lots import MaterialKind
from batterytrace.model.passports import passport_id_for
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.passports import (
    NotePassportRequest,
    get_passport,
    issue_note_passports,
    note_claim_bounds,
    verify_passport,
)
from batterytrace.sdk.relayer import RelayerClient
from batterytrace.sdk.shielded import ShieldedLedgerOperations, ShieldedOutput
from batterytrace.zk.pack_claim import PackClaims
from tests.helpers.flows import battery_id

CAPACITY_WH = 75_000
#: What the SDK forbids by default: child labour, human rights, conflict area.
FLAGS = int(RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS | RiskFlag.CONFLICT_AREA)


@pytest.fixture
def ledgers(world, relayer):
    client = RelayerClient(relayer.url)
    return {name: ShieldedLedgerOperations(getattr(world, name), client) for name in ("miner", "pack_maker", "refiner")}


@pytest.fixture
def pack(world, ledgers):
    """A mine's bag handed to the pack maker and made into a pack note at its plant."""
    miner, maker = ledgers["miner"], ledgers["pack_maker"]
    bag = miner.mint_origin(world.facilities["miner"].facility_id, "TFM-PASS-0001", MaterialKind.COBALT_HYDROXIDE,
                            cobalt_grams=700_000, total_grams=2_000_000, co2e_grams=700 * 6_000)
    miner.offer(bag.tag, world.pack_maker.address)
    maker.accept(bag.tag, measured_total_grams=2_000_000)
    [made] = maker.transform(world.facilities["pack_maker"].facility_id, [bag.tag],
                             [ShieldedOutput("PACK-PASS-0001", MaterialKind.PACK, 690_000, 450_000_000)], 9_000_000)
    return made


def request(tag: int, serial: str, **overrides) -> NotePassportRequest:
    fields = dict(pack_tag=tag, battery_id=battery_id(serial), document_uri=f"https://passports.example/{serial}",
                  document_hash=b"\x11" * 32, capacity_wh=CAPACITY_WH)
    return NotePassportRequest(**{**fields, **overrides})


def by_hand(world, ledger: ShieldedLedgerOperations, tag: int, serial: str, claims: PackClaims, *, bound_to: str | None = None):
    """The issueFromNotes arguments the SDK would send for battery ``serial``, its proof bound to the
    passport of ``bound_to`` (another serial) when given."""
    passport_id = passport_id_for(battery_id(bound_to or serial))
    redemption = ledger.pack_redemption(tag, claims, world.deployment.passport, passport_id.to_bytes(32, "big"))
    item = (battery_id(serial), f"https://passports.example/{serial}", b"\x11" * 32, bytes(32), bytes(32), redemption.request)
    return [item], [redemption.proof]


def test_a_pack_note_backs_one_passport_that_names_only_its_nullifier(world, ledgers, pack):
    [issued] = issue_note_passports(ledgers["pack_maker"], [request(pack.tag, "NOTE-0001")])
    record = get_passport(world.pack_maker, issued.passport_id)
    assert record.pack_lot_id == pack.note.nullifier
    assert record.holder == world.pack_maker.address
    assert record.bounds == note_claim_bounds(PackClaims.tightest(pack.note, CAPACITY_WH, FLAGS)) == issued.bounds
    assert record.bounds.cobalt_grams == 690_000 and record.bounds.min_certified_bps == 10_000
    verification = verify_passport(world.auditor, issued.passport_id)
    assert verification.verified and verification.pack_commitment == pack.note.nullifier
    assert world.deployment.ledger and world.chain.call(
        ledgers["pack_maker"].contract.functions.isSpent(pack.note.nullifier))
    # The pack note is spent: the SDK no longer sees a lot to back a second passport.
    with pytest.raises(UnknownLotError):
        issue_note_passports(ledgers["pack_maker"], [request(pack.tag, "NOTE-0002")])


def test_the_sdk_refuses_what_the_contract_would(world, ledgers, pack):
    maker = ledgers["pack_maker"]
    with pytest.raises(PassportError, match="same battery or the same pack"):
        issue_note_passports(maker, [request(pack.tag, "NOTE-0003"), request(pack.tag, "NOTE-0004")])
    with pytest.raises(PassportError, match="child-labour"):
        issue_note_passports(maker, [request(pack.tag, "NOTE-0003", forbidden_risk_flags=0)])
    with pytest.raises(MissingRoleError):
        issue_note_passports(ledgers["refiner"], [request(pack.tag, "NOTE-0003")])
    with pytest.raises(UnknownLotError):  # the pack maker's keys see no lot with this tag
        issue_note_passports(maker, [request(pack.tag + 1, "NOTE-0003")])


def test_the_contract_refuses_hand_built_issues(world, ledgers, pack):
    maker = ledgers["pack_maker"]
    passports = world.pack_maker.passports
    claims = PackClaims.tightest(pack.note, CAPACITY_WH, FLAGS)

    def send(arguments, signer=world.pack_maker.signer):
        world.chain.transact(signer, passports.functions.issueFromNotes(*arguments), "issue from notes by hand")

    # A proof bound to another passport: the ledger's context differs, so the proof fails.
    with pytest.raises(RevertedError, match="ProofInvalid"):
        send(by_hand(world, maker, pack.tag, "NOTE-0005", claims, bound_to="NOTE-0006"))
    # A stronger claim than the one proven.
    items, proofs = by_hand(world, maker, pack.tag, "NOTE-0005", claims)
    stronger = list(items[0][5])
    stronger[8] = FLAGS | 0x04  # forbid one more flag than the proof did
    with pytest.raises(RevertedError, match="ProofInvalid"):
        send(([(*items[0][:5], tuple(stronger))], proofs))
    # Claims below the policy: forbidding no child labour.
    weak = list(items[0][5])
    weak[8] = int(RiskFlag.CONFLICT_AREA)
    with pytest.raises(RevertedError, match="PassportClaimsBelowPolicy"):
        send(([(*items[0][:5], tuple(weak))], proofs))
    # Someone else's proof: the request names the pack maker as issuer, the refiner sends it.
    with pytest.raises(RevertedError, match="PassportUnauthorized|PassportBatteryIdNotOwned"):
        send((items, proofs), signer=world.refiner.signer)
    # The honest call goes through once; the same note again is spent.
    send((items, proofs))
    again = [(battery_id("NOTE-0007"), *items[0][1:])]
    with pytest.raises(RevertedError, match="LedgerNullifierSpent"):
        send((again, proofs))
