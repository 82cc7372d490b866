//! The review panel's part about the next medical review: when it is due,
//! the reviewer's own date for it, and the re-review of a published post
//! (confirm the live text, or send it back to its authors while readers
//! keep it). The server decides who may do what and checks every date;
//! this only offers what `EditorData` says the viewer may do.

use leptos::prelude::*;

use super::api::{EditorData, ReReviewOutcome, re_review, set_review_due};
use crate::components::FieldErrorText;
use crate::error::AppError;

#[derive(Clone, Copy)]
enum Step {
    ReReview(ReReviewOutcome),
    SetDue,
}

#[component]
pub fn NextReview(
    meta: RwSignal<EditorData>,
    /// The review panel's comment: the re-review's note, or what the
    /// authors should change.
    comment: RwSignal<String>,
    ready: ReadSignal<bool>,
) -> impl IntoView {
    let due_on = Memo::new(move |_| meta.with(|m| m.post.review_due_on.clone()));
    let due = RwSignal::new(due_on.get_untracked().unwrap_or_default());
    // Anything else in the panel that changes the post's due date (an
    // approval, a status change) must show here, or "Set the due date"
    // would send the date the post had when the editor opened. The memo
    // fires only when the date itself changes, so an autosave does not
    // overwrite a date being typed.
    Effect::new(move |_| due.set(due_on.get().unwrap_or_default()));
    let problem = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    // The text is not saved first: a re-review is about the live text,
    // which no save changes.
    let run = move |step: Step| {
        leptos::task::spawn_local(async move {
            busy.set(true);
            let id = meta.with_untracked(|m| m.post.id);
            let result = match step {
                Step::ReReview(outcome) => {
                    let due = match outcome {
                        ReReviewOutcome::Confirm => due.get_untracked(),
                        ReReviewOutcome::SendBack => String::new(),
                    };
                    re_review(id, outcome, comment.get_untracked(), due).await
                }
                Step::SetDue => set_review_due(id, due.get_untracked()).await,
            };
            match result {
                Ok(data) => {
                    due.set(data.post.review_due_on.clone().unwrap_or_default());
                    meta.set(data);
                    comment.set(String::new());
                    problem.set(None);
                }
                Err(error) => problem.set(Some(error)),
            }
            busy.set(false);
        });
    };
    let can_date = move || meta.with(|m| m.can_date_review);
    let can_re_review = move || meta.with(|m| m.can_re_review);
    let shown = move || meta.with(|m| m.post.review_due.is_some() || m.can_date_review || m.can_re_review);
    let field_problem = move |field: &'static str| {
        Signal::derive(move || {
            problem.with(|p| p.as_ref().map(|p| p.field_messages(field).to_vec()).unwrap_or_default())
        })
    };
    view! {
        <Show when=shown>
            <div class="next-review" data-testid="next-review">
                <h3>"Next medical review"</h3>
                {move || meta.with(|m| m.post.review_due.clone()).map(|date| {
                    let overdue = meta.with(|m| m.post.review_overdue);
                    view! {
                        <p data-testid="review-due" class:overdue=overdue>
                            {if overdue { format!("Overdue since {date}") } else { format!("Due {date}") }}
                        </p>
                    }
                })}
                <Show when=move || can_date() || can_re_review()>
                    <div class="field">
                        <label for="review-due-input">"Next review due (site time zone)"</label>
                        <input type="date" id="review-due-input" data-testid="review-due-input"
                            prop:value=move || due.get() disabled=move || !ready.get()
                            on:input=move |ev| due.set(event_target_value(&ev)) />
                        <FieldErrorText id="review-due-error".to_owned() errors=field_problem("due") />
                    </div>
                    <div class="actions">
                        <Show when=can_re_review>
                            <button type="button" data-testid="re-review-confirm" disabled=move || busy.get() || !ready.get()
                                on:click=move |_| run(Step::ReReview(ReReviewOutcome::Confirm))>
                                "Confirm the live text is still correct"
                            </button>
                            <button type="button" class="secondary" data-testid="re-review-send-back"
                                disabled=move || busy.get() || !ready.get()
                                on:click=move |_| run(Step::ReReview(ReReviewOutcome::SendBack))>
                                "Send back to the authors (stays published)"
                            </button>
                        </Show>
                        <Show when=can_date>
                            <button type="button" class="secondary" data-testid="set-review-due"
                                disabled=move || busy.get() || !ready.get() on:click=move |_| run(Step::SetDue)>
                                "Set the due date"
                            </button>
                        </Show>
                    </div>
                    <FieldErrorText id="re-review-comment-error".to_owned() errors=field_problem("comment") />
                    {move || problem.with(|p| p.as_ref().filter(|p| !matches!(p, AppError::Validation { .. })).map(|p| p.to_string()))
                        .map(|message| view! { <p role="alert" class="error">{message}</p> })}
                </Show>
            </div>
        </Show>
    }
    // The panel's view type is deep already: erasing this one keeps the
    // compiler within its limits.
    .into_any()
}
