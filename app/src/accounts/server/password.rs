//! Passwords: the rules for new ones, and argon2id hashing off the async
//! runtime.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../common_passwords.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect()
});

/// A password that meets the rules. Its `Debug` never prints it.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(format!("Use at least {MIN_CHARS} characters."));
        }
        if chars > MAX_CHARS {
            return Err(format!("Use at most {MAX_CHARS} characters."));
        }
        if is_common(raw) {
            return Err("This password is on a list of common passwords; choose another.".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// On the list as it is, or as a listed word with digits and symbols around
/// it ("Password2024!" counts as "password").
fn is_common(raw: &str) -> bool {
    let lower = raw.to_lowercase();
    let core = lower.trim_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation() || c == ' ');
    COMMON.contains(lower.as_str()) || (core.chars().count() >= 4 && COMMON.contains(core))
}

/// At most this many hashes run at once: each takes 19 MiB and a core for a
/// moment, so a burst of requests queues here instead of exhausting memory.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(2);
    tokio::sync::Semaphore::new(cores * 2)
});

/// OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(AppError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash_password(password: Password) -> Result<String, AppError> {
    let _permit = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()?
            .hash_password(password.0.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

/// A hash of a password nobody knows, verified when the account does not
/// exist or has no password yet, so every failure costs the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .ok()
        .and_then(|h| h.hash_password(b"vellum-dummy-password-never-used", &salt).ok())
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

/// True when `candidate` matches `hash`. With no hash it checks a dummy
/// one and answers false.
pub async fn verify_password(candidate: String, hash: Option<String>) -> Result<bool, AppError> {
    let _permit = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let has_hash = hash.is_some();
        let stored = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return Ok(false);
        };
        let matches = hasher()?.verify_password(candidate.as_bytes(), &parsed).is_ok();
        Ok(has_hash && matches)
    })
    .await
    .map_err(AppError::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits_apply() {
        assert!(Password::parse("short-pass").is_err());
        assert!(
            Password::parse(&"a1b2c3d4e5f6g7".repeat(20)).is_err(),
            "over 256 characters"
        );
        assert!(Password::parse("correct horse battery staple").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_even_with_decoration() {
        for common in [
            "password1234",
            "Qwertyuiop12",
            "Sunshine2024!",
            "1qaz2wsx3edc",
            "FOOTBALL123456",
        ] {
            assert!(Password::parse(common).is_err(), "{common} should be refused");
        }
    }

    #[test]
    fn the_message_does_not_echo_the_password() {
        let message = Password::parse("password1234").expect_err("common");
        assert!(!message.contains("password1234"));
        assert_eq!(
            format!("{:?}", Password::parse("a very long passphrase").expect("ok")),
            "Password(…)"
        );
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hash = hash_password(Password::parse("a very long passphrase").expect("ok"))
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(
            verify_password("a very long passphrase".into(), Some(hash.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !verify_password("a very long passphrasE".into(), Some(hash))
                .await
                .expect("verify")
        );
        assert!(!verify_password("anything".into(), None).await.expect("verify"));
    }
}
