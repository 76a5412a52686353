"""The passport document: Battery Pass schemas, canonical JSON and hash."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
from eth_utils import keccak

from batterytrace.documents.batterypass import build_passport_document, schema_passport_identifier
from batterytrace.documents.canonical import canonical_json, document_hash
from batterytrace.documents.claims import proven_claims as claims_from_bounds
from batterytrace.documents.passport_input import ProvenMetal
from batterytrace.documents.validation import ASPECT_SCHEMAS, _validator, validate_passport_document
from batterytrace.exceptions import PassportError, SchemaValidationError
from batterytrace.model.passports import ClaimBounds, MetalBounds
from batterytrace.model.risk import RiskFlag


@pytest.mark.parametrize("aspect", sorted(ASPECT_SCHEMAS))
def test_sample_aspect_validates_against_its_schema(document, aspect):
    assert list(_validator(ASPECT_SCHEMAS[aspect]).iter_errors(document[aspect])) == []


def test_validator_uses_the_schemas_draft(document):
    assert all(_validator(name).META_SCHEMA["id"].startswith("http://json-schema.org/draft-04/")
               for name in ASPECT_SCHEMAS.values())


def test_sample_document_validates(document):
    validate_passport_document(document)


def test_removed_required_field_names_the_aspect_and_path(document):
    del document["generalProductInformation"]["manufacturerInformation"]["contactName"]
    with pytest.raises(SchemaValidationError, match="generalProductInformation") as raised:
        validate_passport_document(document)
    assert raised.value.aspect == "generalProductInformation"
    assert raised.value.json_path == "$.generalProductInformation.manufacturerInformation"
    assert "'contactName' is a required property" in str(raised.value)


def test_missing_aspect_is_named(document):
    del document["carbonFootprint"]
    with pytest.raises(SchemaValidationError, match="carbonFootprint"):
        validate_passport_document(document)


def test_wrong_enum_value_names_the_nested_path(document):
    document["circularity"]["recycledContent"][0]["recycledMaterial"] = "Unobtainium"
    with pytest.raises(SchemaValidationError) as raised:
        validate_passport_document(document)
    assert raised.value.json_path == "$.circularity.recycledContent[0].recycledMaterial"


def test_malformed_cas_number_fails_the_build(passport_input):
    bad = dataclasses.replace(passport_input.materials[0], cas_number="cobalt")
    with pytest.raises(SchemaValidationError, match="materialComposition"):
        build_passport_document(dataclasses.replace(passport_input, materials=(bad,)))


def test_proven_claims_are_in_the_aspects_and_on_top(document, proven_claims):
    assert document["supplyChainDueDiligence"]["batterytraceProven"]["minCertifiedShareBps"] == {
        "cobalt": 6_000, "lithium": 2_500, "nickel": 8_000}
    assert document["circularity"]["batterytraceProven"]["minPostConsumerRecycledShareBps"] == {
        "cobalt": 1_200, "lithium": 705, "nickel": 200}
    assert document["carbonFootprint"]["batterytraceProven"]["maxCo2eGramsPerKgCobalt"] == 9_500
    assert document["batterytraceClaims"]["forbiddenRiskFlagsAbsent"] == ["childLabour", "humanRights"]
    assert document["batterytraceClaims"]["metals"]["lithium"] == {
        "gramsTraced": 7_100, "minCertifiedShareBps": 2_500, "minPreConsumerRecycledShareBps": 0,
        "minPostConsumerRecycledShareBps": 705, "minRecycledShareBps": 705}


def _circularity_schema_fields(document) -> dict[tuple[str, str], float]:
    """The eight public fields of Annex XIII (1e), (material, "pre"/"post") -> percent, as the
    Circularity schema names them."""
    fields = {}
    for entry in document["circularity"]["recycledContent"]:
        fields[(entry["recycledMaterial"], "pre")] = entry["preConsumerShare"]
        fields[(entry["recycledMaterial"], "post")] = entry["postConsumerShare"]
    return fields


def test_the_eight_recycled_shares_are_the_proven_figures_and_validate(document, proven_claims):
    """Annex XIII (1e): pre- and post-consumer recycled cobalt, lithium, nickel and lead shares, all
    eight from the claim proof (lead 0: the ledger carries none), valid against the Circularity schema."""
    assert _circularity_schema_fields(document) == {
        ("Cobalt", "pre"): 4, ("Cobalt", "post"): 12,
        ("Lithium", "pre"): 0, ("Lithium", "post"): 7.05,
        ("Nickel", "pre"): 3, ("Nickel", "post"): 2,
        ("Lead", "pre"): 0, ("Lead", "post"): 0,
    }
    fields = _circularity_schema_fields(document)
    proven = {"Cobalt": proven_claims.cobalt, "Lithium": proven_claims.lithium, "Nickel": proven_claims.nickel}
    for material, metal in proven.items():
        assert fields[(material, "pre")] * 100 == pytest.approx(metal.min_pre_consumer_share_bps)
        assert fields[(material, "post")] * 100 == pytest.approx(metal.min_post_consumer_share_bps)
    assert list(_validator("Circularity-schema.json").iter_errors(document["circularity"])) == []
    assert document["circularity"]["batterytraceProven"]["lead"].startswith("not traced")


def test_the_recycled_shares_follow_the_proof_not_a_typed_figure(passport_input, proven_claims):
    """The issue's complaint: a document stating 12% post-consumer cobalt beside a proof of 7%. The
    maker has no recycled figure to type in; the document states the proof's."""
    assert not hasattr(passport_input.circularity, "recycled_content")
    seven = dataclasses.replace(proven_claims, metals=(ProvenMetal(5_250, 6_000, 0, 700), *proven_claims.metals[1:]))
    document = build_passport_document(dataclasses.replace(passport_input, claims=seven))
    assert _circularity_schema_fields(document)[("Cobalt", "pre")] == 0
    assert _circularity_schema_fields(document)[("Cobalt", "post")] == 7


def test_proven_claims_take_each_metals_bounds_from_the_claim():
    metals = (MetalBounds(5_250, 10_000, 0, 700), MetalBounds(7_100, 2_500, 100, 600), MetalBounds(0, 0, 0, 0))
    claims = claims_from_bounds(ClaimBounds(metals, 9_500, 700, 75_000, int(RiskFlag.CHILD_LABOUR)), [], verified=True)
    assert claims.by_metal() == (("cobalt", ProvenMetal(5_250, 10_000, 0, 700)), ("lithium", ProvenMetal(7_100, 2_500, 100, 600)),
                                 ("nickel", ProvenMetal(0, 0, 0, 0)))
    assert (claims.lithium.min_recycled_share_bps, claims.forbidden_risk_flags) == (700, frozenset({RiskFlag.CHILD_LABOUR}))


def test_shares_adding_up_to_more_than_the_whole_are_refused():
    with pytest.raises(PassportError, match="add up to 10001 basis points"):
        ProvenMetal(1_000, 0, 5_000, 5_001)


def test_claims_name_one_figure_per_metal(proven_claims):
    with pytest.raises(PassportError, match="one ProvenMetal per metal"):
        dataclasses.replace(proven_claims, metals=proven_claims.metals[:1])


def test_carbon_footprint_total_is_the_sum_of_stages(document):
    stages = document["carbonFootprint"]["carbonFootprintPerLifecycleStage"]
    assert document["carbonFootprint"]["batteryCarbonFootprint"] == pytest.approx(
        sum(stage["carbonFootprint"] for stage in stages))


def test_passport_urn_is_kept_whole_and_in_schema_form(document, passport_input):
    assert document["passportIdentifier"] == passport_input.passport_urn
    assert document["generalProductInformation"]["batteryPassportIdentifier"] == (
        "urn:batterytrace:passport313370x5fbdb2315678afecb367f032d93f642f64180aa31")


def test_non_urn_passport_identifier_is_refused():
    with pytest.raises(PassportError, match="is not a URN"):
        schema_passport_identifier("passport-1")


def test_naive_timestamp_is_refused(passport_input):
    naive = passport_input.manufactured_at.replace(tzinfo=None)
    with pytest.raises(PassportError, match="has no time zone"):
        build_passport_document(dataclasses.replace(passport_input, manufactured_at=naive))


def test_share_above_100_percent_is_refused(proven_claims):
    with pytest.raises(PassportError, match="min_certified_share_bps"):
        dataclasses.replace(proven_claims.cobalt, min_certified_share_bps=10_001)


def _reversed_keys(value):
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(item) for item in value]
    return value


def test_canonical_json_is_independent_of_key_order(document):
    assert canonical_json(_reversed_keys(document)) == canonical_json(document)


def test_canonical_json_has_sorted_keys_and_no_whitespace():
    assert canonical_json({"b": 1, "a": [1, 2], "ü": "é"}) == '{"a":[1,2],"b":1,"ü":"é"}'.encode("utf-8")


def test_canonical_json_survives_a_json_round_trip(document):
    assert canonical_json(json.loads(canonical_json(document))) == canonical_json(document)


def test_document_hash_is_keccak_of_canonical_json(document):
    assert document_hash(_reversed_keys(document)) == keccak(canonical_json(document))
    assert len(document_hash(document)) == 32


def test_document_hash_changes_with_content(document):
    changed = copy.deepcopy(document)
    changed["generalProductInformation"]["batteryMass"] = 481
    assert document_hash(changed) != document_hash(document)


def test_canonical_json_refuses_nan():
    with pytest.raises(PassportError, match="not plain JSON"):
        canonical_json({"x": float("nan")})


def test_packaged_schemas_match_the_shared_standard():
    from importlib import resources
    from pathlib import Path

    shared = Path("/work/shared/standards/batterypass")
    if not shared.is_dir():
        pytest.skip("the shared standards folder is not on this machine")
    packaged = resources.files("batterytrace").joinpath("data").joinpath("batterypass")
    for name in ASPECT_SCHEMAS.values():
        assert json.loads(packaged.joinpath(name).read_text("utf-8")) == json.loads((shared / name).read_text("utf-8"))
