//! Server-only post logic: the bodies of the server functions, by
//! feature (editing, review, lists, history, calendar, and the review
//! cadence: due dates, re-reviews and reminders).

pub mod cadence;
pub mod calendar;
pub mod editing;
pub mod history;
pub mod lists;
pub mod readiness;
pub mod review;

pub use crate::content::public_path;
pub use crate::input::post::{MAX_BODY_BYTES, PostEdit, PostTitle, Slug, TagName};
pub use crate::store::model::posts::*;
pub use crate::time::{admin_time, relative_time};

use super::api::Person;
use super::workflow::{Actor, PostStatus};
use crate::accounts::server::User;
use crate::error::AppError;
use crate::state::AppState;

/// The post, its authors, and how `user` stands to it. Authors see only
/// their own posts (a 404 for others', which reveals nothing).
pub(crate) async fn post_for(state: &AppState, user: &User, id: i64) -> Result<(Post, Vec<User>, Actor), AppError> {
    let post = state.store.post(id).await?.ok_or(AppError::NotFound)?;
    let authors = state.store.post_authors(id).await?;
    let actor = Actor {
        role: user.role,
        is_author: authors.iter().any(|author| author.id == user.id),
    };
    if !actor.is_author && actor.role < crate::accounts::Role::Editor {
        return Err(AppError::NotFound);
    }
    Ok((post, authors, actor))
}

/// The statuses in which `actor` may change a post's text.
pub(crate) fn editable_statuses(actor: Actor) -> Vec<PostStatus> {
    PostStatus::ALL
        .into_iter()
        .filter(|status| super::workflow::may_edit(*status, actor))
        .collect()
}

pub(crate) fn person(user: &User) -> Person {
    Person {
        id: user.id,
        name: user.display_name.clone(),
    }
}

/// The audit detail naming a post.
pub(crate) fn audit_detail(post: &Post) -> String {
    format!("post {} \"{}\"", post.id, post.content.title)
}
