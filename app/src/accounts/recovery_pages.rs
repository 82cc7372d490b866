//! Pages for links by email: "Forgot password?", confirming a new email
//! address, and the profile's section for changing it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{ChangeEmail, ConfirmEmailChange, RequestPasswordReset};
use crate::components::{FormAlert, TextField, field_errors};

/// `/admin/forgot-password`: the same answer whether the address has an
/// account or not.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    view! {
        <Title text="Forgot password" />
        <section class="narrow">
            <h1>"Forgot your password?"</h1>
            <p>"Enter the address you sign in with. We email you a link to choose a new password."</p>
            <ActionForm action=request>
                <TextField name="email" label="Email" kind="email" autocomplete="username" required=true
                    errors=field_errors(request.value(), "email") />
                <FormAlert result=request.value() fields=&["email"] />
                <button type="submit" disabled=move || request.pending().get()>"Email me a link"</button>
            </ActionForm>
            {move || matches!(request.value().get(), Some(Ok(()))).then(|| view! {
                <p class="status" role="status" data-testid="reset-requested">
                    "If an account uses this address, a link is on its way. It works once, for one hour. \
                     Nothing arrived after a few minutes? Check your spam folder, or ask an admin for a link."
                </p>
            })}
            <p><a href="/admin/login">"Back to sign in"</a></p>
        </section>
    }
}

/// `/admin/confirm-email/{token}`: a button, not an automatic change,
/// because mail scanners open every link in a message.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let confirm = ServerAction::<ConfirmEmailChange>::new();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    view! {
        <Title text="Confirm your new address" />
        <section class="narrow">
            <h1>"Confirm your new address"</h1>
            <p>"Once confirmed, you sign in with this address."</p>
            <ActionForm action=confirm>
                <input type="hidden" name="token" value=token />
                <FormAlert result=confirm.value() fields=&[] />
                <button type="submit" disabled=move || confirm.pending().get()>"Confirm my new address"</button>
            </ActionForm>
        </section>
    }
}

/// The profile's "Sign-in email" section.
#[component]
pub fn ChangeEmailSection() -> impl IntoView {
    let change = ServerAction::<ChangeEmail>::new();
    let query = use_query_map();
    let confirmed = move || query.with(|q| q.get("email").as_deref() == Some("confirmed"));
    view! {
        <ActionForm action=change attr:class="card" attr:id="sign-in-email">
            <h2>"Sign-in email"</h2>
            {move || confirmed().then(|| view! {
                <p class="status" role="status">"Your new address is confirmed: sign in with it from now on."</p>
            })}
            <TextField name="new_email" label="New email address" kind="email" autocomplete="email" required=true
                hint="We send a link to the new address; the change happens when it is opened. Your old address is told."
                errors=field_errors(change.value(), "new_email") />
            <TextField name="password" label="Your password" kind="password" autocomplete="current-password"
                required=true errors=field_errors(change.value(), "password") />
            <FormAlert result=change.value() fields=&["new_email", "password"] />
            <p class="status" aria-live="polite">
                {move || match change.value().get() {
                    Some(Ok(true)) => Some("Check the new address's inbox: the change happens when you open the link there."),
                    Some(Ok(false)) => Some("Your sign-in address is changed."),
                    _ => None,
                }}
            </p>
            <button type="submit" disabled=move || change.pending().get()>"Change email"</button>
        </ActionForm>
    }
}
