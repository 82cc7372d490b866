//! The profile's passkeys: the person's passkeys (name, added, last used)
//! with a remove button each, and a form to add one. Adding needs the
//! browser's WebAuthn, so the button works once the page has hydrated.

use leptos::prelude::*;

use super::api::{PasskeyView, finish_passkey_registration, list_passkeys, remove_passkey, start_passkey_registration};
use super::browser;
use crate::components::{FieldErrorText, FormAlert};
use crate::error::AppError;

#[component]
pub fn PasskeysSection() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    let list = Resource::new(move || changed.get(), |_| list_passkeys());
    let name = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<(), AppError>>);
    let added = RwSignal::new(None::<String>);
    // Known only in the browser: on the server (and before hydration) the
    // button stays disabled.
    let supported = RwSignal::new(None::<bool>);
    Effect::new(move |_| supported.set(Some(browser::supported())));
    let name_errors = Signal::derive(move || match result.get() {
        Some(Err(error)) => error.field_messages("name").to_vec(),
        _ => Vec::new(),
    });
    let confirmation_errors = Signal::derive(move || match result.get() {
        Some(Err(error)) => error.field_messages("confirmation").to_vec(),
        _ => Vec::new(),
    });
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        added.set(None);
        result.set(None);
        leptos::task::spawn_local(async move {
            let wanted = name.get_untracked();
            let outcome = register(wanted, confirmation.get_untracked()).await;
            if let Ok(passkey) = &outcome {
                added.set(Some(format!("Passkey \u{201c}{}\u{201d} added.", passkey.name)));
                name.set(String::new());
                confirmation.set(String::new());
                changed.update(|n| *n += 1);
            }
            result.set(Some(outcome.map(|_| ())));
            busy.set(false);
        });
    };
    let remove = move |id: i64| {
        added.set(None);
        leptos::task::spawn_local(async move {
            let outcome = remove_passkey(id).await;
            if outcome.is_ok() {
                changed.update(|n| *n += 1);
            }
            result.set(Some(outcome));
        });
    };
    view! {
        <section class="card" aria-labelledby="passkeys-heading" data-testid="passkeys">
            <h2 id="passkeys-heading">"Passkeys"</h2>
            <p class="hint">
                "A passkey signs you in with your fingerprint, face or device PIN instead of your password. \
                 It counts as two-factor sign-in. Add one on each phone or computer you use."
            </p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) if !list.enabled => view! {
                            <p>{"Passkeys are not available on this site: they need its address to have a domain \
                                 name (VELLUM_SITE_URL, such as https://blog.clinic.example)."}</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <PasskeyTable passkeys=list.passkeys remove />
                            <form on:submit=add data-testid="passkey-form">
                                <div class="field">
                                    <label for="passkey-name">"Name of the new passkey"</label>
                                    <input id="passkey-name" required=true placeholder="Work laptop" maxlength="60"
                                        prop:value=move || name.get()
                                        on:input=move |event| name.set(event_target_value(&event))
                                        aria-describedby="passkey-name-error" />
                                    <FieldErrorText id="passkey-name-error".to_owned() errors=name_errors />
                                </div>
                                <div class="field">
                                    <label for="passkey-confirmation">"Your password, or a code from your app"</label>
                                    <input id="passkey-confirmation" type="password" required=true
                                        autocomplete="current-password"
                                        prop:value=move || confirmation.get()
                                        on:input=move |event| confirmation.set(event_target_value(&event))
                                        aria-describedby="passkey-confirmation-hint passkey-confirmation-error" />
                                    <p class="hint" id="passkey-confirmation-hint">
                                        "So that nobody at a computer you left signed in can add a passkey of their own."
                                    </p>
                                    <FieldErrorText id="passkey-confirmation-error".to_owned() errors=confirmation_errors />
                                </div>
                                <FormAlert result=result fields=&["name", "confirmation"] />
                                <p class="status" role="status">{move || added.get()}</p>
                                {move || (supported.get() == Some(false)).then(|| view! {
                                    <p>{browser::Failure::Unavailable.message()}</p>
                                })}
                                <button type="submit"
                                    disabled=move || busy.get() || supported.get() != Some(true)>
                                    {move || if busy.get() { "Waiting for your device…" } else { "Add a passkey" }}
                                </button>
                            </form>
                        }.into_any(),
                        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PasskeyTable(passkeys: Vec<PasskeyView>, remove: impl Fn(i64) + Copy + Send + Sync + 'static) -> impl IntoView {
    if passkeys.is_empty() {
        return view! { <p>"You have no passkeys yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Your passkeys">
            <table class="listing" data-testid="passkey-list">
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Added"</th><th scope="col">"Last used"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {passkeys.into_iter().map(|passkey| {
                        let id = passkey.id;
                        let label = format!("Remove the passkey \u{201c}{}\u{201d}", passkey.name);
                        view! {
                            <tr>
                                <td>{passkey.name}</td>
                                <td>{passkey.created}</td>
                                <td>{passkey.last_used.unwrap_or_else(|| "never".into())}</td>
                                <td>
                                    <button type="button" class="link" aria-label=label on:click=move |_| remove(id)>
                                        "Remove"
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The whole addition: the server's options, the browser's new passkey,
/// the server's check.
async fn register(name: String, confirmation: String) -> Result<PasskeyView, AppError> {
    let challenge = start_passkey_registration(name.clone(), confirmation).await?;
    let credential = browser::create(&challenge.options)
        .await
        .map_err(|failure| AppError::invalid("passkey", failure.message()))?;
    finish_passkey_registration(challenge.ceremony, name, credential).await
}
