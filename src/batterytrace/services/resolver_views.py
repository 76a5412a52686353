"""What the passport resolver answers for a battery, by content negotiation: the media types it
offers, the RFC 9264 linkset in GS1 Digital Link's vocabulary, the live parts of the page (the
battery's status, the credential's check, sign-in) and the page's one script."""

from __future__ import annotations

import html
from typing import Any

from batterytrace.documents.tiers import AccessTier
from batterytrace.sdk.resolver import CREDENTIAL_MEDIA_TYPE, LINKSET_MEDIA_TYPE

HTML, JSON_LD, JSON = "text/html", "application/ld+json", "application/json"
#: What a battery's URL answers with, in the order a tie in the Accept header resolves.
OFFERS = (HTML, JSON_LD, JSON, CREDENTIAL_MEDIA_TYPE, LINKSET_MEDIA_TYPE)
#: ``?linkType=`` values that ask for the linkset (GS1 Digital Link resolver standard).
LINKSET_LINK_TYPES = ("linkset", "all")
_GS1 = "https://gs1.org/voc/"


def negotiate(accept: str | None, link_type: str | None = None) -> str | None:
    """The media type to answer with, or None when the Accept header takes none of :data:`OFFERS`."""
    if link_type in LINKSET_LINK_TYPES:
        return LINKSET_MEDIA_TYPE
    if not accept or not accept.strip():
        return HTML
    ranges = []
    for part in accept.split(","):
        fields = [field.strip() for field in part.split(";")]
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((fields[0].lower(), quality))

    def quality_of(offer: str) -> tuple[float, int]:
        best, specificity = 0.0, -1
        for media_range, quality in ranges:
            kind = offer.split("/")[0]
            level = 2 if media_range == offer else 1 if media_range == f"{kind}/*" else 0 if media_range == "*/*" else -1
            if level > specificity:
                best, specificity = quality, level
        return best, specificity

    scored = [(quality_of(offer), -index, offer) for index, offer in enumerate(OFFERS)]
    (quality, _), _, chosen = max(scored)
    return chosen if quality > 0 else None


def linkset(anchor: str, title: str) -> dict[str, Any]:
    """The battery's links (RFC 9264 ``application/linkset+json``, GS1 link types)."""
    def link(media_type: str, what: str) -> dict[str, str]:
        return {"href": anchor, "type": media_type, "title": f"{what}: {title}"}

    return {"linkset": [{
        "anchor": anchor,
        _GS1 + "defaultLink": [link(HTML, "Battery passport")],
        _GS1 + "pip": [link(HTML, "Battery passport")],
        _GS1 + "sustainabilityInfo": [link(JSON_LD, "Battery passport, JSON-LD")],
        _GS1 + "certificationInfo": [link(CREDENTIAL_MEDIA_TYPE, "Digital Product Passport credential (VC 2.0, JOSE)")],
        "linkset": [{"href": anchor + "?linkType=linkset", "type": LINKSET_MEDIA_TYPE}],
    }]}


def live_sections(status: str, credential_verdict: tuple[bool, str], battery_path: str) -> str:
    """The page's parts that change after issuance: the battery's status as the chain's index has
    it, the credential's check, and the restricted tiers behind sign-in."""
    ok, how = credential_verdict
    badge = "ok" if ok else "bad"
    tiers = "".join(
        f'<div class="tier" id="tier-{tier.value}" data-tier="{tier.value}"><h3>{html.escape(name)}</h3>'
        f'<p class="how tier-state">Sign in with a role entitled to it to read this tier.</p><dl class="tier-fields"></dl></div>'
        for tier, name in ((AccessTier.LEGITIMATE_INTEREST, "Legitimate interest"), (AccessTier.AUTHORITIES, "Authorities")))
    return (
        '<section aria-labelledby="status-heading"><h2 id="status-heading">Status</h2>'
        f'<p>Battery status: <strong id="battery-status">{html.escape(status)}</strong></p>'
        f'<p>Credential: <span class="badge {badge}" id="credential-verdict">{"VERIFIED" if ok else "NOT VERIFIED"}</span> '
        f'<span class="how">{html.escape(how)}</span></p></section>'
        f'<section aria-labelledby="sign-in-heading" id="sign-in" data-battery-path="{html.escape(battery_path)}">'
        '<h2 id="sign-in-heading">Restricted data</h2>'
        '<p class="how">Repairers, remanufacturers, recyclers and second-life operators read the legitimate-interest '
        'tier; authorities the authorities\' tier. Sign in with your registered account (Sign-In with Ethereum).</p>'
        '<p><button type="button" id="sign-in-button">Sign in with Ethereum</button> <span id="sign-in-state" class="how"></span></p>'
        f"{tiers}</section>"
    )


#: The page's script: Sign-In with Ethereum through the browser's wallet (EIP-1193), then each
#: restricted tier fetched with the bearer token and shown, or the resolver's refusal.
SIGN_IN_SCRIPT = r"""
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("sign-in");
  const button = document.getElementById("sign-in-button");
  const state = document.getElementById("sign-in-state");
  if (!section || !button) return;
  const flatten = (value, prefix, out) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? prefix + "." + key : key, out);
    } else {
      out.push([prefix, Array.isArray(value) || typeof value === "object" ? JSON.stringify(value) : String(value)]);
    }
    return out;
  };
  button.addEventListener("click", async () => {
    try {
      if (!window.ethereum) { state.textContent = "No Ethereum wallet in this browser."; return; }
      const [address] = await window.ethereum.request({ method: "eth_requestAccounts" });
      const asked = await fetch("/auth/message?address=" + encodeURIComponent(address));
      const prepared = await asked.json();
      if (!asked.ok) { state.textContent = prepared.error; return; }
      const signature = await window.ethereum.request({ method: "personal_sign", params: [prepared.message, address] });
      const answer = await fetch("/auth/sign-in", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message: prepared.message, signature }) });
      const session = await answer.json();
      if (!answer.ok) { state.textContent = session.error; return; }
      state.textContent = "Signed in as " + session.address + " (" + session.role + ")";
      state.dataset.role = session.role;
      for (const tier of section.querySelectorAll(".tier")) {
        const response = await fetch(section.dataset.batteryPath + "?tier=" + tier.dataset.tier,
          { headers: { Authorization: "Bearer " + session.token, Accept: "application/json" } });
        const body = await response.json();
        const note = tier.querySelector(".tier-state");
        const list = tier.querySelector(".tier-fields");
        list.replaceChildren();
        if (!response.ok) { note.textContent = body.error; tier.dataset.state = "refused"; continue; }
        note.textContent = "Served to " + session.address + "; this access is logged.";
        tier.dataset.state = "served";
        for (const [key, value] of flatten(body.data, "", [])) {
          const term = document.createElement("dt"); term.textContent = key;
          const detail = document.createElement("dd"); detail.textContent = value;
          list.append(term, detail);
        }
      }
    } catch (error) {
      state.textContent = "Sign-in failed: " + error.message;
    }
  });
});
"""
