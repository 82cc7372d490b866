//! Recovery codes: ten one-time codes for the day a phone is lost, shown
//! once and stored only as digests. Each has 80 random bits (sixteen
//! characters of an alphabet without look-alikes), so a leaked table of
//! unsalted digests does not give them back.

use crate::crypto::token_digest;

/// How many codes a person gets.
pub const COUNT: usize = 10;
const LENGTH: usize = 16;
/// 32 characters, none mistaken for another: no `l`, `o`, `0` or `1`.
const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// Ten new codes, as shown: `abcd-efgh-jkmn-pqrs`.
pub fn generate() -> Vec<String> {
    (0..COUNT).map(|_| new_code()).collect()
}

fn new_code() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; LENGTH];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    // 256 is a multiple of 32: every character is equally likely.
    let chars: Vec<char> = bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(byte % 32)]))
        .collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A recovery code as typed (any case, with or without its dashes and
/// spaces), as stored; `None` when it cannot be one.
pub fn normalize(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (code.len() == LENGTH && code.bytes().all(|byte| ALPHABET.contains(&byte))).then_some(code)
}

/// The digest stored for a code (shown or typed).
pub fn digest(code: &str) -> Option<String> {
    normalize(code).map(|code| token_digest(&code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_different_codes_that_read_back() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), COUNT);
        for code in &codes {
            assert_eq!(code.len(), 19, "{code}");
            assert!(normalize(code).is_some(), "{code}");
        }
    }

    #[test]
    fn a_code_is_the_same_typed_any_way() {
        let code = "abcd-efgh-jkmn-pqrs";
        let expected = digest(code);
        assert!(expected.is_some());
        for typed in ["ABCD-EFGH-JKMN-PQRS", " abcd efgh jkmn pqrs ", "abcdefghjkmnpqrs"] {
            assert_eq!(digest(typed), expected, "{typed}");
        }
    }

    #[test]
    fn what_cannot_be_a_code_is_refused() {
        for typed in [
            "",
            "123456",
            "abcd-efgh-jkmn-pqr",
            "abcd-efgh-jkmn-pqrs-t",
            "abcd-efgh-jkmn-pqr0",
        ] {
            assert_eq!(normalize(typed), None, "{typed}");
        }
    }
}
