pragma circom 2.1.9;

include "../../../circuits/lib/encryption.circom";

// The keystream width viewKeyKeystreamWidth picks for 1..64 elements, as outputs, so that the test can
// hold batterytrace.zk.cipher.keystream_width to the circuit's own choice.
template KeystreamWidths(count) {
    signal output widths[count];  // public: constants

    for (var n = 1; n <= count; n++) {
        widths[n - 1] <== viewKeyKeystreamWidth(n);
    }
}

component main = KeystreamWidths(64);
