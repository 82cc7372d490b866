//! Pages as readers get them: the live text of a published page, with
//! the page it sits under when that one is public too.

use chrono::{DateTime, Utc};

use crate::content::Rendered;
use crate::domain::PostContent;

/// Which public pages to read. Empty strings and zeros mean "any".
#[derive(Debug, Clone)]
pub struct PageQuery {
    pub now: DateTime<Utc>,
    /// One page, by its live slug.
    pub slug: String,
    /// One page, by its id (a preview's parent).
    pub id: i64,
    pub limit: i64,
    pub offset: i64,
}

impl PageQuery {
    /// Every public page at `now`, by title, `limit` from `offset`.
    pub fn all(now: DateTime<Utc>, limit: i64, offset: i64) -> Self {
        Self {
            now,
            slug: String::new(),
            id: 0,
            limit,
            offset,
        }
    }

    /// The public page with this live slug.
    pub fn by_slug(now: DateTime<Utc>, slug: &str) -> Self {
        Self {
            slug: slug.to_owned(),
            ..Self::all(now, 1, 0)
        }
    }

    /// The public page with this id.
    pub fn by_id(now: DateTime<Utc>, id: i64) -> Self {
        Self {
            id,
            ..Self::all(now, 1, 0)
        }
    }
}

/// A public page: its live text, when it went out and last changed, and
/// its parent (title, slug) while that one is public.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicPage {
    pub id: i64,
    #[sqlx(flatten)]
    pub content: PostContent,
    pub published_at: DateTime<Utc>,
    /// When the live text was last replaced.
    pub updated_at: DateTime<Utc>,
    pub parent_title: Option<String>,
    pub parent_slug: Option<String>,
    /// The live text's stored render (see `PublicPost::rendered`); read it
    /// through `render`.
    pub rendered: Option<Rendered>,
}

impl PublicPage {
    /// The text as readers get it: the stored render, or one made now.
    pub fn render(&self) -> std::borrow::Cow<'_, Rendered> {
        super::posts::stored_or_fresh(self.rendered.as_ref(), &self.content.body)
    }

    /// The page it sits under, as (title, slug), when readers may see it.
    pub fn parent(&self) -> Option<(String, String)> {
        self.parent_title.clone().zip(self.parent_slug.clone())
    }
}
