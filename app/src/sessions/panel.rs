//! The profile's "Where you are signed in" section, and the session table
//! it shares with the admin's page about a person's sessions.

use leptos::prelude::*;

use super::api::{EndMySession, EndOtherSessions, SessionView, list_my_sessions};
use crate::components::FormAlert;

/// The sessions as a table; `end` draws the form that ends one.
#[component]
pub fn SessionTable<F>(sessions: Vec<SessionView>, label: &'static str, end: F) -> impl IntoView
where
    F: Fn(&SessionView) -> AnyView + 'static,
{
    if sessions.is_empty() {
        return view! { <p>"No active sessions."</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=label>
            <table class="listing" data-testid="session-list">
                <thead><tr>
                    <th scope="col">"Browser"</th><th scope="col">"Address"</th><th scope="col">"Started"</th>
                    <th scope="col">"Last used"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {sessions.iter().map(|session| view! {
                        <tr data-testid="session-row" data-current=session.current.to_string()>
                            <td>
                                {session.browser.clone()}
                                {session.current.then(|| view! { " " <strong>"(this session)"</strong> })}
                            </td>
                            <td>{session.address.clone()}</td>
                            <td>{session.started.clone()}</td>
                            <td>{session.last_used.clone()}</td>
                            <td>{end(session)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The button of one session's end form, named after the session for
/// screen readers.
#[component]
pub fn EndButton(browser: String) -> impl IntoView {
    view! {
        <button type="submit" class="link">
            "End"<span class="visually-hidden">{format!(" the session on {browser}")}</span>
        </button>
    }
}

/// The signed-in person's sessions, on their profile.
#[component]
pub fn MySessions() -> impl IntoView {
    let end_one = ServerAction::<EndMySession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(
        move || (end_one.version().get(), end_others.version().get()),
        |_| list_my_sessions(),
    );
    view! {
        <section class="card" aria-labelledby="sessions-heading" data-testid="sessions">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            <p class="hint">
                "Each browser where you are signed in, with the address it signed in from. \
                 End any you do not recognise or left signed in on a shared computer: it is signed out at once."
            </p>
            <FormAlert result=end_one.value() fields=&[] />
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! {
                            <SessionTable sessions=list label="Your sessions" end=move |session: &SessionView| {
                                let id = session.id;
                                let browser = session.browser.clone();
                                (!session.current).then(move || view! {
                                    <ActionForm action=end_one attr:class="inline">
                                        <input type="hidden" name="id" value=id />
                                        <EndButton browser />
                                    </ActionForm>
                                }).into_any()
                            } />
                        }.into_any(),
                        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=end_others attr:class="inline">
                <button type="submit" class="secondary" disabled=move || end_others.pending().get()>
                    "Sign out everywhere else"
                </button>
            </ActionForm>
            <FormAlert result=end_others.value() fields=&[] />
            <p class="status" aria-live="polite">
                {move || end_others.value().get().and_then(Result::ok).map(|ended| match ended {
                    0 => "You were signed in nowhere else.".to_owned(),
                    1 => "Signed out of 1 other session.".to_owned(),
                    n => format!("Signed out of {n} other sessions."),
                })}
            </p>
        </section>
    }
}
