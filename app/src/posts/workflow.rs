//! The editorial workflow: draft → in review → (changes requested → in
//! review …) → approved → published or scheduled; published → unpublished
//! (back to draft); anything → trash, and back.
//!
//! Pure logic, shared by the server (which enforces it, and repeats the
//! status condition in its SQL) and the admin (which shows only the
//! buttons that can work).

use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::domain::PostKind;
pub use crate::domain::PostStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Submit,
    Withdraw,
    /// Needs a comment; the server checks that.
    RequestChanges,
    Approve,
    PublishNow,
    Schedule,
    Unschedule,
    Unpublish,
    Trash,
    /// Back to draft: nothing goes live again without a new sign-off.
    Restore,
}

impl Transition {
    pub const ALL: [Transition; 10] = [
        Self::Submit,
        Self::Withdraw,
        Self::RequestChanges,
        Self::Approve,
        Self::PublishNow,
        Self::Schedule,
        Self::Unschedule,
        Self::Unpublish,
        Self::Trash,
        Self::Restore,
    ];
}

/// Who is acting on a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    /// One of the post's authors.
    pub is_author: bool,
}

/// Why a transition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The post is not in a status this transition starts from.
    WrongStatus,
    /// The status fits, but this caller may not do it.
    NotAllowed,
}

/// The status after `transition`, if `actor` may make it now, on a post
/// of `kind`. `review_required` is the site setting: when off, authors
/// may publish and schedule their own articles. Never their pages: a page
/// is one of the site's own addresses (`/privacy`, `/contact`), so an
/// editor or admin publishes it whatever the setting; authors still
/// write page drafts and submit them.
pub fn apply(
    status: PostStatus,
    transition: Transition,
    actor: Actor,
    kind: PostKind,
    review_required: bool,
) -> Result<PostStatus, Refusal> {
    use PostStatus as S;
    use Transition as T;

    let review_required = review_required || kind == PostKind::Page;
    let (next, allowed_from) = match transition {
        T::Submit => (S::InReview, &[S::Draft, S::ChangesRequested][..]),
        T::Withdraw => (S::Draft, &[S::InReview][..]),
        T::RequestChanges => (S::ChangesRequested, &[S::InReview][..]),
        T::Approve => (S::Approved, &[S::InReview][..]),
        T::PublishNow => (S::Published, publishable_from(actor, review_required)),
        T::Schedule => (S::Scheduled, publishable_from(actor, review_required)),
        T::Unschedule => (S::Approved, &[S::Scheduled][..]),
        T::Unpublish => (S::Draft, &[S::Published][..]),
        T::Trash => (
            S::Trashed,
            &[
                S::Draft,
                S::InReview,
                S::ChangesRequested,
                S::Approved,
                S::Scheduled,
                S::Published,
            ][..],
        ),
        T::Restore => (S::Draft, &[S::Trashed][..]),
    };
    // A step this caller may never take is "not allowed", whatever the
    // status; one they could take from another status is "wrong status".
    if !allowed_from
        .iter()
        .any(|from| may(*from, transition, actor, review_required))
    {
        return Err(Refusal::NotAllowed);
    }
    if !allowed_from.contains(&status) {
        return Err(Refusal::WrongStatus);
    }
    if may(status, transition, actor, review_required) {
        Ok(next)
    } else {
        Err(Refusal::NotAllowed)
    }
}

/// Editors publish approved (or scheduled) posts. Without required review,
/// an author publishes their own post from draft too.
fn publishable_from(actor: Actor, review_required: bool) -> &'static [PostStatus] {
    use PostStatus as S;
    if actor.role >= Role::Editor {
        &[S::Approved, S::Scheduled]
    } else if !review_required {
        &[S::Draft, S::ChangesRequested, S::Approved]
    } else {
        &[S::Approved]
    }
}

fn may(status: PostStatus, transition: Transition, actor: Actor, review_required: bool) -> bool {
    use Transition as T;
    let reviewer = actor.role >= Role::Editor;
    match transition {
        T::Submit | T::Withdraw => reviewer || actor.is_author,
        T::RequestChanges | T::Approve | T::Unschedule | T::Unpublish => reviewer,
        T::PublishNow | T::Schedule => reviewer || (actor.is_author && !review_required),
        // Authors may bin their own unpublished work; live content is the
        // editors' call.
        T::Trash => reviewer || (actor.is_author && matches!(status, PostStatus::Draft | PostStatus::ChangesRequested)),
        T::Restore => reviewer || actor.is_author,
    }
}

/// Whether `actor` may change the post's text in this status. Authors edit
/// their own drafts and posts sent back to them; editors and admins edit
/// any post that is not in the trash (a published post's edit becomes a
/// pending update, not a live change).
pub fn may_edit(status: PostStatus, actor: Actor) -> bool {
    match status {
        PostStatus::Trashed => false,
        PostStatus::Draft | PostStatus::ChangesRequested => actor.role >= Role::Editor || actor.is_author,
        _ => actor.role >= Role::Editor,
    }
}

/// Editors and admins publish a published post's pending update; the
/// editor page asks again after each save, since a save can start one.
pub fn may_publish_update(pending_update: bool, role: Role) -> bool {
    pending_update && role >= Role::Editor
}

/// Whether `actor` may re-review a post now: confirm that its live text
/// is still correct, or send it back to its authors while it stays
/// public. Reviewers only (never an author, even of their own post), and
/// only a published post: the text confirmed is the one readers see.
pub fn may_re_review(status: PostStatus, actor: Actor) -> Result<(), Refusal> {
    if actor.role < Role::Editor {
        Err(Refusal::NotAllowed)
    } else if status != PostStatus::Published {
        Err(Refusal::WrongStatus)
    } else {
        Ok(())
    }
}

/// Whether `actor` may choose when a post's next review is due: reviewers
/// only, and only once the post's review stands (approved, scheduled or
/// published; the store also checks that there is a review).
pub fn may_date_next_review(status: PostStatus, actor: Actor) -> Result<(), Refusal> {
    if actor.role < Role::Editor {
        Err(Refusal::NotAllowed)
    } else if !matches!(
        status,
        PostStatus::Approved | PostStatus::Scheduled | PostStatus::Published
    ) {
        Err(Refusal::WrongStatus)
    } else {
        Ok(())
    }
}

/// Only admins empty the trash.
pub fn may_empty_trash(role: Role) -> bool {
    role == Role::Admin
}

#[cfg(test)]
mod tests {
    use super::*;
    use PostStatus as S;
    use Transition as T;

    const OWN_AUTHOR: Actor = Actor {
        role: Role::Author,
        is_author: true,
    };
    const OTHER_AUTHOR: Actor = Actor {
        role: Role::Author,
        is_author: false,
    };
    const EDITOR: Actor = Actor {
        role: Role::Editor,
        is_author: false,
    };
    const ADMIN: Actor = Actor {
        role: Role::Admin,
        is_author: false,
    };
    const ACTORS: [(&str, Actor); 4] = [
        ("own author", OWN_AUTHOR),
        ("other author", OTHER_AUTHOR),
        ("editor", EDITOR),
        ("admin", ADMIN),
    ];

    /// Every allowed move, written out by hand: (from, transition, to, who,
    /// only when review is off). Everything not listed must be refused.
    fn allowed() -> Vec<(PostStatus, Transition, PostStatus, &'static [&'static str], bool)> {
        const ALL_BUT_OTHER: &[&str] = &["own author", "editor", "admin"];
        const REVIEWERS: &[&str] = &["editor", "admin"];
        const AUTHOR: &[&str] = &["own author"];
        vec![
            (S::Draft, T::Submit, S::InReview, ALL_BUT_OTHER, false),
            (S::ChangesRequested, T::Submit, S::InReview, ALL_BUT_OTHER, false),
            (S::InReview, T::Withdraw, S::Draft, ALL_BUT_OTHER, false),
            (S::InReview, T::RequestChanges, S::ChangesRequested, REVIEWERS, false),
            (S::InReview, T::Approve, S::Approved, REVIEWERS, false),
            (S::Approved, T::PublishNow, S::Published, REVIEWERS, false),
            (S::Scheduled, T::PublishNow, S::Published, REVIEWERS, false),
            (S::Approved, T::Schedule, S::Scheduled, REVIEWERS, false),
            (S::Scheduled, T::Schedule, S::Scheduled, REVIEWERS, false),
            (S::Scheduled, T::Unschedule, S::Approved, REVIEWERS, false),
            (S::Published, T::Unpublish, S::Draft, REVIEWERS, false),
            (S::Draft, T::Trash, S::Trashed, ALL_BUT_OTHER, false),
            (S::ChangesRequested, T::Trash, S::Trashed, ALL_BUT_OTHER, false),
            (S::InReview, T::Trash, S::Trashed, REVIEWERS, false),
            (S::Approved, T::Trash, S::Trashed, REVIEWERS, false),
            (S::Scheduled, T::Trash, S::Trashed, REVIEWERS, false),
            (S::Published, T::Trash, S::Trashed, REVIEWERS, false),
            (S::Trashed, T::Restore, S::Draft, ALL_BUT_OTHER, false),
            // With review switched off, authors publish their own work.
            (S::Draft, T::PublishNow, S::Published, AUTHOR, true),
            (S::ChangesRequested, T::PublishNow, S::Published, AUTHOR, true),
            (S::Approved, T::PublishNow, S::Published, AUTHOR, true),
            (S::Draft, T::Schedule, S::Scheduled, AUTHOR, true),
            (S::ChangesRequested, T::Schedule, S::Scheduled, AUTHOR, true),
            (S::Approved, T::Schedule, S::Scheduled, AUTHOR, true),
        ]
    }

    #[test]
    fn every_transition_for_every_role_matches_the_table() {
        let table = allowed();
        for (kind, review_required) in PostKind::ALL.into_iter().flat_map(|kind| [(kind, true), (kind, false)]) {
            // Only articles skip the review when it is off.
            let without_review = !review_required && kind == PostKind::Post;
            for status in PostStatus::ALL {
                for transition in Transition::ALL {
                    for (who, actor) in ACTORS {
                        let expected = table.iter().find(|(from, t, _, actors, only_without_review)| {
                            *from == status
                                && *t == transition
                                && actors.contains(&who)
                                && (!only_without_review || without_review)
                        });
                        let got = apply(status, transition, actor, kind, review_required);
                        let case = format!("{kind:?} from {status:?} (review required: {review_required})");
                        match expected {
                            Some((_, _, to, _, _)) => assert_eq!(got, Ok(*to), "{who} {transition:?} a {case}"),
                            None => assert!(got.is_err(), "{who} must not {transition:?} a {case}, got {got:?}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn authors_never_publish_a_page_but_submit_it() {
        // With review off, an author publishes their own article, never
        // their page.
        for (transition, to) in [(T::PublishNow, S::Published), (T::Schedule, S::Scheduled)] {
            assert_eq!(apply(S::Draft, transition, OWN_AUTHOR, PostKind::Post, false), Ok(to));
            assert_eq!(
                apply(S::Draft, transition, OWN_AUTHOR, PostKind::Page, false),
                Err(Refusal::NotAllowed)
            );
        }
        assert_eq!(
            apply(S::Draft, T::Submit, OWN_AUTHOR, PostKind::Page, false),
            Ok(S::InReview)
        );
        assert_eq!(
            apply(S::Approved, T::PublishNow, EDITOR, PostKind::Page, false),
            Ok(S::Published)
        );
    }

    #[test]
    fn refusals_say_whether_the_status_or_the_caller_is_wrong() {
        assert_eq!(
            apply(S::Published, T::Submit, EDITOR, PostKind::Post, true),
            Err(Refusal::WrongStatus)
        );
        assert_eq!(
            apply(S::Draft, T::PublishNow, OWN_AUTHOR, PostKind::Post, true),
            Err(Refusal::NotAllowed),
            "with review required, authors never publish"
        );
        assert_eq!(
            apply(S::InReview, T::Approve, OWN_AUTHOR, PostKind::Post, true),
            Err(Refusal::NotAllowed)
        );
    }

    #[test]
    fn reviewers_re_review_published_posts_only() {
        for status in PostStatus::ALL {
            for (who, actor) in ACTORS {
                let got = may_re_review(status, actor);
                let expected = match (actor.role >= Role::Editor, status == S::Published) {
                    (false, _) => Err(Refusal::NotAllowed),
                    (true, false) => Err(Refusal::WrongStatus),
                    (true, true) => Ok(()),
                };
                assert_eq!(got, expected, "{who} re-reviewing a {status:?} post");
            }
        }
        assert_eq!(may_date_next_review(S::Approved, EDITOR), Ok(()));
        assert_eq!(may_date_next_review(S::Published, OWN_AUTHOR), Err(Refusal::NotAllowed));
        assert_eq!(may_date_next_review(S::Draft, ADMIN), Err(Refusal::WrongStatus));
    }

    #[test]
    fn who_may_edit_the_text() {
        assert!(may_edit(S::Draft, OWN_AUTHOR));
        assert!(may_edit(S::ChangesRequested, OWN_AUTHOR));
        assert!(!may_edit(S::InReview, OWN_AUTHOR), "authors wait for the review");
        assert!(!may_edit(S::Published, OWN_AUTHOR));
        assert!(!may_edit(S::Draft, OTHER_AUTHOR));
        for status in [S::Draft, S::InReview, S::Approved, S::Scheduled, S::Published] {
            assert!(may_edit(status, EDITOR), "{status:?}");
        }
        assert!(!may_edit(S::Trashed, ADMIN));
        assert!(may_empty_trash(Role::Admin) && !may_empty_trash(Role::Editor));
    }
}
