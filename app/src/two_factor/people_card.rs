//! The Users page's card: who has a second factor, and an admin's reset
//! for someone who lost their phone and their recovery codes.

use leptos::prelude::*;

use super::api::{ResetTwoFactor, SecondFactorView, list_second_factors};
use crate::components::FormAlert;

#[component]
pub fn SecondFactorsCard() -> impl IntoView {
    let reset = ServerAction::<ResetTwoFactor>::new();
    let people = Resource::new(move || reset.version().get(), |_| list_second_factors());
    view! {
        <section class="card" aria-labelledby="second-factors-heading">
            <h2 id="second-factors-heading">"Two-factor sign-in"</h2>
            <p class="hint">
                "Reset someone's second factor when they have lost their phone and their recovery codes: they \
                 then sign in with their password alone and set up a new app. The reset is in the audit log, \
                 and they are told by email when email is on."
            </p>
            <FormAlert result=reset.value() fields=&[] />
            <p class="status" aria-live="polite">
                {move || matches!(reset.value().get(), Some(Ok(()))).then_some("The second factor was reset.")}
            </p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match people.await {
                        Ok(people) => view! {
                            <div class="table-scroll" role="region" tabindex="0" aria-label="Two-factor sign-in">
                                <table class="second-factors">
                                    <thead><tr><th>"Name"</th><th>"Second factor"</th><th>"Required"</th><th>"Reset"</th></tr></thead>
                                    <tbody>
                                        {people.into_iter().map(|person| view! { <PersonRow person reset /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PersonRow(person: SecondFactorView, reset: ServerAction<ResetTwoFactor>) -> impl IntoView {
    let state = match (person.enabled, person.required) {
        (true, _) => "Authenticator app",
        (false, true) => "None yet: set-up at next sign-in",
        (false, false) => "None",
    };
    view! {
        <tr class:inactive=!person.active data-testid=format!("second-factor-{}", person.user_id)>
            <td>{person.display_name.clone()}</td>
            <td>{state}</td>
            <td>{if person.required { "Yes" } else { "No" }}</td>
            <td>
                {person.enabled.then(|| view! {
                    <ActionForm action=reset attr:class="inline">
                        <input type="hidden" name="user_id" value=person.user_id />
                        <button type="submit" class="secondary">
                            "Reset"<span class="visually-hidden">{format!(" the second factor of {}", person.display_name)}</span>
                        </button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
