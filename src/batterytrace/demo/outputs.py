"""The demo's passports and files: each pack's passport issued in one batch, its document, page,
tiers, the run's EPCIS document and the genealogy picture."""

from __future__ import annotations

import json
from pathlib import Path

from batterytrace.demo.companies import CAPACITY_WH, COMPANIES, battery_id_of
from batterytrace.demo.data import example_pack_passport_input
from batterytrace.demo.steps import DemoRun
from batterytrace.demo.summary import MetalSummary, PassportSummary
from batterytrace.documents.batterypass import build_passport_document
from batterytrace.documents.canonical import canonical_json, document_hash
from batterytrace.documents.claims import claim_statuses, proven_claims
from batterytrace.documents.credential import unverified_payload, verify_credential
from batterytrace.documents.genealogy import render_genealogy
from batterytrace.documents.page import ChainInfo, render_passport_page
from batterytrace.documents.tiers import AccessTier, encrypt_tier, split_by_tier, tier_commitment
from batterytrace.epcis.note_export import export_notes
from batterytrace.model.genealogy import LotNode
from batterytrace.model.lots import METAL_NAMES
from batterytrace.model.passports import passport_id_for, passport_urn
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.passport_batches import passport_bounds
from batterytrace.sdk.passports import PassportRequest, get_passport, issue_passports, verify_passport
from batterytrace.sdk.resolver import ResolverClient, publish
from batterytrace.zk.notes import Note
from batterytrace.zk.pack_batch import BatchClaims, MetalShares


def nice_claims(notes: list[Note]) -> BatchClaims:
    """Round the tightest claims all the packs support to figures a person reads: shares down to whole
    percent, CO2e bounds up to the next 100 g per kg and 10 g per kWh."""
    tight = BatchClaims.tightest(notes, CAPACITY_WH, int(RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS | RiskFlag.CONFLICT_AREA))
    return BatchClaims(
        metals=tuple(MetalShares(*(bps // 100 * 100 for bps in shares.bps())) for shares in tight.metals),
        max_co2e_grams_per_kg_cobalt=-(-tight.max_co2e_grams_per_kg_cobalt // 100) * 100,
        max_co2e_grams_per_kwh=-(-tight.max_co2e_grams_per_kwh // 10) * 10,
        capacity_wh=CAPACITY_WH,
        forbidden_risk_flags=tight.forbidden_risk_flags,
    )


def issue_pack_passports(
    run: DemoRun, packs: list[int], genealogy: list[LotNode], out_dir: Path
) -> tuple[list[PassportSummary], dict[str, str]]:
    """Issue every pack's passport in one batch (one transaction, one proof), re-verify each off chain,
    and write the first one's document, public part and page to ``out_dir``."""
    oem = run.client("oem")
    origin_count = sum(1 for node in genealogy if node.is_origin)
    requests, documents = [], []
    notes = [run.note("oem", pack).note for pack in packs]
    claims_proven = nice_claims(notes)
    for index, note in enumerate(notes, start=1):
        battery_id = battery_id_of(index)
        bounds = passport_bounds(tuple(metal.grams for metal in note.values.metals), claims_proven)
        # The document states the claims before issuance; issuance reverts unless the proof verifies.
        claims = proven_claims(bounds, genealogy, verified=True)
        urn = passport_urn(run.chain.chain_id, oem.deployment.passport, passport_id_for(battery_id))
        document = build_passport_document(example_pack_passport_input(urn, battery_id, claims))
        parts = split_by_tier(document)
        recycler_key = run.client("recycler").encryption_public_key
        auditor_key = run.client("auditor").encryption_public_key
        legitimate = encrypt_tier(parts[AccessTier.LEGITIMATE_INTEREST], {"recycler": recycler_key})
        authorities = encrypt_tier(parts[AccessTier.AUTHORITIES], {"auditor": auditor_key})
        public_hash = document_hash(parts[AccessTier.PUBLIC])
        requests.append(PassportRequest(
            battery_id=battery_id, document_hash=public_hash, capacity_wh=CAPACITY_WH, legitimate_interest_commitment=tier_commitment(legitimate),
            authorities_commitment=tier_commitment(authorities), claims=claims_proven,
        ))
        documents.append((document, parts, urn))
    issued = issue_passports(oem, requests)
    resolver = ResolverClient(run.start_resolver(next(company.name for company in COMPANIES if company.key == "oem")))
    published = [publish(resolver, oem.signer, item.passport_id, document)
                 for item, (document, _parts, _urn) in zip(issued, documents, strict=True)]
    run.tally.gas[f"issue passports (batch of {len(issued)}, per passport)"].append(issued[0].receipt.gas_used // len(issued))
    run.tally.proofs_verified_on_chain += len(issued)

    summaries = []
    files: dict[str, str] = {}
    for item, (document, parts, urn), url in zip(issued, documents, [answer["url"] for answer in published], strict=True):
        verification = verify_passport(run.client("auditor"), item.passport_id)
        record = get_passport(oem, item.passport_id)
        summaries.append(PassportSummary(
            battery_id=item.battery_id,
            passport_id=hex(item.passport_id),
            urn=urn,
            metals=tuple(MetalSummary(name, metal.grams, metal.min_certified_bps / 100, metal.min_pre_consumer_bps / 100,
                                      metal.min_post_consumer_bps / 100)
                         for name, metal in zip(METAL_NAMES, item.bounds.metals, strict=True)),
            max_kg_co2e_per_kg_cobalt=item.bounds.max_co2e_grams_per_kg_cobalt / 1000,
            max_kg_co2e_per_kwh=item.bounds.max_co2e_grams_per_kwh / 1000,
            origin_lots=origin_count,
            reverified_offchain=verification.verified,
            resolver_url=url,
            credential_verified=_credential_holds(resolver, url),
        ))
        if item is issued[0]:
            statuses = claim_statuses(verification, genealogy)
            info = ChainInfo(chain_id=run.chain.chain_id, passport_contract=oem.deployment.passport, token_id=item.passport_id,
                             block_number=verification.block_number, document_hash=record.document_hash,
                             tier_commitments={AccessTier.LEGITIMATE_INTEREST: record.legitimate_interest_commitment,
                                               AccessTier.AUTHORITIES: record.authorities_commitment},
                             tier_recipients={AccessTier.LEGITIMATE_INTEREST: ["recycler"], AccessTier.AUTHORITIES: ["auditor"]})
            passport_path = out_dir / "passport.json"
            passport_path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
            (out_dir / "passport.public.json").write_bytes(canonical_json(parts[AccessTier.PUBLIC]))
            page_dir = out_dir / "passport-page"
            page = render_passport_page(parts[AccessTier.PUBLIC], statuses, info, page_dir)
            files["passport"] = str(passport_path)
            files["page"] = str(page)
    return summaries, files


def _credential_holds(resolver: ResolverClient, url: str) -> bool:
    """The credential the resolver serves at ``url`` verifies offline with its DID document and status list."""
    token = resolver.credential(url.removeprefix(resolver.url))
    did_document = resolver.did_document()
    list_url = unverified_payload(token)["credentialStatus"]["statusListCredential"]
    verify_credential(token, did_documents={did_document["id"]: did_document}, status_lists={list_url: resolver.status_list()})
    return True


def export_supply_chain(run: DemoRun, genealogy: list[LotNode], out_dir: Path) -> dict[str, str]:
    """The EPCIS document of the whole run, as the auditor's view key sees it, and the genealogy
    picture of one pack."""
    auditor = run.ledger("auditor")
    auditor.sync()
    document = export_notes(run.client("auditor"), auditor.store)
    epcis_path = out_dir / "epcis.jsonld"
    epcis_path.write_text(json.dumps(document, indent=2) + "\n")
    png, svg = render_genealogy(genealogy, out_dir)
    return {"epcis": str(epcis_path), "genealogy_png": str(png), "genealogy_svg": str(svg)}
