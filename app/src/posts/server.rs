//! Server-only post logic: input types and the bodies of the server
//! functions.

use chrono::{DateTime, Utc};

use super::api::{PostView, Preview};
use super::workflow::{self, Actor, PostStatus};
use crate::accounts::server::User;
use crate::accounts::server::input::collect;
use crate::content::render::{render_markdown, slugify};
use crate::error::{AppError, FieldErrors};
use crate::state::app_state;

/// A post as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Post {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub excerpt: String,
    #[sqlx(try_from = "String")]
    pub status: PostStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl TryFrom<String> for PostStatus {
    type Error = AppError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        PostStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| AppError::internal(format_args!("unknown post status {value:?}")))
    }
}

/// A title: trimmed, 1 to 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTitle(String);

impl PostTitle {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let title = raw.trim();
        if title.is_empty() {
            return Err("Enter a title.".into());
        }
        if title.chars().any(char::is_control) {
            return Err("The title cannot contain control characters.".into());
        }
        if title.chars().count() > 200 {
            return Err("Use at most 200 characters for the title.".into());
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A post's address: lower-case letters, digits and single hyphens, 1 to
/// 100 characters, and not a word the site uses for its own pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    const RESERVED: [&'static str; 12] = [
        "admin", "api", "pkg", "feed", "atom", "sitemap", "search", "authors", "tags", "posts", "preview", "healthz",
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        let slug = raw.trim();
        let shape_ok = !slug.is_empty()
            && slug.len() <= 100
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && !slug.contains("--");
        if !shape_ok {
            return Err("Use lower-case letters, digits and single hyphens, like managing-blood-pressure.".into());
        }
        if Self::RESERVED.contains(&slug) {
            return Err(format!("\"{slug}\" is used by the site itself; choose another."));
        }
        Ok(Self(slug.to_owned()))
    }

    /// A slug made from a title ("Managing Blood Pressure" →
    /// "managing-blood-pressure"), always valid.
    pub fn from_title(title: &PostTitle) -> Self {
        let ascii: String = slugify(title.as_str())
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let trimmed: String = ascii.trim_matches('-').chars().take(80).collect();
        let candidate = trimmed.trim_end_matches('-').replace("--", "-");
        Self::parse(&candidate).unwrap_or_else(|_| Self(format!("post-{candidate}").trim_end_matches('-').to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The longest body accepted: far above any article, below abuse.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// A valid edit of a post's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostEdit {
    pub title: PostTitle,
    pub slug: Slug,
    pub body: String,
    pub excerpt: String,
}

impl PostEdit {
    pub fn parse(title: &str, slug: &str, body: &str, excerpt: &str) -> Result<Self, AppError> {
        let mut problems = FieldErrors::new();
        let title = collect(&mut problems, "title", PostTitle::parse(title));
        let slug = collect(&mut problems, "slug", Slug::parse(slug));
        let body = collect(&mut problems, "body", check_body(body));
        let excerpt = collect(&mut problems, "excerpt", check_excerpt(excerpt));
        match (title, slug, body, excerpt) {
            (Some(title), Some(slug), Some(body), Some(excerpt)) => Ok(Self {
                title,
                slug,
                body,
                excerpt,
            }),
            _ => Err(AppError::Validation { fields: problems }),
        }
    }
}

fn check_body(body: &str) -> Result<String, String> {
    if body.len() > MAX_BODY_BYTES {
        return Err("The text is longer than 2 MB; split it into several posts.".into());
    }
    if body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err("The text contains control characters; paste it as plain text.".into());
    }
    Ok(body.to_owned())
}

fn check_excerpt(excerpt: &str) -> Result<String, String> {
    let excerpt = excerpt.trim();
    if excerpt.chars().count() > 500 {
        return Err("Use at most 500 characters for the excerpt.".into());
    }
    if excerpt.chars().any(char::is_control) {
        return Err("The excerpt cannot contain control characters.".into());
    }
    Ok(excerpt.to_owned())
}

fn view(post: &Post, author_ids: Vec<i64>) -> PostView {
    PostView {
        id: post.id,
        title: post.title.clone(),
        slug: post.slug.clone(),
        body: post.body.clone(),
        excerpt: post.excerpt.clone(),
        status: post.status,
        version: post.version,
        author_ids,
        updated_at: post.updated_at.to_rfc3339(),
    }
}

/// The post and whether `user` is one of its authors. Authors see only
/// their own posts (a 404 for others', which reveals nothing).
async fn post_for(user: &User, id: i64) -> Result<(Post, Vec<i64>, Actor), AppError> {
    let state = app_state()?;
    let post = state.store.post(id).await?.ok_or(AppError::NotFound)?;
    let author_ids = state.store.post_author_ids(id).await?;
    let actor = Actor {
        role: user.role,
        is_author: author_ids.contains(&user.id),
    };
    if !actor.is_author && actor.role < crate::accounts::Role::Editor {
        return Err(AppError::NotFound);
    }
    Ok((post, author_ids, actor))
}

pub fn preview(markdown: &str) -> Result<Preview, AppError> {
    let markdown = check_body(markdown).map_err(|message| AppError::invalid("body", message))?;
    let rendered = render_markdown(&markdown);
    Ok(Preview {
        html: rendered.html,
        word_count: rendered.word_count,
        reading_time_minutes: rendered.reading_time_minutes,
    })
}

pub async fn create_post(user: User, title: &str) -> Result<PostView, AppError> {
    let state = app_state()?;
    let title = PostTitle::parse(title).map_err(|message| AppError::invalid("title", message))?;
    let slug = Slug::from_title(&title);
    let post = state.store.create_draft(&title, &slug, user.id, Utc::now()).await?;
    Ok(view(&post, vec![user.id]))
}

pub async fn load_post(user: User, id: i64) -> Result<PostView, AppError> {
    let (post, author_ids, _) = post_for(&user, id).await?;
    Ok(view(&post, author_ids))
}

pub async fn save_post(user: User, id: i64, version: i64, edit: &PostEdit) -> Result<PostView, AppError> {
    let state = app_state()?;
    let (post, author_ids, actor) = post_for(&user, id).await?;
    if !workflow::may_edit(post.status, actor) {
        return Err(AppError::Forbidden);
    }
    if matches!(post.status, PostStatus::Published | PostStatus::Scheduled) {
        // Live (or about to be live) text changes only through a reviewed
        // update, which is not built yet: refuse rather than change it.
        return Err(AppError::Conflict {
            message: "This post is published or scheduled; unpublish or unschedule it to edit.".into(),
        });
    }
    let saved = state.store.save_post(id, version, edit, Utc::now()).await?;
    Ok(view(&saved, author_ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked_and_made_from_titles() {
        assert!(Slug::parse("managing-blood-pressure").is_ok());
        for bad in [
            "",
            "Has Caps",
            "-lead",
            "trail-",
            "double--hyphen",
            "admin",
            "ünï",
            &"a".repeat(101),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
        let title = PostTitle::parse("Managing Blood Pressure: 5 Tips!").expect("valid");
        assert_eq!(Slug::from_title(&title).as_str(), "managing-blood-pressure-5-tips");
        let reserved = PostTitle::parse("Admin").expect("valid");
        assert_eq!(Slug::from_title(&reserved).as_str(), "post-admin");
        let symbols = PostTitle::parse("???").expect("valid");
        assert!(Slug::parse(Slug::from_title(&symbols).as_str()).is_ok());
    }

    #[test]
    fn edits_report_every_bad_field() {
        let error = PostEdit::parse(" ", "Bad Slug", "text\u{0}", &"x".repeat(501)).expect_err("invalid");
        for field in ["title", "slug", "body", "excerpt"] {
            assert_eq!(error.field_messages(field).len(), 1, "{field}");
        }
        assert!(
            PostEdit::parse("Title", "title", &"word ".repeat(200_000), "").is_ok(),
            "a 1 MB body is fine"
        );
    }
}
