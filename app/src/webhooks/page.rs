//! The Webhooks page (admins): register an address with its events, see
//! each webhook's secret and delivery log, send a test event, delete.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{
    EVENTS, WebhookView, create_webhook, delete_webhook, list_webhooks, rotate_webhook_secret, send_test_webhook,
};
use crate::components::FieldErrorText;
use crate::error::AppError;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    let hooks = Resource::new(move || changed.get(), |_| list_webhooks());
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec!["post.published".to_owned(), "post.updated".to_owned()]);
    let result = RwSignal::new(None::<Result<WebhookView, AppError>>);
    let problem = RwSignal::new(None::<AppError>);
    let errors = |field: &'static str| {
        Signal::derive(move || match result.get() {
            Some(Err(error)) => error.field_messages(field).to_vec(),
            _ => Vec::new(),
        })
    };
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        leptos::task::spawn_local(async move {
            let outcome = create_webhook(url.get_untracked(), chosen.get_untracked()).await;
            if outcome.is_ok() {
                url.set(String::new());
                changed.update(|n| *n += 1);
            }
            result.set(Some(outcome));
        });
    };
    let act = move |call: Call| {
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(()) => {
                    problem.set(None);
                    changed.update(|n| *n += 1);
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };

    view! {
        <Title text="Webhooks" />
        <h1>"Webhooks"</h1>
        <p class="hint">
            "Vellum tells these addresses when posts change. Each request carries a "
            <code>"Vellum-Signature"</code>
            " header: HMAC-SHA256 of the timestamp, a dot and the body, keyed with the webhook's secret. \
             Failed deliveries are retried for 24 hours."
        </p>
        <form class="card" on:submit=add data-testid="webhook-form">
            <h2>"Add a webhook"</h2>
            <div class="field">
                <label for="webhook-url">"Address"</label>
                <input id="webhook-url" type="url" required=true placeholder="https://example.org/hooks/vellum"
                    prop:value=move || url.get() on:input=move |event| url.set(event_target_value(&event))
                    aria-describedby="webhook-url-error" />
                <FieldErrorText id="webhook-url-error".to_owned() errors=errors("url") />
            </div>
            <fieldset aria-describedby="webhook-events-error">
                <legend>"Events"</legend>
                {EVENTS.map(|kind| {
                    let id = format!("event-{}", kind.replace('.', "-"));
                    view! {
                        <div class="field checkbox">
                            <input type="checkbox" id=id.clone()
                                prop:checked=move || chosen.with(|list| list.iter().any(|k| k == kind))
                                on:change=move |event| {
                                    let on = event_target_checked(&event);
                                    chosen.update(|list| {
                                        list.retain(|k| k != kind);
                                        if on { list.push(kind.to_owned()); }
                                    });
                                } />
                            <label for=id>{kind}</label>
                        </div>
                    }
                }).collect_view()}
                <FieldErrorText id="webhook-events-error".to_owned() errors=errors("events") />
            </fieldset>
            <button type="submit">"Add webhook"</button>
        </form>
        {move || problem.get().map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match hooks.await {
                    Ok(list) if list.is_empty() => view! { <p>"No webhooks yet."</p> }.into_any(),
                    Ok(list) => list.into_iter().map(|hook| webhook_card(hook, act)).collect_view().into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A server call started by a button; its error is shown, its success
/// reloads the list.
type Call = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), AppError>>>>;

fn webhook_card(hook: WebhookView, act: impl Fn(Call) + Copy + 'static) -> impl IntoView {
    let id = hook.id;
    let heading_id = format!("webhook-{id}");
    view! {
        <section class="card webhook" aria-labelledby=heading_id.clone() data-testid="webhook">
            <h2 id=heading_id.clone()><code>{hook.url.clone()}</code></h2>
            <p>{format!("Events: {}. Added {}.", hook.events.join(", "), hook.created)}</p>
            <label for=format!("webhook-secret-{id}")>"Secret"</label>
            <input id=format!("webhook-secret-{id}") readonly=true value=hook.secret.clone() />
            {hook.previous_secret_until.clone().map(|until| view! {
                <p class="hint" data-testid="previous-secret">
                    {format!("The previous secret also signs every delivery until {until}: update the receiver before then \
                        (it must accept a delivery when any v1 signature matches).")}
                </p>
            })}
            <div class="actions">
                <button type="button" on:click=move |_| act(Box::pin(send_test_webhook(id)))>"Send test event"</button>
                <button type="button" class="secondary" on:click=move |_| act(Box::pin(async move {
                    rotate_webhook_secret(id).await.map(drop)
                }))>"Rotate secret"</button>
                <button type="button" class="secondary" on:click=move |_| act(Box::pin(delete_webhook(id)))>"Delete"</button>
            </div>
            <h3>"Recent deliveries"</h3>
            {if hook.deliveries.is_empty() {
                view! { <p>"Nothing sent yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Recent deliveries">
                        <table class="listing" data-testid="deliveries">
                            <thead><tr>
                                <th scope="col">"Event"</th><th scope="col">"Queued"</th><th scope="col">"State"</th>
                                <th scope="col">"Status"</th><th scope="col">"Time"</th><th scope="col">"Attempts"</th>
                            </tr></thead>
                            <tbody>
                                {hook.deliveries.into_iter().map(|delivery| {
                                    let state = match (&delivery.error, &delivery.next_attempt) {
                                        (Some(error), Some(next)) => format!("{} ({error}; next try {next})", delivery.state),
                                        (Some(error), None) => format!("{} ({error})", delivery.state),
                                        _ => delivery.state.clone(),
                                    };
                                    view! {
                                        <tr>
                                            <td>{delivery.event}</td>
                                            <td>{delivery.created}</td>
                                            <td>{state}</td>
                                            <td>{delivery.status.map(|code| code.to_string()).unwrap_or_else(|| "—".into())}</td>
                                            <td>{delivery.response_ms.map(|ms| format!("{ms} ms")).unwrap_or_else(|| "—".into())}</td>
                                            <td>{delivery.attempts}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
