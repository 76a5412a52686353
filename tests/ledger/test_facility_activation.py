"""Audit findings 1 and 6 (issue 13): sites are activated by an auditor, an operator's risk findings
follow it to every site it registers, the material kinds a facility creates follow its type, and
the auditor's emissions floor binds origin lots.

Each attack is sent by hand, straight to the contract (the SDK's own pre-checks would stop it
first), and must be refused on chain."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from web3.exceptions import ContractCustomError, ContractLogicError

from batterytrace.evm.reverts import revert_data
from batterytrace.exceptions import (
    Co2eBelowFloorError,
    EvidenceRequiredError,
    FacilityAlreadyActiveError,
    FacilityNotActiveError,
    FacilityNotAllowedError,
    KindNotAllowedError,
    MissingRoleError,
)
from batterytrace.model.identifiers import bytes32_text, lot_id_for
from batterytrace.model.lots import MaterialKind, OutputPlan
from batterytrace.model.membership import MembershipSet, participant_key
from batterytrace.model.registry import FacilityType
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.commitment import Opening
from batterytrace.zk.inputs import mint_inputs
from tests.helpers.flows import FLOOR, deliver, mint_at

ZERO_PROOF = ([0, 0], [[0, 0], [0, 0]], [0, 0])
EVIDENCE = keccak(text="activation audit")


def refusal(function, sender: str, chain) -> str:
    """The custom error ``function`` reverts with when ``sender`` calls it (``ok`` if it passes)."""
    try:
        function.call({"from": sender})
    except (ContractCustomError, ContractLogicError) as error:
        return chain.errors.error_name(revert_data(error))
    return "ok"


def sent_refusal(client, function) -> str:
    """The custom error a real transaction of ``function`` from ``client`` reverts with."""
    try:
        client.send(function, "attack")
    except Exception as error:  # noqa: BLE001 - the revert's name is what is checked
        return getattr(error, "error_name", None) or type(error).__name__
    return "ok"


def second_mine(world, who: str = "artisanal_miner", site: str = "WASHED-MINE") -> int:
    return world.clients[who].register_facility(FacilityType.INDUSTRIAL_MINE, site, "CD").facility_id


def hand_made_mint(world, who: str, facility_id: int, external_id: str, risk_flags: int, floor: int = FLOOR,
                   certified: bool = False, co2e_grams: int = 7_000_000):
    """A mint the attacker proves itself, stating the risk flags and floor it would like."""
    client = world.clients[who]
    opening = Opening.new(cobalt_grams=700_000, total_grams=2_000_000, certified_cobalt_grams=700_000 if certified else 0,
                          co2e_grams=co2e_grams, risk_flags=RiskFlag(risk_flags))
    lot_id = lot_id_for(client.address, external_id)
    context = client.lots.functions.mintContext(lot_id).call()
    proof = client.prover.prove("mint", mint_inputs(opening, certified, False, risk_flags, floor, context))
    spec = (bytes32_text(external_id), int(MaterialKind.COBALT_HYDROXIDE), 1, bytes(32), opening.commitment, b"")
    a, b, c, _signals = proof.solidity_args()
    return client.lots.functions.mintOrigin(facility_id, spec, (a, b, c))


# -- finding 1: flag washing --------------------------------------------------------------------------


def test_a_flagged_miner_cannot_mint_at_a_site_it_registered_itself(world):
    """The attack as the audit reproduced it: a second site of the miner's own choosing, minted at
    at once. The site is inactive, so the contract refuses before any proof is checked."""
    site = second_mine(world)
    assert not world.admin.facility(site).active
    spec = (bytes32_text("WASHED-BAG"), int(MaterialKind.COBALT_HYDROXIDE), 1, bytes(32), 12345, b"")
    function = world.artisanal_miner.lots.functions.mintOrigin(site, spec, ZERO_PROOF)
    assert refusal(function, world.artisanal_miner.address, world.chain) == "LotsFacilityNotActive"
    with pytest.raises(FacilityNotActiveError, match="not active"):
        world.artisanal_miner.mint_origin(site, "WASHED-BAG-SDK", MaterialKind.COBALT_HYDROXIDE, 700_000, 2_000_000, 7_000_000)


def test_a_flagged_operators_new_site_inherits_its_flags_once_activated(world):
    """The auditor activates the new industrial mine with no site findings: the operator's child
    labour finding (recorded at its artisanal site) still enters every lot minted there."""
    assert world.admin.operator_risk_flags(world.artisanal_miner.address) == RiskFlag.CHILD_LABOUR
    site = second_mine(world)
    world.auditor.activate_facility(site, "industrial mine audit")
    record = world.admin.facility(site)
    assert record.active and record.risk_flags == RiskFlag.CHILD_LABOUR
    lot = world.artisanal_miner.mint_origin(site, "INHERITED-BAG", MaterialKind.COBALT_HYDROXIDE, 700_000, 2_000_000, 7_000_000)
    assert lot.opening.risk_flags == RiskFlag.CHILD_LABOUR


def test_a_proof_that_omits_the_operators_flags_is_refused(world):
    """The miner proves its own mint claiming flags 0 at the activated site: the contract feeds the
    proof the registry's flags (the operator's included), so the proof does not verify."""
    site = second_mine(world)
    world.auditor.activate_facility(site, "industrial mine audit")
    function = hand_made_mint(world, "artisanal_miner", site, "CLEAN-CLAIM", risk_flags=0)
    assert sent_refusal(world.artisanal_miner, function) == "ProofInvalid"
    honest = hand_made_mint(world, "artisanal_miner", site, "HONEST-CLAIM", risk_flags=int(RiskFlag.CHILD_LABOUR))
    assert sent_refusal(world.artisanal_miner, honest) == "ok"


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


def test_nothing_is_transformed_at_an_inactive_plant(world, refinery_stock):
    plant = world.refiner.register_facility(FacilityType.REFINERY, "SHADOW-REFINERY", "FI").facility_id
    lot = refinery_stock[0].lot_id
    output = (bytes32_text("SHADOW-OUT"), int(MaterialKind.CRUDE_COBALT_SULFATE), 1, bytes(32), 12345, b"")
    function = world.refiner.lots.functions.transform(([lot], [output], plant, 0), ZERO_PROOF)
    assert refusal(function, world.refiner.address, world.chain) == "LotsFacilityNotActive"
    with pytest.raises(FacilityNotActiveError):
        world.refiner.transform([lot], [OutputPlan("SHADOW-OUT", MaterialKind.CRUDE_COBALT_SULFATE, 1_000, 3_000)], plant)


# -- finding 6: material kinds follow the facility type ----------------------------------------------


def test_a_refinery_cannot_output_a_pack(world, refinery_stock):
    lot = refinery_stock[0].lot_id
    output = (bytes32_text("FAKE-PACK"), int(MaterialKind.PACK), 1, bytes(32), 12345, b"")
    function = world.refiner.lots.functions.transform(([lot], [output], world.facilities["refiner"].facility_id, 0), ZERO_PROOF)
    assert refusal(function, world.refiner.address, world.chain) == "LotsKindNotAllowed"
    with pytest.raises(KindNotAllowedError, match="PACK"):
        world.refiner.transform([lot], [OutputPlan("FAKE-PACK", MaterialKind.PACK, 1_000, 3_000)], world.facilities["refiner"].facility_id)


def test_a_mine_mints_ore_or_hydroxide_only(world):
    site = world.facilities["miner"].facility_id
    spec = (bytes32_text("MINED-CELL"), int(MaterialKind.CELL), 1, bytes(32), 12345, b"")
    function = world.miner.lots.functions.mintOrigin(site, spec, ZERO_PROOF)
    assert refusal(function, world.miner.address, world.chain) == "LotsKindNotAllowed"
    with pytest.raises(KindNotAllowedError):
        world.miner.mint_origin(site, "MINED-CELL", MaterialKind.CELL, 700_000, 2_000_000, 7_000_000)
    ore = world.miner.mint_origin(site, "MINED-ORE", MaterialKind.COBALT_ORE, 700_000, 2_000_000, 7_000_000)
    assert world.admin.lot(ore.lot_id).kind is MaterialKind.COBALT_ORE


def test_a_plant_may_split_what_it_holds_without_changing_its_kind(world, refinery_stock):
    """A split or merge keeps an input's kind, whatever the facility makes."""
    lot = refinery_stock[0].lot_id
    opening = world.refiner.opening(lot)
    half = opening.cobalt_grams // 2
    result = world.refiner.transform(
        [lot],
        [OutputPlan("HALF-A", MaterialKind.COBALT_HYDROXIDE, half, opening.total_grams // 2),
         OutputPlan("HALF-B", MaterialKind.COBALT_HYDROXIDE, opening.cobalt_grams - half, opening.total_grams - opening.total_grams // 2)],
        world.facilities["refiner"].facility_id)
    assert [world.admin.lot(output).kind for output in result.output_lot_ids] == [MaterialKind.COBALT_HYDROXIDE] * 2


def test_a_cell_plant_cannot_pass_hydroxide_off_as_cathode(world):
    bag = mint_at(world, "miner", "CELL-PLANT-BAG").lot_id
    deliver(world, bag, "miner", "cell_maker")
    output = (bytes32_text("FAKE-CAM"), int(MaterialKind.CATHODE), 1, bytes(32), 12345, b"")
    function = world.cell_maker.lots.functions.transform(([bag], [output], world.facilities["cell_maker"].facility_id, 0), ZERO_PROOF)
    assert refusal(function, world.cell_maker.address, world.chain) == "LotsKindNotAllowed"


# -- finding 6: the auditor's emissions floor at an origin site ---------------------------------------


def test_the_auditors_floor_binds_origin_lots_above_the_rulebook_floor(world):
    site = world.facilities["miner"].facility_id
    world.auditor.set_process_parameters(site, 0, co2e_floor_grams_per_kg=20_000)
    with pytest.raises(Co2eBelowFloorError):
        world.miner.mint_origin(site, "LOW-CO2E", MaterialKind.COBALT_HYDROXIDE, 700_000, 2_000_000, 7_000_000)
    # Proven against the rulebook floor alone, the mint is refused: the contract uses the auditor's.
    function = hand_made_mint(world, "miner", site, "LOW-CO2E-BY-HAND", risk_flags=0, floor=FLOOR, certified=True)
    assert sent_refusal(world.miner, function) == "ProofInvalid"
    honest = hand_made_mint(world, "miner", site, "HIGH-CO2E-BY-HAND", risk_flags=0, floor=20_000, certified=True,
                            co2e_grams=14_000_000)
    assert sent_refusal(world.miner, honest) == "ok"
    lot = world.miner.mint_origin(site, "HIGH-CO2E", MaterialKind.COBALT_HYDROXIDE, 700_000, 2_000_000, 14_000_000)
    assert lot.created
