"""The proven claims of a passport, in the words of its document and page."""

from __future__ import annotations

from collections.abc import Sequence

from batterytrace.documents.page import ClaimStatus, describe_claims
from batterytrace.documents.passport_input import DOCUMENT_RISK_FLAGS, ProvenClaims, ProvenMetal
from batterytrace.model.genealogy import LotNode
from batterytrace.model.passports import ClaimBounds
from batterytrace.model.registry import Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.passports import PassportVerification

_SCHEME_NAMES = {Scheme.RMAP: "RMAP", Scheme.IRMA: "IRMA", Scheme.COPPER_MARK: "Copper Mark", Scheme.CIRAF: "CIRAF",
                 Scheme.ICMM: "ICMM", Scheme.GBA: "GBA"}


def proven_claims(
    bounds: ClaimBounds, genealogy: Sequence[LotNode], verified: bool, transaction_hash: str | None = None
) -> ProvenClaims:
    """What a batch claim proof establishes of one passport, as its document and page state it: the
    proven bounds per metal (its pack's grams, the batch's certified, pre- and post-consumer recycled
    shares), with the origin lots and their certification schemes read from the pack's genealogy,
    which only a note store that opens every note of it has (an auditor's:
    :func:`batterytrace.sdk.note_history.genealogy_from_notes`). Of the flags the proof forbids, the
    document states those of :data:`DOCUMENT_RISK_FLAGS`."""
    origins = [node for node in genealogy if node.is_origin]
    forbidden = RiskFlag(bounds.forbidden_risk_flags) & DOCUMENT_RISK_FLAGS
    return ProvenClaims(
        metals=tuple(ProvenMetal(metal.grams, metal.min_certified_bps, metal.min_pre_consumer_bps, metal.min_post_consumer_bps)
                     for metal in bounds.metals),
        origin_lot_count=len(origins),
        max_co2e_grams_per_kg_cobalt=bounds.max_co2e_grams_per_kg_cobalt,
        max_co2e_grams_per_kwh=bounds.max_co2e_grams_per_kwh,
        forbidden_risk_flags=frozenset(forbidden.singles()),
        origin_certification_schemes=tuple(sorted({_SCHEME_NAMES[scheme] for node in origins for scheme in node.certified_schemes})),
        proof_verified=verified,
        proof_transaction_hash=transaction_hash,
    )


#: Said of the claims whose origin-lot count or certification schemes come from the genealogy: the
#: batch claim proof binds each pack's grams and the batch's shares, not how many lots or which
#: schemes stand behind them.
FROM_GENEALOGY = "; the origin lots and their schemes as the pack's genealogy records them (not in the proof)"
#: The same, said by a resolver that has the publisher's document, not the genealogy.
FROM_DOCUMENT = "; the origin lots and their schemes as the economic operator's document states them (not in the proof)"


def claim_statuses(verification: PassportVerification, genealogy: Sequence[LotNode], claims: ProvenClaims | None = None,
                   origins_from: str = FROM_GENEALOGY) -> list[ClaimStatus]:
    """The passport page's claims, each with the verdict of re-verifying its batch's proof (from the
    chain, or from an index's copy of the batch's call), and how it was checked: the first two name
    their origin lots and schemes, which come from ``genealogy`` (or, given ``claims``, from where
    ``origins_from`` says)."""
    if claims is None:
        claims = proven_claims(verification.bounds, genealogy, verification.verified, verification.transaction_hash)
    texts = describe_claims(claims)
    return [ClaimStatus(text, verification.verified, verification.how + (origins_from if index < 2 else ""))
            for index, text in enumerate(texts)]
