//! The demo clinic: its details, the disclaimer under every article, and
//! the header and footer menus.

use app::audit::{AuditAction, NewAuditEntry};
use app::domain::{ClinicDetails, DayHours, MenuItem, MenuTarget, Menus};
use app::input::clinic::ClinicUpdate;
use app::input::menu::MenuUpdate;
use app::store::Store;

use super::posts::{DemoPost, Plan, Who};

fn hours(opens: &str, closes: &str) -> DayHours {
    DayHours {
        opens: opens.into(),
        closes: closes.into(),
    }
}

fn item(label: &str, kind: MenuTarget, target: &str) -> MenuItem {
    MenuItem {
        label: label.into(),
        kind,
        target: target.into(),
    }
}

pub fn clinic() -> ClinicDetails {
    ClinicDetails {
        name: "Riverside Family Clinic".into(),
        street_address: "1200 River Road, Suite 4".into(),
        locality: "Springfield".into(),
        region: "IL".into(),
        postal_code: "62701".into(),
        country: "US".into(),
        phone: "+1 555 010 2030".into(),
        email: "desk@riverside-clinic.example".into(),
        booking_url: "https://riverside-clinic.example/book".into(),
        disclaimer: "This article is general information and does not replace advice from your own clinician. \
                     In an emergency, call 911."
            .into(),
        hours: vec![
            hours("08:00", "18:00"),
            hours("08:00", "18:00"),
            hours("08:00", "18:00"),
            hours("08:00", "19:30"),
            hours("08:00", "16:00"),
            hours("09:00", "12:00"),
            DayHours::default(),
        ],
    }
}

/// A page of the clinic's, published with the articles (three months
/// ago, through the same review).
const fn page(title: &'static str, body: &'static str, authors: &'static [Who]) -> DemoPost {
    DemoPost {
        title,
        excerpt: "",
        tags: "",
        authors,
        cover: "",
        cover_alt: "",
        show_review: false,
        body,
        plan: Plan::Published { days_ago: 95 },
        submit_note: None,
        approve_note: None,
        review_months: 12,
    }
}

/// The clinic's own pages, which the header menu leads to.
pub const PAGES: [DemoPost; 3] = [
    page("About us", include_str!("pages/about.md"), &[Who::Physician]),
    page("Services", include_str!("pages/services.md"), &[Who::Nurse]),
    page("Contact", include_str!("pages/contact.md"), &[Who::Nurse]),
];

/// The menus: the pages in the header with a tag, the booking link and
/// the feed in the footer.
pub fn menus() -> Menus {
    Menus {
        header: vec![
            item("About us", MenuTarget::Page, "about-us"),
            item("Services", MenuTarget::Page, "services"),
            item("Contact", MenuTarget::Page, "contact"),
            item("Heart health", MenuTarget::Tag, "heart-health"),
        ],
        footer: vec![
            item("Book a visit", MenuTarget::Url, "https://riverside-clinic.example/book"),
            item("All articles", MenuTarget::Url, "/"),
            item("RSS feed", MenuTarget::Url, "/feed.xml"),
        ],
    }
}

pub async fn seed_site(store: &dyn Store) -> anyhow::Result<()> {
    let entry = |part: &str| NewAuditEntry {
        detail: part.to_owned(),
        ..NewAuditEntry::new(AuditAction::SettingsChanged, None, None)
    };
    store
        .update_clinic_details(&ClinicUpdate::parse(&clinic())?, &entry("clinic details"))
        .await?;
    store
        .replace_menus(&MenuUpdate::parse(&menus())?, &entry("menus"))
        .await?;
    Ok(())
}
