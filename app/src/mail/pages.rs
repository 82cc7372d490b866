//! Email in the admin: each person's notification choices (a section of
//! the profile) and the admins' delivery log.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{MailMode, MailOverview, SaveMailPreferences, mail_status, my_mail_preferences};
use crate::components::FormAlert;

/// How an admin turns email on, shown wherever email is off.
#[component]
pub fn EmailOffNote() -> impl IntoView {
    view! {
        <p class="note email-off">
            "Email is off: Vellum shows links to copy instead of sending them. To turn it on, start Vellum with "
            <code>"VELLUM_SMTP_URL"</code>" (for example "<code>"smtps://user:password@mail.clinic.example:465"</code>
            ") and "<code>"VELLUM_MAIL_FROM"</code>" (the sender's address); see the deployment guide."
        </p>
    }
}

/// The profile's "Email notifications" section.
#[component]
pub fn MailPreferencesSection() -> impl IntoView {
    let save = ServerAction::<SaveMailPreferences>::new();
    let preferences = Resource::new(|| (), |_| my_mail_preferences());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let preferences = preferences.await.ok()?;
                Some(view! {
                    <ActionForm action=save attr:class="card" attr:id="email-notifications">
                        <h2>"Email notifications"</h2>
                        {(!preferences.email_on).then(|| view! { <EmailOffNote /> })}
                        <p>"For each kind: an email at once, one daily digest (at 8:00 in the site's time zone), or none. \
                            The notifications in the admin stay as they are."</p>
                        {preferences.choices.into_iter().map(|choice| {
                            let name = format!("choices[{}]", choice.kind);
                            view! {
                                <fieldset class="choice">
                                    <legend>{choice.label.clone()}</legend>
                                    {MailMode::ALL.into_iter().map(|mode| {
                                        let id = format!("mail-{}-{}", choice.kind, mode.as_str());
                                        let label_for = id.clone();
                                        view! {
                                            <label for=label_for>
                                                <input type="radio" id=id name=name.clone() value=mode.as_str()
                                                    checked=choice.mode == mode />
                                                " "{mode.label()}
                                            </label>
                                        }
                                    }).collect_view()}
                                </fieldset>
                            }
                        }).collect_view()}
                        <FormAlert result=save.value() fields=&[] />
                        <p class="status" aria-live="polite">
                            {move || matches!(save.value().get(), Some(Ok(_))).then_some("Email choices saved.")}
                        </p>
                        <button type="submit" disabled=move || save.pending().get()>"Save email choices"</button>
                    </ActionForm>
                })
            })}
        </Suspense>
    }
}

/// `/admin/email`: whether email is on, and what was sent, waits or failed.
#[component]
pub fn MailLogPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| mail_status());
    view! {
        <Title text="Email" />
        <h1>"Email"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(status) => view! { <MailLog status /> }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MailLog(status: MailOverview) -> impl IntoView {
    let summary = if status.email_on {
        Some(view! { <p>"Email is on. Messages are sent as " <strong>{status.from.clone()}</strong> "."</p> })
    } else {
        None
    };
    let empty = status.messages.is_empty();
    view! {
        {summary}
        {(!status.email_on).then(|| view! { <EmailOffNote /> })}
        <h2>"Delivery log"</h2>
        <p>"The newest messages. A message that cannot be delivered is tried again for about a day, then marked failed."</p>
        {if empty {
            view! { <p>"No messages yet."</p> }.into_any()
        } else {
            view! {
                <table class="mail-log">
                    <thead><tr>
                        <th scope="col">"To"</th><th scope="col">"Subject"</th><th scope="col">"Kind"</th>
                        <th scope="col">"State"</th><th scope="col">"Attempts"</th><th scope="col">"Queued"</th>
                        <th scope="col">"Sent, failed or next try"</th><th scope="col">"Last error"</th>
                    </tr></thead>
                    <tbody>
                        {status.messages.into_iter().map(|message| {
                            let row_class = format!("mail-{}", message.state);
                            view! {
                            <tr class=row_class>
                                <td>{message.to}</td><td>{message.subject}</td><td>{message.kind}</td>
                                <td>{message.state}</td><td>{message.attempts}</td><td>{message.created_at}</td>
                                <td>{message.when}</td><td>{message.last_error.unwrap_or_default()}</td>
                            </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
