"""Audit findings 1 and 6 (issue 13) on the shielded ledger: sites are activated by an auditor, an
operator's risk findings follow it to every site it registers, the material kinds a facility creates
follow its type, and the auditor's emissions floor binds origin lots.

The registry's refusals are sent by hand, straight to the contract (the SDK's own pre-checks would
stop them first). On the ledger the circuits enforce the rules: the SDK refuses before proving, and
each attack skips the SDK, proving or sending what it would have refused, for the circuit or the
ledger to refuse (the constraints themselves: tests/circuits/test_attacks_origin.py and
test_attacks_note_transform.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_utils import keccak
from web3.exceptions import ContractCustomError, ContractLogicError

import batterytrace.sdk.shielded as shielded_module
from batterytrace.evm.reverts import revert_data
from batterytrace.exceptions import (
    Co2eBelowFloorError,
    EvidenceRequiredError,
    FacilityAlreadyActiveError,
    FacilityNotActiveError,
    FacilityNotAllowedError,
    KindNotAllowedError,
    MissingRoleError,
    ProofError,
    ProofInvalidError,
    ProverError,
)
from batterytrace.model.lots import MaterialKind, OutputPlan
from batterytrace.model.membership import MembershipSet, participant_key
from batterytrace.model.registry import FacilityType
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.shielded import PreparedOrigin
from tests.helpers.flows import refinery_stocked

EVIDENCE = keccak(text="activation audit")
BAG = (MaterialKind.COBALT_HYDROXIDE, 700_000, 2_000_000, 7_000_000)


def refusal(function, sender: str, chain) -> str:
    """The custom error ``function`` reverts with when ``sender`` calls it (``ok`` if it passes)."""
    try:
        function.call({"from": sender})
    except (ContractCustomError, ContractLogicError) as error:
        return chain.errors.error_name(revert_data(error))
    return "ok"


def second_mine(world, who: str = "artisanal_miner", site: str = "WASHED-MINE") -> int:
    return world.clients[who].register_facility(FacilityType.INDUSTRIAL_MINE, site, "CD").facility_id


@pytest.fixture(scope="module")
def stocked(session_world):
    """A mine's bag the refinery took in, made once for the module."""
    with refinery_stocked(session_world, "ACTIVATION-BAG") as bag:
        yield bag


@pytest.fixture
def refinery_bag(stocked, world):
    """The module's bag at the refinery, in this test's snapshot of the chain."""
    return stocked


# -- finding 1: flag washing --------------------------------------------------------------------------


def test_a_flagged_miner_cannot_mint_at_a_site_it_registered_itself(world):
    """The attack as the audit reproduced it: a second site of the miner's own choosing, minted at
    at once. The site is inactive, so it has no leaf in the facilities tree an origin proof could
    name, and the SDK refuses before proving."""
    site = second_mine(world)
    assert not world.admin.facility(site).active
    assert world.admin.registry.functions.membershipLeaf(int(MembershipSet.FACILITIES), site).call() == 0
    with pytest.raises(FacilityNotActiveError, match="not active"):
        world.artisanal_miner.mint_origin(site, "WASHED-BAG-SDK", *BAG)
    with pytest.raises(FacilityNotActiveError):
        world.artisanal_miner.shielded.prepare_origin(site, "WASHED-BAG-LEDGER", *BAG)


def test_a_flagged_operators_new_site_passes_its_flags_on_and_a_mint_that_drops_them_is_refused(world):
    """The auditor activates the new industrial mine with no site findings: the operator's child
    labour finding (recorded at its artisanal site) still enters every lot minted there. The miner
    proves a mint there and relays it with the commitment of the same bag without the flag: the
    ledger's proof check refuses it; the honest one lands."""
    assert world.admin.operator_risk_flags(world.artisanal_miner.address) == RiskFlag.CHILD_LABOUR
    site = second_mine(world)
    world.auditor.activate_facility(site, "industrial mine audit")
    record = world.admin.facility(site)
    assert record.active and record.risk_flags == RiskFlag.CHILD_LABOUR
    ledger = world.artisanal_miner.shielded
    honest = ledger.prepare_origin(site, "INHERITED-BAG", *BAG)
    assert honest.note.values.risk_flags == RiskFlag.CHILD_LABOUR
    washed = replace(honest.note, values=replace(honest.note.values, risk_flags=0))
    with pytest.raises(ProofInvalidError) as refused:
        ledger.submit_origin(PreparedOrigin(washed, (washed.commitment, *honest.request[1:]), honest.proof, honest.openings))
    assert refused.value.error_name == "ProofInvalid"
    ledger.submit_origin(honest)
    assert world.artisanal_miner.lot(honest.note.tag).note == honest.note


def test_only_an_auditor_clears_an_operators_flags_and_only_with_evidence(world):
    site = second_mine(world)
    world.auditor.activate_facility(site, "industrial mine audit")
    miner = world.artisanal_miner.address
    registry = world.auditor.registry.functions
    siblings = world.auditor.trees.siblings(MembershipSet.PARTICIPANTS, participant_key(miner))
    assert refusal(registry.recordOperatorRiskFinding(miner, 0, bytes(32), siblings), world.auditor.address, world.chain) == "RegistryEvidenceRequired"
    assert refusal(registry.recordOperatorRiskFinding(miner, 0, EVIDENCE, siblings), miner, world.chain) == "AccessControlUnauthorizedAccount"
    with pytest.raises(EvidenceRequiredError):
        world.auditor.record_operator_risk_finding(miner, RiskFlag.NONE)
    world.auditor.record_operator_risk_finding(miner, RiskFlag.NONE, "remediation verified by follow-up audit")
    assert world.admin.facility(site).risk_flags == RiskFlag.NONE
    # The artisanal site keeps its own findings: clearing the operator does not clear a site.
    assert world.admin.facility(world.facilities["artisanal_miner"].facility_id).risk_flags == RiskFlag.CHILD_LABOUR | RiskFlag.ARTISANAL


def test_clearing_a_sites_flag_needs_evidence(world):
    site = world.facilities["artisanal_miner"].facility_id
    function = world.auditor.registry.functions.recordRiskFinding(site, 0, bytes(32), [], [])
    assert refusal(function, world.auditor.address, world.chain) == "RegistryEvidenceRequired"


def test_a_finding_at_one_site_raises_the_operators_flags(world):
    other = second_mine(world, "miner", "TFM-NORTH")
    world.auditor.activate_facility(other, "north pit audit")
    assert world.admin.facility(other).risk_flags == RiskFlag.NONE
    world.auditor.record_risk_finding(world.facilities["miner"].facility_id, RiskFlag.HUMAN_RIGHTS, "grievance audit")
    assert world.admin.operator_risk_flags(world.miner.address) == RiskFlag.HUMAN_RIGHTS
    assert world.admin.facility(other).risk_flags == RiskFlag.HUMAN_RIGHTS


def test_the_artisanal_flag_stays_with_its_site(world):
    """An operator inherits findings, not the type of one of its sites."""
    assert not world.admin.operator_risk_flags(world.artisanal_miner.address) & RiskFlag.ARTISANAL
    function = world.auditor.registry.functions.recordOperatorRiskFinding(world.miner.address, int(RiskFlag.ARTISANAL), EVIDENCE, [])
    assert refusal(function, world.auditor.address, world.chain) == "RegistryInvalidValue"


# -- activation --------------------------------------------------------------------------------------


def test_the_auditor_sets_what_the_audit_found(world):
    """The operator declared an industrial mine; the auditor found an artisanal site in another country."""
    site = second_mine(world, "miner", "DECLARED-INDUSTRIAL")
    world.auditor.activate_facility(site, "site visit", facility_type=FacilityType.ARTISANAL_SITE, country="ZM",
                                    risk_flags=RiskFlag.HUMAN_RIGHTS, co2e_floor_grams_per_kg=4_000)
    record = world.admin.facility(site)
    assert record.facility_type is FacilityType.ARTISANAL_SITE and record.country == "ZM"
    assert record.risk_flags == RiskFlag.HUMAN_RIGHTS | RiskFlag.ARTISANAL
    assert record.co2e_floor_grams_per_kg == 4_000


def test_activation_is_for_auditors_once_with_evidence_and_within_the_operators_role(world):
    site = second_mine(world, "miner", "TO-ACTIVATE")
    registry = world.admin.registry.functions
    mine = int(FacilityType.INDUSTRIAL_MINE)
    assert refusal(registry.activateFacility(site, mine, b"CD", 0, 0, 0, EVIDENCE, []), world.miner.address, world.chain) \
        == "AccessControlUnauthorizedAccount"
    assert refusal(registry.activateFacility(site, mine, b"CD", 0, 0, 0, bytes(32), []), world.auditor.address, world.chain) \
        == "RegistryEvidenceRequired"
    assert refusal(registry.activateFacility(site, int(FacilityType.REFINERY), b"CD", 0, 0, 0, EVIDENCE, []),
                   world.auditor.address, world.chain) == "RegistryFacilityTypeNotAllowed"
    assert refusal(registry.activateFacility(site, mine, b"CD", 0, 10_001, 0, EVIDENCE, []),
                   world.auditor.address, world.chain) == "RegistryInvalidValue"
    with pytest.raises(MissingRoleError):
        world.miner.activate_facility(site, "self-audit")
    with pytest.raises(FacilityNotAllowedError, match="REFINERY"):
        world.auditor.activate_facility(site, "audit", facility_type=FacilityType.REFINERY)
    with pytest.raises(EvidenceRequiredError):
        world.auditor.activate_facility(site, b"")
    world.auditor.activate_facility(site, "audit")
    assert refusal(registry.activateFacility(site, mine, b"CD", 0, 0, 0, EVIDENCE, []), world.auditor.address, world.chain) \
        == "RegistryFacilityAlreadyActive"
    with pytest.raises(FacilityAlreadyActiveError):
        world.auditor.activate_facility(site, "again")


def test_nothing_is_transformed_at_an_inactive_plant(world, refinery_bag):
    plant = world.refiner.register_facility(FacilityType.REFINERY, "SHADOW-REFINERY", "FI").facility_id
    assert world.admin.registry.functions.membershipLeaf(int(MembershipSet.FACILITIES), plant).call() == 0
    with pytest.raises(FacilityNotActiveError):
        world.refiner.transform([refinery_bag.lot_id], [OutputPlan("SHADOW-OUT", MaterialKind.CRUDE_COBALT_SULFATE, 1_000, 3_000)],
                                plant)
    with pytest.raises(FacilityNotActiveError):
        world.refiner.shielded.transform(plant, [refinery_bag.lot_id],
                                         [OutputPlan("SHADOW-OUT", MaterialKind.CRUDE_COBALT_SULFATE, 1_000, 3_000)], 0)


# -- finding 6: material kinds follow the facility type ----------------------------------------------


def test_a_refinery_cannot_make_a_pack_but_may_split_what_it_holds_without_changing_its_kind(world, refinery_bag):
    refinery = world.facilities["refiner"].facility_id
    pack = [OutputPlan("FAKE-PACK", MaterialKind.PACK, 1_000, 3_000)]
    with pytest.raises(KindNotAllowedError, match="PACK"):
        world.refiner.transform([refinery_bag.lot_id], pack, refinery)
    with pytest.raises(ProofError, match="neither one facility type"):  # the note transform's twin, skipping the registry's
        world.refiner.shielded.transform(refinery, [refinery_bag.lot_id], pack, 0)
    note = world.refiner.note(refinery_bag.lot_id)
    cobalt, total = note.values.metals[0].grams, note.values.total_grams
    result = world.refiner.transform(
        [refinery_bag.lot_id],
        [OutputPlan("HALF-A", MaterialKind.COBALT_HYDROXIDE, cobalt // 2, total // 2),
         OutputPlan("HALF-B", MaterialKind.COBALT_HYDROXIDE, cobalt - cobalt // 2, total - total // 2)],
        refinery)
    assert [world.auditor.lot(output).kind for output in result.output_lot_ids] == [MaterialKind.COBALT_HYDROXIDE] * 2
    assert [note.kind for note in result.notes] == [int(MaterialKind.COBALT_HYDROXIDE)] * 2


def test_a_mine_mints_ore_or_hydroxide_only(world):
    site = world.facilities["miner"].facility_id
    with pytest.raises(KindNotAllowedError):
        world.miner.mint_origin(site, "MINED-CELL", MaterialKind.CELL, 700_000, 2_000_000, 7_000_000)
    with pytest.raises(ProofError, match="mints material kinds"):  # the origin circuit's twin
        world.miner.shielded.prepare_origin(site, "MINED-CELL", MaterialKind.CELL, 700_000, 2_000_000, 7_000_000)
    ore = world.miner.mint_origin(site, "MINED-ORE", MaterialKind.COBALT_ORE, 700_000, 2_000_000, 7_000_000)
    assert world.auditor.lot(ore.lot_id).kind is MaterialKind.COBALT_ORE


def test_lots_are_transformed_only_where_they_may_be(world, refinery_bag):
    plan = [OutputPlan("MINE-CRUDE", MaterialKind.CRUDE_COBALT_SULFATE, 1_000, 3_000)]
    with pytest.raises(FacilityNotAllowedError, match="extraction sites only mint"):
        world.miner.transform([refinery_bag.lot_id], plan, world.facilities["miner"].facility_id)
    with pytest.raises(FacilityNotAllowedError, match="operated by"):
        world.cathode_maker.transform([refinery_bag.lot_id], plan, world.facilities["refiner"].facility_id)


# -- finding 6: the auditor's emissions floor at an origin site ---------------------------------------


def test_the_auditors_floor_binds_origin_lots_above_the_rulebook_floor(world, monkeypatch):
    site = world.facilities["miner"].facility_id
    world.auditor.set_process_parameters(site, 0, co2e_floor_grams_per_kg=20_000)
    with pytest.raises(Co2eBelowFloorError) as refused:
        world.miner.mint_origin(site, "LOW-CO2E", *BAG)
    assert refused.value.floor_grams_per_kg == 20_000
    with pytest.raises(ProofError, match="below the floor of 20000"):  # the origin circuit's twin
        world.miner.shielded.prepare_origin(site, "LOW-CO2E", *BAG)
    # The miner's own twin, which knows the rulebook's floor only: the circuit reads the site's from
    # its leaf, and has no witness.
    honest_note = shielded_module.origin_note

    def rulebook_floor_only(*, site, **facts):
        return honest_note(site=replace(site, co2e_floor_grams_per_kg=0), **facts)

    with monkeypatch.context() as patch:
        patch.setattr(shielded_module, "origin_note", rulebook_floor_only)
        with pytest.raises(ProverError):
            world.miner.shielded.prepare_origin(site, "LOW-CO2E-BY-HAND", *BAG)
    lot = world.miner.mint_origin(site, "HIGH-CO2E", MaterialKind.COBALT_HYDROXIDE, 700_000, 2_000_000, 14_000_000)
    assert lot.created and lot.note.values.co2e_grams == 14_000_000
