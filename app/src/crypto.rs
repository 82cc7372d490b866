//! Random tokens and their digests: set-up, set-password, preview and API
//! tokens are stored only as digests, so a leaked database holds no usable
//! link. Webhook secrets are random tokens too, but kept as they are:
//! signing each delivery needs them.

/// 256 random bits, hex-encoded: set-up and set-password tokens.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Tokens are stored as their SHA-256, so a leaked database holds no
/// usable link.
pub fn token_digest(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.trim().as_bytes()))
}
