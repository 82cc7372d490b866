//! What every public page carries around its content: the menus, the
//! clinic's details in the footer, and the clinic as schema.org data.
//! Handlers read it once (`site_chrome`) and `render_document` hands it
//! to the document and the pages as context.

use leptos::prelude::*;

use crate::domain::{ClinicDetails, MenuLink, SiteSettings};
use crate::error::AppError;
use crate::input::clinic::Phone;
use crate::settings::server::PublicMenus;
use crate::state::AppState;

/// The site around a page's content.
#[derive(Debug, Clone, Default)]
pub struct SiteChrome {
    pub clinic: ClinicDetails,
    pub menus: PublicMenus,
    /// The style sheet's address (`Stylesheet::href`); empty for the
    /// unhashed one.
    pub stylesheet: String,
}

/// Reads the clinic and the menus for a page about to be rendered.
pub async fn site_chrome(state: &AppState) -> Result<SiteChrome, AppError> {
    Ok(SiteChrome {
        clinic: state.store.clinic_details().await?,
        menus: crate::settings::server::public_menus(state).await?,
        stylesheet: state.config.stylesheet.href().to_owned(),
    })
}

/// The chrome of the page being rendered; empty outside `render_document`.
pub fn chrome() -> SiteChrome {
    use_context::<SiteChrome>().unwrap_or_default()
}

/// The organisation's node id: articles point to it as their publisher.
pub fn organization_id(settings: &SiteSettings) -> String {
    format!("{}/#organization", settings.site_url)
}

/// The site's organisation as schema.org data: a `MedicalClinic` with its
/// address, phone and hours once the clinic's details are filled in, a
/// plain `Organization` with the site's title before.
pub fn organization(settings: &SiteSettings, clinic: &ClinicDetails) -> serde_json::Value {
    // Hours and an address belong to a place: any detail of the clinic
    // makes the organisation one, named by the site until it has a name.
    let is_clinic = has_details(clinic);
    let name = if clinic.name.is_empty() {
        &settings.title
    } else {
        &clinic.name
    };
    let mut data = serde_json::json!({
        "@type": if is_clinic { "MedicalClinic" } else { "Organization" },
        "@id": organization_id(settings),
        "name": name,
        "url": format!("{}/", settings.site_url),
    });
    if !settings.logo_url.is_empty() {
        data["logo"] = settings.absolute(&settings.logo_url).into();
    }
    if !clinic.phone.is_empty() {
        data["telephone"] = clinic.phone.clone().into();
    }
    if !clinic.email.is_empty() {
        data["email"] = clinic.email.clone().into();
    }
    if !clinic.address_line().is_empty() {
        let mut address = serde_json::json!({ "@type": "PostalAddress" });
        for (key, value) in [
            ("streetAddress", &clinic.street_address),
            ("addressLocality", &clinic.locality),
            ("addressRegion", &clinic.region),
            ("postalCode", &clinic.postal_code),
            ("addressCountry", &clinic.country),
        ] {
            if !value.is_empty() {
                address[key] = value.clone().into();
            }
        }
        data["address"] = address;
    }
    let hours: Vec<serde_json::Value> = clinic
        .week()
        .filter(|(_, hours)| hours.is_open())
        .map(|(day, hours)| {
            serde_json::json!({
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": format!("https://schema.org/{day}"),
                "opens": hours.opens,
                "closes": hours.closes,
            })
        })
        .collect();
    if !hours.is_empty() {
        data["openingHoursSpecification"] = hours.into();
    }
    if !clinic.booking_url.is_empty() {
        data["potentialAction"] = serde_json::json!({
            "@type": "ReserveAction",
            "target": clinic.booking_url,
        });
    }
    data
}

/// Whether the clinic has anything for the footer (the disclaimer shows
/// under articles, not there).
fn has_details(clinic: &ClinicDetails) -> bool {
    !ClinicDetails {
        disclaimer: String::new(),
        ..clinic.clone()
    }
    .is_empty()
}

/// JSON as the text of a `<script>` data block: `<` is escaped, so no
/// value can close the element.
pub fn script_text(data: &serde_json::Value) -> String {
    data.to_string().replace('<', "\\u003c")
}

/// The header's menu: a list that wraps at phone width, so it needs no
/// script to open.
#[component]
pub fn HeaderMenu(links: Vec<MenuLink>) -> impl IntoView {
    (!links.is_empty()).then(|| {
        view! {
            <nav class="site-nav" aria-label="Main">
                <ul>
                    {links.into_iter().map(|link| view! { <li><a href=link.href>{link.label}</a></li> }).collect_view()}
                </ul>
            </nav>
        }
    })
}

/// The footer: its menu, then the clinic's name, address, phone, email,
/// opening hours and booking link, each only when filled in.
#[component]
pub fn ClinicFooter(chrome: SiteChrome) -> impl IntoView {
    let SiteChrome { clinic, menus, .. } = chrome;
    let footer_menu = (!menus.footer.is_empty()).then(|| {
        view! {
            <nav class="footer-nav" aria-label="Footer">
                <ul>
                    {menus.footer.into_iter().map(|link| view! { <li><a href=link.href>{link.label}</a></li> }).collect_view()}
                </ul>
            </nav>
        }
    });
    let address = clinic.address_line();
    let open_days: Vec<_> = clinic.week().collect();
    let any_hours = open_days.iter().any(|(_, hours)| hours.is_open());
    let hours = any_hours.then(|| {
        view! {
            <div class="clinic-hours">
                <h2 id="hours-heading">"Opening hours"</h2>
                <table aria-labelledby="hours-heading">
                    <tbody>
                        {open_days.into_iter().map(|(day, hours)| view! {
                            <tr>
                                <th scope="row">{day}</th>
                                <td>
                                    {if hours.is_open() {
                                        view! {
                                            <time datetime=hours.opens.clone()>{hours.opens.clone()}</time>
                                            "–"
                                            <time datetime=hours.closes.clone()>{hours.closes.clone()}</time>
                                        }.into_any()
                                    } else {
                                        view! { "Closed" }.into_any()
                                    }}
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    });
    let details = has_details(&clinic).then(|| {
        let phone = (!clinic.phone.is_empty()).then(|| {
            let tel = Phone::tel_uri(&clinic.phone);
            view! { <p>"Phone: " <a href=tel>{clinic.phone.clone()}</a></p> }
        });
        let email = (!clinic.email.is_empty()).then(|| {
            let mailto = format!("mailto:{}", clinic.email);
            view! { <p>"Email: " <a href=mailto>{clinic.email.clone()}</a></p> }
        });
        view! {
            <section class="clinic" aria-label="The clinic">
                <div class="clinic-contact">
                    {(!clinic.name.is_empty()).then(|| view! { <p class="clinic-name">{clinic.name.clone()}</p> })}
                    <address>
                        {(!address.is_empty()).then(|| view! { <p>{address.clone()}</p> })}
                        {phone}
                        {email}
                    </address>
                    {(!clinic.booking_url.is_empty()).then(|| view! {
                        <p><a class="button" href=clinic.booking_url.clone()>"Book an appointment"</a></p>
                    })}
                </div>
                {hours}
            </section>
        }
    });
    view! {
        <footer class="site-footer">
            {footer_menu}
            {details}
            <p class="colophon">"Published with Vellum."</p>
        </footer>
    }
}

/// The clinic's disclaimer under an article, a paragraph per blank line.
#[component]
pub fn Disclaimer() -> impl IntoView {
    let text = chrome().clinic.disclaimer;
    (!text.is_empty()).then(|| {
        view! {
            <aside class="disclaimer" aria-label="Medical disclaimer">
                {text
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|paragraph| !paragraph.is_empty())
                    .map(|paragraph| view! { <p>{paragraph.to_owned()}</p> })
                    .collect_view()}
            </aside>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DayHours;

    #[test]
    fn a_clinic_is_a_medical_clinic_with_its_hours() {
        let settings = SiteSettings {
            title: "Riverside Journal".into(),
            site_url: "https://riverside.example".into(),
            ..SiteSettings::default()
        };
        let plain = organization(&settings, &ClinicDetails::default());
        assert_eq!(plain["@type"], "Organization");
        assert_eq!(plain["name"], "Riverside Journal");
        assert!(plain.get("address").is_none());
        let disclaimer_only = ClinicDetails {
            disclaimer: "General information.".into(),
            ..ClinicDetails::default()
        };
        assert_eq!(organization(&settings, &disclaimer_only)["@type"], "Organization");
        let unnamed = ClinicDetails {
            hours: vec![DayHours {
                opens: "08:00".into(),
                closes: "12:00".into(),
            }],
            ..ClinicDetails::default()
        };
        let unnamed = organization(&settings, &unnamed);
        assert_eq!(unnamed["@type"], "MedicalClinic", "opening hours belong to a place");
        assert_eq!(unnamed["name"], "Riverside Journal");

        let clinic = ClinicDetails {
            name: "Riverside Family Clinic".into(),
            street_address: "12 River Road".into(),
            locality: "Springfield".into(),
            phone: "+1 555 010 2030".into(),
            hours: vec![
                DayHours {
                    opens: "08:00".into(),
                    closes: "17:00".into(),
                },
                DayHours::default(),
            ],
            ..ClinicDetails::default()
        };
        let data = organization(&settings, &clinic);
        assert_eq!(data["@type"], "MedicalClinic");
        assert_eq!(data["@id"], "https://riverside.example/#organization");
        assert_eq!(data["address"]["streetAddress"], "12 River Road");
        assert_eq!(data["telephone"], "+1 555 010 2030");
        let hours = data["openingHoursSpecification"].as_array().expect("hours");
        assert_eq!(hours.len(), 1, "closed days are left out");
        assert_eq!(hours[0]["dayOfWeek"], "https://schema.org/Monday");
        assert!(!script_text(&serde_json::json!({"a": "</script>"})).contains('<'));
    }
}
