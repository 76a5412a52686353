"""Custody: two-step handovers (offer, cancel, accept after weighing, or dispute) and an
auditor's resolution, with each lot's opening handed over encrypted."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address

from batterytrace.evm.chain import PendingTransaction, Receipt
from batterytrace.exceptions import (
    AuditorIsPartyError,
    ConfigurationError,
    DecryptionError,
    LotStateError,
    NotPendingReceiverError,
    SenderNotParticipantError,
    UnknownParticipantError,
)
from batterytrace.model.identifiers import evidence_hash
from batterytrace.model.lots import BPS, DisputeOutcome, Lot, LotStatus
from batterytrace.model.registry import Role
from batterytrace.sdk.lots import LotOperations, require_custody, require_status
from batterytrace.zk.commitment import Opening
from batterytrace.zk.envelopes import decrypt_opening, encrypt_opening


def require_receiver(receiver: str, caller: str, is_participant: bool) -> None:
    """A lot is offered to a registered participant other than its custodian (twin of
    ``LotsInvalidReceiver``)."""
    if receiver == caller or not is_participant:
        raise UnknownParticipantError(receiver, f"{receiver} is not a registered participant other than the custodian")


def require_sender_participant(lot: Lot, caller: str, is_participant: bool) -> None:
    """The custodian offering a lot still holds its participant role (twin of
    ``LotsSenderNotParticipant``): a revoked participant keeps its lots but passes none on."""
    if not is_participant:
        raise SenderNotParticipantError(lot.lot_id, caller)


def require_impartial_auditor(lot: Lot, caller: str) -> None:
    """The auditor resolving a dispute is neither the lot's sender nor its receiver (twin of
    ``LotsAuditorIsParty``)."""
    if caller in (lot.custodian, lot.pending_receiver):
        raise AuditorIsPartyError(lot.lot_id, caller)


def require_pending_receiver(lot: Lot, caller: str) -> None:
    """The lot is in transit to ``caller`` (twins of ``LotsWrongStatus`` and ``LotsNotPendingReceiver``,
    in the contract's order)."""
    require_status(lot, LotStatus.IN_TRANSIT)
    if lot.pending_receiver != caller:
        raise NotPendingReceiverError(lot.lot_id, lot.pending_receiver, caller)


@dataclass(frozen=True)
class AcceptResult:
    """A weigh-in: accepted within tolerance, else disputed, with the masses compared."""

    lot_id: int
    accepted: bool
    measured_total_grams: int
    committed_total_grams: int
    deviation_bps: int
    receipt: Receipt


class CustodyOperations(LotOperations):
    """Handing lots over between participants, and settling disputed weighings."""

    def offer(self, lot_id: int, to: str, wait: bool = True) -> Receipt | PendingTransaction:
        """Offer a lot to another participant, handing it the opening encrypted (and to auditors)."""
        record = self.lot(lot_id)
        require_custody(record, self.address)
        require_status(record, LotStatus.ACTIVE)
        require_sender_participant(record, self.address, self.is_participant(self.address))
        receiver = to_checksum_address(to)
        require_receiver(receiver, self.address, receiver != self.address and self.is_participant(receiver))
        blob = encrypt_opening(self.opening(lot_id), self.recipients(receiver))
        return self.send(self.lots.functions.offer(lot_id, receiver, blob), f"offer lot {lot_id:#x} to {receiver}", wait=wait)

    def cancel_offer(self, lot_id: int, wait: bool = True) -> Receipt | PendingTransaction:
        """Withdraw this participant's pending offer of a lot."""
        record = self.lot(lot_id)
        require_custody(record, self.address)
        require_status(record, LotStatus.IN_TRANSIT)
        return self.send(self.lots.functions.cancelOffer(lot_id), f"cancel the offer of lot {lot_id:#x}", wait=wait)

    def offered_opening(self, lot_id: int) -> Opening:
        """Decrypt the opening handed over with the lot's latest offer and check it against the chain."""
        if self.encryption_key is None:
            raise ConfigurationError("this client has no encryption key to open handed-over lots")
        record = self.lot(lot_id)
        logs = self.lots.events.LotOffered().get_logs(
            argument_filters={"lotId": lot_id}, from_block=self.deployment.block_number
        )
        if not logs:
            raise LotStateError(lot_id, message=f"lot {lot_id:#x} has never been offered")
        blob = bytes(logs[-1]["args"]["encryptedOpening"])
        return decrypt_opening(blob, self.encryption_key, record.commitment)

    def accept(self, lot_id: int, measured_total_grams: int, tolerance_bps: int = 50, evidence: str | bytes | None = None) -> AcceptResult:
        """Weigh-in a lot offered to this participant: accept within tolerance, else dispute.

        The opening handed over is decrypted and checked against the on-chain commitment before
        anything is sent; the committed total mass is compared with the receiver's weighing.
        """
        record = self.lot(lot_id)
        require_pending_receiver(record, self.address)
        if not self.is_participant(self.address):
            raise UnknownParticipantError(self.address, message=f"{self.address} is no longer a participant: it cannot take lot {lot_id:#x} in")
        if measured_total_grams < 0 or not 0 <= tolerance_bps <= BPS:
            raise ValueError("the measured mass must be >= 0 and the tolerance 0..10000 bps")
        opening = self.offered_opening(lot_id)
        committed = opening.total_grams
        deviation_bps = abs(measured_total_grams - committed) * BPS // max(committed, 1)
        within = abs(measured_total_grams - committed) * BPS <= tolerance_bps * committed
        self.store.put(self.chain.chain_id, self.deployment.lots, lot_id, opening)
        receipt = self.send(
            self.lots.functions.accept(lot_id, within, evidence_hash(evidence)),
            f"{'accept' if within else 'dispute'} lot {lot_id:#x}",
        )
        return AcceptResult(lot_id, within, measured_total_grams, committed, deviation_bps, receipt)

    def resolve_dispute(self, lot_id: int, outcome: DisputeOutcome, evidence: str | bytes | None = None) -> Receipt:
        """Settle a disputed weighing (auditors only)."""
        self.require_role(Role.AUDITOR)
        record = self.lot(lot_id)
        require_status(record, LotStatus.DISPUTED)
        require_impartial_auditor(record, self.address)
        return self.send(
            self.lots.functions.resolveDispute(lot_id, int(outcome), evidence_hash(evidence)),
            f"resolve the dispute over lot {lot_id:#x}",
        )

    def audit_opening(self, lot_id: int) -> Opening:
        """An auditor opens any lot from the envelopes in its events with its view key."""
        if self.encryption_key is None:
            raise ConfigurationError("this client has no view key")
        record = self.lot(lot_id)
        blobs = [bytes(log["args"]["encryptedOpening"]) for log in self.lots.events.LotOffered().get_logs(
            argument_filters={"lotId": lot_id}, from_block=self.deployment.block_number)]
        blobs += [bytes(log["args"]["encryptedOpening"]) for log in self.lots.events.LotCreated().get_logs(
            argument_filters={"lotId": lot_id}, from_block=self.deployment.block_number)]
        for blob in reversed(blobs):
            try:
                return decrypt_opening(blob, self.encryption_key, record.commitment)
            except DecryptionError:
                continue
        raise DecryptionError(f"no envelope of lot {lot_id:#x} opens with this key")
