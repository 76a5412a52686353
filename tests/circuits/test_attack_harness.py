"""The attacker harness checks the R1CS the proofs use, and checks it completely.

test_attacks_<circuit>.py check attacker witnesses against `attacker.committed_target_directory`,
a build of the sources with the ceremony's flags plus --simplification_substitution. These tests
pin that build to the ceremony's R1CS byte for byte, show every signal of it is a wire or has its
substitution (so the check misses no signal), and exercise the check on witnesses small enough to
reason about by hand."""

from __future__ import annotations

import hashlib
import json

import pytest

from batterytrace.zk.custody import CustodyOperation

from .attacker import CIRCUITS, ROOT, AttackLab, committed_target_directory, is_mutant_run, reference
from .notes import custody_scenario
from .r1cs import FIELD_MODULUS, CompiledCircuit, canonical_names

TRANSCRIPT = json.loads((ROOT / "circuits" / "ceremony" / "transcript.json").read_text())["circuits"]
pytestmark = pytest.mark.skipif(is_mutant_run(), reason="checks the committed build, not a mutant")


@pytest.mark.parametrize("circuit", CIRCUITS)
def test_the_target_is_the_r1cs_the_keys_were_set_up_on(circuit: str) -> None:
    r1cs = committed_target_directory(circuit) / f"{circuit}.r1cs"
    assert hashlib.sha256(r1cs.read_bytes()).hexdigest() == TRANSCRIPT[circuit]["r1csSha256"]


@pytest.mark.parametrize("circuit", CIRCUITS)
def test_every_signal_is_a_wire_or_a_substitution_of_wires(circuit: str) -> None:
    compiled = CompiledCircuit(committed_target_directory(circuit), circuit)
    assert compiled.unconstrained == set()
    assert compiled.names == set(reference(circuit).names[1:])


def test_a_changed_wire_or_substituted_signal_is_found_where_the_whole_check_finds_it() -> None:
    compiled = CompiledCircuit(committed_target_directory("custody"), "custody")
    # The incremental check needs a base the circuit accepts: the generator's witness of an accept.
    lab = AttackLab("custody", {"accept": custody_scenario(CustodyOperation.ACCEPT)}, {}, [])
    base = lab.signals(lab.honest["accept"])
    assert compiled.check(base) == []
    # A wire, a signal --O2 substituted away, and one bit of a range check's decomposition.
    for name in ("main.contextSquare", "main.actor.accountRange.in", "main.actor.accountRange.bits[7]"):
        changed = {name: (base[name] + 1) % FIELD_MODULUS}
        whole = compiled.check({**base, **changed})
        assert whole, name
        assert compiled.check_changes(base, changed) == whole


def test_anonymous_components_are_named_by_rank_not_by_offset() -> None:
    names = canonical_names(["main.a.Num2Bits_80_2637.out[0]", "main.a.Num2Bits_12_300.in",
                             "main.b.Num2Bits_80_2637.in", "main.c"])
    assert names == {"main.a.Num2Bits_80_2637.out[0]": "main.a.Num2Bits#1.out[0]",
                     "main.a.Num2Bits_12_300.in": "main.a.Num2Bits#0.in",
                     "main.b.Num2Bits_80_2637.in": "main.b.Num2Bits#0.in", "main.c": "main.c"}
