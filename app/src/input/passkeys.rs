//! A passkey's name: what its owner calls it, to tell their passkeys apart.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyName(String);

impl PasskeyName {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Name the passkey after where it is kept, such as \"Work laptop\" or \"Phone\".".into());
        }
        if name.chars().count() > Self::MAX_CHARS || name.chars().any(char::is_control) {
            return Err(format!("Use at most {} characters of plain text.", Self::MAX_CHARS));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_plain_text_of_at_most_sixty_characters() {
        assert_eq!(
            PasskeyName::parse("  Work laptop ").expect("valid").as_str(),
            "Work laptop"
        );
        assert!(PasskeyName::parse("   ").is_err());
        assert!(PasskeyName::parse("Phone\r\nBcc: x").is_err(), "no line breaks");
        assert!(PasskeyName::parse(&"é".repeat(60)).is_ok());
        assert!(PasskeyName::parse(&"é".repeat(61)).is_err());
    }
}
