//! The clinic's details on the settings page: who, where, when open, how
//! to book, and the disclaimer under every article.

use leptos::prelude::*;

use super::api::{SaveClinicDetails, get_clinic_details};
use crate::components::{FieldErrorText, FormAlert, TextField, field_errors};

const FIELDS: &[&str] = &[
    "name",
    "street_address",
    "locality",
    "region",
    "postal_code",
    "country",
    "phone",
    "email",
    "booking_url",
    "disclaimer",
    "hours",
    "hours.0",
    "hours.1",
    "hours.2",
    "hours.3",
    "hours.4",
    "hours.5",
    "hours.6",
];

/// The field names of each weekday's problems, as the server reports them.
const DAY_FIELDS: [&str; 7] = [
    "hours.0", "hours.1", "hours.2", "hours.3", "hours.4", "hours.5", "hours.6",
];

#[component]
pub fn ClinicForm() -> impl IntoView {
    let save = ServerAction::<SaveClinicDetails>::new();
    let clinic = Resource::new(|| (), |_| get_clinic_details());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                clinic.await.ok().map(|clinic| {
                    let week: Vec<_> = clinic.week().collect();
                    view! {
                        <ActionForm action=save attr:class="card" attr:aria-labelledby="clinic-heading">
                            <h2 id="clinic-heading">"The clinic"</h2>
                            <p class="hint">
                                "Shown in the footer of every public page and to search engines. Leave empty what \
                                 you do not want shown."
                            </p>
                            <TextField name="name" label="Clinic name" value=clinic.name.clone()
                                errors=field_errors(save.value(), "name") />
                            <TextField name="street_address" label="Street address" value=clinic.street_address.clone()
                                autocomplete="street-address" errors=field_errors(save.value(), "street_address") />
                            <TextField name="postal_code" label="Postal code" value=clinic.postal_code.clone()
                                autocomplete="postal-code" errors=field_errors(save.value(), "postal_code") />
                            <TextField name="locality" label="Town or city" value=clinic.locality.clone()
                                autocomplete="address-level2" errors=field_errors(save.value(), "locality") />
                            <TextField name="region" label="State or region" value=clinic.region.clone()
                                autocomplete="address-level1" errors=field_errors(save.value(), "region") />
                            <TextField name="country" label="Country" value=clinic.country.clone()
                                autocomplete="country-name" errors=field_errors(save.value(), "country") />
                            <TextField name="phone" label="Phone" kind="tel" value=clinic.phone.clone()
                                hint="As patients dial it, e.g. +1 555 010 2030. The footer makes it a link phones can call."
                                errors=field_errors(save.value(), "phone") />
                            <TextField name="email" label="Email" kind="email" value=clinic.email.clone()
                                errors=field_errors(save.value(), "email") />
                            <TextField name="booking_url" label="Booking link" kind="url" value=clinic.booking_url.clone()
                                hint="Where patients book a visit: an https:// address."
                                errors=field_errors(save.value(), "booking_url") />
                            <fieldset class="opening-hours">
                                <legend>"Opening hours"</legend>
                                <p class="hint">"24-hour times. Leave both empty on days the clinic is closed."</p>
                                {week.into_iter().enumerate().map(|(at, (day, hours))| {
                                    let opens_id = format!("field-hours-{at}-opens");
                                    let closes_id = format!("field-hours-{at}-closes");
                                    let error_id = format!("field-hours-{at}-error");
                                    let errors = field_errors(save.value(), DAY_FIELDS[at]);
                                    let invalid = move || if errors.with(Vec::is_empty) { "false" } else { "true" };
                                    view! {
                                        <div class="day-hours" role="group" aria-label=day>
                                            <span class="day" aria-hidden="true">{day}</span>
                                            // The day is in each label, for those who reach a
                                            // field on its own.
                                            <label for=opens_id.clone()>
                                                "Opens"<span class="visually-hidden">{format!(" on {day}")}</span>
                                            </label>
                                            <input type="time" id=opens_id name=format!("hours[{at}][opens]")
                                                value=hours.opens aria-describedby=error_id.clone() aria-invalid=invalid />
                                            <label for=closes_id.clone()>
                                                "Closes"<span class="visually-hidden">{format!(" on {day}")}</span>
                                            </label>
                                            <input type="time" id=closes_id name=format!("hours[{at}][closes]")
                                                value=hours.closes aria-describedby=error_id.clone() aria-invalid=invalid />
                                            <FieldErrorText id=error_id errors />
                                        </div>
                                    }
                                }).collect_view()}
                                <FieldErrorText id="field-hours-error".to_owned() errors=field_errors(save.value(), "hours") />
                            </fieldset>
                            <div class="field">
                                <label for="field-disclaimer">"Medical disclaimer"</label>
                                <p class="field-hint" id="field-disclaimer-hint">
                                    "Shown at the end of every article. A blank line starts a new paragraph."
                                </p>
                                <textarea id="field-disclaimer" name="disclaimer" rows="4"
                                    aria-describedby="field-disclaimer-hint field-disclaimer-error">
                                    {clinic.disclaimer.clone()}
                                </textarea>
                                <FieldErrorText id="field-disclaimer-error".to_owned()
                                    errors=field_errors(save.value(), "disclaimer") />
                            </div>
                            <FormAlert result=save.value() fields=FIELDS />
                            <p class="status" aria-live="polite">
                                {move || matches!(save.value().get(), Some(Ok(_))).then_some("Clinic details saved.")}
                            </p>
                            <button type="submit" disabled=move || save.pending().get()>"Save the clinic's details"</button>
                        </ActionForm>
                    }
                })
            })}
        </Suspense>
    }
}
