//! Creating, loading and saving posts, and the preview.

use super::{
    Post, PostEdit, PostTitle, RevisionKind, SaveRequest, Slug, admin_time, editable_statuses, person, post_for,
};
use crate::accounts::Role;
use crate::accounts::server::{Caller, User};
use crate::content::render::render_markdown;
use crate::domain::{PostFields, PostKind};
use crate::error::AppError;
use crate::input::post::check_body;
use crate::posts::api::{CommentView, EditorData, Person, PostView, Preview, SavePost, TagView};
use crate::posts::workflow::{self, Actor, PostStatus, Transition};
use crate::settings::SiteSettings;
use crate::state::AppState;

/// A new draft article, or page, with the caller as its author.
pub async fn create(state: &AppState, caller: &Caller, title: &str, kind: PostKind) -> Result<PostView, AppError> {
    let title = PostTitle::parse(title).map_err(|message| AppError::invalid("title", message))?;
    let (author, now) = (caller.user.id, state.clock.now());
    let post = match kind {
        PostKind::Post => {
            state
                .store
                .create_draft(&title, &Slug::from_title(&title), author, now)
                .await?
        }
        PostKind::Page => {
            state
                .store
                .create_page(&title, &Slug::page_from_title(&title), author, now)
                .await?
        }
    };
    post_view(state, &post, std::slice::from_ref(&caller.user)).await
}

pub async fn editor_data(state: &AppState, caller: &Caller, id: i64) -> Result<EditorData, AppError> {
    let user = &caller.user;
    let (post, authors, actor) = post_for(state, user, id).await?;
    let settings = state.store.site_settings().await?;
    let transitions = Transition::ALL
        .into_iter()
        .filter(|transition| {
            workflow::apply(post.status, *transition, actor, post.kind, settings.review_required).is_ok()
        })
        .collect();
    let comments = state
        .store
        .comments(id)
        .await?
        .into_iter()
        .map(|row| CommentView {
            id: row.id,
            author: row.author,
            kind: row.kind,
            body: row.body,
            at: admin_time(row.created_at, &settings),
        })
        .collect();
    let people = staff(state).await?;
    let view = post_view(state, &post, &authors).await?;
    Ok(EditorData {
        can_edit: workflow::may_edit(post.status, actor),
        can_publish_update: workflow::may_publish_update(view.pending_update, actor.role),
        // A page's review never falls due: nothing to renew or date.
        can_re_review: post.kind.review_falls_due() && workflow::may_re_review(post.status, actor).is_ok(),
        can_date_review: post.kind.review_falls_due()
            && workflow::may_date_next_review(post.status, actor).is_ok()
            && post.reviewed_at.is_some(),
        post: view,
        transitions,
        comments,
        people,
        viewer_id: user.id,
        viewer_role: user.role,
        language: settings.language,
    })
}

pub async fn tags(state: &AppState) -> Result<Vec<TagView>, AppError> {
    let rows = state.store.list_tags().await?;
    Ok(rows.into_iter().map(tag_view).collect())
}

pub async fn update_tag(state: &AppState, id: i64, name: &str, description: &str) -> Result<TagView, AppError> {
    let mut problems = crate::error::FieldErrors::new();
    let name = crate::input::collect(&mut problems, "name", super::TagName::parse(name));
    let description = description.trim();
    if description.chars().count() > 500 || description.chars().any(|c| c.is_control() && c != '\n') {
        problems
            .entry("description".into())
            .or_default()
            .push("Use at most 500 characters of plain text for the description.".into());
    }
    let name = match name {
        Some(name) if problems.is_empty() && !name.name.is_empty() => name,
        Some(_) if problems.is_empty() => return Err(AppError::invalid("name", "Enter a name.")),
        _ => return Err(AppError::Validation { fields: problems }),
    };
    let tag = state.store.update_tag(id, &name.name, description).await?;
    let rows = state.store.list_tags().await?;
    rows.into_iter()
        .find(|row| row.id == tag.id)
        .map(tag_view)
        .ok_or(AppError::NotFound)
}

fn tag_view(row: super::TagUse) -> TagView {
    TagView {
        id: row.id,
        name: row.name,
        slug: row.slug,
        description: row.description,
        posts: row.posts,
    }
}

pub async fn staff(state: &AppState) -> Result<Vec<Person>, AppError> {
    let users = state.store.list_users().await?;
    Ok(users.iter().filter(|user| user.active).map(person).collect())
}

pub async fn save(state: &AppState, caller: &Caller, request: &SavePost) -> Result<PostView, AppError> {
    let SavePost {
        id,
        version,
        ref fields,
        manual,
    } = *request;
    let user = &caller.user;
    let (post, authors, actor) = post_for(state, user, id).await?;
    refuse_edit_unless_allowed(post.status, actor)?;
    let edit = PostEdit::parse_as(post.kind, fields)?;
    if user.role < Role::Editor && !edit.author_ids.contains(&user.id) {
        return Err(AppError::invalid(
            "authors",
            "Keep yourself among the authors, or ask an editor to hand the post over.",
        ));
    }
    let tags = state.store.post_tags(id).await?;
    let unchanged = post.content == edit.content
        && post.show_review == edit.show_review
        && authors.iter().map(|a| a.id).eq(edit.author_ids.iter().copied())
        && tags
            .iter()
            .map(|t| t.slug.as_str())
            .eq(edit.tags.iter().map(|t| t.slug.as_str()));
    if unchanged && post.version == version {
        return post_view(state, &post, &authors).await;
    }
    let saved = state
        .store
        .save_post(&SaveRequest {
            id,
            expected_version: version,
            editable: &editable_statuses(actor),
            edit: &edit,
            saved_by: user.id,
            kind: if manual {
                RevisionKind::Save
            } else {
                RevisionKind::Autosave
            },
            at: state.clock.now(),
        })
        .await?;
    let authors = state.store.post_authors(id).await?;
    post_view(state, &saved, &authors).await
}

/// Authors wait while their post is reviewed or live; saying why beats a
/// bare "not allowed".
pub(super) fn refuse_edit_unless_allowed(status: PostStatus, actor: Actor) -> Result<(), AppError> {
    if workflow::may_edit(status, actor) {
        return Ok(());
    }
    if actor.is_author && status != PostStatus::Trashed {
        return Err(AppError::Conflict {
            message: match status {
                PostStatus::InReview => "This post is waiting for review; withdraw it to edit.".into(),
                _ => "This post has been approved; ask an editor for changes.".into(),
            },
        });
    }
    if status == PostStatus::Trashed {
        return Err(AppError::Conflict {
            message: "This post is in the trash; restore it to edit.".into(),
        });
    }
    Err(AppError::Forbidden)
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

/// The post as the admin shows it.
pub(crate) async fn post_view(state: &AppState, post: &Post, authors: &[User]) -> Result<PostView, AppError> {
    let settings: SiteSettings = state.store.site_settings().await?;
    let tags = state.store.post_tags(post.id).await?;
    let reviewer = match post.reviewed_by {
        Some(id) => state.store.user_by_id(id).await?.map(|user| user.display_name),
        None => None,
    };
    let live = match post.live_revision_id {
        Some(live) => state.store.revision(post.id, live).await?,
        None => None,
    };
    let parent = match post.parent_id {
        Some(id) => state
            .store
            .post(id)
            .await?
            .map(|parent| (parent.id, parent.content.title)),
        None => None,
    };
    let is_live_status = matches!(post.status, PostStatus::Published | PostStatus::Scheduled);
    // A due date means something once an article's review stands: from
    // approval on.
    let due_at = post
        .review_due_at
        .filter(|_| post.kind.review_falls_due() && (matches!(post.status, PostStatus::Approved) || is_live_status));
    let (review_due, review_overdue) = super::cadence::due_view(due_at, &settings, state.clock.now());
    Ok(PostView {
        id: post.id,
        kind: post.kind,
        parent,
        fields: PostFields {
            content: post.content.clone(),
            show_review: post.show_review,
            tags: tags.iter().map(|tag| tag.name.as_str()).collect::<Vec<_>>().join(", "),
            author_ids: authors.iter().map(|author| author.id).collect(),
        },
        authors: authors.iter().map(person).collect(),
        status: post.status,
        version: post.version,
        updated_at: admin_time(post.updated_at, &settings),
        published_at: post.published_at.map(|at| admin_time(at, &settings)),
        publish_at: post.publish_at.map(|at| admin_time(at, &settings)),
        publish_in: post.publish_at.map(|at| super::relative_time(at - state.clock.now())),
        reviewed_by: reviewer,
        reviewed_at: post.reviewed_at.map(|at| admin_time(at, &settings)),
        review_due,
        review_due_on: due_at.map(|at| super::cadence::due_field(at, &settings)),
        review_overdue,
        pending_update: is_live_status && live.as_ref().is_some_and(|live| live.version != post.version),
        public_path: live
            .filter(|_| post.status == PostStatus::Published)
            .map(|live| post.kind.path(&live.content.slug)),
    })
}
