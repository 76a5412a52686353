"""A batch of passports as the chain holds it: its event, the issuing call's entries and proof, checked
against the batch's on-chain digest.

The passport contract keeps one word per batch (``batchDigest``); the batch's data is in its
``PassportBatchIssued`` event and the calldata of the ``issueBatch`` call that emitted it. ``load_batch``
reads both, recomputes the records' hash from the entries and has the contract check the digest, so
nothing read here is taken on trust from the node's decoding alone: a batch whose data does not match
its digest is refused. ``batch_public_signals`` rebuilds the proof's public inputs from that data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from batterytrace.exceptions import PassportError
from batterytrace.model.passports import ClaimBounds, MetalBounds, passport_id_for
from batterytrace.zk.contexts import batch_context, records_hash
from batterytrace.zk.pack_batch import BatchClaims, batch_public_signals, slot_signal
from batterytrace.zk.proof import Groth16Proof

if TYPE_CHECKING:
    from batterytrace.sdk.client import BatteryTrace


@dataclass(frozen=True)
class BatchEntry:
    """One passport of a batch, as its issuing call stated it."""

    passport_id: int
    battery_id: str
    grams: tuple[int, int, int]
    document_hash: bytes
    legitimate_interest_commitment: bytes
    authorities_commitment: bytes


@dataclass(frozen=True)
class PassportBatch:
    """A batch as the chain holds it, its data checked against its digest."""

    batch: int
    economic_operator: str
    issued_at: int
    note_root: int
    participants_root: int
    claims: BatchClaims
    records: bytes
    entries: tuple[BatchEntry, ...]
    proof: Groth16Proof
    transaction_hash: str
    block_number: int

    def entry(self, passport_id: int) -> BatchEntry:
        for entry in self.entries:
            if entry.passport_id == passport_id:
                return entry
        raise PassportError(f"batch {self.batch} holds no passport {passport_id:#x}")

    def bounds(self, passport_id: int) -> ClaimBounds:
        """What the batch proves of one of its passports: its pack's grams, the batch's shares and bounds."""
        return passport_bounds(self.entry(passport_id).grams, self.claims)

    def public_signals(self, chain_id: int, passport_contract: str) -> list[int]:
        """The proof's public inputs, the context recomputed here from the chain, contract, issuer and records."""
        context = batch_context(chain_id, passport_contract, self.economic_operator, self.records)
        slots = [slot_signal(entry.passport_id, entry.grams) for entry in self.entries]
        return batch_public_signals(self.note_root, self.participants_root, int(self.economic_operator, 16), self.claims,
                                    context, slots)


def passport_bounds(grams: tuple[int, ...], claims: BatchClaims) -> ClaimBounds:
    """A passport's proven claims: its pack's grams per metal with the batch's least shares."""
    metals = tuple(MetalBounds(int(value), *shares.bps()) for value, shares in zip(grams, claims.metals, strict=True))
    return ClaimBounds(metals, claims.max_co2e_grams_per_kg_cobalt, claims.max_co2e_grams_per_kwh, claims.capacity_wh,
                       claims.forbidden_risk_flags)


def entries_from_call(entries: Any) -> tuple[BatchEntry, ...]:
    """``issueBatch``'s decoded ``entries``, each with its passport id."""
    return tuple(BatchEntry(passport_id_for(entry["batteryId"]), str(entry["batteryId"]),
                            tuple(int(value) for value in entry["grams"]), bytes(entry["documentHash"]),
                            bytes(entry["legitimateInterestCommitment"]), bytes(entry["authoritiesCommitment"]))
                 for entry in entries)


def proof_from_call(fields: Any, public_signals: list[int] | tuple[int, ...] = ()) -> Groth16Proof:
    """The call's proof in snarkjs order (the contract takes pi_b with each pair swapped for the precompile)."""
    a, b, c = fields["a"], fields["b"], fields["c"]
    return Groth16Proof(a=(int(a[0]), int(a[1])), b=((int(b[0][1]), int(b[0][0])), (int(b[1][1]), int(b[1][0]))),
                        c=(int(c[0]), int(c[1])), public_signals=tuple(int(value) for value in public_signals))


def load_batch(client: BatteryTrace, batch: int) -> PassportBatch:
    """Batch ``batch`` from its event and issuing call; PassportError when it is unknown or its data
    does not match its digest."""
    contract = client.passports
    logs = contract.events.PassportBatchIssued().get_logs(argument_filters={"batch": batch},
                                                          from_block=client.deployment.block_number)
    if not logs:
        raise PassportError(f"no PassportBatchIssued event for batch {batch}")
    log = logs[0]
    args = log["args"]
    transaction = client.chain.w3.eth.get_transaction(log["transactionHash"])
    block = client.chain.w3.eth.get_block(log["blockNumber"])
    function, arguments = contract.decode_function_input(transaction["input"])
    if function.fn_name != "issueBatch":
        raise PassportError(f"batch {batch} was issued through {function.fn_name} (a contract wallet?), whose call this "
                            "SDK does not read")
    entries = entries_from_call(arguments["entries"])
    records = records_hash([(entry.passport_id, entry.grams, entry.document_hash, entry.legitimate_interest_commitment,
                             entry.authorities_commitment) for entry in entries])
    request = arguments["request"]
    claims = BatchClaims.from_abi(request["claims"])
    note_root, participants_root = int(request["noteRoot"]), int(request["participantsRoot"])
    operator = to_checksum_address(args["economicOperator"])
    checked = client.chain.call(contract.functions.checkBatch(batch, operator, int(block["timestamp"]), note_root,
                                                              participants_root, claims.as_abi(), records))
    if records != bytes(args["records"]) or not checked:
        raise PassportError(f"the data of batch {batch} does not match its digest on chain")
    return PassportBatch(batch, operator, int(block["timestamp"]), note_root, participants_root,
                         claims, records, entries, proof_from_call(arguments["proof"]),
                         "0x" + bytes(log["transactionHash"]).hex(), int(log["blockNumber"]))


__all__ = ["BatchEntry", "PassportBatch", "entries_from_call", "load_batch", "passport_bounds", "proof_from_call"]
