//! Autosave: saving soon after typing stops, retrying with back-off when
//! the server cannot be reached, and the choice when someone else saved
//! first (409).

use leptos::prelude::*;

use super::SaveState;
use super::browser::{forget_local_copy, set_unsaved_flag};
use crate::domain::PostFields;
use crate::error::AppError;
use crate::posts::api::{EditorData, PostView, load_post, save_post};

/// How long typing must pause before an autosave.
pub(super) const AUTOSAVE_DELAY_MS: u64 = 2000;
/// Retries after a failed save wait this long, doubling up to a minute.
pub(super) const FIRST_RETRY_MS: u64 = 3000;

/// Saving, retrying and resolving conflicts; copied into every handler.
#[derive(Clone, Copy)]
pub struct Saver {
    pub id: i64,
    pub fields: RwSignal<PostFields>,
    pub saved: RwSignal<PostFields>,
    pub version: RwSignal<i64>,
    pub state: RwSignal<SaveState>,
    pub errors: RwSignal<AppError>,
    pub meta: RwSignal<EditorData>,
    pub(super) timer: StoredValue<Option<TimeoutHandle>>,
    pub(super) retry_ms: StoredValue<u64>,
}

impl Saver {
    pub fn unsaved(self) -> bool {
        self.fields.with_untracked(|f| self.saved.with_untracked(|s| f != s))
    }

    pub(super) fn stop_timer(self) {
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
    }

    pub(super) fn schedule(self, delay_ms: u64) {
        self.stop_timer();
        let handle = set_timeout_with_handle(move || self.save(false), std::time::Duration::from_millis(delay_ms));
        self.timer.set_value(handle.ok());
    }

    /// Saves what is in the page now. `manual` saves always make a
    /// revision of their own; autosaves are coalesced by the server.
    pub fn save(self, manual: bool) {
        leptos::task::spawn_local(async move {
            let _ = self.save_now(manual).await;
        });
    }

    /// Saves and reports whether the server has the page's text now.
    pub async fn save_now(self, manual: bool) -> bool {
        if matches!(self.state.get_untracked(), SaveState::Saving | SaveState::Conflict(_)) {
            return false;
        }
        if !self.unsaved() && !manual {
            return true;
        }
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        let sent = self.fields.get_untracked();
        let based_on = self.version.get_untracked();
        self.state.set(SaveState::Saving);
        let result = save_post(self.id, based_on, sent.clone(), manual).await;
        // The editor may have been left while the request was out; its
        // signals are gone then, and the browser copy keeps the text.
        if self.state.try_get_untracked().is_none() {
            return false;
        }
        match result {
            Ok(post) => {
                self.version.set(post.version);
                self.saved.set(sent);
                self.retry_ms.set_value(FIRST_RETRY_MS);
                self.errors.set(AppError::Validation {
                    fields: Default::default(),
                });
                self.meta.update(|m| {
                    m.can_publish_update =
                        crate::posts::workflow::may_publish_update(post.pending_update, m.viewer_role);
                    m.post = post;
                });
                if self.unsaved() {
                    self.state.set(SaveState::Unsaved);
                    self.schedule(AUTOSAVE_DELAY_MS);
                } else {
                    forget_local_copy(self.id);
                    set_unsaved_flag(false);
                    self.state.set(SaveState::Saved);
                }
                true
            }
            Err(error @ AppError::Validation { .. }) => {
                self.errors.set(error);
                self.state.set(SaveState::Invalid);
                false
            }
            Err(AppError::Conflict { message }) => {
                self.refused(message, based_on).await;
                false
            }
            Err(AppError::Unauthenticated) => {
                self.state.set(SaveState::Failed(
                    "you are signed out. Sign in in another tab, then save again.".into(),
                ));
                false
            }
            Err(error) => {
                self.failed(format!("the server could not be reached or failed ({error})."));
                false
            }
        }
    }

    /// The server refused the save (409): either someone saved in between
    /// (show both texts), or the post's status changed (say so).
    async fn refused(self, message: String, based_on: i64) {
        let current = load_post(self.id).await;
        if self.state.try_get_untracked().is_none() {
            return;
        }
        match current {
            Ok(theirs) if theirs.post.version != based_on => {
                self.state.set(SaveState::Conflict(Box::new(theirs.post)));
            }
            Ok(current) => {
                self.meta.set(current);
                self.state.set(SaveState::Failed(message));
            }
            Err(_) => self.failed(message),
        }
    }

    fn failed(self, reason: String) {
        self.state.set(SaveState::Failed(reason));
        let delay = self.retry_ms.get_value();
        self.retry_ms.set_value((delay * 2).min(60_000));
        self.schedule_retry(delay);
    }

    fn schedule_retry(self, delay_ms: u64) {
        let handle = set_timeout_with_handle(
            move || {
                if matches!(self.state.get_untracked(), SaveState::Failed(_)) {
                    self.state.set(SaveState::Unsaved);
                    self.save(false);
                }
            },
            std::time::Duration::from_millis(delay_ms),
        );
        self.timer.set_value(handle.ok());
    }

    /// Keep mine: save the page's text on top of their version.
    pub fn keep_mine(self, theirs: &PostView) {
        self.version.set(theirs.version);
        self.state.set(SaveState::Unsaved);
        self.save(true);
    }

    /// Take theirs: the page shows their text; mine stays in the
    /// revision history only if it was ever saved, so the panel offers a
    /// copy first.
    pub fn take_theirs(self, theirs: &PostView) {
        let fields = theirs.fields.clone();
        self.version.set(theirs.version);
        self.saved.set(fields.clone());
        self.fields.set(fields);
        forget_local_copy(self.id);
        self.state.set(SaveState::Saved);
    }
}

/// Someone else saved first: both texts side by side, and the choice.
#[component]
pub(super) fn ConflictPanel(theirs: PostView, saver: Saver) -> impl IntoView {
    let mine = saver.fields.get_untracked();
    let copied = RwSignal::new(false);
    let keep = theirs.clone();
    let take = theirs.clone();
    let mine_body = mine.content.body.clone();
    view! {
        <section class="conflict card" role="alert" data-testid="conflict">
            <h2>"Someone else saved this post while you were editing"</h2>
            <p>{format!("Their version {} was saved at {}. Nothing has been overwritten.", theirs.version, theirs.updated_at)}</p>
            <div class="conflict-texts">
                <div>
                    <h3>"Your text"</h3>
                    <p class="conflict-title">{mine.content.title.clone()}</p>
                    <textarea readonly=true rows="12" data-testid="conflict-mine" prop:value=mine.content.body.clone()></textarea>
                </div>
                <div>
                    <h3>"Their text"</h3>
                    <p class="conflict-title">{theirs.fields.content.title.clone()}</p>
                    <textarea readonly=true rows="12" data-testid="conflict-theirs" prop:value=theirs.fields.content.body.clone()></textarea>
                </div>
            </div>
            <div class="actions">
                <button type="button" data-testid="keep-mine" on:click=move |_| saver.keep_mine(&keep)>
                    "Keep mine as the new version"
                </button>
                <button type="button" data-testid="take-theirs" on:click=move |_| saver.take_theirs(&take)>
                    "Take theirs"
                </button>
                <button type="button" data-testid="copy-mine" on:click=move |_| {
                    let _ = window().navigator().clipboard().write_text(&mine_body);
                    copied.set(true);
                }>"Copy mine"</button>
                {move || copied.get().then_some(" Your text is on the clipboard.")}
            </div>
        </section>
    }
}
