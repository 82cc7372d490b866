//! The Settings page's card: whom sign-in asks for a second factor.

use leptos::prelude::*;

use super::api::{SaveTwoFactorPolicy, TwoFactorPolicy, get_two_factor_policy};
use crate::components::{FieldErrorText, FormAlert, field_errors};

#[component]
pub fn TwoFactorPolicyForm() -> impl IntoView {
    let save = ServerAction::<SaveTwoFactorPolicy>::new();
    let policy = Resource::new(|| (), |_| get_two_factor_policy());
    let errors = field_errors(save.value(), "policy");
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                policy.await.ok().map(|current| view! {
                    <ActionForm action=save attr:class="card" attr:aria-labelledby="two-factor-policy-heading">
                        <h2 id="two-factor-policy-heading">"Two-factor sign-in"</h2>
                        <div class="field">
                            <label for="field-policy">"Who must sign in with a second factor"</label>
                            <p class="field-hint" id="field-policy-hint">
                                "A code from an authenticator app after the password. People it covers who have \
                                 none set one up at their next sign-in, before they can do anything else."
                            </p>
                            <select id="field-policy" name="policy"
                                aria-invalid=move || if errors.with(Vec::is_empty) { "false" } else { "true" }
                                aria-describedby="field-policy-hint field-policy-error">
                                {TwoFactorPolicy::ALL.map(|choice| view! {
                                    <option value=choice.as_str() selected=choice == current>{choice.label()}</option>
                                })}
                            </select>
                            <FieldErrorText id="field-policy-error".to_owned() errors />
                        </div>
                        <FormAlert result=save.value() fields=&["policy"] />
                        <p class="status" aria-live="polite">
                            {move || matches!(save.value().get(), Some(Ok(_))).then_some("Two-factor sign-in saved.")}
                        </p>
                        <button type="submit" disabled=move || save.pending().get()>"Save"</button>
                    </ActionForm>
                })
            })}
        </Suspense>
    }
}
