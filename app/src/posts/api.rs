//! The posts' server functions and the types they exchange.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::workflow::PostStatus;
use crate::error::AppError;

/// A post as the admin edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub excerpt: String,
    pub status: PostStatus,
    /// The version a save must name; it goes up with every save.
    pub version: i64,
    /// The authors' user ids; the first is the primary author.
    pub author_ids: Vec<i64>,
    pub updated_at: String,
}

/// Starts a draft with the caller as its author.
#[server]
pub async fn create_post(title: String) -> Result<PostView, AppError> {
    let user = crate::accounts::server::require_role(crate::accounts::Role::Author).await?;
    super::server::create_post(user, &title).await
}

#[server]
pub async fn load_post(id: i64) -> Result<PostView, AppError> {
    let user = crate::accounts::server::require_user().await?;
    super::server::load_post(user, id).await
}

/// Saves the text of a post. `version` is the one the editor loaded; when
/// someone else saved since, the answer is `Conflict` and nothing changes.
#[server]
pub async fn save_post(
    id: i64,
    version: i64,
    title: String,
    slug: String,
    body: String,
    excerpt: String,
) -> Result<PostView, AppError> {
    let user = crate::accounts::server::require_user().await?;
    let edit = super::server::PostEdit::parse(&title, &slug, &body, &excerpt)?;
    super::server::save_post(user, id, version, &edit).await
}

/// Rendered Markdown, exactly as it will be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub html: String,
    pub word_count: usize,
    pub reading_time_minutes: u32,
}

/// The editor's live preview: the same renderer as the public page.
#[server]
pub async fn preview_markdown(markdown: String) -> Result<Preview, AppError> {
    let _user = crate::accounts::server::require_role(crate::accounts::Role::Author).await?;
    super::server::preview(&markdown)
}
