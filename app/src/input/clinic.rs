//! The clinic's details as input: a phone that has digits, an email
//! address, a booking link on the web, and opening hours that are times
//! with closing after opening. All problems are reported at once, per
//! field, like the other settings.

use chrono::NaiveTime;

use super::people::Email;
use super::{collect, refuse_control};
use crate::domain::{ClinicDetails, DayHours, WEEKDAYS};
use crate::error::{AppError, FieldErrors};

/// One line of the clinic's details: trimmed, no control characters.
fn line(raw: &str, max_chars: usize, what: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    refuse_control(trimmed, false, what)?;
    if trimmed.chars().count() > max_chars {
        return Err(format!("Use at most {max_chars} characters for {what}."));
    }
    Ok(trimmed.to_owned())
}

/// A phone number, read loosely (clinics write them many ways) but with
/// digits in it, since the footer makes it a `tel:` link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(Self(String::new()));
        }
        let digits = trimmed.chars().filter(char::is_ascii_digit).count();
        let allowed = |c: char| c.is_ascii_digit() || " +-().\u{a0}/".contains(c);
        let (number, extension) = split_extension(trimmed);
        if digits < 3 || trimmed.chars().count() > 40 || !number.chars().all(allowed) {
            return Err(format!(
                "\"{trimmed}\" is not a phone number; write it with digits, like +1 555 010 2030."
            ));
        }
        if extension.is_some_and(|ext| ext.is_empty() || !ext.chars().all(|c| c.is_ascii_digit())) {
            return Err("Write an extension as digits after \"ext.\", like +1 555 010 2030 ext. 12.".into());
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `tel:` address: the leading `+` and the digits, with `;ext=`.
    pub fn tel_uri(text: &str) -> String {
        let (number, extension) = split_extension(text);
        let mut uri = String::from("tel:");
        if number.trim_start().starts_with('+') {
            uri.push('+');
        }
        uri.extend(number.chars().filter(char::is_ascii_digit));
        if let Some(extension) = extension {
            uri.push_str(";ext=");
            uri.push_str(extension);
        }
        uri
    }
}

/// `"555 0100 ext. 12"` → `("555 0100 ", Some("12"))`.
fn split_extension(text: &str) -> (&str, Option<&str>) {
    let lower = text.to_ascii_lowercase();
    for marker in ["extension", "ext.", "ext", " x"] {
        if let Some(at) = lower.find(marker) {
            return (&text[..at], Some(text[at + marker.len()..].trim()));
        }
    }
    (text, None)
}

/// A link readers follow to book: http or https only.
fn booking_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    // The URL parser drops tabs and line breaks that browsers would also
    // drop, so such a link would not be the one the admin read.
    refuse_control(trimmed, false, "the booking link")?;
    match url::Url::parse(trimmed) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url.into()),
        _ => Err(format!(
            "Enter the booking link as a web address starting with https:// (got \"{trimmed}\")."
        )),
    }
}

/// One day's hours: both times or neither, closing after opening.
fn day_hours(day: &str, raw: &DayHours) -> Result<DayHours, String> {
    let time = |text: &str| {
        NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
            format!(
                "{day}: \"{}\" is not a time; use 24-hour HH:MM, like 08:30.",
                text.trim()
            )
        })
    };
    match (raw.opens.trim().is_empty(), raw.closes.trim().is_empty()) {
        (true, true) => Ok(DayHours::default()),
        (false, true) => Err(format!(
            "{day}: enter the closing time too, or clear both to mark the day closed."
        )),
        (true, false) => Err(format!(
            "{day}: enter the opening time too, or clear both to mark the day closed."
        )),
        (false, false) => {
            let (opens, closes) = (time(&raw.opens)?, time(&raw.closes)?);
            if closes <= opens {
                return Err(format!("{day}: the closing time must come after the opening time."));
            }
            Ok(DayHours {
                opens: opens.format("%H:%M").to_string(),
                closes: closes.format("%H:%M").to_string(),
            })
        }
    }
}

/// The clinic's details, every field parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicUpdate(ClinicDetails);

impl ClinicUpdate {
    pub const DISCLAIMER_MAX_CHARS: usize = 1000;

    pub fn parse(raw: &ClinicDetails) -> Result<Self, AppError> {
        let mut problems = FieldErrors::new();
        let mut text = |field: &str, value: &str, max: usize, what: &str| {
            collect(&mut problems, field, line(value, max, what)).unwrap_or_default()
        };
        let mut clinic = ClinicDetails {
            name: text("name", &raw.name, 120, "the clinic's name"),
            street_address: text("street_address", &raw.street_address, 200, "the street address"),
            locality: text("locality", &raw.locality, 100, "the town"),
            region: text("region", &raw.region, 100, "the region"),
            postal_code: text("postal_code", &raw.postal_code, 20, "the postal code"),
            country: text("country", &raw.country, 100, "the country"),
            ..ClinicDetails::default()
        };
        clinic.phone = collect(&mut problems, "phone", Phone::parse(&raw.phone))
            .map(|phone| phone.0)
            .unwrap_or_default();
        if !raw.email.trim().is_empty() {
            clinic.email = collect(&mut problems, "email", Email::parse(&raw.email))
                .map(|email| email.as_str().to_owned())
                .unwrap_or_default();
        }
        clinic.booking_url = collect(&mut problems, "booking_url", booking_url(&raw.booking_url)).unwrap_or_default();
        let disclaimer = raw.disclaimer.trim();
        let disclaimer = refuse_control(disclaimer, true, "the disclaimer").and_then(|()| {
            if disclaimer.chars().count() > Self::DISCLAIMER_MAX_CHARS {
                Err(format!(
                    "Use at most {} characters for the disclaimer.",
                    Self::DISCLAIMER_MAX_CHARS
                ))
            } else {
                Ok(disclaimer.replace("\r\n", "\n"))
            }
        });
        clinic.disclaimer = collect(&mut problems, "disclaimer", disclaimer).unwrap_or_default();
        if raw.hours.len() > WEEKDAYS.len() {
            problems
                .entry("hours".to_owned())
                .or_default()
                .push("A week has seven days of opening hours.".to_owned());
        }
        for (at, day) in WEEKDAYS.iter().enumerate() {
            let hours = raw.hours.get(at).cloned().unwrap_or_default();
            let parsed = collect(&mut problems, &format!("hours.{at}"), day_hours(day, &hours));
            clinic.hours.push(parsed.unwrap_or_default());
        }
        if problems.is_empty() {
            Ok(Self(clinic))
        } else {
            Err(AppError::Validation { fields: problems })
        }
    }

    pub fn details(&self) -> &ClinicDetails {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(opens: &str, closes: &str) -> DayHours {
        DayHours {
            opens: opens.into(),
            closes: closes.into(),
        }
    }

    #[test]
    fn good_details_are_normalised() {
        let raw = ClinicDetails {
            name: " Riverside Family Clinic ".into(),
            phone: "+1 (555) 010-2030".into(),
            email: "Desk@Riverside.Example".into(),
            booking_url: "https://book.riverside.example/new".into(),
            disclaimer: "General information.\r\nNot advice.".into(),
            hours: vec![open("8:00", "17:30"), DayHours::default(), open("09:00", "12:00")],
            ..ClinicDetails::default()
        };
        let update = ClinicUpdate::parse(&raw).expect("valid");
        let clinic = update.details();
        assert_eq!(clinic.name, "Riverside Family Clinic");
        assert_eq!(clinic.email, "desk@riverside.example");
        assert_eq!(clinic.disclaimer, "General information.\nNot advice.");
        assert_eq!(clinic.hours.len(), 7, "always a whole week");
        assert_eq!(clinic.hours[0], open("08:00", "17:30"));
        assert!(!clinic.hours[1].is_open());
        assert_eq!(Phone::tel_uri(&clinic.phone), "tel:+15550102030");
    }

    #[test]
    fn phones_need_digits_and_read_loosely() {
        for good in [
            "555 0100",
            "+44 20 7946 0958",
            "(555) 010-2030",
            "555.010.2030 ext. 12",
            "+1 555 0100 x 4",
        ] {
            assert!(Phone::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "call us",
            "+--",
            "12",
            "555-CLINIC",
            "555 0100 ext. twelve",
            "javascript:1",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Phone::tel_uri("555.010.2030 ext. 12"), "tel:5550102030;ext=12");
    }

    #[test]
    fn hours_must_be_times_with_closing_after_opening() {
        for (hours, bad) in [
            (open("17:00", "08:00"), "closing time must come after"),
            (open("09:00", "09:00"), "closing time must come after"),
            (open("25:00", "26:00"), "not a time"),
            (open("9am", "5pm"), "HH:MM"),
            (open("09:00", ""), "closing time too"),
            (open("", "17:00"), "opening time too"),
        ] {
            let raw = ClinicDetails {
                hours: vec![DayHours::default(), hours],
                ..ClinicDetails::default()
            };
            let error = ClinicUpdate::parse(&raw).expect_err(bad);
            let messages = error.field_messages("hours.1");
            assert!(
                messages
                    .iter()
                    .any(|message| message.contains(bad) && message.starts_with("Tuesday")),
                "{messages:?}"
            );
        }
    }

    #[test]
    fn booking_links_are_web_addresses_and_every_problem_is_reported() {
        let raw = ClinicDetails {
            booking_url: "javascript:alert(1)".into(),
            phone: "none".into(),
            email: "desk".into(),
            name: "x".repeat(121),
            hours: vec![DayHours::default(); 8],
            ..ClinicDetails::default()
        };
        let error = ClinicUpdate::parse(&raw).expect_err("all bad");
        for field in ["booking_url", "phone", "email", "name", "hours"] {
            assert_eq!(error.field_messages(field).len(), 1, "{field}: {error:?}");
        }
        assert!(booking_url("ftp://files.example").is_err());
        assert!(
            booking_url("https://book.example/\tnew").is_err(),
            "a control character"
        );
        assert_eq!(
            booking_url(" https://Book.Example/a b ").as_deref(),
            Ok("https://book.example/a%20b")
        );
        assert!(booking_url("http://book.example").is_ok());
    }

    #[test]
    fn an_empty_form_is_a_site_without_a_clinic() {
        let update = ClinicUpdate::parse(&ClinicDetails::default()).expect("empty is fine");
        assert!(update.details().is_empty());
    }
}
