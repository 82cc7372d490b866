//! The site settings as input: every field becomes a domain type that cannot
//! hold a bad value, before anything reaches SQL.

use std::str::FromStr;

use chrono::format::{Item, StrftimeItems};

use super::branding::{AccentColor, CallToAction, ContentKey, LinkTarget};
use crate::domain::SiteSettings;
use crate::error::{AppError, FieldErrors};

/// A site title: trimmed, 1 to 120 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteTitle(String);

impl SiteTitle {
    pub const MAX_CHARS: usize = 120;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("Enter a site title.".into());
        }
        super::refuse_control(trimmed, false, "the site title")?;
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "Use at most {} characters for the site title.",
                Self::MAX_CHARS
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A site description: trimmed, at most 300 characters, may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteDescription(String);

impl SiteDescription {
    pub const MAX_CHARS: usize = 300;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        super::refuse_control(trimmed, true, "the description")?;
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "Use at most {} characters for the description.",
                Self::MAX_CHARS
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The public address of the site: an absolute http(s) URL, stored without a
/// trailing slash so that paths can be appended with `format!("{url}{path}")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUrl(String);

impl SiteUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let message = || format!("Enter the site's full address, like https://blog.example.org (got \"{raw}\").");
        let url = url::Url::parse(raw.trim()).map_err(|_| message())?;
        let host_ok = url.host_str().is_some_and(|host| !host.is_empty());
        if !matches!(url.scheme(), "http" | "https") || !host_ok {
            return Err(message());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("The site address cannot have a query (?…) or a fragment (#…).".into());
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// Scheme, host and port, as browsers send them in `Origin`.
    pub fn origin(&self) -> String {
        url::Url::parse(&self.0)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

/// An IANA time zone name known to the tz database, e.g. `Europe/Berlin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZoneName(chrono_tz::Tz);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        chrono_tz::Tz::from_str(raw.trim())
            .map(Self)
            .map_err(|_| format!("\"{raw}\" is not a time zone name; use one like America/Chicago."))
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }
}

/// A strftime date pattern that chrono can render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat(String);

impl DateFormat {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > 64 {
            return Err("Enter a date format of 1 to 64 characters, like %B %-d, %Y.".into());
        }
        // Some patterns parse but cannot format a date (e.g. `%#z`):
        // formatting a sample is the real test.
        let sample = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH.with_timezone(&chrono_tz::UTC);
        let mut formatted = String::new();
        if StrftimeItems::new(trimmed).any(|item| matches!(item, Item::Error))
            || std::fmt::Write::write_fmt(&mut formatted, format_args!("{}", sample.format(trimmed))).is_err()
        {
            return Err(format!("\"{trimmed}\" is not a valid date format."));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A complete, valid set of settings, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsUpdate {
    pub title: SiteTitle,
    pub description: SiteDescription,
    pub site_url: SiteUrl,
    pub time_zone: TimeZoneName,
    pub date_format: DateFormat,
    pub review_required: bool,
    pub logo_url: LinkTarget,
    pub accent_color: AccentColor,
    pub cta: CallToAction,
    pub content_key: ContentKey,
    pub reading_grade_target: i64,
    pub language: String,
    pub review_interval: ReviewInterval,
    pub lapsed_review_display: crate::domain::LapsedReviewDisplay,
}

/// Months from a medical review to the next one due: 1 to 60.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewInterval(u32);

impl ReviewInterval {
    pub const MAX_MONTHS: i64 = 60;

    pub fn parse(raw: i64) -> Result<Self, String> {
        match u32::try_from(raw) {
            Ok(months) if (1..=Self::MAX_MONTHS).contains(&raw) => Ok(Self(months)),
            _ => Err(format!(
                "Choose a review interval of 1 to {} months (5 years); 12 is usual.",
                Self::MAX_MONTHS
            )),
        }
    }

    pub fn months(self) -> u32 {
        self.0
    }
}

/// A language tag as pages declare it: a 2 or 3 letter language, then
/// optional subtags of letters and digits (`en`, `es-419`, `zh-Hant-TW`).
/// Kept as typed but for the language, which is lower-cased.
pub fn site_language(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let mut parts = raw.split('-');
    let language = parts.next().unwrap_or_default();
    let language_ok = (2..=3).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_alphabetic());
    let rest_ok = parts.all(|part| (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric()));
    if language_ok && rest_ok && raw.len() <= 35 {
        let (language, rest) = raw.split_at(language.len());
        Ok(format!("{}{rest}", language.to_ascii_lowercase()))
    } else {
        Err("Give a language code such as en, es, fr or pt-BR.".into())
    }
}

/// The reading level the editor asks for: a US school grade from 3 to 16.
pub fn reading_grade(raw: i64) -> Result<i64, String> {
    if (3..=16).contains(&raw) {
        Ok(raw)
    } else {
        Err("Choose a school grade from 3 to 16; patient materials aim at 6 to 8.".into())
    }
}

impl SettingsUpdate {
    /// Parses every field and reports all problems at once, per field.
    pub fn parse(raw: &SiteSettings) -> Result<Self, AppError> {
        let mut fields = FieldErrors::new();
        let mut check = |name: &str, result: Result<(), String>| {
            if let Err(message) = result {
                fields.entry(name.to_owned()).or_default().push(message);
            }
        };
        let title = SiteTitle::parse(&raw.title);
        let description = SiteDescription::parse(&raw.description);
        let site_url = SiteUrl::parse(&raw.site_url);
        let time_zone = TimeZoneName::parse(&raw.time_zone);
        let date_format = DateFormat::parse(&raw.date_format);
        check("title", title.as_ref().map(drop).map_err(Clone::clone));
        check("description", description.as_ref().map(drop).map_err(Clone::clone));
        check("site_url", site_url.as_ref().map(drop).map_err(Clone::clone));
        check("time_zone", time_zone.as_ref().map(drop).map_err(Clone::clone));
        check("date_format", date_format.as_ref().map(drop).map_err(Clone::clone));
        let content_key = ContentKey::parse(&raw.content_key);
        check("content_key", content_key.as_ref().map(drop).map_err(Clone::clone));
        let logo_url = LinkTarget::parse(&raw.logo_url, "logo's address");
        let accent_color = AccentColor::parse(&raw.accent_color);
        check("logo_url", logo_url.as_ref().map(drop).map_err(Clone::clone));
        check("accent_color", accent_color.as_ref().map(drop).map_err(Clone::clone));
        let grade = reading_grade(raw.reading_grade_target);
        check("reading_grade_target", grade.as_ref().map(drop).map_err(Clone::clone));
        let language = site_language(&raw.language);
        check("language", language.as_ref().map(drop).map_err(Clone::clone));
        let review_interval = ReviewInterval::parse(raw.review_interval_months);
        check(
            "review_interval_months",
            review_interval.as_ref().map(drop).map_err(Clone::clone),
        );
        let cta = CallToAction::parse(&raw.cta_heading, &raw.cta_text, &raw.cta_label, &raw.cta_url);
        if let Err(problems) = &cta {
            for (field, message) in problems {
                check(field, Err(message.clone()));
            }
        }
        match (
            title,
            description,
            site_url,
            time_zone,
            date_format,
            logo_url,
            accent_color,
            cta,
            content_key,
            grade,
            language,
            review_interval,
        ) {
            (
                Ok(title),
                Ok(description),
                Ok(site_url),
                Ok(time_zone),
                Ok(date_format),
                Ok(logo_url),
                Ok(accent_color),
                Ok(cta),
                Ok(content_key),
                Ok(reading_grade_target),
                Ok(language),
                Ok(review_interval),
            ) => Ok(Self {
                title,
                description,
                site_url,
                time_zone,
                date_format,
                review_required: raw.review_required,
                logo_url,
                accent_color,
                cta,
                content_key,
                reading_grade_target,
                language,
                review_interval,
                lapsed_review_display: raw.lapsed_review_display,
            }),
            _ => Err(AppError::Validation { fields }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SiteSettings;

    fn valid() -> SiteSettings {
        SiteSettings {
            title: "  Riverside Clinic Journal ".into(),
            description: "Health articles".into(),
            site_url: "https://blog.example.org/".into(),
            time_zone: "America/Chicago".into(),
            date_format: "%B %-d, %Y".into(),
            review_required: true,
            ..SiteSettings::default()
        }
    }

    #[test]
    fn valid_settings_are_normalised() {
        let update = SettingsUpdate::parse(&valid()).expect("valid settings");
        assert_eq!(update.title.as_str(), "Riverside Clinic Journal");
        assert_eq!(update.site_url.as_str(), "https://blog.example.org");
        assert!(update.site_url.is_https());
        assert_eq!(update.site_url.origin(), "https://blog.example.org");
        assert_eq!(update.time_zone.as_str(), "America/Chicago");
    }

    #[test]
    fn date_formats_must_format_a_date() {
        assert!(DateFormat::parse("%B %-d, %Y").is_ok());
        assert!(DateFormat::parse("%#z").is_err(), "parses, but cannot format");
        assert!(DateFormat::parse("%Q").is_err());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let raw = SiteSettings {
            title: "   ".into(),
            description: "x".repeat(301),
            site_url: "javascript:alert(1)".into(),
            time_zone: "Mars/Olympus".into(),
            date_format: "%Q".into(),
            review_required: true,
            accent_color: "#eeeeee".into(),
            cta_heading: "Book now".into(),
            ..SiteSettings::default()
        };
        let error = SettingsUpdate::parse(&raw).expect_err("all fields are bad");
        for field in [
            "title",
            "description",
            "site_url",
            "time_zone",
            "date_format",
            "accent_color",
            "cta_label",
        ] {
            assert_eq!(error.field_messages(field).len(), 1, "{field} should be reported");
        }
    }

    #[test]
    fn site_urls_need_a_scheme_and_host() {
        assert!(SiteUrl::parse("blog.example.org").is_err());
        assert!(SiteUrl::parse("ftp://blog.example.org").is_err());
        assert!(SiteUrl::parse("https://blog.example.org/?a=1").is_err());
        assert_eq!(
            SiteUrl::parse("http://127.0.0.1:3000").map(|u| u.as_str().to_owned()),
            Ok("http://127.0.0.1:3000".to_owned())
        );
    }

    #[test]
    fn languages_are_tags_pages_can_declare() {
        assert_eq!(site_language(" EN ").as_deref(), Ok("en"));
        assert_eq!(site_language("pt-BR").as_deref(), Ok("pt-BR"));
        assert_eq!(site_language("es-419").as_deref(), Ok("es-419"));
        for bad in ["", "e", "english", "en_US", "en-", "en-toolongsubtag", "de\"><script>"] {
            assert!(site_language(bad).is_err(), "{bad:?}");
        }
        let raw = SiteSettings {
            language: "nope!".into(),
            ..valid()
        };
        match SettingsUpdate::parse(&raw) {
            Err(AppError::Validation { fields }) => assert!(fields.contains_key("language"), "{fields:?}"),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn review_intervals_run_from_one_month_to_five_years() {
        assert_eq!(ReviewInterval::parse(1).map(ReviewInterval::months), Ok(1));
        assert_eq!(ReviewInterval::parse(60).map(ReviewInterval::months), Ok(60));
        for bad in [0, 61, 99, -12] {
            assert!(ReviewInterval::parse(bad).is_err(), "{bad}");
        }
        let raw = SiteSettings {
            review_interval_months: 0,
            ..valid()
        };
        let error = SettingsUpdate::parse(&raw).expect_err("0 months");
        assert!(error.field_messages("review_interval_months")[0].contains("1 to 60 months"));
    }

    #[test]
    fn titles_are_limited_in_length() {
        assert!(SiteTitle::parse(&"a".repeat(120)).is_ok());
        assert!(SiteTitle::parse(&"a".repeat(121)).is_err());
    }
}
