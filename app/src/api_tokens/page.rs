//! The API tokens page: make a token for a script or a front end, see
//! when each was last used, revoke it.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{CreatedApiToken, create_api_token, list_api_tokens, revoke_api_token};
use crate::components::FieldErrorText;
use crate::error::AppError;

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    let tokens = Resource::new(move || changed.get(), |_| list_api_tokens());
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new("read".to_owned());
    let result = RwSignal::new(None::<Result<CreatedApiToken, AppError>>);
    let problem = RwSignal::new(None::<AppError>);
    let name_errors = Signal::derive(move || match result.get() {
        Some(Err(error)) => error.field_messages("name").to_vec(),
        _ => Vec::new(),
    });
    let create = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        leptos::task::spawn_local(async move {
            let outcome = create_api_token(name.get_untracked(), scope.get_untracked()).await;
            if outcome.is_ok() {
                name.set(String::new());
                changed.update(|n| *n += 1);
            }
            result.set(Some(outcome));
        });
    };
    let revoke = move |id: i64| {
        leptos::task::spawn_local(async move {
            match revoke_api_token(id).await {
                Ok(()) => changed.update(|n| *n += 1),
                Err(error) => problem.set(Some(error)),
            }
        });
    };

    view! {
        <Title text="API tokens" />
        <h1>"API tokens"</h1>
        <p class="hint">
            "Scripts and other programs use a token to work with your posts through the admin API \
             (send it as "<code>"Authorization: Bearer …"</code>"). A token can do what you can do, \
             and a read token only reads. See "<a href="/api/v1/openapi.json">"the API description"</a>"."
        </p>
        <form class="card" on:submit=create data-testid="token-form">
            <h2>"New token"</h2>
            <div class="field">
                <label for="token-name">"Name"</label>
                <input id="token-name" required=true placeholder="Clinic website"
                    prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event))
                    aria-describedby="token-name-error" />
                <FieldErrorText id="token-name-error".to_owned() errors=name_errors />
            </div>
            <div class="field">
                <label for="token-scope">"Access"</label>
                <select id="token-scope" prop:value=move || scope.get()
                    on:change=move |event| scope.set(event_target_value(&event))>
                    <option value="read">"Read: list and read my posts"</option>
                    <option value="write">"Write: also create, edit and submit drafts"</option>
                </select>
            </div>
            <button type="submit">"Create token"</button>
        </form>
        {move || result.get().and_then(Result::ok).map(|created| view! {
            <div class="notice" role="status" data-testid="token-created">
                <p>"Copy the token now; it is shown only once."</p>
                <label for="token-secret">{format!("Token \u{201c}{}\u{201d}", created.token.name)}</label>
                <input id="token-secret" readonly=true value=created.secret />
            </div>
        })}
        {move || problem.get().map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) if list.is_empty() => view! { <p>"No tokens yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Your tokens">
                            <table class="listing" data-testid="tokens">
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Access"</th><th scope="col">"Created"</th>
                                    <th scope="col">"Last used"</th><th scope="col">"State"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|token| {
                                        let id = token.id;
                                        let active = token.state == "active";
                                        view! {
                                            <tr>
                                                <td>{token.name}</td>
                                                <td>{token.scope}</td>
                                                <td>{token.created}</td>
                                                <td>{token.last_used.unwrap_or_else(|| "never".into())}</td>
                                                <td>{token.state}</td>
                                                <td>{active.then(|| view! {
                                                    <button type="button" class="link" on:click=move |_| revoke(id)>"Revoke"</button>
                                                })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
