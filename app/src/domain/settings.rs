//! The site's settings, as stored and as sent to the admin.

use serde::{Deserialize, Serialize};

/// The settings as stored and as sent to the admin.
///
/// The settings form posts these fields flat, as text, and leaves an
/// unticked box out: the switch reads "true"/"false" text and defaults to
/// off, and the fields added after the first five may be left out (as in
/// exports written before they existed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
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
    #[serde(default, deserialize_with = "super::form::switch")]
    pub review_required: bool,
    /// The logo in the public header: a path or an https URL; empty for
    /// the site title alone.
    #[serde(default)]
    pub logo_url: String,
    /// `#rrggbb`; empty for Vellum's teal.
    #[serde(default)]
    pub accent_color: String,
    /// The call to action under every article; all empty for none.
    #[serde(default)]
    pub cta_heading: String,
    #[serde(default)]
    pub cta_text: String,
    #[serde(default)]
    pub cta_label: String,
    #[serde(default)]
    pub cta_url: String,
    /// When set, the public content API answers only requests that carry
    /// it (`?key=` or `X-Content-Key`); empty for an open API.
    #[serde(default)]
    pub content_key: String,
    /// The reading level the editor asks of articles, as a US school
    /// grade (Flesch–Kincaid); patient materials aim at 6 to 8.
    #[serde(default = "default_reading_grade", deserialize_with = "super::form::checked_integer")]
    pub reading_grade_target: i64,
    /// The language articles are written in (a BCP 47 tag such as `en`,
    /// `es` or `fr-CA`): public pages declare it, and the editor's
    /// spellcheck uses it.
    #[serde(default = "default_language")]
    pub language: String,
    /// Months from a medical review to the next one due (1 to 60); a
    /// reviewer may choose another date for one post.
    #[serde(
        default = "default_review_interval",
        deserialize_with = "super::form::checked_integer"
    )]
    pub review_interval_months: i64,
    /// What readers see once a post's review is past due.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub lapsed_review_display: LapsedReviewDisplay,
}

/// Twelve months: clinical guidance for patient materials is commonly
/// checked once a year.
pub const DEFAULT_REVIEW_INTERVAL_MONTHS: i64 = 12;

fn default_review_interval() -> i64 {
    DEFAULT_REVIEW_INTERVAL_MONTHS
}

/// How a public page shows a medical review whose next review is past
/// due. Either way the review stays visible: it happened, and readers may
/// judge its age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LapsedReviewDisplay {
    /// "Medically reviewed by … on …" followed by "Review due".
    #[default]
    Flag,
    /// "Last reviewed {date}" instead of the reviewer's line.
    DateOnly,
}

impl LapsedReviewDisplay {
    pub const ALL: [LapsedReviewDisplay; 2] = [Self::Flag, Self::DateOnly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Flag => "flag",
            Self::DateOnly => "date_only",
        }
    }
}

impl TryFrom<String> for LapsedReviewDisplay {
    type Error = crate::error::AppError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::ALL
            .into_iter()
            .find(|display| display.as_str() == value)
            .ok_or_else(|| crate::error::AppError::internal(format_args!("unknown lapsed review display {value:?}")))
    }
}

/// English, until an admin says otherwise.
pub const DEFAULT_LANGUAGE: &str = "en";

fn default_language() -> String {
    DEFAULT_LANGUAGE.to_owned()
}

/// Grade 8: the upper end of what health-literacy guidance asks.
pub const DEFAULT_READING_GRADE: i64 = 8;

fn default_reading_grade() -> i64 {
    DEFAULT_READING_GRADE
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            title: String::new(),
            description: String::new(),
            site_url: String::new(),
            time_zone: String::new(),
            date_format: String::new(),
            review_required: false,
            logo_url: String::new(),
            accent_color: String::new(),
            cta_heading: String::new(),
            cta_text: String::new(),
            cta_label: String::new(),
            cta_url: String::new(),
            content_key: String::new(),
            reading_grade_target: DEFAULT_READING_GRADE,
            language: DEFAULT_LANGUAGE.to_owned(),
            review_interval_months: DEFAULT_REVIEW_INTERVAL_MONTHS,
            lapsed_review_display: LapsedReviewDisplay::Flag,
        }
    }
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
        let json: SiteSettings = serde_json::from_str(
            r#"{"title":"A","description":"","site_url":"","time_zone":"UTC","date_format":"%Y","review_required":true}"#,
        )
        .expect("json");
        assert!(json.review_required);
        assert_eq!(json.title, "A");
        let required =
            r#""title":"A","description":"","site_url":"https://a.example","time_zone":"UTC","date_format":"%Y""#;
        let text: SiteSettings =
            serde_json::from_str(&format!(r#"{{{required},"review_required":"true"}}"#)).expect("text");
        assert!(text.review_required);
        let absent: SiteSettings = serde_json::from_str(&format!("{{{required}}}")).expect("absent");
        assert!(!absent.review_required && absent.logo_url.is_empty());
        assert!(serde_json::from_str::<SiteSettings>(&format!(r#"{{{required},"review_required":"maybe"}}"#)).is_err());
        assert!(
            serde_json::from_str::<SiteSettings>("{}").is_err(),
            "the first five fields are required"
        );
    }
}

/// How long the content key before the last change still opens the
/// public API: front ends switch over in that time instead of breaking.
pub const CONTENT_KEY_OVERLAP_DAYS: i64 = 7;

/// The public API's content key, and the previous one with the end of its
/// overlap (`CONTENT_KEY_OVERLAP_DAYS` after the change).
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContentKeys {
    pub current: String,
    pub previous: Option<(String, chrono::DateTime<chrono::Utc>)>,
}

#[cfg(feature = "ssr")]
impl ContentKeys {
    /// The keys that open the API at `now`; none when no key is set (the
    /// API is open then, and a previous key opens nothing more).
    pub fn accepted_at(&self, now: chrono::DateTime<chrono::Utc>) -> Vec<&str> {
        if self.current.is_empty() {
            return Vec::new();
        }
        let previous = self
            .previous
            .as_ref()
            .filter(|(key, until)| *until > now && !key.is_empty())
            .map(|(key, _)| key.as_str());
        std::iter::once(self.current.as_str()).chain(previous).collect()
    }
}
