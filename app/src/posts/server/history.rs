//! Revisions: the list, the difference between two, and restoring one as
//! a new revision.

use similar::{ChangeTag, TextDiff};

use super::editing::{post_view, refuse_edit_unless_allowed};
use super::{PostEdit, Revision, RevisionKind, SaveRequest, admin_time, post_for};
use crate::accounts::server::Caller;
use crate::domain::PostFields;
use crate::error::AppError;
use crate::posts::api::{DiffLine, DiffView, PostView, RestoreRevision, RevisionDiff, RevisionView};
use crate::settings::SiteSettings;
use crate::state::AppState;

pub async fn revisions(state: &AppState, caller: &Caller, id: i64) -> Result<Vec<RevisionView>, AppError> {
    let (post, _, _) = post_for(state, &caller.user, id).await?;
    let settings = state.store.site_settings().await?;
    let revisions = state.store.revisions(id).await?;
    Ok(revisions
        .iter()
        .map(|revision| revision_view(revision, post.live_revision_id, &settings))
        .collect())
}

pub async fn diff(state: &AppState, caller: &Caller, request: &RevisionDiff) -> Result<DiffView, AppError> {
    let RevisionDiff { id, from, to } = *request;
    let (post, _, _) = post_for(state, &caller.user, id).await?;
    let settings = state.store.site_settings().await?;
    let (Some(old), Some(new)) = (
        state.store.revision(id, from).await?,
        state.store.revision(id, to).await?,
    ) else {
        return Err(AppError::NotFound);
    };
    let fields = old
        .content
        .labelled_fields()
        .into_iter()
        .zip(new.content.labelled_fields())
        .filter(|((_, before), (_, after))| before != after)
        .map(|((field, before), (_, after))| (field.to_owned(), before.to_owned(), after.to_owned()))
        .collect();
    Ok(DiffView {
        from: revision_view(&old, post.live_revision_id, &settings),
        to: revision_view(&new, post.live_revision_id, &settings),
        fields,
        body: body_diff(&old.content.body, &new.content.body),
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

pub async fn restore(state: &AppState, caller: &Caller, request: &RestoreRevision) -> Result<PostView, AppError> {
    let RestoreRevision {
        id,
        revision: revision_id,
        version,
    } = *request;
    let (post, authors, actor) = post_for(state, &caller.user, id).await?;
    refuse_edit_unless_allowed(post.status, actor)?;
    let revision = state.store.revision(id, revision_id).await?.ok_or(AppError::NotFound)?;
    let tags = state.store.post_tags(id).await?;
    let edit = PostEdit::parse_as(
        post.kind,
        &PostFields {
            content: revision.content,
            show_review: post.show_review,
            tags: tags.iter().map(|tag| tag.name.as_str()).collect::<Vec<_>>().join(","),
            author_ids: authors.iter().map(|author| author.id).collect(),
        },
    )?;
    let saved = state
        .store
        .save_post(&SaveRequest {
            id,
            expected_version: version,
            editable: &super::editable_statuses(actor),
            edit: &edit,
            saved_by: caller.user.id,
            kind: RevisionKind::Restore,
            at: state.clock.now(),
        })
        .await?;
    post_view(state, &saved, &authors).await
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
