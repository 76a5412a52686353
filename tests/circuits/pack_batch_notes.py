"""A batch of pack notes for PackBatchClaimProof (circuits/pack_batch.circom, fifteen slots): the pack
maker's packs, each tagged with its passport id, and the inputs a prover sends, laid out by hand here
(independently of the SDK's twin, zk/pack_batch.py, which test_pack_batch.py checks against them),
honest or with one thing changed."""

from __future__ import annotations

from dataclasses import replace

from batterytrace.zk.custody import padded_path
from batterytrace.zk.notes import MetalValues, Note, NoteValues
from batterytrace.zk.pack_batch import PACK

from .lots import ARTISANAL_SITE, CHILD_LABOUR, CONFLICT_AREA
from .notes import CONTEXT
from .pack_notes import CAPACITY_WH, OEM, PACK_MAKER, PassportLedger, pack_note

SLOTS = 15
KEY_BITS, GRAMS_BITS = 96, 24
SLOT_BITS, WORD_BITS, WORDS = 96 + 3 * 24, 252, 10
NOTE_DEPTH, REGISTRY_DEPTH = 24, 16
FORBIDDEN = CHILD_LABOUR | CONFLICT_AREA
#: Three passports' ids (the top 96 bits of keccak256 of their battery ids; any 96-bit numbers here).
KEYS = (0x1C0FFEE_0000_0000_0000_0001, 0x2BADA55_0000_0000_0000_0002, 0x3FEED00_0000_0000_0000_0003)


def batch_pack(key: int, cobalt: int = 8_000, owner=PACK_MAKER, kind: int = PACK, risk_flags: int = ARTISANAL_SITE) -> Note:
    """A pack note tagged with ``key``: 40% certified, 10% pre- and 15% post-consumer cobalt; lithium
    and nickel as pack_notes.PACK_VALUES; 7.5 kg CO2e per kg of cobalt."""
    values = NoteValues((MetalValues(cobalt, cobalt * 2 // 5, cobalt // 10, cobalt * 3 // 20), MetalValues(7_000, 3_500, 420, 560),
                         MetalValues(40_000, 30_000, 2_000, 4_000)), total_grams=450_000, co2e_grams=cobalt * 15 // 2,
                        risk_flags=risk_flags)
    return replace(pack_note(owner, kind=kind, values=values), tag=key, blinding=0xB1D + key % 1000)


#: The batch's claims, met by every batch_pack: per metal (certified, pre-, post-consumer) bps.
SHARES = ((4_000, 1_000, 1_500), (5_000, 600, 800), (7_500, 500, 1_000))
PER_KG, PER_KWH = 7_500, 1_000   # the largest pack: 75 kg CO2e for 75 kWh


def claims_signal(shares=SHARES, forbidden: int = FORBIDDEN) -> int:
    """The claims signal's low 152 bits: the shares, then the forbidden flags (``bounds_signal`` above)."""
    packed = 0
    for metal, (certified, pre, post) in enumerate(shares):
        packed |= (certified | pre << 16 | post << 32) << (48 * metal)
    return packed | forbidden << (48 * len(shares))


def bounds_signal(per_kg: int = PER_KG, per_kwh: int = PER_KWH, capacity: int = CAPACITY_WH) -> int:
    """The claims signal's bits from 152: the bounds and the capacity, 32 bits each."""
    return (per_kg | per_kwh << 32 | capacity << 64) << 152


def slot_words(slots: list[int]) -> list[int]:
    """The slots end to end, slot i at bit 168 i, in ten words of 252 bits."""
    stream = sum(slot << (SLOT_BITS * index) for index, slot in enumerate(slots))
    return [(stream >> (WORD_BITS * word)) & ((1 << WORD_BITS) - 1) for word in range(WORDS)]


def slot_signal(note: Note) -> int:
    signal = note.tag
    for metal, values in enumerate(note.values.metals):
        signal |= values.grams << (KEY_BITS + GRAMS_BITS * metal)
    return signal


def batch_inputs(ledger: PassportLedger, packs: list[Note], issuer=PACK_MAKER, *, claims: int | None = None,
                 bounds: int | None = None, slots: list[int] | None = None) -> dict[str, object]:
    """The inputs for ``packs`` (leaves of ``ledger``'s tree) in the first slots, the rest unused
    (zeros, any path); ``claims`` and ``bounds`` replace the claims signal's two parts, ``slots`` the
    slots (laid in the public words)."""
    columns: dict[str, list] = {name: [] for name in ("grams", "certifiedGrams", "preConsumerGrams", "postConsumerGrams", "totalGrams",
                                                      "co2eGrams", "riskFlags", "blinding", "notePathLength", "notePathIndex",
                                                      "noteSiblings")}
    for note in packs:
        length, index, siblings = padded_path(ledger.notes.proof(note.commitment), NOTE_DEPTH)
        metals = note.values.metals
        for name, value in (("grams", [m.grams for m in metals]), ("certifiedGrams", [m.certified_grams for m in metals]),
                            ("preConsumerGrams", [m.pre_consumer_grams for m in metals]),
                            ("postConsumerGrams", [m.post_consumer_grams for m in metals]),
                            ("totalGrams", note.values.total_grams), ("co2eGrams", note.values.co2e_grams),
                            ("riskFlags", note.values.risk_flags), ("blinding", note.blinding), ("notePathLength", length),
                            ("notePathIndex", index), ("noteSiblings", siblings)):
            columns[name].append(value)
    for _ in range(SLOTS - len(packs)):
        for name in columns:
            columns[name].append([0] * 3 if name in ("grams", "certifiedGrams", "preConsumerGrams", "postConsumerGrams")
                                 else [0] * NOTE_DEPTH if name == "noteSiblings" else 0)
    issuer_length, issuer_index, issuer_siblings = padded_path(ledger.issuer_proof(issuer), REGISTRY_DEPTH)
    return {
        "noteRoot": ledger.notes.root,
        "participantsRoot": ledger.participants.root,
        "issuer": issuer.participant.account,
        "claims": (claims_signal() if claims is None else claims) | (bounds_signal() if bounds is None else bounds),
        "context": CONTEXT,
        "packs": slot_words(slots if slots is not None else [slot_signal(note) for note in packs]),
        **columns,
        "secret": issuer.secret,
        "roleIndex": issuer.participant.role_index,
        "operatorFlags": issuer.participant.risk_flags,
        "participantPathLength": issuer_length,
        "participantPathIndex": issuer_index,
        "participantSiblings": issuer_siblings,
    }


#: The OEM's pack in the scenario's tree, tagged like a passport's key.
OEM_PACK = batch_pack(0x4444, owner=OEM)


def batch_scenario() -> tuple[PassportLedger, list[Note]]:
    """Three of the pack maker's packs among the OEM's, in one tree."""
    packs = [batch_pack(key, cobalt=8_000 + 1_000 * n) for n, key in enumerate(KEYS)]
    return PassportLedger([pack_note(OEM), *packs, OEM_PACK]), packs
