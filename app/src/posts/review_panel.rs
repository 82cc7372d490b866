//! The editor's workflow panel: the status, the steps the viewer may take
//! now, and the review thread.

use leptos::prelude::*;

use super::api::{CommentView, EditorData, add_comment, change_status, publish_update};
use super::editor::Saver;
use super::workflow::{PostStatus, Transition};
use crate::error::AppError;

pub fn status_label(status: PostStatus) -> &'static str {
    match status {
        PostStatus::Draft => "Draft",
        PostStatus::InReview => "In review",
        PostStatus::ChangesRequested => "Changes requested",
        PostStatus::Approved => "Approved",
        PostStatus::Scheduled => "Scheduled",
        PostStatus::Published => "Published",
        PostStatus::Trashed => "In the trash",
    }
}

fn transition_label(transition: Transition) -> &'static str {
    match transition {
        Transition::Submit => "Submit for review",
        Transition::Withdraw => "Withdraw from review",
        Transition::RequestChanges => "Request changes",
        Transition::Approve => "Approve",
        Transition::PublishNow => "Publish now",
        Transition::Schedule => "Schedule",
        Transition::Unschedule => "Unschedule",
        Transition::Unpublish => "Unpublish",
        Transition::Trash => "Move to trash",
        Transition::Restore => "Restore from trash",
    }
}

#[component]
pub fn ReviewPanel(
    meta: RwSignal<EditorData>,
    saver: Saver,
    /// False until the page's scripts run; the buttons wait for them.
    ready: ReadSignal<bool>,
    /// Open items in the readiness panel: submitting with some asks first.
    #[prop(into)]
    open_items: Signal<usize>,
) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let publish_at = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let id = saver.id;

    // Unsaved text is saved first, so the step applies to what is shown.
    let run = move |step: Step| {
        leptos::task::spawn_local(async move {
            busy.set(true);
            if saver.unsaved() && !saver.save_now(true).await {
                problem.set(Some(AppError::Conflict {
                    message: "Save the post before this step (see the status above).".into(),
                }));
                busy.set(false);
                return;
            }
            let version = saver.version.get_untracked();
            let result = match step {
                Step::Transition(transition) => {
                    change_status(
                        id,
                        version,
                        transition,
                        comment.get_untracked(),
                        publish_at.get_untracked(),
                    )
                    .await
                }
                Step::PublishUpdate => publish_update(id, version).await,
            };
            match result {
                Ok(data) => {
                    saver.version.set(data.post.version);
                    meta.set(data);
                    comment.set(String::new());
                    problem.set(None);
                }
                Err(error) => problem.set(Some(error)),
            }
            busy.set(false);
        });
    };
    let needs_comment = move || meta.with(|m| m.transitions.contains(&Transition::RequestChanges));
    let can_schedule = move || meta.with(|m| m.transitions.contains(&Transition::Schedule));

    view! {
        <section class="review-panel card" aria-labelledby="review-heading">
            <h2 id="review-heading">"Review and publishing"</h2>
            <p>
                "Status: "
                <strong data-testid="post-status">{move || status_label(meta.with(|m| m.post.status))}</strong>
                {move || meta.with(|m| m.post.publish_at.clone()).map(|at| format!(" for {at}"))}
                {move || meta.with(|m| m.post.publish_in.clone()).map(|when| format!(" ({when})"))}
            </p>
            {move || meta.with(|m| m.post.reviewed_by.clone().zip(m.post.reviewed_at.clone())).map(|(who, at)| view! {
                <p data-testid="reviewed">{format!("Medically reviewed by {who} on {at}")}</p>
            })}
            {move || (needs_comment() || !meta.with(|m| m.transitions.is_empty())).then(|| view! {
                <div class="field">
                    <label for="review-comment">
                        {move || if needs_comment() { "Comment (required to request changes)" } else { "Comment (optional)" }}
                    </label>
                    <textarea id="review-comment" rows="3" data-testid="review-comment" disabled=move || !ready.get()
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                    <crate::components::FieldErrorText id="review-comment-error".to_owned()
                        errors=Signal::derive(move || problem.with(|p| p.as_ref().map(|p| p.field_messages("comment").to_vec()).unwrap_or_default())) />
                </div>
            })}
            {move || can_schedule().then(|| view! {
                <div class="field">
                    <label for="publish-at">"Publish at (site time zone)"</label>
                    <input type="datetime-local" id="publish-at" prop:value=move || publish_at.get() disabled=move || !ready.get()
                        on:input=move |ev| publish_at.set(event_target_value(&ev)) />
                    <crate::components::FieldErrorText id="publish-at-error".to_owned()
                        errors=Signal::derive(move || problem.with(|p| p.as_ref().map(|p| p.field_messages("publish_at").to_vec()).unwrap_or_default())) />
                </div>
            })}
            <div class="actions">
                {move || meta.with(|m| m.transitions.clone()).into_iter().map(|transition| view! {
                    <button type="button" disabled=move || busy.get() || !ready.get()
                        data-testid=format!("transition-{}", serde_json::to_string(&transition).unwrap_or_default().trim_matches('"'))
                        on:click=move |_| {
                            if transition == Transition::Submit && open_items.get_untracked() > 0 {
                                confirming.set(true);
                            } else {
                                run(Step::Transition(transition));
                            }
                        }>
                        {transition_label(transition)}
                    </button>
                }).collect_view()}
                {move || meta.with(|m| m.can_publish_update).then(|| view! {
                    <button type="button" disabled=move || busy.get() || !ready.get() data-testid="publish-update"
                        on:click=move |_| run(Step::PublishUpdate)>"Publish the update"</button>
                })}
            </div>
            {move || confirming.get().then(|| {
                // The question takes the focus, as a dialog does, and
                // Escape answers "Keep editing".
                let first = NodeRef::<leptos::html::Button>::new();
                Effect::new(move |_| {
                    if let Some(button) = first.get() {
                        let _ = button.focus();
                    }
                });
                view! {
                <div class="notice" role="alertdialog" aria-labelledby="submit-anyway" data-testid="submit-anyway"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            ev.prevent_default();
                            confirming.set(false);
                        }
                    }>
                    <p id="submit-anyway">
                        {move || format!("The readiness panel lists {} open item(s). Submit anyway?", open_items.get())}
                    </p>
                    <button type="button" node_ref=first
                        on:click=move |_| { confirming.set(false); run(Step::Transition(Transition::Submit)); }>
                        "Submit anyway"
                    </button>
                    <button type="button" class="secondary" on:click=move |_| confirming.set(false)>"Keep editing"</button>
                </div>
                }
            })}
                        {move || problem.get().map(|p| view! { <p role="alert" class="error">{problem_text(&p)}</p> })}
            <super::next_review::NextReview meta comment ready />
            <Comments meta ready />
        </section>
    }
    .into_any()
}

/// What went wrong, for the alert under the buttons. Field messages of
/// the comment and the time show beside those fields instead.
fn problem_text(problem: &AppError) -> String {
    match problem {
        AppError::Validation { fields } => fields
            .iter()
            .filter(|(field, _)| !matches!(field.as_str(), "comment" | "publish_at"))
            .flat_map(|(_, messages)| messages.iter().cloned())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

#[derive(Clone, Copy)]
enum Step {
    Transition(Transition),
    PublishUpdate,
}

/// The thread between the authors and the editors.
#[component]
fn Comments(meta: RwSignal<EditorData>, ready: ReadSignal<bool>) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let send = move |_| {
        let id = meta.with_untracked(|m| m.post.id);
        leptos::task::spawn_local(async move {
            match add_comment(id, draft.get_untracked()).await {
                Ok(comment) => {
                    meta.update(|m| m.comments.push(comment));
                    draft.set(String::new());
                    problem.set(None);
                }
                Err(error) => problem.set(Some(
                    error
                        .field_messages("body")
                        .first()
                        .cloned()
                        .unwrap_or_else(|| error.to_string()),
                )),
            }
        });
    };
    view! {
        <div class="comments">
            <h3>"Review comments"</h3>
            <ol class="comment-list" data-testid="comments">
                {move || meta.with(|m| m.comments.clone()).into_iter().map(comment_item).collect_view()}
            </ol>
            <label for="new-comment">"Add a comment"</label>
            <textarea id="new-comment" rows="2" prop:value=move || draft.get() disabled=move || !ready.get()
                on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
            <button type="button" on:click=send disabled=move || !ready.get()>"Post comment"</button>
            {move || problem.get().map(|p| view! { <p role="alert" class="error">{p}</p> })}
        </div>
    }
}

fn comment_item(comment: CommentView) -> impl IntoView {
    let label = match comment.kind.as_str() {
        "changes_requested" => "requested changes",
        "approved" => "approved",
        "review_confirmed" => "confirmed the review",
        _ => "commented",
    };
    view! {
        <li class=format!("comment comment-{}", comment.kind)>
            <p class="comment-meta"><strong>{comment.author}</strong> {format!(" {label} · {}", comment.at)}</p>
            <p class="comment-body">{comment.body}</p>
        </li>
    }
}
