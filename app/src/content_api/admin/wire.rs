//! The admin API's wire types: what its endpoints take and answer as
//! JSON (and describe in the OpenAPI document), and how they turn into and
//! out of the admin's own post fields. Apart from the handlers so that the
//! shape of the API reads in one place.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{PostContent, PostFields};
use crate::error::AppError;
use crate::posts::server::{Post, PostEdit, PostTitle, Slug};
use crate::posts::workflow::PostStatus;

/// A post as its authors and editors work on it: the working copy.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPost {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub status: PostStatus,
    /// Send it back with an update: a save over someone else's newer one
    /// is refused with 409.
    pub version: i64,
    pub markdown: String,
    pub excerpt: String,
    pub tags: Vec<String>,
    pub authors: Vec<AdminPerson>,
    pub cover_url: String,
    pub cover_alt: String,
    pub seo_title: String,
    pub seo_description: String,
    pub canonical_url: String,
    pub show_review: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub publish_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPerson {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPostSummary {
    pub id: i64,
    pub title: String,
    pub status: PostStatus,
    pub updated_at: DateTime<Utc>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPostList {
    pub posts: Vec<AdminPostSummary>,
}

/// A new draft: a title, and any of the other fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDraft {
    #[schema(min_length = 1, max_length = 200, example = "Sleep and screens")]
    pub title: String,
    pub slug: Option<String>,
    pub markdown: Option<String>,
    pub excerpt: Option<String>,
    /// Tag names; missing tags are created.
    pub tags: Option<Vec<String>>,
    pub cover_url: Option<String>,
    pub cover_alt: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
    pub show_review: Option<bool>,
}

/// Changes to a draft: the version it was read at, and the fields to
/// change (the others stay).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftUpdate {
    #[serde(deserialize_with = "whole_number")]
    pub version: i64,
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub slug: Option<String>,
    pub markdown: Option<String>,
    pub excerpt: Option<String>,
    /// Tag names; missing tags are created.
    pub tags: Option<Vec<String>>,
    pub cover_url: Option<String>,
    pub cover_alt: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
    pub show_review: Option<bool>,
}

/// The fields a save may change; `None` keeps the current value.
#[derive(Debug, Default)]
pub(super) struct DraftFields {
    title: Option<String>,
    slug: Option<String>,
    markdown: Option<String>,
    excerpt: Option<String>,
    tags: Option<Vec<String>>,
    cover_url: Option<String>,
    cover_alt: Option<String>,
    seo_title: Option<String>,
    seo_description: Option<String>,
    canonical_url: Option<String>,
    show_review: Option<bool>,
}

impl From<NewDraft> for DraftFields {
    fn from(draft: NewDraft) -> Self {
        Self {
            title: None,
            slug: draft.slug,
            markdown: draft.markdown,
            excerpt: draft.excerpt,
            tags: draft.tags,
            cover_url: draft.cover_url,
            cover_alt: draft.cover_alt,
            seo_title: draft.seo_title,
            seo_description: draft.seo_description,
            canonical_url: draft.canonical_url,
            show_review: draft.show_review,
        }
    }
}

impl From<DraftUpdate> for DraftFields {
    fn from(update: DraftUpdate) -> Self {
        Self {
            title: update.title,
            slug: update.slug,
            markdown: update.markdown,
            excerpt: update.excerpt,
            tags: update.tags,
            cover_url: update.cover_url,
            cover_alt: update.cover_alt,
            seo_title: update.seo_title,
            seo_description: update.seo_description,
            canonical_url: update.canonical_url,
            show_review: update.show_review,
        }
    }
}

impl DraftFields {
    pub(super) fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.slug.is_none()
            && self.markdown.is_none()
            && self.excerpt.is_none()
            && self.tags.is_none()
            && self.cover_url.is_none()
            && self.cover_alt.is_none()
            && self.seo_title.is_none()
            && self.seo_description.is_none()
            && self.canonical_url.is_none()
            && self.show_review.is_none()
    }
}

/// A version as JSON may write a whole number: `3` or `3.0`.
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|value| value.fract() == 0.0 && value.abs() < 9.0e15)
                .map(|value| value as i64)
        })
        .ok_or_else(|| serde::de::Error::custom("expected a whole number"))
}

/// The version the caller read, so that a submission of a text changed
/// since is refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    #[serde(deserialize_with = "whole_number")]
    pub version: i64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminListParams {
    /// Only posts in this status.
    #[param(value_type = Option<PostStatus>, inline, example = "draft")]
    pub(super) status: Option<String>,
}

impl DraftFields {
    /// Lays these changes over a post's fields. Tag names travel joined by
    /// commas, so a name with a comma in it is refused rather than split
    /// in two.
    pub(super) fn apply_to(&self, fields: &mut PostFields) -> Result<(), AppError> {
        let set = |target: &mut String, new: &Option<String>| {
            if let Some(new) = new {
                new.clone_into(target);
            }
        };
        let content = &mut fields.content;
        set(&mut content.title, &self.title);
        set(&mut content.slug, &self.slug);
        set(&mut content.body, &self.markdown);
        set(&mut content.excerpt, &self.excerpt);
        set(&mut content.cover_url, &self.cover_url);
        set(&mut content.cover_alt, &self.cover_alt);
        set(&mut content.seo_title, &self.seo_title);
        set(&mut content.seo_description, &self.seo_description);
        set(&mut content.canonical_url, &self.canonical_url);
        if let Some(show_review) = self.show_review {
            fields.show_review = show_review;
        }
        if let Some(tags) = &self.tags {
            if tags.iter().any(|tag| tag.contains(',')) {
                return Err(AppError::invalid("tags", "Tag names cannot contain commas."));
            }
            fields.tags = tags.join(", ");
        }
        Ok(())
    }
}

/// Checks a new draft's fields as its first save will, before anything is
/// stored, so a refused draft leaves nothing behind.
pub(super) fn check_new_draft(title: &str, fields: &DraftFields, author_id: i64) -> Result<(), AppError> {
    let slug = PostTitle::parse(title)
        .map(|title| Slug::from_title(&title).as_str().to_owned())
        .unwrap_or_default();
    let mut values = PostFields {
        content: PostContent {
            title: title.to_owned(),
            slug,
            ..PostContent::default()
        },
        show_review: true,
        tags: String::new(),
        author_ids: vec![author_id],
    };
    fields.apply_to(&mut values)?;
    PostEdit::parse(&values).map(drop)
}

pub(super) fn to_admin_post(post: Post, authors: Vec<AdminPerson>, tags: Vec<String>) -> AdminPost {
    AdminPost {
        id: post.id,
        title: post.content.title,
        slug: post.content.slug,
        status: post.status,
        version: post.version,
        markdown: post.content.body,
        excerpt: post.content.excerpt,
        tags,
        authors,
        cover_url: post.content.cover_url,
        cover_alt: post.content.cover_alt,
        seo_title: post.content.seo_title,
        seo_description: post.content.seo_description,
        canonical_url: post.content.canonical_url,
        show_review: post.show_review,
        created_at: post.created_at,
        updated_at: post.updated_at,
        published_at: post.published_at,
        publish_at: post.publish_at,
    }
}
