//! The clinic behind the site, as stored and as sent to the admin: who it
//! is, where, when it is open and how to book. Every public page prints
//! it in the footer and as schema.org data.

use serde::{Deserialize, Serialize};

/// The week as the settings page and the footer list it: Monday first,
/// as ISO 8601 and schema.org count.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// One weekday's opening hours as `HH:MM` text; both empty when closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    #[serde(default)]
    pub opens: String,
    #[serde(default)]
    pub closes: String,
}

impl DayHours {
    pub fn is_open(&self) -> bool {
        !self.opens.is_empty() && !self.closes.is_empty()
    }
}

/// The clinic's details. Every field may be empty (a site need not be a
/// clinic's); `hours` holds seven days, Monday first, once saved.
///
/// The settings form posts these flat (`name`, `hours[0][opens]`, …), so
/// fields left out read as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicDetails {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub street_address: String,
    /// The town or city.
    #[serde(default)]
    pub locality: String,
    /// The state, province or county.
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// Where readers book an appointment: an http(s) address.
    #[serde(default)]
    pub booking_url: String,
    /// Shown at the end of every article.
    #[serde(default)]
    pub disclaimer: String,
    #[serde(default)]
    pub hours: Vec<DayHours>,
}

impl ClinicDetails {
    /// Each weekday with its hours, closed days included, Monday first.
    pub fn week(&self) -> impl Iterator<Item = (&'static str, DayHours)> + '_ {
        WEEKDAYS
            .iter()
            .enumerate()
            .map(|(at, day)| (*day, self.hours.get(at).cloned().unwrap_or_default()))
    }

    /// Whether there is anything of the clinic to show readers.
    pub fn is_empty(&self) -> bool {
        let Self {
            name,
            street_address,
            locality,
            region,
            postal_code,
            country,
            phone,
            email,
            booking_url,
            disclaimer,
            hours,
        } = self;
        [
            name,
            street_address,
            locality,
            region,
            postal_code,
            country,
            phone,
            email,
            booking_url,
            disclaimer,
        ]
        .iter()
        .all(|text| text.is_empty())
            && !hours.iter().any(DayHours::is_open)
    }

    /// The address on one line, its parts separated by commas.
    pub fn address_line(&self) -> String {
        let locality = [self.postal_code.as_str(), self.locality.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        [
            self.street_address.as_str(),
            locality.as_str(),
            self.region.as_str(),
            self.country.as_str(),
        ]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_week_has_seven_days_even_before_hours_are_saved() {
        let clinic = ClinicDetails {
            hours: vec![DayHours {
                opens: "08:00".into(),
                closes: "17:00".into(),
            }],
            ..ClinicDetails::default()
        };
        let week: Vec<_> = clinic.week().collect();
        assert_eq!(week.len(), 7);
        assert_eq!(week[0].0, "Monday");
        assert!(week[0].1.is_open());
        assert!(!week[6].1.is_open());
        assert!(!clinic.is_empty());
        assert!(ClinicDetails::default().is_empty());
    }

    #[test]
    fn the_address_reads_on_one_line() {
        let clinic = ClinicDetails {
            street_address: "12 River Road".into(),
            locality: "Springfield".into(),
            postal_code: "62701".into(),
            region: "IL".into(),
            ..ClinicDetails::default()
        };
        assert_eq!(clinic.address_line(), "12 River Road, 62701 Springfield, IL");
    }
}
