//! Account input, parsed into types that cannot hold bad values.

use super::collect;
use crate::error::{AppError, FieldErrors};

/// An email address, trimmed and lower-cased: addresses are unique without
/// regard to case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        let invalid = || "Enter an email address like name@clinic.org.".to_owned();
        if email.is_empty() || email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name shown in bylines: 1 to 80 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        super::refuse_control(name, false, "the name")?;
        match name.chars().count() {
            0 => Err("Enter a name.".into()),
            1..=80 => Ok(Self(name.to_owned())),
            _ => Err("Use at most 80 characters for the name.".into()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The base of the user's public slug: lower-case ASCII letters and
    /// digits joined by hyphens ("Dr. Ana María Ruiz" → "dr-ana-maria-ruiz").
    pub fn slug_base(&self) -> String {
        let mut slug = String::new();
        for c in self.0.chars().flat_map(fold_accent) {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        // "ß" becomes "ss": a long name may give more letters than it had.
        slug.truncate(80);
        let slug = slug.trim_end_matches('-').to_owned();
        if slug.is_empty() { "user".to_owned() } else { slug }
    }
}

/// Maps common accented Latin letters to ASCII, so names keep readable slugs.
fn fold_accent(c: char) -> Vec<char> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        'ß' => return vec!['s', 's'],
        other => other,
    };
    vec![folded]
}

/// A short biography for the author box: at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bio(String);

impl Bio {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bio = raw.trim();
        super::refuse_control(bio, true, "the bio")?;
        if bio.chars().count() > 500 {
            return Err("Use at most 500 characters for the bio.".into());
        }
        Ok(Self(bio.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The credentials line shown with a review, e.g. "MD, psychiatrist".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials(String);

impl Credentials {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let credentials = raw.trim();
        super::refuse_control(credentials, false, "the credentials")?;
        if credentials.chars().count() > 120 {
            return Err("Use at most 120 characters for the credentials.".into());
        }
        Ok(Self(credentials.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An avatar image address: empty, or an absolute http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvatarUrl(String);

impl AvatarUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self(String::new()));
        }
        let message = || "Enter the image's full address, starting with https://.".to_owned();
        let url = url::Url::parse(raw).map_err(|_| message())?;
        if !matches!(url.scheme(), "http" | "https") || raw.len() > 500 {
            return Err(message());
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A valid profile edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileUpdate {
    pub display_name: DisplayName,
    pub bio: Bio,
    pub avatar_url: AvatarUrl,
    pub credentials: Credentials,
}

impl ProfileUpdate {
    pub fn parse(display_name: &str, bio: &str, avatar_url: &str, credentials: &str) -> Result<Self, AppError> {
        let mut problems = FieldErrors::new();
        let display_name = collect(&mut problems, "display_name", DisplayName::parse(display_name));
        let bio = collect(&mut problems, "bio", Bio::parse(bio));
        let avatar_url = collect(&mut problems, "avatar_url", AvatarUrl::parse(avatar_url));
        let credentials = collect(&mut problems, "credentials", Credentials::parse(credentials));
        match (display_name, bio, avatar_url, credentials) {
            (Some(display_name), Some(bio), Some(avatar_url), Some(credentials)) => Ok(Self {
                display_name,
                bio,
                avatar_url,
                credentials,
            }),
            _ => Err(AppError::Validation { fields: problems }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// U+0001 in a name made every feed invalid XML.
    #[test]
    fn profile_fields_refuse_control_characters() {
        assert!(DisplayName::parse("Ana\u{1} Ruiz").is_err());
        assert!(Credentials::parse("RN\u{7}").is_err());
        assert!(Bio::parse("Nurse\u{b}s").is_err());
        assert!(
            Bio::parse("Nurse.\nTwenty years in paediatrics.").is_ok(),
            "line breaks stay"
        );
        assert!(Email::parse("ana\u{1}@clinic.org").is_err());
        assert!(ProfileUpdate::parse("Ana\u{1}", "", "", "").is_err());
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ana.Ruiz@Clinic.ORG ").map(|e| e.0),
            Ok("ana.ruiz@clinic.org".to_owned())
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@clinic.org",
            "ana@clinic",
            "ana ruiz@clinic.org",
            "a@b@c.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn slugs_come_from_names() {
        let slug = |name: &str| DisplayName::parse(name).expect("valid").slug_base();
        assert_eq!(slug("Dr. Ana María Ruiz"), "dr-ana-maria-ruiz");
        assert_eq!(slug("  Jo   O'Neil "), "jo-o-neil");
        assert_eq!(slug("王医生"), "user");
    }

    #[test]
    fn profile_problems_are_reported_per_field() {
        let error = ProfileUpdate::parse("", &"x".repeat(501), "javascript:alert(1)", "MD").expect_err("invalid");
        assert_eq!(error.field_messages("display_name").len(), 1);
        assert_eq!(error.field_messages("bio").len(), 1);
        assert_eq!(error.field_messages("avatar_url").len(), 1);
        assert!(error.field_messages("credentials").is_empty());
    }
}
