//! Known answers from outside this code base: Go's note package example (x/mod
//! sumdb/note `ExampleSign`/`ExampleOpen`) and the RFC 6962 Merkle tree test vectors used by
//! Certificate Transparency implementations (the tree tlog builds is RFC 6962's).

use base64::Engine;
use gox_sumdb::log::{Log, key_pair_from_seed, sign};

const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

#[test]
fn go_note_example_round_trips() {
    // Our key derivation from the seed gives Go's verifier key.
    let private = base64::engine::general_purpose::STANDARD
        .decode(GO_SKEY.splitn(5, '+').nth(4).unwrap())
        .unwrap();
    let seed: [u8; 32] = private[1..].try_into().unwrap();
    let (skey, vkey) = key_pair_from_seed("PeterNeumann", seed);
    assert_eq!((skey.as_str(), vkey.as_str()), (GO_SKEY, GO_VKEY));
    // Ed25519 is deterministic: signing Go's text gives Go's signature, byte for byte.
    let signer = signed_note::StandardSigner::new(&skey).unwrap();
    let signed = sign(GO_TEXT, &signer);
    assert_eq!(
        String::from_utf8(signed.clone()).unwrap(),
        format!("{GO_TEXT}\n{GO_SIG}")
    );
    // And the note verifies with the key.
    let note = signed_note::Note::from_bytes(&signed).unwrap();
    let verifier = signed_note::StandardVerifier::new(GO_VKEY).unwrap();
    let list = signed_note::VerifierList::new(vec![Box::new(verifier)]);
    let (ok, _) = note.verify(&list).unwrap();
    assert_eq!(ok.len(), 1);
}

#[test]
fn rfc6962_tree_hashes() {
    let leaves: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let (skey, _) = key_pair_from_seed("t.example", [3; 32]);
    let mut log = Log::new(&skey).unwrap();
    for (leaf, root) in leaves.iter().zip(roots) {
        log.add(leaf.to_vec());
        let hex: String = log
            .tree_hash()
            .0
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, root, "tree of {} leaves", log.size());
    }
}
