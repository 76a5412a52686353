pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";

// Outputs the root of a Lean incremental Merkle tree (zk-kit's LeanIMT, on chain `NoteTree` and
// `MembershipTree`) that holds `leaf`, from a proof in zk-kit's format: `siblings[0 .. length)`
// bottom up, one per level where the leaf's node has a sibling, and bit i of `pathIndex` set when
// siblings[i] is the left input of the i-th hash. Above `length` the node is carried up unhashed,
// which is how a LeanIMT treats a node without a sibling; the unused siblings and index bits enter
// no hash, so any value there gives the same root.
//
// The caller compares the output with a public root the contract knows. A path of another length
// can only reach a known root from an intermediate node, and the callers' leaves are outputs of
// Poseidon with another arity than the tree's Poseidon(2), so no leaf is an intermediate node.
template LeanIMTRoot(maxDepth) {
    assert(maxDepth >= 1 && maxDepth <= 32);
    signal input leaf;                  // private
    signal input length;                // private: how many siblings the path has, 0..maxDepth
    signal input pathIndex;             // private: below 2^maxDepth
    signal input siblings[maxDepth];    // private
    signal output root;                 // the tree's root (compared by the caller)

    component indexBits = Num2Bits(maxDepth);
    indexBits.in <== pathIndex;

    // isLength[k] is 1 exactly for k == length; hashing[i] is 1 for the levels below length. A length
    // above maxDepth matches no k and hashes every level, as length == maxDepth does: no other root.
    component isLength[maxDepth];
    for (var k = 0; k < maxDepth; k++) {
        isLength[k] = IsZero();
        isLength[k].in <== length - k;
    }
    signal hashing[maxDepth];
    hashing[0] <== 1 - isLength[0].out;
    for (var i = 1; i < maxDepth; i++) {
        hashing[i] <== hashing[i - 1] - isLength[i].out;
    }

    component hash[maxDepth];
    signal node[maxDepth + 1];
    signal leftInput[maxDepth];
    node[0] <== leaf;
    for (var i = 0; i < maxDepth; i++) {
        // bit 0: (node, sibling); bit 1: (sibling, node). One product for both inputs.
        leftInput[i] <== node[i] + indexBits.out[i] * (siblings[i] - node[i]);
        hash[i] = Poseidon(2);
        hash[i].inputs <== [leftInput[i], node[i] + siblings[i] - leftInput[i]];
        node[i + 1] <== node[i] + hashing[i] * (hash[i].out - node[i]);
    }
    root <== node[maxDepth];
}
