"""A registry leaf packs its fields into one field element, and opens one way only if EVERY field is
range-checked, the top one included: the top field, left free, absorbs any change of the fields
below it, since its factor (2^112 in a facility leaf, 2^168 in a participant leaf) is invertible
modulo p. The lower fields' range checks alone do not pin them.

Each test here reads a real leaf of the prover's with other lower fields (a role, an account, a
yield-loss bound, a floor, a facility type) and the top field set to (packed - lower') / 2^shift
mod p, through the witness generator and the compiled R1CS (circuits/build): each must be refused.
The fix is a range check of the top field inside the membership template (FacilityMembership's
recycledPreConsumerBps, ParticipantMembership's riskFlags), which every caller then gets."""

from __future__ import annotations

from dataclasses import replace

from batterytrace.zk.custody import REGISTRY_TREE_DEPTH, CustodyOperation, padded_path
from batterytrace.zk.notes import NoteState
from batterytrace.zk.origin import Site

from .lots import FIELD_MODULUS
from .notes import (
    AUDITOR,
    MINE,
    MINE_SITE,
    OUTSIDER,
    REFINERY,
    REFINING,
    Ledger,
    Party,
    Registry,
    forged,
    note,
    participant_leaf,
)
from .pack_batch_notes import batch_inputs, batch_scenario
from .pack_notes import OEM, PACK_MAKER
from .transform_notes import BAG, REFINED_SULFATE, REFINERY_SITE, allotted, job_inputs, owned, spec

P = FIELD_MODULUS
AUDITOR_ROLE = 1


def top_field(packed: int, lower: int, shift: int) -> int:
    """The top field that makes `lower` + top * 2^shift equal `packed` modulo p."""
    return (packed - lower) * pow(1 << shift, -1, P) % P


def participant_packed(account: int, role: int, flags: int = 0) -> int:
    return account + role * (1 << 160) + flags * (1 << 168)


def as_participant(party: Party, account: int, role: int) -> tuple[int, int, int]:
    """(account, role, flags) that pack like `party`'s leaf."""
    honest = participant_packed(party.participant.account, party.participant.role_index,
                                party.participant.risk_flags)
    return account, role, top_field(honest, participant_packed(account, role), 168)


def facility_lower(site: Site) -> int:
    return (site.facility_id + site.facility_type * (1 << 32) + site.risk_flags * (1 << 40)
            + site.max_yield_loss_bps * (1 << 48) + site.co2e_floor_grams_per_kg * (1 << 64) + site.country * (1 << 96))


def as_site(site: Site, **fields: int) -> dict[str, int]:
    """The transform's facility inputs reading `site`'s leaf with `fields` changed."""
    read = replace(site, **fields)
    honest = facility_lower(site) + site.recycled_pre_consumer_bps * (1 << 112)
    return {"facilityId": read.facility_id, "facilityType": read.facility_type, "siteFlags": read.risk_flags,
            "maxYieldLossBps": read.max_yield_loss_bps, "siteFloor": read.co2e_floor_grams_per_kg,
            "country": read.country, "recycledPreConsumerBps": top_field(honest, facility_lower(read), 112)}


def stages(evaluate, circuit: str, *inputs: dict[str, object]) -> list[str]:
    return [evaluation.stage for evaluation in evaluate(circuit, list(inputs))]


def test_a_processor_resolving_a_dispute_as_an_auditor_is_refused(evaluate):
    """OUTSIDER (a processor, role 3) reads its participant leaf as role 1, its flags absorbing."""
    disputed = note(NoteState.DISPUTED, REFINERY, MINE)
    ledger = Ledger([disputed], registered=(MINE, REFINERY, AUDITOR, OUTSIDER))
    honest = ledger.inputs(disputed, CustodyOperation.DELIVER, AUDITOR)
    account, role, flags = as_participant(OUTSIDER, OUTSIDER.participant.account, AUDITOR_ROLE)
    length, index, siblings = padded_path(ledger.participants.proof(participant_leaf(OUTSIDER.participant)),
                                          REGISTRY_TREE_DEPTH)
    cheat = {**honest, "actorSecret": OUTSIDER.secret, "actorAccount": account, "actorRoleIndex": role,
              "actorRiskFlags": flags, "actorPathLength": length, "actorPathIndex": index, "actorSiblings": siblings}
    assert stages(evaluate, "custody", honest) == ["accepted"]
    assert stages(evaluate, "custody", cheat) != ["accepted"], "a processor resolved a dispute as an auditor"


def test_a_refine_losing_half_its_cobalt_at_a_site_read_with_no_loss_bound_or_floor_is_refused(evaluate):
    """The refinery's leaf (5% loss, 40 g/kg) read with a 100% loss bound and no floor."""
    created = allotted((BAG,), (spec(REFINED_SULFATE, 350_000, 3_100_000, 0),), 0)
    inputs = {**job_inputs((BAG,), created, 0), **as_site(REFINERY_SITE, max_yield_loss_bps=10_000,
                                                          co2e_floor_grams_per_kg=0)}
    assert stages(evaluate, "note_transform", inputs) != ["accepted"], "half the cobalt lost past a 5% bound"


def test_a_mine_read_as_a_refinery_is_refused(evaluate):
    """The mine's leaf (type 0, which never transforms) read as a refinery's (type 2)."""
    bag = owned(700_000, 0, 0, 0, 2_000_000, 3_500_000, 0, owner=MINE)
    created = tuple(replace(n, owner=MINE.key) for n in allotted((bag,), (spec(REFINED_SULFATE, 680_000, 3_100_000, 0),), 0))
    inputs = {**job_inputs((bag,), created, 0, actor=MINE, site=MINE_SITE),
              **as_site(MINE_SITE, facility_type=2, max_yield_loss_bps=500, co2e_floor_grams_per_kg=0)}
    assert stages(evaluate, "note_transform", inputs) != ["accepted"], "a mine transformed as a refinery"


def test_a_miner_refining_at_the_refinerys_site_under_the_refinerys_account_is_refused(evaluate):
    """MINE reads its participant leaf with REFINERY's account, its flags absorbing, and proves at
    REFINERY_SITE (operated by that account) with its own key and notes."""
    bag = owned(700_000, 0, 0, 0, 2_000_000, 3_500_000, 0, owner=MINE)
    created = tuple(replace(n, owner=MINE.key) for n in allotted((bag,), (spec(REFINED_SULFATE, 680_000, 3_100_000, 0),), 100_000))
    inputs = job_inputs((bag,), created, 100_000, actor=MINE)   # REFINERY_SITE's path; MINE's leaf
    account, role, flags = as_participant(MINE, REFINERY.participant.account, MINE.participant.role_index)
    inputs = {**inputs, "account": account, "roleIndex": role, "operatorFlags": flags}
    assert stages(evaluate, "note_transform", inputs) != ["accepted"], "a miner refined at the refinery's site"


def test_a_passport_issued_in_another_participants_name_by_reading_the_leaf_is_refused(evaluate):
    """PACK_MAKER claims its own packs as OEM's passports: its leaf read with OEM's account and role."""
    ledger, packs = batch_scenario()
    honest = batch_inputs(ledger, packs)
    account, role, flags = as_participant(PACK_MAKER, OEM.participant.account, OEM.participant.role_index)
    cheat = {**honest, "issuer": account, "roleIndex": role, "operatorFlags": flags}
    honest_stage, cheat_stage = stages(evaluate, "pack_batch", honest, cheat)
    assert honest_stage == "accepted"
    assert cheat_stage != "accepted", "a passport issued in OEM's name"


def test_the_leaf_readings_are_the_same_leaves():
    """The forged readings pack to the honest leaves' values modulo p (what the circuits hash)."""
    account, role, flags = as_participant(MINE, REFINERY.participant.account, 2)
    assert participant_packed(account, role, flags) % P == participant_packed(
        MINE.participant.account, 2, MINE.participant.risk_flags)
    read = as_site(REFINERY_SITE, max_yield_loss_bps=10_000, co2e_floor_grams_per_kg=0)
    site = Site(REFINERY_SITE.operator, read["facilityId"], read["facilityType"], read["siteFlags"],
                read["maxYieldLossBps"], read["siteFloor"], read["country"])
    assert (facility_lower(site) + read["recycledPreConsumerBps"] * (1 << 112)) % P == facility_lower(REFINERY_SITE)


def test_origin_refuses_a_refinery_read_as_a_mine_since_it_range_checks_both_top_fields(evaluate):
    """The control: OriginProof checks recycledPreConsumerBps (AssertBps) and the operator's flags
    (Num2Bits(8)), so the same readings fail there."""
    registry = Registry()
    honest = registry.inputs(forged(REFINING, REFINERY), REFINERY, REFINING)
    read = as_site(REFINING, facility_type=0)
    as_mine = {**honest, **{key: read[key] for key in ("facilityType", "recycledPreConsumerBps")}}
    assert stages(evaluate, "origin", as_mine) != ["accepted"]
