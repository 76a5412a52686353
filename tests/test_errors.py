"""The one mapping from contract errors to the SDK's exceptions: every twin a class declares is a
real error of a shipped contract and is mapped, and a revert built by hand from the error's ABI
comes back as that class with the revert's arguments typed."""

from __future__ import annotations

import inspect

import pytest
from eth_abi import encode as abi_encode
from eth_utils import function_abi_to_4byte_selector

from batterytrace import exceptions
from batterytrace.evm.artifacts import SHIPPED_CONTRACTS, load
from batterytrace.evm.reverts import ErrorDecoder
from batterytrace.exceptions import (
    BatteryTraceError,
    MissingRoleError,
    NotCustodianError,
    RefusedError,
    RevertedError,
    UnknownFacilityError,
    UnknownParticipantError,
)
from batterytrace.model.registry import Role
from batterytrace.sdk.errors import domain_error, twins

ERRORS = {item["name"]: item for name in SHIPPED_CONTRACTS for item in load(name).abi if item.get("type") == "error"}
DECODER = ErrorDecoder(load(name).abi for name in SHIPPED_CONTRACTS)
SAMPLE = {"address": "0x" + "ab" * 20, "uint256": 7, "uint8": 1, "uint32": 3, "uint64": 5, "bytes32": bytes(32),
          "string": "x", "bool": True, "bytes": b"\x02" + bytes(32)}
TWINNED = [cls for _, cls in inspect.getmembers(exceptions, inspect.isclass) if getattr(cls, "solidity_errors", ())]


def revert(name: str, **overrides: object) -> RevertedError:
    """A revert of error ``name`` as the chain returns it, encoded here from the ABI."""
    error = ERRORS[name]
    values = [overrides.get(argument["name"], SAMPLE[argument["type"]]) for argument in error["inputs"]]
    data = function_abi_to_4byte_selector(error) + abi_encode([argument["type"] for argument in error["inputs"]], values)
    decoded = DECODER.decode(data)
    return RevertedError("call", decoded.text, decoded.name, dict(decoded.arguments))


@pytest.mark.parametrize("cls", TWINNED, ids=lambda cls: cls.__name__)
def test_every_declared_twin_is_a_contract_error_and_maps_to_its_class(cls):
    for name in cls.solidity_errors:
        assert name in ERRORS, f"{cls.__name__} names {name}, which no shipped contract declares"
        assert name in twins(), f"{name} has no entry in batterytrace.sdk.errors"
        mapped = domain_error(revert(name))
        assert type(mapped) is cls
        assert mapped.revert is not None and mapped.revert.error_name == name


def test_every_mapped_error_is_declared_by_its_class():
    for name in twins():
        mapped = domain_error(revert(name))
        assert name in type(mapped).solidity_errors


def test_typed_arguments_come_from_the_revert():
    caller = "0x" + "22" * 20
    error = domain_error(revert("AccessControlUnauthorizedAccount", account=caller, neededRole=Role.AUDITOR.role_id))
    assert isinstance(error, MissingRoleError) and isinstance(error, PermissionError)
    assert (error.account.lower(), error.role) == (caller, "AUDITOR_ROLE")
    assert str(error) == f"call reverted: AccessControlUnauthorizedAccount(account={caller}, neededRole=0x{Role.AUDITOR.role_id.hex()})"

    error = domain_error(revert("PassportUnauthorized", account=caller))
    assert isinstance(error, MissingRoleError) and error.account.lower() == caller

    error = domain_error(revert("RegistryNotRegistered", account=caller))
    assert isinstance(error, UnknownParticipantError) and isinstance(error, LookupError) and error.account.lower() == caller

    error = domain_error(revert("RegistryUnknownFacility", facilityId=12))
    assert isinstance(error, UnknownFacilityError) and isinstance(error, LookupError) and error.facility_id == 12


def test_a_revert_without_a_twin_stays_a_reverted_error_with_its_arguments():
    error = domain_error(revert("RegistryLastAdmin", account="0x" + "33" * 20))
    assert type(error) is RevertedError
    assert error.error_name == "RegistryLastAdmin" and error.arguments["account"].lower() == "0x" + "33" * 20
    # The shielded ledger's refusals name notes, never a participant: they stay reverts with their values.
    error = domain_error(revert("LedgerNullifierSpent", nullifier=99))
    assert type(error) is RevertedError and (error.error_name, error.arguments) == ("LedgerNullifierSpent", {"nullifier": 99})


def test_refusals_raised_before_sending_carry_no_revert():
    error = NotCustodianError(1, "0xA", "0xB")
    assert error.revert is None and error.error_name is None
    assert str(error) == "lot 0x1 is held by 0xA, not 0xB"


def test_every_sdk_exception_has_one_root_and_a_builtin_twin():
    for _, cls in inspect.getmembers(exceptions, inspect.isclass):
        # RefusedError is a family only: each member inherits the builtin that fits it.
        if issubclass(cls, BatteryTraceError) and cls not in (BatteryTraceError, RefusedError):
            builtins = [base for base in cls.__mro__ if base.__module__ == "builtins" and base not in (object, BaseException, Exception)]
            assert builtins, f"{cls.__name__} inherits no builtin exception besides Exception"
    assert issubclass(RefusedError, BatteryTraceError)


def test_battery_id_prefix_and_holder_twins_carry_typed_arguments():
    """Issue 13, findings 2 and 3: the passport and company-prefix refusals arrive typed."""
    from batterytrace.exceptions import (
        BatteryIdNotOwnedError,
        CompanyPrefixConflictError,
        CompanyPrefixNotHeldError,
        InvalidPassportReceiverError,
        InvalidStatusChangeError,
        NotPassportHolderError,
    )

    issuer, owner, zero = "0x" + "11" * 20, "0x" + "22" * 20, "0x" + "00" * 20
    error = domain_error(revert("PassportBatteryIdNotOwned", batteryId="QBT7X1", issuer=issuer, owner=owner))
    assert isinstance(error, BatteryIdNotOwnedError) and isinstance(error, PermissionError)
    assert (error.battery_id, error.issuer.lower(), error.owner.lower()) == ("QBT7X1", issuer, owner)
    assert domain_error(revert("PassportBatteryIdNotOwned", owner=zero)).owner is None

    error = domain_error(revert("RegistryPrefixTaken", kind=0, prefix="0614141", holder=owner))
    assert isinstance(error, CompanyPrefixConflictError) and (error.kind, error.prefix, error.holder.lower()) == (0, "0614141", owner)
    assert domain_error(revert("RegistryPrefixExtended", kind=1, prefix="QBT")).holder is None
    error = domain_error(revert("RegistryPrefixNotHeld", kind=0, prefix="0614141", operator=issuer, holder=zero))
    assert isinstance(error, CompanyPrefixNotHeldError) and isinstance(error, LookupError) and error.holder is None

    error = domain_error(revert("PassportNotHolder", passportId=9, account=issuer, holder=owner))
    assert isinstance(error, NotPassportHolderError) and (error.passport_id, error.caller.lower(), error.holder.lower()) == (9, issuer, owner)
    error = domain_error(revert("PassportInvalidStatusChange", passportId=9, **{"from": 5, "to": 3}))
    assert isinstance(error, InvalidStatusChangeError) and (error.status, error.requested) == ("WASTE", "REUSED")
    error = domain_error(revert("PassportInvalidReceiver", receiver=owner))
    assert isinstance(error, InvalidPassportReceiverError) and isinstance(error, UnknownParticipantError)
    assert error.account.lower() == owner
