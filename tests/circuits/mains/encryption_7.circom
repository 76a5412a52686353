pragma circom 2.1.9;

include "../../../circuits/lib/encryption.circom";

// A test main for ViewKeyCiphertext(7): the view key is public, as in the note circuits that will
// include the template; the outputs (ephemeral key, ciphertext) are public.
component main {public [viewPublicKey]} = ViewKeyCiphertext(7);
