//! The admin's page about one person's sessions
//! (`/admin/users/{id}/sessions`, for admins only, like the Users page):
//! where they are signed in, and ending one or all of those sessions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::{EndUserSession, EndUserSessions, SessionView, list_user_sessions};
use super::panel::{EndButton, SessionTable};
use crate::components::FormAlert;

#[component]
pub fn UserSessionsPage() -> impl IntoView {
    let params = use_params_map();
    let user_id = move || {
        params
            .with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()))
            .unwrap_or_default()
    };
    let end_one = ServerAction::<EndUserSession>::new();
    let end_all = ServerAction::<EndUserSessions>::new();
    let found = Resource::new(
        move || (user_id(), end_one.version().get(), end_all.version().get()),
        |(id, _, _)| list_user_sessions(id),
    );
    view! {
        <Title text="Sessions" />
        <p><a href="/admin/users">"Back to Users"</a></p>
        <h1>"Sessions"</h1>
        <FormAlert result=end_one.value() fields=&[] />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(found) => {
                        let owner = found.user_id;
                        view! {
                            <p data-testid="sessions-of">
                                {format!("Where {} ({}) is signed in.", found.name, found.email)}
                            </p>
                            <SessionTable sessions=found.sessions label="Their sessions"
                                end=move |session: &SessionView| {
                                    let (id, browser) = (session.id, session.browser.clone());
                                    view! {
                                        <ActionForm action=end_one attr:class="inline">
                                            <input type="hidden" name="user_id" value=owner />
                                            <input type="hidden" name="id" value=id />
                                            <EndButton browser />
                                        </ActionForm>
                                    }.into_any()
                                } />
                            <ActionForm action=end_all attr:class="card">
                                <h2>"End all of their sessions"</h2>
                                <p>{format!("Signs {} out on every device at once (after a lost phone, say). \
                                    Their password and API tokens stay as they are.", found.name)}</p>
                                <input type="hidden" name="user_id" value=owner />
                                <button type="submit" class="secondary" disabled=move || end_all.pending().get()>
                                    "End all sessions"
                                </button>
                            </ActionForm>
                        }.into_any()
                    }
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <FormAlert result=end_all.value() fields=&[] />
        <p class="status" aria-live="polite">
            {move || end_all.value().get().and_then(Result::ok).map(|ended| match ended {
                1 => "1 session ended.".to_owned(),
                n => format!("{n} sessions ended."),
            })}
        </p>
    }
}
