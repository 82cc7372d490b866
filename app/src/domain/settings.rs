//! The site's settings, as stored and as sent to the admin.

use serde::{Deserialize, Serialize};

/// The settings as stored and as sent to the admin.
///
/// The settings form posts these fields flat, as text, and leaves an
/// unticked box out: every field has a default, and the switch also reads
/// "true"/"false" text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(default)]
pub struct SiteSettings {
    pub title: String,
    pub description: String,
    /// The public address of the site, without a trailing slash.
    pub site_url: String,
    /// An IANA time zone name, e.g. `America/Chicago`.
    pub time_zone: String,
    /// A strftime pattern, e.g. `%B %-d, %Y` for "July 9, 2025".
    pub date_format: String,
    /// When on, authors submit posts for review; when off, they may
    /// publish their own.
    #[serde(deserialize_with = "super::form::switch")]
    pub review_required: bool,
    /// The logo in the public header: a path or an https URL; empty for
    /// the site title alone.
    pub logo_url: String,
    /// `#rrggbb`; empty for Vellum's teal.
    pub accent_color: String,
    /// The call to action under every article; all empty for none.
    pub cta_heading: String,
    pub cta_text: String,
    pub cta_label: String,
    pub cta_url: String,
    /// When set, the public content API answers only requests that carry
    /// it (`?key=` or `X-Content-Key`); empty for an open API.
    pub content_key: String,
}

impl SiteSettings {
    /// An address as other sites need it: paths on this site made absolute.
    pub fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.site_url)
        } else {
            url.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_reads_json_and_form_text() {
        let json: SiteSettings = serde_json::from_str(r#"{"title":"A","review_required":true}"#).expect("json");
        assert!(json.review_required);
        assert_eq!(json.title, "A");
        let text: SiteSettings = serde_json::from_str(r#"{"review_required":"true"}"#).expect("text");
        assert!(text.review_required);
        let absent: SiteSettings = serde_json::from_str("{}").expect("absent");
        assert!(!absent.review_required);
        assert!(serde_json::from_str::<SiteSettings>(r#"{"review_required":"maybe"}"#).is_err());
    }
}
