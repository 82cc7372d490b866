//! TOTP (RFC 6238) as authenticator apps expect it: HMAC-SHA1, six
//! digits, 30-second steps. A code is accepted for the step before and
//! the step after the server's too (clocks drift, people type slowly),
//! and the step it matched is returned, so that no code works twice.

use chrono::{DateTime, Utc};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::error::AppError;

pub const DIGITS: usize = 6;
pub const STEP_SECONDS: i64 = 30;
/// Steps either side of the current one that are still accepted.
const SKEW_STEPS: i64 = 1;
/// 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// A new shared secret, base32 (as apps take it typed in).
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(encoded) => encoded,
        Secret::Raw(_) => String::new(),
    }
}

/// The time step of `at`.
pub fn step_at(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECONDS)
}

/// The secret in groups of four, easier to type into an app.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The step whose code `code` is, among those accepted at `now`; `None`
/// when it is none of them.
pub fn matching_step(secret: &str, code: &str, now: DateTime<Utc>) -> Result<Option<i64>, AppError> {
    let totp = totp(secret, String::new(), None)?;
    let current = step_at(now);
    Ok((current - SKEW_STEPS..=current + SKEW_STEPS).find(|&step| {
        // `check` compares in constant time; with no skew of its own it
        // looks at exactly this step.
        u64::try_from(step * STEP_SECONDS).is_ok_and(|time| totp.check(code, time))
    }))
}

/// The `otpauth://` address a QR code gives the app: the site's name as
/// issuer and the person's email as the account.
pub fn otpauth_url(secret: &str, issuer: &str, account: &str) -> Result<String, AppError> {
    // Colons separate issuer and account in the address's label.
    let issuer = issuer.replace(':', " ").trim().to_owned();
    let issuer = (!issuer.is_empty()).then_some(issuer);
    Ok(totp(secret, account.replace(':', " "), issuer)?.get_url())
}

/// `text` as a QR code, an SVG document without its XML declaration (to
/// sit inside an HTML page).
pub fn qr_svg(text: &str) -> Result<String, AppError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(AppError::internal)?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    Ok(match svg.find("<svg") {
        Some(start) => svg[start..].to_owned(),
        None => svg,
    })
}

fn totp(secret: &str, account: String, issuer: Option<String>) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|_| AppError::internal("a stored TOTP secret is not base32"))?;
    // The error would print the secret; say only what failed.
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS.unsigned_abs(),
        bytes,
        issuer,
        account,
    )
    .map_err(|_| AppError::internal("a TOTP secret or label was refused"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_at(secret: &str, step: i64) -> String {
        totp(secret, String::new(), None)
            .expect("valid secret")
            .generate(u64::try_from(step * STEP_SECONDS).expect("positive"))
    }

    #[test]
    fn secrets_are_160_random_bits_in_base32() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert!(
            secret
                .chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
        );
        assert_ne!(secret, new_secret());
    }

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_only() {
        let secret = new_secret();
        let now = DateTime::from_timestamp(1_800_000_015, 0).expect("time");
        let current = step_at(now);
        for offset in [-1, 0, 1] {
            let code = code_at(&secret, current + offset);
            assert_eq!(
                matching_step(&secret, &code, now).expect("check"),
                Some(current + offset)
            );
        }
        for offset in [-3, -2, 2, 3] {
            let code = code_at(&secret, current + offset);
            let matched = matching_step(&secret, &code, now).expect("check");
            // Another step's code may equal one in the window by chance
            // (one in a million); it then matches that step, never this one.
            assert_ne!(matched, Some(current + offset));
        }
        assert_eq!(matching_step(&secret, "12345", now).expect("check"), None);
        assert_eq!(matching_step(&secret, "", now).expect("check"), None);
    }

    #[test]
    fn the_rfc_6238_test_vector_gives_its_code() {
        // RFC 6238, appendix B: "12345678901234567890", SHA-1, T = 59 s
        // gives 94287082 with eight digits, so 287082 with six.
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(encoded) => encoded,
            Secret::Raw(_) => unreachable!("encoded"),
        };
        let at = DateTime::from_timestamp(59, 0).expect("time");
        assert_eq!(matching_step(&secret, "287082", at).expect("check"), Some(1));
    }

    #[test]
    fn the_address_names_the_site_and_the_person() {
        let secret = new_secret();
        let url = otpauth_url(&secret, "Clinic: News", "ana@clinic.org").expect("url");
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains(&format!("secret={secret}")), "{url}");
        assert!(url.contains("ana%40clinic.org"), "{url}");
        assert!(url.contains("issuer=Clinic%20%20News"), "{url}");
    }

    #[test]
    fn the_qr_code_is_an_svg_element() {
        let svg = qr_svg("otpauth://totp/Vellum:ana?secret=ABC").expect("svg");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn secrets_are_grouped_by_four() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
