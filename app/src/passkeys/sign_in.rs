//! "Sign in with a passkey" on the sign-in page. It needs the browser's
//! WebAuthn, so it appears only once the page has hydrated, in a browser
//! that can use passkeys, on a site that offers them; the password form
//! above it works without any script.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{finish_passkey_sign_in, passkeys_enabled, start_passkey_sign_in};
use super::browser;
use crate::components::FormAlert;
use crate::error::AppError;

#[component]
pub fn PasskeySignIn() -> impl IntoView {
    let query = use_query_map();
    let offered = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<(), AppError>>);
    // Effects run in the browser only, after hydration.
    Effect::new(move |_| {
        if browser::supported() {
            leptos::task::spawn_local(async move {
                offered.set(passkeys_enabled().await.unwrap_or(false));
            });
        }
    });
    let sign_in = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        result.set(None);
        let next = query.with_untracked(|q| q.get("next"));
        leptos::task::spawn_local(async move {
            let outcome = sign_in_with_passkey(next).await;
            // On success the server's redirect has navigated already.
            result.set(Some(outcome));
            busy.set(false);
        });
    };
    view! {
        <Show when=move || offered.get()>
            <div class="passkey-sign-in" data-testid="passkey-sign-in">
                <p class="or">"or"</p>
                <button type="button" class="secondary" on:click=sign_in disabled=move || busy.get()>
                    {move || if busy.get() { "Waiting for your passkey…" } else { "Sign in with a passkey" }}
                </button>
                <FormAlert result=result fields=&[] />
            </div>
        </Show>
    }
}

async fn sign_in_with_passkey(next: Option<String>) -> Result<(), AppError> {
    let challenge = start_passkey_sign_in().await?;
    let credential = browser::get(&challenge.options)
        .await
        .map_err(|failure| AppError::invalid("passkey", failure.message()))?;
    finish_passkey_sign_in(challenge.ceremony, credential, next).await
}
