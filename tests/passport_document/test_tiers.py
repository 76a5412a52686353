"""Access tiers: the Annex XIII split and the per-recipient encryption."""

from __future__ import annotations

import json

import pytest
from eth_utils import keccak

from batterytrace.documents.canonical import canonical_json
from batterytrace.documents.tiers import (
    RESTRICTED_PATHS,
    AccessTier,
    decrypt_tier,
    encrypt_tier,
    split_by_tier,
    tier_commitment,
)
from batterytrace.exceptions import DecryptionError, PassportError

RESTRICTED_KEYS = {path[-1] for paths in RESTRICTED_PATHS.values() for path in paths}


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_public_part_has_no_restricted_field(document):
    public = split_by_tier(document)[AccessTier.PUBLIC]
    assert RESTRICTED_KEYS.isdisjoint(_keys({k: v for k, v in public.items() if k != "batterytraceRestricted"}))


def test_public_part_keeps_public_annex_xiii_data(document):
    public = split_by_tier(document)[AccessTier.PUBLIC]
    assert public["materialComposition"]["hazardousSubstances"] == document["materialComposition"]["hazardousSubstances"]
    assert public["carbonFootprint"]["batteryCarbonFootprint"] == document["carbonFootprint"]["batteryCarbonFootprint"]
    assert public["batterytraceClaims"] == document["batterytraceClaims"]


def test_legitimate_interest_part_holds_dismantling_composition_and_part_numbers(document):
    part = split_by_tier(document)[AccessTier.LEGITIMATE_INTEREST]
    assert part["circularity"]["dismantlingAndRemovalInformation"] == document["circularity"]["dismantlingAndRemovalInformation"]
    assert part["circularity"]["sparePartSources"][0]["components"][0]["partNumber"] == "BT75-M12-0001"
    assert part["materialComposition"]["batteryMaterials"] == document["materialComposition"]["batteryMaterials"]


def test_authorities_part_holds_test_reports_and_carbon_study(document):
    part = split_by_tier(document)[AccessTier.AUTHORITIES]
    assert part["labels"]["resultOfTestReport"] == document["labels"]["resultOfTestReport"]
    assert part["carbonFootprint"]["carbonFootprintStudy"] == document["carbonFootprint"]["carbonFootprintStudy"]


def test_public_part_lists_what_is_withheld(document):
    restricted = split_by_tier(document)[AccessTier.PUBLIC]["batterytraceRestricted"]
    assert "labels.resultOfTestReport" in restricted["authorities"]
    assert "circularity.sparePartSources" in restricted["legitimateInterest"]


def test_split_leaves_the_document_unchanged(document):
    before = canonical_json(document)
    split_by_tier(document)
    assert canonical_json(document) == before


def test_restricted_part_names_its_passport_and_tier(document):
    part = split_by_tier(document)[AccessTier.AUTHORITIES]
    assert (part["passportIdentifier"], part["accessTier"]) == (document["passportIdentifier"], "authorities")


@pytest.fixture
def sealed(document, recycler_keys, repairer_keys):
    part = split_by_tier(document)[AccessTier.LEGITIMATE_INTEREST]
    blob = encrypt_tier(part, {"recycler": recycler_keys[1], "repairer": repairer_keys[1]})
    return part, blob


def test_first_recipient_decrypts(sealed, recycler_keys):
    part, blob = sealed
    assert decrypt_tier(blob, recycler_keys[0]) == part


def test_second_recipient_decrypts(sealed, repairer_keys):
    part, blob = sealed
    assert decrypt_tier(blob, repairer_keys[0]) == part


def test_stranger_cannot_decrypt(sealed, stranger_keys):
    _, blob = sealed
    with pytest.raises(DecryptionError, match="not one of this tier's recipients"):
        decrypt_tier(blob, stranger_keys[0])


def test_tampered_ciphertext_is_refused(sealed, recycler_keys):
    _, blob = sealed
    envelope = json.loads(blob)
    envelope["ciphertext"] = ("00" if envelope["ciphertext"][:2] != "00" else "11") + envelope["ciphertext"][2:]
    with pytest.raises(DecryptionError, match="tampered"):
        decrypt_tier(canonical_json(envelope), recycler_keys[0])


def test_unknown_envelope_version_is_refused(sealed, recycler_keys):
    _, blob = sealed
    envelope = json.loads(blob)
    envelope["version"] = 99
    with pytest.raises(DecryptionError, match="unsupported tier envelope version"):
        decrypt_tier(canonical_json(envelope), recycler_keys[0])


def test_garbage_is_not_an_envelope(recycler_keys):
    with pytest.raises(DecryptionError, match="not a batterytrace tier envelope"):
        decrypt_tier(b"\x00garbage", recycler_keys[0])


def test_envelope_hides_the_plaintext(sealed):
    _, blob = sealed
    assert b"BT75-M12-0001" not in blob


def test_eth_style_64_byte_public_key_is_accepted(recycler_keys):
    blob = encrypt_tier({"x": 1}, {"recycler": recycler_keys[1][1:]})
    assert decrypt_tier(blob, recycler_keys[0]) == {"x": 1}


def test_no_recipient_is_refused():
    with pytest.raises(PassportError, match="at least one recipient"):
        encrypt_tier({"x": 1}, {})


def test_tier_commitment_is_keccak_of_the_blob(sealed):
    _, blob = sealed
    assert tier_commitment(blob) == keccak(blob)
    assert len(tier_commitment(blob)) == 32
