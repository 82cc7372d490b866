//! Two-factor sign-in's pages: the sign-in's code page, the set-up page
//! the policy sends people to, and the section of the profile that sets
//! up, renews and turns off an authenticator app. The set-up needs the
//! admin's script: the secret and the recovery codes are shown in place,
//! once.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_navigate};

use super::api::{
    CODE_PAGE, ConfirmTotpSetup, RecoveryCodes, RenewRecoveryCodes, SETUP_PAGE, StartTotpSetup, TotpSetup, TurnOffTotp,
    TwoFactorStatus, VerifySignInCode, get_two_factor_status,
};
use crate::components::{FormAlert, TextField, field_errors};
use crate::error::AppError;

/// `/admin/login/code`: the second step of signing in.
#[component]
pub fn CodePage() -> impl IntoView {
    let verify = ServerAction::<VerifySignInCode>::new();
    view! {
        <Title text="Sign-in code" />
        <section class="narrow">
            <h1>"Enter your sign-in code"</h1>
            <p>"Open the authenticator app on your phone and type the 6-digit code it shows for this site, \
                or type one of your recovery codes. If you added a passkey, use it below instead."</p>
            <ActionForm action=verify>
                <TextField name="code" label="Code" autocomplete="one-time-code" required=true
                    errors=field_errors(verify.value(), "code") />
                <FormAlert result=verify.value() fields=&["code"] />
                <button type="submit" disabled=move || verify.pending().get()>"Sign in"</button>
            </ActionForm>
            // A passkey is both factors: it finishes any sign-in.
            <crate::passkeys::sign_in::PasskeySignIn />
            <p><a href="/admin/login">"Start again with your email and password"</a></p>
        </section>
    }
}

/// `/admin/two-factor`: where the policy sends people without a second
/// factor, and where anyone may set one up.
#[component]
pub fn TwoFactorPage() -> impl IntoView {
    view! {
        <Title text="Two-factor sign-in" />
        <h1>"Two-factor sign-in"</h1>
        <TwoFactorSection standalone=true />
        // A passkey meets the policy too.
        <crate::passkeys::profile::PasskeysSection />
    }
}

/// The profile's two-factor section. `standalone`: on the set-up page,
/// where a finished set-up leads on to the dashboard.
#[component]
pub fn TwoFactorSection(#[prop(optional)] standalone: bool) -> impl IntoView {
    let start = ServerAction::<StartTotpSetup>::new();
    let confirm = ServerAction::<ConfirmTotpSetup>::new();
    let renew = ServerAction::<RenewRecoveryCodes>::new();
    let turn_off = ServerAction::<TurnOffTotp>::new();
    let status = Resource::new(
        move || (confirm.version().get(), turn_off.version().get()),
        |_| get_two_factor_status(),
    );
    // A confirmed set-up's secret is not shown again, nor codes that
    // turning the app off has ended.
    Effect::new(move |_| {
        if matches!(confirm.value().get(), Some(Ok(_))) {
            start.value().set(None);
        }
    });
    Effect::new(move |_| {
        if matches!(turn_off.value().get(), Some(Ok(()))) {
            confirm.value().set(None);
            renew.value().set(None);
        }
    });
    // Set once the admin's script runs: the set-up works only then.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let new_codes = Signal::derive(move || {
        let renewed = renew.value().get().and_then(Result::ok);
        renewed.or_else(|| confirm.value().get().and_then(Result::ok))
    });
    view! {
        <section class="card two-factor" aria-labelledby="two-factor-heading" data-testid="two-factor"
            data-ready=move || ready.get().to_string()>
            <h2 id="two-factor-heading">"Two-factor sign-in"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(status) if status.enabled => view! {
                            <EnabledPanel status renew turn_off />
                        }.into_any(),
                        Ok(status) => view! { <SetUpPanel status start confirm /> }.into_any(),
                        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {move || new_codes.get().map(|codes| view! { <NewRecoveryCodes codes standalone /> })}
        </section>
    }
}

#[component]
fn SetUpPanel(
    status: TwoFactorStatus,
    start: ServerAction<StartTotpSetup>,
    confirm: ServerAction<ConfirmTotpSetup>,
) -> impl IntoView {
    let setup = move || start.value().get().and_then(Result::ok);
    view! {
        {status.set_up_required.then(|| view! {
            <p class="notice" data-testid="two-factor-required">
                "This site asks people in your role to sign in with a second factor. Set up an authenticator \
                 app to continue: until then, only this page and signing out work."
            </p>
        })}
        <p>"Two-factor sign-in is off. With it on, signing in asks for your password and a code from an \
            authenticator app on your phone (such as Google Authenticator, Microsoft Authenticator, 1Password \
            or FreeOTP), so a stolen password alone does not let anyone in."</p>
        <ActionForm action=start>
            <FormAlert result=start.value() fields=&[] />
            <button type="submit" class=move || if setup().is_some() { "secondary" } else { "" }
                disabled=move || start.pending().get()>
                {move || if setup().is_some() { "Start again with a new secret" } else { "Set up an authenticator app" }}
            </button>
        </ActionForm>
        {move || setup().map(|setup| view! { <ConfirmSetup setup confirm /> })}
    }
}

#[component]
fn ConfirmSetup(setup: TotpSetup, confirm: ServerAction<ConfirmTotpSetup>) -> impl IntoView {
    view! {
        <ol class="two-factor-steps">
            <li>
                <p>"Scan this QR code with your authenticator app:"</p>
                <div class="qr-code" role="img" aria-label="QR code of the secret below, for your authenticator app"
                    inner_html=setup.qr_svg></div>
                <p>"Or type this secret into the app (time-based, 6 digits):"</p>
                <p><code class="totp-secret" data-testid="totp-secret">{setup.secret}</code></p>
            </li>
            <li>
                <ActionForm action=confirm>
                    <TextField name="code" label="The 6-digit code the app shows now" autocomplete="one-time-code"
                        required=true errors=field_errors(confirm.value(), "code") />
                    <FormAlert result=confirm.value() fields=&["code"] />
                    <button type="submit" disabled=move || confirm.pending().get()>"Turn on two-factor sign-in"</button>
                </ActionForm>
            </li>
        </ol>
    }
}

#[component]
fn EnabledPanel(
    status: TwoFactorStatus,
    renew: ServerAction<RenewRecoveryCodes>,
    turn_off: ServerAction<TurnOffTotp>,
) -> impl IntoView {
    let left = status.recovery_codes_left;
    view! {
        <p class="status" data-testid="two-factor-on">
            {format!("Two-factor sign-in is on, with an authenticator app. {left} of your recovery codes are unused.")}
        </p>
        {(left <= 3).then(|| view! {
            <p class="notice">"You have few recovery codes left: make new ones below."</p>
        })}
        <ActionForm action=renew attr:class="two-factor-confirm">
            <h3>"New recovery codes"</h3>
            <p class="hint">"Replaces all your recovery codes, used or not."</p>
            <ConfirmationField result=renew.value() id="renew" />
            <FormAlert result=renew.value() fields=&["confirmation"] />
            <button type="submit" class="secondary" disabled=move || renew.pending().get()>"Make new recovery codes"</button>
        </ActionForm>
        <ActionForm action=turn_off attr:class="two-factor-confirm">
            <h3>"Turn two-factor sign-in off"</h3>
            {status.required.then(|| view! {
                <p class="hint">"This site asks it of your role: you will have to set up a new app at once."</p>
            })}
            <ConfirmationField result=turn_off.value() id="turn-off" />
            <FormAlert result=turn_off.value() fields=&["confirmation"] />
            <button type="submit" class="secondary" disabled=move || turn_off.pending().get()>"Turn off"</button>
        </ActionForm>
    }
}

/// "A current code or your password", for the changes that ask again.
#[component]
fn ConfirmationField<T: Send + Sync + 'static>(
    #[prop(into)] result: Signal<Option<Result<T, AppError>>>,
    id: &'static str,
) -> impl IntoView {
    let input_id = format!("{id}-confirmation");
    let error_id = format!("{input_id}-error");
    let errors = field_errors(result, "confirmation");
    view! {
        <div class="field">
            <label for=input_id.clone()>"A code from your app, or your password"</label>
            <input id=input_id name="confirmation" type="password" autocomplete="off" required=true
                aria-invalid=move || if errors.with(Vec::is_empty) { "false" } else { "true" }
                aria-describedby=error_id.clone() />
            <crate::components::FieldErrorText id=error_id errors />
        </div>
    }
}

#[component]
fn NewRecoveryCodes(codes: RecoveryCodes, standalone: bool) -> impl IntoView {
    view! {
        <div class="recovery-codes" role="status">
            <h3>"Your recovery codes"</h3>
            <p>"Each works once, in place of a code from your app, if you lose your phone. Keep them somewhere \
                safe (printed, or in a password manager): they are shown only now."</p>
            <ul data-testid="recovery-codes">
                {codes.codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ul>
            {standalone.then(|| view! { <p><a class="button" href="/admin">"Continue to the dashboard"</a></p> })}
        </div>
    }
}

/// Sends someone the policy covers, who has no second factor yet, to the
/// set-up page when they move around the admin in the browser (the
/// server's guard does it for pages it serves).
#[component]
pub fn SetUpFirst() -> impl IntoView {
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let path = location.pathname.get();
        if !needs_a_signed_in_user(&path) {
            return;
        }
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            if let Ok(status) = get_two_factor_status().await
                && status.set_up_required
            {
                navigate(SETUP_PAGE, Default::default());
            }
        });
    });
}

/// Admin pages that need a signed-in user, other than the set-up page.
fn needs_a_signed_in_user(path: &str) -> bool {
    const OPEN: [&str; 6] = [
        "/admin/login",
        CODE_PAGE,
        SETUP_PAGE,
        "/admin/setup",
        "/admin/forgot-password",
        "/admin/set-password/",
    ];
    (path == "/admin" || path.starts_with("/admin/"))
        && !OPEN
            .iter()
            .any(|open| path == *open || (open.ends_with('/') && path.starts_with(open)))
        && !path.starts_with("/admin/confirm-email/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_up_page_and_the_sign_in_pages_are_left_alone() {
        for path in ["/admin", "/admin/posts", "/admin/profile", "/admin/users/3/sessions"] {
            assert!(needs_a_signed_in_user(path), "{path}");
        }
        for path in [
            "/admin/login",
            "/admin/login/code",
            "/admin/two-factor",
            "/admin/set-password/abc",
            "/admin/confirm-email/abc",
            "/",
        ] {
            assert!(!needs_a_signed_in_user(path), "{path}");
        }
    }
}
