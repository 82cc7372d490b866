//! SQL that reads the same on SQLite and PostgreSQL (`$1` placeholders,
//! `RETURNING`, `TRUE`). Backend-specific statements stay in their backend.

pub const SETTINGS_COLUMNS: &str = "title, description, site_url, time_zone, date_format, review_required, \
     logo_url, accent_color, cta_heading, cta_text, cta_label, cta_url, content_key, reading_grade_target, language, \
     review_interval_months, lapsed_review_display";

pub const USER_COLUMNS: &str = "id, email, display_name, slug, bio, avatar_url, credentials, role, active, \
     password_hash, session_epoch, created_at, last_sign_in_at";

pub fn select_user_where(condition: &str) -> String {
    format!("SELECT {USER_COLUMNS} FROM users WHERE {condition}")
}

pub fn insert_user() -> String {
    format!(
        "INSERT INTO users (email, display_name, slug, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {USER_COLUMNS}"
    )
}

/// An update of one user that also ends all their sessions.
pub fn update_user_ending_sessions(set: &str, condition: &str) -> String {
    format!("UPDATE users SET {set}, session_epoch = session_epoch + 1 WHERE {condition} RETURNING {USER_COLUMNS}")
}

pub fn update_profile() -> String {
    format!(
        "UPDATE users SET display_name = $2, bio = $3, avatar_url = $4, credentials = $5 \
         WHERE id = $1 RETURNING {USER_COLUMNS}"
    )
}

pub const TAKEN_SLUGS: &str = "SELECT slug FROM users WHERE slug = $1 OR slug LIKE $2";

pub const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, actor_id, action, target_user_id, address, detail) \
     VALUES ($1, $2, $3, $4, $5, $6)";

pub const LIST_AUDIT: &str = "SELECT a.id, a.at, actor.display_name AS actor, a.action, \
     target.display_name AS target, a.address, a.detail \
     FROM audit_log a \
     LEFT JOIN users actor ON actor.id = a.actor_id \
     LEFT JOIN users target ON target.id = a.target_user_id \
     WHERE ($1 IS NULL OR a.actor_id = $1 OR a.target_user_id = $1) AND ($2 IS NULL OR a.action = $2) \
     ORDER BY a.at DESC, a.id DESC LIMIT $3";

pub const FAILURES_FOR_PAIR: &str =
    "SELECT count(*), min(failed_at) FROM login_failures WHERE email = $1 AND address = $2 AND failed_at > $3";
pub const FAILURES_FOR_ADDRESS: &str =
    "SELECT count(*), min(failed_at) FROM login_failures WHERE address = $1 AND failed_at > $2";
pub const INSERT_FAILURE: &str =
    "INSERT INTO login_failures (email, address, failed_at) VALUES ($1, $2, $3) RETURNING id";
pub const CLEAR_FAILURES: &str = "DELETE FROM login_failures WHERE email = $1 AND address = $2";

pub const INSERT_PASSWORD_TOKEN: &str =
    "INSERT INTO password_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)";
pub const TAKE_PASSWORD_TOKEN: &str =
    "DELETE FROM password_tokens WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id";

/// The first free slug among `base`, `base-2`, `base-3`, …
pub fn first_free_slug(base: &str, taken: &[String]) -> String {
    if !taken.iter().any(|slug| slug == base) {
        return base.to_owned();
    }
    (2_u32..)
        .map(|n| {
            // A slug has at most 100 characters: a long one gives up its
            // end for the number.
            let suffix = format!("-{n}");
            let keep = 100 - suffix.len();
            let stem = base.char_indices().nth(keep).map_or(base, |(at, _)| &base[..at]);
            format!("{}{suffix}", stem.trim_end_matches('-'))
        })
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::first_free_slug;

    #[test]
    fn a_numbered_slug_stays_within_100_characters() {
        let long = "a".repeat(100);
        let numbered = first_free_slug(&long, std::slice::from_ref(&long));
        assert_eq!(numbered, format!("{}-2", "a".repeat(98)));
    }

    #[test]
    fn slugs_get_the_first_free_number() {
        assert_eq!(first_free_slug("ana", &[]), "ana");
        assert_eq!(first_free_slug("ana", &["ana".into()]), "ana-2");
        assert_eq!(
            first_free_slug("ana", &["ana".into(), "ana-2".into(), "ana-bell".into()]),
            "ana-3"
        );
    }
}

pub const POST_COLUMNS: &str = "id, title, slug, body, excerpt, cover_url, cover_alt, seo_title, seo_description, \
     canonical_url, show_review, status, version, created_at, updated_at, published_at, publish_at, trashed_at, \
     reviewed_by, reviewed_at, reviewed_version, live_revision_id, review_due_at, kind, parent_id";

/// Copies the post's current text into a new revision ($1 post, $2 who,
/// $3 kind, $4 when).
pub const INSERT_REVISION_FROM_POST: &str = "INSERT INTO post_revisions (post_id, saved_by, kind, created_at, \
     updated_at, version, status, title, slug, body, excerpt, cover_url, cover_alt, seo_title, seo_description, \
     canonical_url) SELECT id, $2, $3, $4, $4, version, status, title, slug, body, excerpt, cover_url, cover_alt, \
     seo_title, seo_description, canonical_url FROM posts WHERE id = $1 RETURNING id";

/// The SET clause that copies the post's ($1) current text into a revision.
pub const REVISION_CONTENT_FROM_POST: &str = "(version, status, title, slug, body, excerpt, cover_url, cover_alt, \
     seo_title, seo_description, canonical_url) = (SELECT version, status, title, slug, body, excerpt, cover_url, \
     cover_alt, seo_title, seo_description, canonical_url FROM posts WHERE id = $1)";

pub const SELECT_REVISIONS: &str = "SELECT r.id, r.post_id, r.version, u.display_name AS saved_by, r.saved_by AS saved_by_id, r.kind, \
     r.status, r.title, r.slug, r.body, r.excerpt, r.cover_url, r.cover_alt, r.seo_title, r.seo_description, \
     r.canonical_url, r.created_at, r.updated_at FROM post_revisions r JOIN users u ON u.id = r.saved_by";

/// Posts for the admin lists. $1 status, $2 author id, $3 tag slug, $4 a
/// LIKE pattern for the title, $5 the author whose posts alone are
/// visible; '' and 0 mean any. $8, when not null: published articles
/// whose next review is due by then, of those whose review stands (the
/// rule of `review_stands`, with `r` the live revision already joined).
/// $9 the kind ('post' or 'page'; '' for both). The trash shows only when
/// asked for.
pub const LIST_POSTS: &str = "SELECT p.id, p.title, p.slug, p.status, p.updated_at, p.publish_at, r.slug AS live_slug, \
     r.title AS live_title, p.review_due_at, p.kind, \
     (SELECT c.body FROM post_comments c WHERE c.post_id = p.id AND c.kind = 'changes_requested' \
      ORDER BY c.id DESC LIMIT 1) AS latest_request \
     FROM posts p LEFT JOIN post_revisions r ON r.id = p.live_revision_id \
     WHERE ($1 = '' OR p.status = $1) AND (p.status <> 'trashed' OR $1 = 'trashed') \
     AND ($2 = 0 OR EXISTS (SELECT 1 FROM post_authors a WHERE a.post_id = p.id AND a.user_id = $2)) \
     AND ($3 = '' OR EXISTS (SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id \
          WHERE pt.post_id = p.id AND t.slug = $3)) \
     AND ($4 = '' OR lower(CASE WHEN $7 THEN COALESCE(r.title, p.title) ELSE p.title END) LIKE $4 ESCAPE '\\') \
     AND ($5 = 0 OR EXISTS (SELECT 1 FROM post_authors a WHERE a.post_id = p.id AND a.user_id = $5)) \
     AND ($8 IS NULL OR (p.status = 'published' AND p.kind = 'post' AND p.reviewed_version = r.version \
          AND p.review_due_at <= $8)) \
     AND ($9 = '' OR p.kind = $9)";

/// An article whose live text is the version its reviewer approved: the
/// review readers are told of (`PublicPost::shown_review` asks the same),
/// so the only one whose due date means anything. An update published
/// without a new approval, or a page, has none to fall due. `post` is the
/// posts table's name or alias in the query.
pub fn review_stands(post: &str) -> String {
    format!(
        "({post}.kind = 'post' AND {post}.reviewed_version = \
         (SELECT lr.version FROM post_revisions lr WHERE lr.id = {post}.live_revision_id))"
    )
}

/// The stored render of revision `revision` (its alias in the query),
/// selected as `rendered` only when this renderer made it: a render of
/// another version reads as none, and the text is rendered afresh.
pub fn stored_render(revision: &str) -> String {
    format!(
        "CASE WHEN {revision}.render_version = {} THEN {revision}.rendered END AS rendered",
        crate::content::render::RENDER_VERSION
    )
}

/// What readers may see, at the time bound to `$2`: published posts, and
/// scheduled ones whose time has come (whether or not the scheduler has
/// run yet). Every public query of articles uses it; pages are never
/// among them. `p` is the post.
pub fn public_at(now: &str) -> String {
    format!("(p.kind = 'post' AND {})", live_at(now))
}

/// The pages readers may see at `now` (`/{slug}`): the same rule as
/// posts', for the other kind.
pub fn public_page_at(now: &str) -> String {
    format!("(p.kind = 'page' AND {})", live_at(now))
}

/// Published, or scheduled and due, whatever the kind.
fn live_at(now: &str) -> String {
    format!("(p.status = 'published' OR (p.status = 'scheduled' AND p.publish_at <= {now}))")
}

/// PostgreSQL text cannot hold NUL (it refuses the query), and no stored
/// slug or name contains one: a lookup by such a value finds nothing.
pub fn cannot_match(text: &str) -> bool {
    text.contains('\0')
}

/// `$start, $start+1, …`: `count` numbered placeholders.
pub fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Binds a post's text (`PostContent`) as the next nine parameters, in the
/// order the columns are named everywhere: title, slug, body, excerpt,
/// cover_url, cover_alt, seo_title, seo_description, canonical_url. A
/// macro because sqlx's `Query` and `QueryAs` share no `bind` trait.
macro_rules! bind_content {
    ($query:expr, $content:expr) => {{
        let content: &$crate::domain::PostContent = $content;
        $query
            .bind(content.title.as_str())
            .bind(content.slug.as_str())
            .bind(content.body.as_str())
            .bind(content.excerpt.as_str())
            .bind(content.cover_url.as_str())
            .bind(content.cover_alt.as_str())
            .bind(content.seo_title.as_str())
            .bind(content.seo_description.as_str())
            .bind(content.canonical_url.as_str())
    }};
}
pub(super) use bind_content;
