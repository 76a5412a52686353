"""The page a person opens from the battery's QR code: one self-contained HTML file.

No scripts, no external requests: inline CSS and an inline SVG QR code, so the file can be served from
anywhere (or opened from disk) and shows the same thing. Every string from the document is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping, Sequence

import segno

from batterytrace.documents.canonical import document_hash
from batterytrace.documents.passport_input import ProvenClaims
from batterytrace.documents.recycled_content import ART8_DATES, LEAD_UNPROVEN, RecycledRow, recycled_rows
from batterytrace.documents.tiers import RESTRICTED_PATHS, AccessTier
from batterytrace.model.risk import RiskFlag

PAGE_FILE = "index.html"
QR_SVG_FILE = "qr.svg"
QR_PNG_FILE = "qr.png"

_RISK_WORDS = {RiskFlag.CHILD_LABOUR: "child-labour", RiskFlag.HUMAN_RIGHTS: "human-rights",
               RiskFlag.ARTISANAL: "artisanal-mining"}
_STAGE_NAMES = {"RawMaterialExtraction": "Raw material extraction", "MainProduction": "Main production",
                "Distribution": "Distribution", "Recycling": "End of life and recycling"}
_TIER_NAMES = {AccessTier.LEGITIMATE_INTEREST: "Legitimate interest", AccessTier.AUTHORITIES: "Authorities"}
_TIER_AUDIENCE = {
    AccessTier.LEGITIMATE_INTEREST: "Repairers, remanufacturers, second-life operators, recyclers (Annex XIII §2, §4)",
    AccessTier.AUTHORITIES: "Notified bodies, market surveillance authorities, the Commission (Annex XIII §3)",
}


@dataclass(frozen=True)
class ClaimStatus:
    """One claim as the page shows it: its text, whether it verified, and how it was checked."""

    text: str
    verified: bool
    how: str


@dataclass(frozen=True)
class ChainInfo:
    """Where the passport lives on chain and what is committed there."""

    chain_id: int
    passport_contract: str
    token_id: int
    block_number: int | None = None
    document_hash: bytes | None = None  # the documentHash read from the contract
    tier_commitments: Mapping[AccessTier, bytes] = field(default_factory=dict)
    tier_recipients: Mapping[AccessTier, Sequence[str]] = field(default_factory=dict)


def _kg(grams: int) -> str:
    return f"{(Decimal(grams) / 1000).normalize():f}"


def _percent(basis_points: int) -> str:
    return f"{(Decimal(basis_points) / 100).normalize():f}%"


def _listed(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe_claims(claims: ProvenClaims) -> list[str]:
    """The human sentences for each proven claim, in the order the page shows them: the traced content
    and the certified shares (the two that name origin lots and schemes), each traced metal's recycled
    shares, the CO2e bounds and the flags. A metal without grams in the pack claims nothing."""
    flags = sorted(claims.forbidden_risk_flags, key=lambda flag: flag.term)
    words = " or ".join(_RISK_WORDS.get(flag, flag.term) for flag in flags)
    traced = [(name, metal) for name, metal in claims.by_metal() if metal.grams_traced] or [("cobalt", claims.cobalt)]
    schemes = sorted(claims.origin_certification_schemes)
    texts = [
        f"100% of {_listed([f'{_kg(metal.grams_traced)} kg {name}' for name, metal in traced])} traced to "
        f"{claims.origin_lot_count} origin lots",
        f"{_listed([f'≥ {_percent(metal.min_certified_share_bps)} {name}' for name, metal in traced])} from certified sites"
        + (f" ({', '.join(schemes)})" if schemes else ""),
    ]
    texts += [
        f"≥ {_percent(metal.min_recycled_share_bps)} recycled {name} (≥ {_percent(metal.min_pre_consumer_share_bps)} "
        f"pre-consumer, ≥ {_percent(metal.min_post_consumer_share_bps)} post-consumer)"
        for name, metal in traced
    ]
    texts += [
        f"≤ {_kg(claims.max_co2e_grams_per_kg_cobalt)} kg CO2e per kg cobalt",
        f"≤ {_kg(claims.max_co2e_grams_per_kwh)} kg CO2e per kWh from the traced supply chain",
    ]
    if flags:
        texts.append(f"no {words} flag at any origin site")
    return texts


_CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:#1a1a1a;background:#f3f5f7}
main{max-width:960px;margin:0 auto;padding:24px 20px 48px}
header.top{display:flex;gap:24px;align-items:flex-start;justify-content:space-between;background:#fff;
border-radius:12px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.75rem;margin:0 0 4px}
h2{font-size:1.25rem;margin:0 0 12px}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:.8rem;color:#4a5560;margin:0}
.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem;word-break:break-all;color:#1f3a5f}
.qr{flex:none;text-align:center;font-size:.8rem;color:#4a5560}
.qr svg{display:block;width:148px;height:148px;background:#fff}
dl.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px 20px;margin:16px 0 0}
dl.facts div{border-left:3px solid #1f3a5f;padding-left:10px}
dt{font-size:.8rem;color:#4a5560;text-transform:uppercase;letter-spacing:.05em}
dd{margin:0;font-weight:600}
section{background:#fff;border-radius:12px;padding:20px 24px;margin-top:20px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.verdict{display:flex;align-items:center;gap:12px;font-weight:700;font-size:1.1rem;padding:14px 18px;border-radius:10px;margin-top:20px}
.verdict.ok{background:#e3f4e8;color:#0b4f24;border:2px solid #0b6b2e}
.verdict.bad{background:#fde7ea;color:#7a0015;border:2px solid #b00020}
ul.claims{list-style:none;margin:0;padding:0}
ul.claims li{display:flex;gap:16px;align-items:flex-start;padding:12px 0;border-top:1px solid #e2e6ea}
ul.claims li:first-child{border-top:0}
.badge{flex:none;display:inline-block;min-width:11.5em;white-space:nowrap;text-align:center;font-weight:700;font-size:.8rem;
letter-spacing:.06em;padding:4px 10px;border-radius:999px;color:#fff}
.badge.ok{background:#0b6b2e}
.badge.bad{background:#b00020}
.badge.neutral{background:#4a5560}
.claim-text{font-weight:600;font-size:1.05rem}
.how{font-size:.85rem;color:#4a5560;word-break:break-word}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e2e6ea;vertical-align:top}
th{font-size:.8rem;color:#4a5560;text-transform:uppercase;letter-spacing:.05em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all}
.big{font-size:1.6rem;font-weight:700}
.art8{font-size:.8rem;font-weight:700}
.art8.meets{color:#0b6b2e}
.art8.below{color:#b00020}
.art8.not-proven{color:#4a5560}
footer{margin-top:24px;font-size:.8rem;color:#4a5560}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _badge(verified: bool | None, yes: str = "VERIFIED", no: str = "NOT VERIFIED", unknown: str = "UNKNOWN") -> str:
    if verified is None:
        return f'<span class="badge neutral">{_e(unknown)}</span>'
    if verified:
        return f'<span class="badge ok"><span aria-hidden="true">✓ </span>{_e(yes)}</span>'
    return f'<span class="badge bad"><span aria-hidden="true">✗ </span>{_e(no)}</span>'


def _fact(label: str, value: Any) -> str:
    return f"<div><dt>{_e(label)}</dt><dd>{_e(value if value not in (None, '') else '—')}</dd></div>"


def _summary(document: Mapping[str, Any]) -> str:
    general = document.get("generalProductInformation", {})
    maker = general.get("manufacturerInformation", {})
    chemistry = document.get("materialComposition", {}).get("batteryChemistry", {})
    technical = document.get("performance", {}).get("batteryTechicalProperties", {})
    capacity = general.get("batterytraceCapacityKwh", technical.get("ratedEnergy"))
    capacity_text = f"{capacity} kWh" if capacity is not None else None
    if capacity is not None and technical.get("ratedCapacity") is not None:
        capacity_text += f" ({technical['ratedCapacity']} Ah)"
    chemistry_text = chemistry.get("shortName")
    category = general.get("batteryCategory")
    return "".join([
        '<dl class="facts">',
        _fact("Manufacturer", maker.get("contactName")),
        _fact("Chemistry", chemistry_text),
        _fact("Capacity", capacity_text),
        _fact("Status", general.get("batteryStatus")),
        _fact("Category", category.upper() if isinstance(category, str) else category),
        _fact("Mass", f"{general['batteryMass']} kg" if "batteryMass" in general else None),
        _fact("Manufactured", str(general.get("manufacturingDate", ""))[:10]),
        "</dl>",
    ])


def _claims_section(claims_status: Sequence[ClaimStatus]) -> str:
    if not claims_status:
        items = "<li><span class='claim-text'>No supply-chain claims recorded.</span></li>"
    else:
        items = "".join(
            f'<li>{_badge(claim.verified)}<div><div class="claim-text">{_e(claim.text)}</div>'
            f'<div class="how">{_e(claim.how)}</div></div></li>'
            for claim in claims_status
        )
    return ('<section aria-labelledby="claims-heading"><h2 id="claims-heading">Proven supply-chain claims</h2>'
            '<p class="how">Bounds proven in zero knowledge: no supplier names, volumes or prices are disclosed.</p>'
            f'<ul class="claims">{items}</ul></section>')


def _integrity_section(document: Mapping[str, Any], chain_info: ChainInfo) -> str:
    local = document_hash(document)
    on_chain = chain_info.document_hash
    matches = None if on_chain is None else on_chain == local
    rows = [
        f'<tr><th scope="row">Document hash (this page)</th><td class="hash">0x{local.hex()}</td></tr>',
        '<tr><th scope="row">On-chain hash</th><td class="hash">'
        + (_e("0x" + on_chain.hex()) if on_chain is not None else "not anchored") + "</td></tr>",
        f'<tr><th scope="row">Passport token</th><td class="hash">chain {_e(chain_info.chain_id)}, contract '
        f'{_e(chain_info.passport_contract)}, token {_e(chain_info.token_id)}'
        + (f", block {_e(chain_info.block_number)}" if chain_info.block_number is not None else "") + "</td></tr>",
    ]
    return ('<section aria-labelledby="integrity-heading"><h2 id="integrity-heading">Document integrity '
            f'{_badge(matches, "HASHES MATCH", "HASH MISMATCH", "NOT ANCHORED")}</h2>'
            f'<table><tbody>{"".join(rows)}</tbody></table></section>')


def _carbon_section(document: Mapping[str, Any]) -> str:
    carbon = document.get("carbonFootprint")
    if not carbon:
        return ""
    order = list(_STAGE_NAMES)
    entries = sorted(carbon.get("carbonFootprintPerLifecycleStage", []),
                     key=lambda entry: order.index(entry.get("lifecycleStage")) if entry.get("lifecycleStage") in order else len(order))
    stages = "".join(
        f'<tr><td>{_e(_STAGE_NAMES.get(entry.get("lifecycleStage"), entry.get("lifecycleStage")))}</td>'
        f'<td class="num">{_e(entry.get("carbonFootprint"))}</td></tr>'
        for entry in entries
    )
    absolute = carbon.get("absoluteCarbonFootprint")
    return ('<section aria-labelledby="carbon-heading"><h2 id="carbon-heading">Carbon footprint</h2>'
            f'<p><span class="big">{_e(carbon.get("batteryCarbonFootprint"))}</span> kg CO2e per kWh, '
            f'performance class <strong>{_e(carbon.get("carbonFootprintPerformanceClass"))}</strong>'
            + (f"; {_e(absolute)} kg CO2e in total" if absolute is not None else "")
            + ' (declared by the manufacturer).</p>'
            '<table><thead><tr><th scope="col">Life-cycle stage</th><th scope="col" class="num">kg CO2e/kWh</th>'
            f'</tr></thead><tbody>{stages}</tbody></table></section>')


def _art8_cell(row: RecycledRow, minimum_bps: int) -> str:
    verdict = row.meets(minimum_bps)
    word = "not proven" if verdict is None else "meets" if verdict else "below"
    mark = "" if verdict is None else f'<span aria-hidden="true">{"✓" if verdict else "✗"} </span>'
    return f'<td class="num">{_percent(minimum_bps)}<br><span class="art8 {word.replace(" ", "-")}">{mark}{word}</span></td>'


def _recycled_section(document: Mapping[str, Any], claims_status: Sequence[ClaimStatus]) -> str:
    """Per metal the proven certified and recycled shares, each beside the Art. 8 minimums it meets or not."""
    claims = document.get("batterytraceClaims")
    if not isinstance(claims, Mapping):
        return ""
    rows = []
    for row in recycled_rows(claims):
        name = row.material.value
        if row.grams_traced is None:
            figures = f'<td colspan="5">{_e(LEAD_UNPROVEN)}</td>'
        elif not row.grams_traced:
            figures = '<td colspan="5">none traced in this pack</td>'
        else:
            shares = (row.min_certified_bps, row.min_pre_consumer_bps, row.min_post_consumer_bps, row.min_recycled_bps)
            figures = f'<td class="num">{_kg(row.grams_traced)} kg</td>' + "".join(
                f'<td class="num">≥ {_percent(share)}</td>' for share in shares)
        rows.append(f'<tr><th scope="row">{_e(name)}</th>{figures}'
                    + "".join(_art8_cell(row, minimum) for minimum in row.minimums_bps) + "</tr>")
    verified = all(claim.verified for claim in claims_status) if claims_status else None
    since = [f"{moment.day} {moment:%B %Y}" for moment in ART8_DATES]
    return ('<section aria-labelledby="recycled-heading"><h2 id="recycled-heading">Recycled content and '
            f'certified origin {_badge(verified, "PROVEN", "NOT VERIFIED", "NO PROOF")}</h2>'
            '<p class="how">Lower bounds proven by the batch claim proof (the Circularity figures of this passport), '
            'each recycled total beside the minimum share of recycled content in active materials of '
            'Reg. (EU) 2023/1542 Art. 8(2) and 8(3).</p>'
            '<table class="recycled"><thead><tr><th scope="col">Material</th><th scope="col" class="num">Traced</th>'
            '<th scope="col" class="num">Certified</th><th scope="col" class="num">Pre-consumer recycled</th>'
            '<th scope="col" class="num">Post-consumer recycled</th><th scope="col" class="num">Recycled total</th>'
            f'<th scope="col" class="num">Art. 8 minimum from {since[0]}</th>'
            f'<th scope="col" class="num">Art. 8 minimum from {since[1]}</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _restricted_section(document: Mapping[str, Any], chain_info: ChainInfo) -> str:
    declared = document.get("batterytraceRestricted")
    rows = []
    for tier in (AccessTier.LEGITIMATE_INTEREST, AccessTier.AUTHORITIES):
        if isinstance(declared, Mapping):
            fields = declared.get(tier.value, [])
        else:
            fields = [".".join(path) for path in RESTRICTED_PATHS[tier]]
        commitment = chain_info.tier_commitments.get(tier)
        recipients = chain_info.tier_recipients.get(tier, ())
        rows.append(
            f"<tr><td><strong>{_e(_TIER_NAMES[tier])}</strong><br><span class='how'>{_e(_TIER_AUDIENCE[tier])}</span></td>"
            f"<td>{'<br>'.join(_e(name) for name in fields) or '—'}</td>"
            f"<td class='hash'>{_e('0x' + commitment.hex()) if commitment is not None else 'not published'}"
            + (f"<br><span class='how'>encrypted for {_e(', '.join(recipients))}</span>" if recipients else "")
            + "</td></tr>"
        )
    return ('<section aria-labelledby="restricted-heading"><h2 id="restricted-heading">Restricted information</h2>'
            '<p class="how">Reg. (EU) 2023/1542 Art. 77 and Annex XIII: these fields are encrypted (AES-256-GCM, '
            'keys wrapped per recipient with ECIES secp256k1); only their commitment (keccak256) is on chain.</p>'
            '<table><thead><tr><th scope="col">Access tier</th><th scope="col">Fields</th>'
            f'<th scope="col">On-chain commitment</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def render_passport_page(document: Mapping[str, Any], claims_status: Sequence[ClaimStatus],
                         chain_info: ChainInfo, out_dir: Path) -> Path:
    """Write index.html (self-contained), qr.svg and qr.png into out_dir; return the HTML path.

    The QR code encodes the battery's GS1 Digital Link URI (`generalProductInformation.productIdentifier`).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    battery_id = _battery_id(document)
    qr = segno.make(battery_id, error="m")
    qr.save(out_dir / QR_SVG_FILE, scale=4, border=4, title="QR code: " + battery_id)
    qr.save(out_dir / QR_PNG_FILE, scale=8, border=4)
    path = out_dir / PAGE_FILE
    path.write_text(page_html(document, claims_status, chain_info, battery_id), encoding="utf-8")
    return path


def _battery_id(document: Mapping[str, Any]) -> str:
    general = document.get("generalProductInformation", {})
    return str(general.get("productIdentifier") or document.get("batteryIdentifier") or "")


def page_html(document: Mapping[str, Any], claims_status: Sequence[ClaimStatus], chain_info: ChainInfo, qr_text: str, *,
              live_sections: str = "", script_src: str | None = None) -> str:
    """The page as one HTML string, its QR code encoding ``qr_text``. A resolver adds its
    ``live_sections`` (already escaped HTML: the battery's status, sign-in) and one same-origin
    script; a page without a script runs none (its CSP says so)."""
    battery_id = _battery_id(document)
    general = document.get("generalProductInformation", {})
    qr = segno.make(qr_text, error="m")
    qr_svg = qr.svg_inline(scale=4, border=4, svgclass="qrcode", lineclass=None, omitsize=True)
    qr_svg = qr_svg.replace("<svg ", f'<svg role="img" aria-label="{_e("QR code for " + qr_text)}" ', 1)

    failed = sum(1 for claim in claims_status if not claim.verified)
    if claims_status and not failed:
        verdict = (f'<div class="verdict ok" role="status">{_badge(True)}'
                   f'<span>All {len(claims_status)} supply-chain claims verified</span></div>')
    elif claims_status:
        verdict = (f'<div class="verdict bad" role="status">{_badge(False)}'
                   f'<span>{failed} of {len(claims_status)} supply-chain claims NOT verified</span></div>')
    else:
        verdict = ""
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    if script_src is not None:
        policy += "; script-src 'self'; connect-src 'self'"
    script = f'<script src="{_e(script_src)}" defer></script>' if script_src is not None else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f"<title>Battery passport {_e(battery_id)}</title><style>{_CSS}</style>{script}</head><body><main>"
        '<header class="top"><div>'
        '<p class="eyebrow">EU battery passport</p>'
        f'<h1>{_e(general.get("manufacturerInformation", {}).get("contactName", "Battery"))} '
        f'{_e(document.get("materialComposition", {}).get("batteryChemistry", {}).get("shortName", ""))} battery</h1>'
        f'<p>Battery ID: <span class="id" id="battery-id">{_e(battery_id)}</span></p>'
        f'<p class="how">Passport: <span class="id">{_e(document.get("passportIdentifier"))}</span></p>'
        f"{_summary(document)}</div>"
        f'<div class="qr">{qr_svg}Scan to open this passport</div></header>'
        f"{verdict}{live_sections}{_claims_section(claims_status)}{_recycled_section(document, claims_status)}"
        f"{_integrity_section(document, chain_info)}"
        f"{_carbon_section(document)}{_restricted_section(document, chain_info)}"
        f'<footer><p>Data model: Battery Pass {_e(document.get("batteryPassModelVersion"))}; '
        f'issued {_e(document.get("issuedAt"))}. Generated by batterytrace.</p></footer>'
        "</main></body></html>"
    )
