"""Issue 15 in the registry: lithium and nickel facility types, who operates them, which
certification schemes cover which metal, and a recycler's audited split of pre- and post-consumer
input. Each Solidity rule is compared with its Python twin over every pair it decides, and the
tables with the shared spec's (/tmp/notes/metals_brief.md, restated here so neither side can drift
alone). No proof is made: the registry needs none."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from eth_utils import to_checksum_address
from web3.exceptions import ContractCustomError, ContractLogicError

from batterytrace.evm.reverts import revert_data
from batterytrace.exceptions import (
    MissingRoleError,
    NotRecyclerError,
    RevertedError,
    SchemeNotCoveredError,
    UnknownFacilityError,
)
from batterytrace.model import facilities
from batterytrace.model.identifiers import bytes32_text
from batterytrace.model.lots import KIND_METALS, MaterialKind, kind_may_hold
from batterytrace.model.membership import MembershipSet, facility_leaf
from batterytrace.model.registry import FacilityType, Role, Scheme
from batterytrace.zk import note_transform as zk_transform
from batterytrace.zk import notes as zk_notes
from batterytrace.zk import origin as zk_origin

T = FacilityType
K = MaterialKind
#: The spec's tables, as written there.
SPEC_OPERATED_BY = {
    Role.MINER: {T.INDUSTRIAL_MINE, T.ARTISANAL_SITE, T.BRINE_OPERATION, T.HARD_ROCK_MINE, T.NICKEL_MINE},
    Role.PROCESSOR: {T.REFINERY, T.PRECURSOR_PLANT, T.CATHODE_PLANT, T.LITHIUM_REFINERY, T.NICKEL_REFINERY},
    Role.CELL_MAKER: {T.CELL_PLANT},
    Role.PACK_MAKER: {T.PACK_PLANT},
    Role.OEM: {T.PACK_PLANT},
    Role.RECYCLER: {T.RECYCLER},
    Role.AUDITOR: set(),
    Role.AUTHORITY: set(),
}
SPEC_KIND_METALS = ({*range(12)}, {6, 7, 8, 9, 10, 12, 13, 14, 15}, {5, 6, 7, 8, 9, 10, 16, 17, 18})
SPEC_ORIGIN_KINDS = {0: {0, 1}, 1: {0, 1}, 7: {10}, 8: {12}, 9: {13}, 10: {16, 17}}
SPEC_MADE_KINDS = {2: {2, 3, 4}, 3: {5}, 4: {6}, 5: {7}, 6: {8, 9}, 7: {10, 11, 14, 18}, 11: {14, 15}, 12: {17, 18}}
SPEC_FACILITY_METAL = {0: 0, 1: 0, 2: 0, 8: 1, 9: 1, 11: 1, 10: 2, 12: 2}
SPEC_SCHEME_METALS = {Scheme.RMAP: {0, 1, 2}, Scheme.IRMA: {0, 1, 2}, Scheme.COPPER_MARK: {0, 2}, Scheme.CIRAF: {0},
                      Scheme.ICMM: {0, 1, 2}, Scheme.GBA: {0, 1, 2}}
#: A client of the ``world`` fixture per role.
CLIENT_OF = {Role.AUDITOR: "auditor", Role.MINER: "miner", Role.PROCESSOR: "refiner", Role.CELL_MAKER: "cell_maker",
             Role.PACK_MAKER: "pack_maker", Role.OEM: "oem", Role.RECYCLER: "recycler", Role.AUTHORITY: "authority"}
OK = "ok"
FAR_FUTURE = 2**40


def outcome(world, function, sender: str) -> str:
    """``ok`` when the call from ``sender`` succeeds, else the custom error's name."""
    try:
        function.call({"from": to_checksum_address(sender)})
    except (ContractCustomError, ContractLogicError) as error:
        return world.chain.errors.error_name(revert_data(error))
    return OK


def a_site_of_each_type(world) -> dict[FacilityType, int]:
    """One registered facility per type: the world's, and new ones for the types it lacks."""
    sites = {site.facility_type: site.facility_id for site in world.facilities.values()}
    for facility_type in FacilityType:
        if facility_type not in sites:
            operator = "miner" if facility_type in facilities.EXTRACTION_TYPES else "refiner"
            sites[facility_type] = world.clients[operator].register_facility(facility_type, f"SITE-{facility_type.name}", "CL").facility_id
    return sites


# -- the tables ------------------------------------------------------------------------------------


def test_the_new_kinds_and_types_keep_the_old_indices():
    assert [kind.value for kind in MaterialKind] == list(range(19))
    assert (K.COBALT_ORE, K.RECYCLED_COBALT_SULFATE, K.LITHIUM_BRINE_CONCENTRATE, K.NICKEL_SULFATE) == (0, 11, 12, 18)
    assert [facility_type.value for facility_type in FacilityType] == list(range(13))
    assert (T.RECYCLER, T.BRINE_OPERATION, T.HARD_ROCK_MINE, T.NICKEL_MINE, T.LITHIUM_REFINERY, T.NICKEL_REFINERY) == (7, 8, 9, 10, 11, 12)


def test_the_kinds_hold_the_spec_s_metals_as_the_circuits_twin_does():
    for metal, kinds in enumerate(SPEC_KIND_METALS):
        assert {int(kind) for kind in MaterialKind if kind_may_hold(kind, metal)} == kinds
        assert zk_notes.KIND_METALS[metal] == kinds
    assert KIND_METALS[K.PRECURSOR] == {0, 2} and KIND_METALS[K.LITHIUM_HYDROXIDE] == {1}
    with pytest.raises(ValueError, match="metal index 3 is none of"):
        kind_may_hold(K.PACK, 3)


def test_the_facility_tables_are_the_spec_s_and_the_circuits_twins():
    assert {role: set(types) for role, types in facilities.OPERATED_BY.items()} == {
        role: types for role, types in SPEC_OPERATED_BY.items() if role is not Role.AUDITOR}
    assert facilities.EXTRACTION_TYPES == {0, 1, 8, 9, 10}
    assert facilities.ORIGIN_TYPES == {0, 1, 7, 8, 9, 10}
    assert [int(item) for item in facilities.ORIGIN_FLOOR_TYPES] == [0, 1, 7, 8, 9, 10] == list(zk_origin.ORIGIN_TYPES)
    assert {int(key): {int(kind) for kind in kinds} for key, kinds in facilities.ORIGIN_KINDS.items()} == SPEC_ORIGIN_KINDS
    assert {key: set(kinds) for key, kinds in zk_origin.ORIGIN_KINDS.items()} == SPEC_ORIGIN_KINDS
    assert {int(key): {int(kind) for kind in kinds} for key, kinds in facilities.MADE_KINDS.items()} == SPEC_MADE_KINDS
    assert {key: set(kinds) for key, kinds in zk_transform.MADE_KINDS.items()} == SPEC_MADE_KINDS
    for facility_type in FacilityType:
        assert facilities.transforms_lots(facility_type) == (facility_type not in {0, 1, 8, 9, 10})
        assert facilities.minting_role(facility_type) is (Role.RECYCLER if facility_type is T.RECYCLER else Role.MINER)
        assert facilities.facility_metal(facility_type) == SPEC_FACILITY_METAL.get(int(facility_type))
        for scheme in Scheme:
            metal = SPEC_FACILITY_METAL.get(int(facility_type))
            assert facilities.scheme_covers(scheme, facility_type) == (metal is None or metal in SPEC_SCHEME_METALS[scheme])


# -- Roles.mayOperate ------------------------------------------------------------------------------


def test_roles_may_operate_agrees_with_its_twin_for_every_role_and_type(world):
    """``registerFacility`` asks ``Roles.mayOperate``: called from a holder of each role for each
    type, it lets through exactly what ``model.facilities.may_operate`` and the spec allow."""
    registry = world.admin.registry.functions
    for role, name in CLIENT_OF.items():
        sender = world.clients[name].address
        for facility_type in FacilityType:
            function = registry.registerFacility(int(facility_type), bytes32_text(f"MAY-{facility_type.name}"), b"CL", bytes(32))
            allowed = facility_type in SPEC_OPERATED_BY[role]
            assert facilities.may_operate(role, facility_type) == allowed, (role, facility_type)
            assert outcome(world, function, sender) == (OK if allowed else "RegistryFacilityTypeNotAllowed"), (role, facility_type)


def test_a_miner_registers_and_an_auditor_activates_a_lithium_brine_operation(world):
    site = world.miner.register_facility(T.BRINE_OPERATION, "SALAR-ATACAMA", "CL")
    assert (site.facility_type, site.country, site.recycled_pre_consumer_bps) == (T.BRINE_OPERATION, "CL", 0)
    world.auditor.activate_facility(site.facility_id, "brine audit")
    assert world.admin.facility(site.facility_id).active
    with pytest.raises(RevertedError, match="RegistryFacilityTypeNotAllowed"):
        world.miner.register_facility(T.LITHIUM_REFINERY, "NOT-A-MINE", "CL")


# -- scheme coverage -------------------------------------------------------------------------------


def test_certify_refuses_exactly_the_schemes_its_twin_refuses(world):
    sites = a_site_of_each_type(world)
    registry = world.auditor.registry.functions
    for facility_type, site in sites.items():
        for scheme in Scheme:
            got = outcome(world, registry.certify(site, int(scheme), 0, FAR_FUTURE, bytes(32)), world.auditor.address)
            expected = OK if facilities.scheme_covers(scheme, facility_type) else "RegistrySchemeDoesNotCover"
            assert got == expected, (scheme, facility_type)


def test_the_sdk_refuses_an_uncovered_scheme_before_sending_and_the_chain_names_it(world):
    site = world.miner.register_facility(T.BRINE_OPERATION, "SALAR-UNCOVERED", "CL").facility_id
    until = datetime.fromtimestamp(world.chain.latest_timestamp(), tz=timezone.utc) + timedelta(days=30)
    block = world.chain.w3.eth.block_number
    with pytest.raises(SchemeNotCoveredError) as refused:
        world.auditor.certify(site, Scheme.CIRAF, None, until, "ciraf.pdf")
    assert str(refused.value) == "scheme CIRAF does not cover lithium, the metal of a BRINE_OPERATION"
    assert refused.value.revert is None and world.chain.w3.eth.block_number == block
    with pytest.raises(SchemeNotCoveredError, match=r"RegistrySchemeDoesNotCover\(scheme=2, facilityType=8\)") as by_hand:
        world.auditor.send(world.auditor.registry.functions.certify(site, int(Scheme.COPPER_MARK), 0, FAR_FUTURE, bytes(32)), "by hand")
    assert (by_hand.value.scheme, by_hand.value.facility_type, by_hand.value.metal) == (Scheme.COPPER_MARK, T.BRINE_OPERATION, "lithium")
    nickel = world.miner.register_facility(T.NICKEL_MINE, "NICKEL-PIT", "ID").facility_id
    assert world.auditor.certify(nickel, Scheme.COPPER_MARK, None, until, "copper-mark.pdf").scheme is Scheme.COPPER_MARK
    assert world.auditor.certify(site, Scheme.IRMA, None, until, "irma.pdf").scheme is Scheme.IRMA


def test_an_activation_may_not_turn_a_certified_site_into_a_type_its_scheme_does_not_cover(world):
    """A certification recorded before the activation audit stays true of the type the auditor finds."""
    site = world.miner.register_facility(T.INDUSTRIAL_MINE, "DECLARED-COBALT", "CD").facility_id
    until = datetime.fromtimestamp(world.chain.latest_timestamp(), tz=timezone.utc) + timedelta(days=30)
    world.auditor.certify(site, Scheme.CIRAF, None, until, "ciraf.pdf")
    with pytest.raises(SchemeNotCoveredError, match="does not cover nickel"):
        world.auditor.activate_facility(site, "audit", facility_type=T.NICKEL_MINE)
    activate = world.auditor.registry.functions.activateFacility(site, int(T.NICKEL_MINE), b"ID", 0, 0, 0, bytes.fromhex("11" * 32), [])
    assert outcome(world, activate, world.auditor.address) == "RegistrySchemeDoesNotCover"
    world.auditor.activate_facility(site, "audit")
    assert world.admin.facility(site).facility_type is T.INDUSTRIAL_MINE


# -- the recycled input split ----------------------------------------------------------------------


def test_an_auditor_sets_a_recyclers_split_and_its_leaf_follows(world):
    recycler = world.facilities["recycler"].facility_id
    registry = world.admin.registry.functions
    old_root = registry.membershipRoot(int(MembershipSet.FACILITIES)).call()
    receipt = world.auditor.set_recycled_input_split(recycler, 2_500)
    (event,) = world.auditor.events(receipt, world.auditor.registry, "RecycledInputSplitSet")
    assert dict(event["args"]) == {"facilityId": recycler, "auditor": world.auditor.address, "oldBps": 0, "newBps": 2_500}
    site = world.admin.facility(recycler)
    assert site.recycled_pre_consumer_bps == 2_500
    leaf = registry.membershipLeaf(int(MembershipSet.FACILITIES), recycler).call()
    assert leaf == facility_leaf(site, site.risk_flags) != facility_leaf(world.facilities["recycler"], site.risk_flags)
    assert registry.membershipRoot(int(MembershipSet.FACILITIES)).call() != old_root
    assert not registry.isKnownMembershipRoot(int(MembershipSet.FACILITIES), old_root).call()
    assert world.auditor.trees.tree(MembershipSet.FACILITIES).root == registry.membershipRoot(int(MembershipSet.FACILITIES)).call()
    receipt = world.auditor.set_recycled_input_split(recycler, 10_000)
    (event,) = world.auditor.events(receipt, world.auditor.registry, "RecycledInputSplitSet")
    assert (event["args"]["oldBps"], event["args"]["newBps"]) == (2_500, 10_000)


def test_only_an_auditor_sets_a_split_only_at_a_recycler_only_up_to_100_percent(world):
    recycler, refinery = world.facilities["recycler"].facility_id, world.facilities["refiner"].facility_id
    registry = world.auditor.registry.functions
    block = world.chain.w3.eth.block_number
    with pytest.raises(MissingRoleError, match="AUDITOR_ROLE"):
        world.recycler.set_recycled_input_split(recycler, 1_000)
    with pytest.raises(NotRecyclerError, match="^facility .* is a REFINERY, not a RECYCLER"):
        world.auditor.set_recycled_input_split(refinery, 1_000)
    with pytest.raises(ValueError, match="pre_consumer_bps must be an integer 0..10000, not 10001"):
        world.auditor.set_recycled_input_split(recycler, 10_001)
    with pytest.raises(ValueError, match="not 12.5"):
        world.auditor.set_recycled_input_split(recycler, 12.5)  # type: ignore[arg-type]
    with pytest.raises(UnknownFacilityError):
        world.auditor.set_recycled_input_split(999, 1_000)
    assert world.chain.w3.eth.block_number == block
    # The same refusals from the chain itself.
    assert outcome(world, registry.setRecycledInputSplit(recycler, 1_000, []), world.recycler.address) == "AccessControlUnauthorizedAccount"
    assert outcome(world, registry.setRecycledInputSplit(refinery, 1_000, []), world.auditor.address) == "RegistryNotRecycler"
    assert outcome(world, registry.setRecycledInputSplit(recycler, 10_001, []), world.auditor.address) == "RegistryInvalidValue"
    assert outcome(world, registry.setRecycledInputSplit(999, 1_000, []), world.auditor.address) == "RegistryUnknownFacility"
    with pytest.raises(NotRecyclerError, match="RegistryNotRecycler"):
        world.auditor.send(registry.setRecycledInputSplit(refinery, 1_000, []), "by hand")


def test_a_split_set_before_activation_enters_the_leaf_at_activation(world):
    registry = world.admin.registry.functions
    site = world.recycler.register_facility(T.RECYCLER, "SECOND-REC", "BE").facility_id
    world.auditor.set_recycled_input_split(site, 4_000)
    assert registry.membershipLeaf(int(MembershipSet.FACILITIES), site).call() == 0
    world.auditor.activate_facility(site, "recycler audit")
    record = world.admin.facility(site)
    assert record.recycled_pre_consumer_bps == 4_000
    assert registry.membershipLeaf(int(MembershipSet.FACILITIES), site).call() == facility_leaf(record, 0)


# -- CO2e floors of the new origin types -----------------------------------------------------------


def test_the_admin_sets_the_floors_of_the_new_origin_types(world):
    registry = world.admin.registry.functions
    for place, facility_type in enumerate(facilities.ORIGIN_FLOOR_TYPES):
        world.admin.send(registry.setCo2eFloor(int(facility_type), 100 + place), f"floor of {facility_type.name}")
        assert world.admin.co2e_floor(facility_type) == 100 + place
