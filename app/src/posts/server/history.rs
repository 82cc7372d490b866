//! Revisions: the list, the difference between two, and restoring one as
//! a new revision.

use similar::{ChangeTag, TextDiff};

use super::editing::{post_view, refuse_edit_unless_allowed};
use super::{PostEdit, RawEdit, Revision, RevisionKind, SaveRequest, admin_time, post_for};
use crate::accounts::server::User;
use crate::error::AppError;
use crate::posts::api::{DiffLine, DiffView, PostView, RevisionView};
use crate::settings::SiteSettings;
use crate::state::app_state;

pub async fn revisions(user: User, id: i64) -> Result<Vec<RevisionView>, AppError> {
    let state = app_state()?;
    let (post, _, _) = post_for(&user, id).await?;
    let settings = state.store.site_settings().await?;
    let revisions = state.store.revisions(id).await?;
    Ok(revisions
        .iter()
        .map(|revision| revision_view(revision, post.live_revision_id, &settings))
        .collect())
}

pub async fn diff(user: User, id: i64, from: i64, to: i64) -> Result<DiffView, AppError> {
    let state = app_state()?;
    let (post, _, _) = post_for(&user, id).await?;
    let settings = state.store.site_settings().await?;
    let (Some(old), Some(new)) = (
        state.store.revision(id, from).await?,
        state.store.revision(id, to).await?,
    ) else {
        return Err(AppError::NotFound);
    };
    let fields = [
        ("Title", &old.title, &new.title),
        ("Address", &old.slug, &new.slug),
        ("Excerpt", &old.excerpt, &new.excerpt),
        ("Cover image", &old.cover_url, &new.cover_url),
        ("Cover alt text", &old.cover_alt, &new.cover_alt),
        ("SEO title", &old.seo_title, &new.seo_title),
        ("Meta description", &old.seo_description, &new.seo_description),
        ("Canonical URL", &old.canonical_url, &new.canonical_url),
    ]
    .into_iter()
    .filter(|(_, before, after)| before != after)
    .map(|(field, before, after)| (field.to_owned(), before.clone(), after.clone()))
    .collect();
    Ok(DiffView {
        from: revision_view(&old, post.live_revision_id, &settings),
        to: revision_view(&new, post.live_revision_id, &settings),
        fields,
        body: body_diff(&old.body, &new.body),
    })
}

/// Line by line, as `similar` sees it.
pub fn body_diff(old: &str, new: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| DiffLine {
            sign: match change.tag() {
                ChangeTag::Insert => '+',
                ChangeTag::Delete => '-',
                ChangeTag::Equal => ' ',
            },
            text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
        })
        .collect()
}

pub async fn restore(user: User, id: i64, revision_id: i64, version: i64) -> Result<PostView, AppError> {
    let state = app_state()?;
    let (post, authors, actor) = post_for(&user, id).await?;
    refuse_edit_unless_allowed(post.status, actor)?;
    let revision = state.store.revision(id, revision_id).await?.ok_or(AppError::NotFound)?;
    let tags = state.store.post_tags(id).await?;
    let tag_names = tags.iter().map(|tag| tag.name.as_str()).collect::<Vec<_>>().join(",");
    let author_ids: Vec<i64> = authors.iter().map(|author| author.id).collect();
    let edit = PostEdit::parse(&RawEdit {
        title: &revision.title,
        slug: &revision.slug,
        body: &revision.body,
        excerpt: &revision.excerpt,
        cover_url: &revision.cover_url,
        cover_alt: &revision.cover_alt,
        seo_title: &revision.seo_title,
        seo_description: &revision.seo_description,
        canonical_url: &revision.canonical_url,
        show_review: post.show_review,
        tags: &tag_names,
        author_ids: &author_ids,
    })?;
    let saved = state
        .store
        .save_post(&SaveRequest {
            id,
            expected_version: version,
            editable: &super::editable_statuses(actor),
            edit: &edit,
            saved_by: user.id,
            kind: RevisionKind::Restore,
            at: state.clock.now(),
        })
        .await?;
    post_view(&saved, &authors).await
}

fn revision_view(revision: &Revision, live: Option<i64>, settings: &SiteSettings) -> RevisionView {
    RevisionView {
        id: revision.id,
        version: revision.version,
        saved_by: revision.saved_by.clone(),
        kind: revision.kind.clone(),
        status: revision.status,
        at: admin_time(revision.updated_at, settings),
        live: live == Some(revision.id),
    }
}

#[cfg(test)]
mod tests {
    use super::body_diff;

    #[test]
    fn the_body_diff_marks_added_and_removed_lines() {
        let lines = body_diff("one\ntwo\nthree\n", "one\n2\nthree\n");
        let shown: Vec<String> = lines.iter().map(|line| format!("{}{}", line.sign, line.text)).collect();
        assert_eq!(shown, [" one", "-two", "+2", " three"]);
    }
}
