"""Attacks on the templates every shielded-ledger circuit instantiates (a LeanIMT path, a
participant's membership), built for the component and inputs of the circuit at hand.

Each circuit's test_attacks_<circuit>.py must name an attack for every constraint statement it
instantiates, so each takes these lists for its own components; the roots they reach are tied to
the circuit's public roots by that file's scenarios."""

from __future__ import annotations

from collections.abc import Callable

from .attacker import Attack, Honest, plus
from .lots import FIELD_MODULUS

MERKLE = "lib/merkle.circom LeanIMTRoot: "
REGISTRY = "lib/registry.circom ParticipantMembership: "
CHECKS = "lib/checks.circom "
BITIFY = "circomlib/circuits/bitify.circom Num2Bits: "
COMPARATORS = "circomlib/circuits/comparators.circom IsZero: "
TWO_160 = 1 << 160


def lean_imt_attacks(path: str, length_input: str, index_input: str, scenario: str) -> list[Attack]:
    """One attack per LeanIMTRoot statement (and IsZero's two) on the path component `path`, whose
    length and index come from the main inputs `length_input` and `index_input`."""
    def length_match(value: int):
        return lambda honest: {f"{path}.isLength[{honest(length_input)}].{'in' if value else 'out'}": value}

    return [
        Attack(f"{path}: the index's bits are of another index", MERKLE + "indexBits.in <== pathIndex;", scenario,
               {f"{path}.indexBits.in": plus(index_input, 1)}),
        Attack(f"{path}: a length that matches nothing hashes every level", MERKLE + "isLength[k].in <== length - k;",
               scenario, length_match(1)),
        Attack(f"{path}: the path stops before its first level", MERKLE + "hashing[0] <== 1 - isLength[0].out;",
               scenario, {f"{path}.hashing[0]": 0}),
        Attack(f"{path}: the path hashes one level more than its length",
               MERKLE + "hashing[i] <== hashing[i - 1] - isLength[i].out;", scenario,
               lambda honest: {f"{path}.hashing[{honest(length_input)}]": 1}),
        Attack(f"{path}: the path starts from another leaf", MERKLE + "node[0] <== leaf;", scenario,
               {f"{path}.node[0]": plus(f"{path}.leaf", 1)}),
        Attack(f"{path}: a level's left input is not the one its index bit selects",
               MERKLE + "leftInput[i] <== node[i] + indexBits.out[i] * (siblings[i] - node[i]);", scenario,
               {f"{path}.leftInput[0]": plus(f"{path}.leftInput[0]", 1)}),
        Attack(f"{path}: a level hashes another pair",
               MERKLE + "hash[i].inputs <== [leftInput[i], node[i] + siblings[i] - leftInput[i]];", scenario,
               {f"{path}.hash[0].inputs[1]": plus(f"{path}.hash[0].inputs[1]", 1)}),
        Attack(f"{path}: a level's node is not its hash",
               MERKLE + "node[i + 1] <== node[i] + hashing[i] * (hash[i].out - node[i]);", scenario,
               {f"{path}.node[1]": plus(f"{path}.node[1]", 1)}),
        Attack(f"{path}: the root is not the top node", MERKLE + "root <== node[maxDepth];", scenario,
               {f"{path}.root": plus(f"{path}.root", 1)}),
        Attack(f"{path}: the level at the path's length is taken for a non-match", COMPARATORS + "out <== -in*inv +1;",
               scenario, length_match(0)),
        Attack(f"{path}: a level below the path's length is taken for a match", COMPARATORS + "in*out === 0;",
               scenario, {f"{path}.isLength[0].out": 1, f"{path}.isLength[0].inv": 0}),
    ]


def participant_attacks(member: str, account_input: str, role_input: str, flags_input: str, length_input: str,
                        index_input: str, sibling_input: str, scenario: str,
                        flags_follow: Callable[[Honest], dict[str, int]] | None = None) -> list[Attack]:
    """One attack per ParticipantMembership statement (and the RangeCheck and Num2Bits statements
    it instantiates) on the membership component `member`, fed by the main inputs named. The
    scenario's participant must not be an auditor (the forgeries read its leaf as an auditor's), and
    its flags' bit 0 must be clear and its flags below 255. `flags_follow` gives what else the circuit
    must change when the participant's flags rise by 1, bit 0 set (the note's flags, where the
    circuit copies them)."""

    def as_auditor(honest: Honest) -> dict[str, int]:
        """The leaf of role r read as role 1: account + (r - 1) * 2^160 packs the same."""
        role = honest(role_input)
        return {account_input: honest(account_input) + (role - 1) * TWO_160, role_input: 1}

    def real_account_bits(honest: Honest, excess_in_bit_zero: bool) -> dict[str, int]:
        account = honest(account_input)
        bits = {f"{member}.accountRange.toBits.out[{i}]": (account >> i) & 1 for i in range(160)}
        if excess_in_bit_zero:
            bits[f"{member}.accountRange.toBits.out[0]"] = (account & 1) + (honest(role_input) - 1) * TWO_160
        return {**as_auditor(honest), **bits}

    return [
        Attack(f"{member}: a leaf read as an auditor's, the account's range check fed the real account",
               REGISTRY + "accountRange.in <== account;", scenario,
               lambda honest: {**as_auditor(honest), f"{member}.accountRange.in": honest(account_input)}),
        Attack(f"{member}: role r - 256 with flags f + 1, the role's range check fed r",
               REGISTRY + "roleRange.in <== roleIndex;", scenario,
               lambda honest: {role_input: honest(role_input) - 256, flags_input: honest(flags_input) + 1,
                               f"{member}.roleRange.in": honest(role_input),
                               **(flags_follow(honest) if flags_follow else {})}),
        Attack(f"{member}: a leaf read as an auditor's, the flags absorbing the role's difference, the flags' range "
               "check fed the real flags", REGISTRY + "flagsRange.in <== riskFlags;", scenario,
               lambda honest: {role_input: 1, flags_input: honest(flags_input)
                               + (honest(role_input) - 1) * pow(256, -1, FIELD_MODULUS),
                               f"{member}.flagsRange.in": honest(flags_input)}),
        Attack(f"{member}: the participant's flag bit 0 output as set, its flags' bit clear",
               REGISTRY + "flagBits <== flagsRange.bits;", scenario,
               lambda honest: {f"{member}.flagBits[0]": 1, **(flags_follow(honest) if flags_follow else {})}),
        Attack(f"{member}: the leaf packs another account",
               REGISTRY + "leaf.inputs <== [account + roleIndex * (1 << 160) + riskFlags * (1 << 168), shieldingKey];",
               scenario, {f"{member}.leaf.inputs[0]": plus(f"{member}.leaf.inputs[0]", 1)}),
        Attack(f"{member}: the path starts from another leaf", REGISTRY + "path.leaf <== leaf.out;", scenario,
               {f"{member}.path.leaf": plus(f"{member}.leaf.out", 1)}),
        Attack(f"{member}: the path has another length", REGISTRY + "path.length <== pathLength;", scenario,
               {f"{member}.path.length": plus(length_input, 1)}),
        Attack(f"{member}: the path has another index", REGISTRY + "path.pathIndex <== pathIndex;", scenario,
               {f"{member}.path.pathIndex": plus(index_input, 1)}),
        Attack(f"{member}: the path has other siblings", REGISTRY + "path.siblings <== siblings;", scenario,
               {f"{member}.path.siblings[0]": plus(sibling_input, 1)}),
        Attack(f"{member}: the root is not the path's", REGISTRY + "root <== path.root;", scenario,
               {f"{member}.root": plus(f"{member}.root", 1)}),
        Attack(f"{member}: a leaf read as an auditor's, the decomposition fed the real account",
               CHECKS + "RangeCheck: toBits.in <== in;", scenario,
               lambda honest: {**as_auditor(honest), f"{member}.accountRange.toBits.in": honest(account_input)}),
        Attack(f"{member}: a range check's output bits are not the checked bits", CHECKS + "RangeCheck: bits <== toBits.out;",
               scenario, {f"{member}.roleRange.bits[0]": plus(f"{member}.roleRange.bits[0]", 1)}),
        Attack(f"{member}: a leaf read as an auditor's, decomposed into the real account's bits",
               BITIFY + "lc1 === in;", scenario, lambda honest: real_account_bits(honest, False),
               culprits=(f"{member}.accountRange.toBits.in",)),
        Attack(f"{member}: a leaf read as an auditor's, decomposed with a non-bit",
               BITIFY + "out[i] * (out[i] -1 ) === 0;", scenario, lambda honest: real_account_bits(honest, True),
               culprits=(f"{member}.accountRange.toBits.out[0]",)),
    ]
