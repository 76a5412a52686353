"""Export from a live deployment: what a participant's note store opens, as EPCIS.

A participant's document holds only what its keys open: its own lots, and others' from the first
note sealed for it (an offer to it) on; an auditor's view key opens every note, so an auditor's
document is the whole supply chain. The steps come from
:class:`~batterytrace.sdk.note_history.NoteHistory`, which also names holders and facilities, and
are written by :func:`~batterytrace.epcis.export.export_steps`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from batterytrace.epcis.export import ExportContext, export_steps
from batterytrace.exceptions import EpcisError
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.note_history import NoteHistory, NoteOperation, NoteStep
from batterytrace.sdk.notes import NoteStore


def context_for_client(
    client: BatteryTrace,
    facility_glns: Mapping[int, str] | None = None,
    party_glns: Mapping[str, str] | None = None,
    creation_date: datetime | None = None,
) -> ExportContext:
    """The ExportContext of a client's deployment: its chain, shielded ledger and registry."""
    deployment = client.deployment
    return ExportContext(client.chain.chain_id, str(deployment.ledger), str(deployment.registry),
                         dict(facility_glns or {}), dict(party_glns or {}), creation_date)


def export_notes(
    client: BatteryTrace,
    store: NoteStore,
    from_block: int | None = None,
    to_block: int | None = None,
    *,
    include_confidential: bool = False,
    creation_date: datetime | None = None,
) -> dict[str, Any]:
    """An EPCIS 2.0 JSON-LD document of the lots' steps the synced ``store`` sees in blocks
    ``from_block``..``to_block`` (default: all), oldest first, validated (see
    :func:`~batterytrace.epcis.export.export_steps` for the mapping). ``creation_date`` defaults to now.
    """
    first = from_block if from_block is not None else client.deployment.block_number
    last = to_block if to_block is not None else client.chain.w3.eth.block_number
    if first > last:
        raise EpcisError(f"the block range {first}..{last} is empty")
    history = NoteHistory(client, store)
    steps = [step for lot in history.lots().values() for step in lot if first <= step.block_number <= last]
    return export_steps(steps, history, context_for_client(client, creation_date=creation_date),
                        include_confidential=include_confidential)


def export_lot(
    client: BatteryTrace,
    store: NoteStore,
    lot_id: int,
    *,
    include_confidential: bool = False,
    creation_date: datetime | None = None,
) -> dict[str, Any]:
    """One lot's steps the synced ``store`` sees, as EPCIS: its creation (a mint, or the transform
    that made it), its custody steps and the transform or passport that consumed it. A
    transformation lists every lot of it the store opens. UnknownLotError when the store opens no
    note of the lot."""
    history = NoteHistory(client, store)
    own = history.steps(lot_id)
    return export_steps([*own, *_locating_steps(history, own)], history,
                        context_for_client(client, creation_date=creation_date), include_confidential=include_confidential)


def _locating_steps(history: NoteHistory, steps: tuple[NoteStep, ...]) -> list[NoteStep]:
    """For each transform among ``steps`` that consumed the lot, the same transform as a step that
    created one of its outputs (where the store opens one): that step locates the job."""
    known = set(history.tags())
    found = []
    for step in steps:
        if step.operation is not NoteOperation.TRANSFORM or step.creates_lot:
            continue
        key = (step.transaction_hash, step.log_index)
        found += [sibling for note in step.outputs if note.tag in known for sibling in history.steps(note.tag)
                  if (sibling.transaction_hash, sibling.log_index) == key]
    return found


__all__ = ["context_for_client", "export_lot", "export_notes"]
