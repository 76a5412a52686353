"""The demo's summary text: each passport's figures per metal, without running the demo."""

from __future__ import annotations

import json

from batterytrace.demo.summary import DemoSummary, MetalSummary, PassportSummary

GAS = {"mint origin lot (proof, relayed)": 457_000, "offer (proof, relayed)": 449_000, "accept after weighing": 450_000}


def _summary(*metals: MetalSummary) -> DemoSummary:
    passport = PassportSummary("https://id.batterytrace.example/01/09506000134352/21/PK75-000001", "0x1",
                               "urn:batterytrace:passport:31337:0x0:0x1", metals, 9.5, 0.07, 9, True)
    return DemoSummary(31337, "http://127.0.0.1:8545", 30, 12, 22, 1, 73, (), (passport,), GAS, {}, 230.0)


def test_each_metal_has_its_line_with_grams_and_shares():
    text = _summary(MetalSummary("cobalt", 5_250, 100.0, 0.0, 7.0), MetalSummary("lithium", 7_100, 25.0, 1.5, 6.25),
                    MetalSummary("nickel", 42_000, 80.0, 3.0, 2.0)).render()
    assert "cobalt 5.25 kg: >= 100% certified, >= 0% pre- and >= 7% post-consumer recycled" in text
    assert "lithium 7.10 kg: >= 25% certified, >= 1.5% pre- and >= 6.25% post-consumer recycled" in text
    assert "nickel 42.00 kg: >= 80% certified, >= 3% pre- and >= 2% post-consumer recycled" in text


def test_a_metal_without_grams_is_not_in_the_pack():
    text = _summary(MetalSummary("cobalt", 5_250, 100.0, 0.0, 7.0), MetalSummary("lithium", 0, 0.0, 0.0, 0.0),
                    MetalSummary("nickel", 0, 0.0, 0.0, 0.0)).render()
    assert "lithium not in this pack" in text and "nickel not in this pack" in text
    assert "lithium 0" not in text


def test_a_share_is_never_rounded_up():
    assert MetalSummary("cobalt", 1, 99.99, 0.0, 0.0).render().startswith("cobalt 0.00 kg: >= 99.99% certified")


def test_the_json_carries_each_metal():
    data = json.loads(json.dumps(_summary(MetalSummary("cobalt", 5_250, 100.0, 0.0, 7.0)).to_json()))
    assert data["passports"][0]["metals"] == [{"metal": "cobalt", "grams": 5_250, "min_certified_percent": 100.0,
                                               "min_pre_consumer_percent": 0.0, "min_post_consumer_percent": 7.0}]
