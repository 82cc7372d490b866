//! How the public blog looks and what it asks readers to do: the logo, the
//! accent colour and the call to action under every article. Parsed into
//! types that cannot hold a bad value, like the other settings.

/// The accent when none is chosen: a teal with 5.6:1 contrast on white.
pub const DEFAULT_ACCENT: &str = "#0b6e69";

/// WCAG 2.2 AA asks 4.5:1 for normal text; links and buttons use the accent.
const MIN_CONTRAST_ON_WHITE: f64 = 4.5;

/// A `#rrggbb` colour dark enough for text on a white page; empty means
/// the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccentColor(String);

impl AccentColor {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim().to_ascii_lowercase();
        if trimmed.is_empty() {
            return Ok(Self(String::new()));
        }
        let channels = trimmed
            .strip_prefix('#')
            .filter(|hex| hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()))
            .map(|hex| [0, 2, 4].map(|at| u8::from_str_radix(&hex[at..at + 2], 16).unwrap_or(0)))
            .ok_or_else(|| format!("\"{raw}\" is not a colour; use the #rrggbb form, like {DEFAULT_ACCENT}."))?;
        let ratio = contrast_with_white(channels);
        if ratio < MIN_CONTRAST_ON_WHITE {
            return Err(format!(
                "Text in {trimmed} on white has a contrast of {ratio:.1}:1; readers need at least 4.5:1. \
                 Choose a darker colour."
            ));
        }
        Ok(Self(trimmed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The WCAG contrast ratio of an sRGB colour against white.
fn contrast_with_white(channels: [u8; 3]) -> f64 {
    let linear = |channel: u8| {
        let c = f64::from(channel) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let [r, g, b] = channels.map(linear);
    let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    1.05 / (luminance + 0.05)
}

/// A link the blog shows: empty, a path on this site, or an http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget(String);

impl LinkTarget {
    pub fn parse(raw: &str, what: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        // Browsers drop tabs and line breaks in addresses: "/\t/host"
        // would lead off the site as "//host".
        super::refuse_control(trimmed, false, &format!("the {what}"))?;
        // `//host` and `/\host` both lead browsers off the site.
        let is_path = trimmed.starts_with('/') && !trimmed.starts_with("//") && !trimmed.starts_with("/\\");
        let is_web_url = url::Url::parse(trimmed)
            .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some());
        if trimmed.is_empty() || is_path || is_web_url {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(format!(
                "Enter the {what} as a full address (https://…) or a path on this site (/…)."
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The key the public content API may require: empty (no key), or 16 to
/// 128 letters, digits, `-` and `_`, so it travels unescaped in a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentKey(String);

impl ContentKey {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if trimmed.is_empty() || ((16..=128).contains(&trimmed.len()) && trimmed.chars().all(allowed)) {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err("Use 16 to 128 letters, digits, - or _ for the content key, or leave it empty.".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trimmed text of at most `max` characters.
pub fn bounded_text(raw: &str, max: usize, what: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > max {
        return Err(format!("Use at most {max} characters for the {what}."));
    }
    Ok(trimmed.to_owned())
}

/// The box under every article that invites readers to act (book a
/// visit). All four parts or none: a button without a link helps no one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallToAction {
    pub heading: String,
    pub text: String,
    pub label: String,
    pub link: String,
}

impl CallToAction {
    /// Per-field messages, as the settings form shows them.
    pub fn parse(heading: &str, text: &str, label: &str, link: &str) -> Result<Self, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut take = |field: &'static str, result: Result<String, String>| {
            result.unwrap_or_else(|message| {
                errors.push((field, message));
                String::new()
            })
        };
        let cta = Self {
            heading: take("cta_heading", bounded_text(heading, 120, "call-to-action heading")),
            text: take("cta_text", bounded_text(text, 500, "call-to-action text")),
            label: take("cta_label", bounded_text(label, 40, "button label")),
            link: take(
                "cta_url",
                LinkTarget::parse(link, "button's link").map(|link| link.as_str().to_owned()),
            ),
        };
        let parts = [&cta.heading, &cta.label, &cta.link];
        let filled = parts.iter().filter(|part| !part.is_empty()).count();
        if errors.is_empty() && (filled > 0 || !cta.text.is_empty()) && filled < parts.len() {
            for (field, value, message) in [
                ("cta_heading", &cta.heading, "Enter a heading for the call to action."),
                ("cta_label", &cta.label, "Enter the button's label, e.g. Book a visit."),
                ("cta_url", &cta.link, "Enter where the button leads."),
            ] {
                if value.is_empty() {
                    errors.push((field, message.to_owned()));
                }
            }
        }
        if errors.is_empty() { Ok(cta) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_must_be_readable_on_white() {
        assert_eq!(AccentColor::parse(" #0B6E69 ").map(|c| c.0), Ok("#0b6e69".into()));
        assert_eq!(AccentColor::parse("").map(|c| c.0), Ok(String::new()));
        assert!(AccentColor::parse("#777777").is_err(), "4.48:1 is not enough");
        assert!(AccentColor::parse("#767676").is_ok(), "4.54:1 is");
        assert!(AccentColor::parse("#ffff00").is_err());
        assert!(AccentColor::parse("teal").is_err());
        assert!(AccentColor::parse("#12345").is_err());
    }

    #[test]
    fn content_keys_are_long_and_url_safe() {
        assert!(ContentKey::parse("").is_ok());
        assert!(ContentKey::parse("abcdefghij-klmno_P9").is_ok());
        assert!(ContentKey::parse("short").is_err());
        assert!(ContentKey::parse("has spaces in it, sixteen+").is_err());
    }

    #[test]
    fn links_are_paths_or_web_addresses() {
        assert!(LinkTarget::parse("/book", "link").is_ok());
        assert!(LinkTarget::parse("https://clinic.example/book", "link").is_ok());
        assert!(LinkTarget::parse("javascript:alert(1)", "link").is_err());
        assert!(LinkTarget::parse("//evil.example", "link").is_err());
        assert!(LinkTarget::parse("/\\evil.example", "link").is_err());
    }

    #[test]
    fn a_call_to_action_is_whole_or_absent() {
        assert_eq!(CallToAction::parse("", "", "", ""), Ok(CallToAction::default()));
        let cta = CallToAction::parse("Need a check-up?", "We see new patients.", "Book a visit", "/book");
        assert_eq!(cta.map(|cta| cta.label), Ok("Book a visit".into()));
        let missing = CallToAction::parse("Need a check-up?", "", "", "").expect_err("incomplete");
        let fields: Vec<&str> = missing.iter().map(|(field, _)| *field).collect();
        assert_eq!(fields, ["cta_label", "cta_url"]);
    }
}
