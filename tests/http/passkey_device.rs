//! A software passkey for the HTTP tests: it answers the server's WebAuthn
//! options as a phone or laptop would (a P-256 key, "none" attestation,
//! user verified, a discoverable credential that hands back its user
//! handle), with the origin the test says the browser was on. The browser
//! suite uses Chromium's own virtual authenticator instead.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// User present, user verified.
const FLAGS_UP_UV: u8 = 0x01 | 0x04;
/// The same, with attested credential data.
const FLAGS_UP_UV_AT: u8 = FLAGS_UP_UV | 0x40;

pub struct Device {
    key: SigningKey,
    credential_id: Vec<u8>,
    counter: u32,
    /// The site and user the credential was made for.
    rp_id: String,
    user_handle: Vec<u8>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text.as_str().expect("base64url text"))
        .expect("base64url")
}

impl Device {
    /// A device whose key and credential id derive from `seed`.
    pub fn new(seed: &str) -> Self {
        let secret = Sha256::digest(format!("key {seed}").as_bytes());
        Self {
            key: SigningKey::from_slice(&secret).expect("a P-256 key"),
            credential_id: Sha256::digest(format!("credential {seed}").as_bytes()).to_vec(),
            counter: 0,
            rp_id: String::new(),
            user_handle: Vec::new(),
        }
    }

    /// Makes the passkey the creation `options` ask for, as the browser at
    /// `origin` would send it back (JSON).
    pub fn register(&mut self, options: &str, origin: &str) -> String {
        let options: Value = serde_json::from_str(options).expect("creation options");
        self.rp_id = options["rp"]["id"].as_str().expect("rp id").to_owned();
        self.user_handle = unb64(&options["user"]["id"]);
        let client_data = json!({
            "type": "webauthn.create",
            "challenge": options["challenge"],
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string();
        let mut auth_data = self.auth_data_head(FLAGS_UP_UV_AT);
        auth_data.extend_from_slice(&[0; 16]); // AAGUID: none
        let id_len = u16::try_from(self.credential_id.len()).expect("short id");
        auth_data.extend_from_slice(&id_len.to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&self.cose_key());
        let mut attestation = vec![0xa3];
        cbor_text(&mut attestation, "fmt");
        cbor_text(&mut attestation, "none");
        cbor_text(&mut attestation, "attStmt");
        attestation.push(0xa0);
        cbor_text(&mut attestation, "authData");
        cbor_bytes(&mut attestation, &auth_data);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data.as_bytes()),
                "attestationObject": b64(&attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }

    /// Signs the request `options`' challenge with the passkey, as the
    /// browser at `origin` would send it back (JSON).
    pub fn sign_in(&mut self, options: &str, origin: &str) -> String {
        let options: Value = serde_json::from_str(options).expect("request options");
        assert_eq!(
            options["rpId"],
            self.rp_id.as_str(),
            "a browser offers only this site's passkeys"
        );
        self.counter += 1;
        self.answer(&options["challenge"], origin)
    }

    /// Signs as `sign_in` does, whatever site the options name: what a
    /// browser that was tricked, or a replayed answer, would send.
    pub fn sign_in_anyway(&mut self, options: &str, origin: &str) -> String {
        let options: Value = serde_json::from_str(options).expect("request options");
        self.counter += 1;
        self.answer(&options["challenge"], origin)
    }

    fn answer(&self, challenge: &Value, origin: &str) -> String {
        let client_data = json!({
            "type": "webauthn.get",
            "challenge": challenge,
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string();
        let auth_data = self.auth_data_head(FLAGS_UP_UV);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data.as_bytes()),
                "authenticatorData": b64(&auth_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }

    fn auth_data_head(&self, flags: u8) -> Vec<u8> {
        let mut data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        data
    }

    /// The public key as COSE: EC2, ES256, P-256, x and y.
    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_sec1_point(false);
        let point = point.as_bytes();
        let mut key = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21];
        cbor_bytes(&mut key, &point[1..33]);
        key.push(0x22);
        cbor_bytes(&mut key, &point[33..65]);
        key
    }
}

fn cbor_head(out: &mut Vec<u8>, major: u8, len: usize) {
    match len {
        0..=23 => out.push(major << 5 | u8::try_from(len).expect("small")),
        24..=255 => out.extend_from_slice(&[major << 5 | 24, u8::try_from(len).expect("byte")]),
        _ => {
            out.push(major << 5 | 25);
            out.extend_from_slice(&u16::try_from(len).expect("short").to_be_bytes());
        }
    }
}

fn cbor_text(out: &mut Vec<u8>, text: &str) {
    cbor_head(out, 3, text.len());
    out.extend_from_slice(text.as_bytes());
}

fn cbor_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    cbor_head(out, 2, bytes.len());
    out.extend_from_slice(bytes);
}
