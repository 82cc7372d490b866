//! `SiteExport::check`: what `vellum import vellum` refuses before it
//! writes anything. The file is data from outside like any form: the
//! settings and emails go through the app's own parsers, every slug,
//! address and name is checked for what keeps the site safe (a slug such
//! as `../../x` would otherwise reach the file names of a later export),
//! and every reference must point inside the file.

use super::{ExportMedia, ExportPost, ExportTag, ExportUser, FORMAT, SiteExport};
use crate::content::is_media_key;
use crate::domain::PostContent;
use crate::domain::PostStatus;
use crate::error::{AppError, FieldErrors};
use crate::input::people::Email;
use crate::input::post::{MAX_BODY_BYTES, Slug};
use crate::input::refuse_control;
use crate::input::site::SettingsUpdate;

/// Image types a library item may have.
const MEDIA_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/gif"];

/// "title: …; slug: …" from a parser's per-field problems.
fn fields_in_words(fields: &FieldErrors) -> String {
    fields
        .iter()
        .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
        .collect::<Vec<_>>()
        .join("; ")
}

fn in_words(error: AppError) -> String {
    match error {
        AppError::Validation { fields } => fields_in_words(&fields),
        other => other.to_string(),
    }
}

/// An old address readers may still use: a site path, nothing that
/// climbs out of it.
fn check_old_path(path: &str) -> Result<(), String> {
    let fine = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2000
        && !path.contains(char::is_whitespace)
        && !path.contains(char::is_control)
        && !path.split(['/', '\\']).any(|segment| segment == "..");
    if fine {
        Ok(())
    } else {
        Err(format!("the old address \"{path}\" is not a path on this site"))
    }
}

impl SiteExport {
    /// What the file holds that the app would refuse, in words, before
    /// anything is written: its format, settings, people, tags, posts,
    /// media, statuses, roles and references.
    pub fn check(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!(
                "this is a \"{}\" file; this Vellum reads \"{FORMAT}\"",
                self.format
            ));
        }
        SettingsUpdate::parse(&self.settings).map_err(|error| format!("the site settings: {}", in_words(error)))?;
        crate::input::clinic::ClinicUpdate::parse(&self.clinic)
            .map_err(|error| format!("the clinic's details: {}", in_words(error)))?;
        crate::input::menu::MenuUpdate::parse(&self.menus)
            .map_err(|error| format!("the menus: {}", in_words(error)))?;
        self.users.iter().try_for_each(check_user)?;
        self.tags.iter().try_for_each(check_tag)?;
        self.posts.iter().try_for_each(check_post)?;
        self.media.iter().try_for_each(check_media)?;
        for source in &self.import_sources {
            refuse_control(&source.source, false, "an import source")
                .and_then(|()| refuse_control(&source.external_id, false, "an import source's id"))
                .map_err(|message| format!("import source {}: {message}", source.local_id))?;
        }
        self.check_references()
    }

    /// Statuses, roles, and every reference between the file's parts.
    fn check_references(&self) -> Result<(), String> {
        let user_ids: std::collections::HashSet<i64> = self.users.iter().map(|user| user.id).collect();
        let tag_ids: std::collections::HashSet<i64> = self.tags.iter().map(|tag| tag.id).collect();
        for user in &self.users {
            if crate::domain::Role::parse(&user.role).is_err() {
                return Err(format!("user {} has the unknown role \"{}\"", user.id, user.role));
            }
        }
        for post in &self.posts {
            let at = |what: String| format!("post {} (\"{}\"): {what}", post.id, post.content.title);
            let status =
                |raw: &str| PostStatus::try_from(raw.to_owned()).map_err(|_| at(format!("unknown status \"{raw}\"")));
            status(&post.status)?;
            for revision in &post.revisions {
                status(&revision.status)?;
                if !user_ids.contains(&revision.saved_by_id) {
                    return Err(at(format!(
                        "revision {} names unknown user {}",
                        revision.id, revision.saved_by_id
                    )));
                }
            }
            let people = post
                .authors
                .iter()
                .chain(&post.reviewed_by)
                .chain(post.comments.iter().map(|c| &c.author_id));
            if let Some(unknown) = people.into_iter().find(|id| !user_ids.contains(id)) {
                return Err(at(format!("names unknown user {unknown}")));
            }
            if let Some(unknown) = post.tag_ids.iter().find(|id| !tag_ids.contains(id)) {
                return Err(at(format!("names unknown tag {unknown}")));
            }
            if let Some(live) = post.live_revision_id
                && !post.revisions.iter().any(|revision| revision.id == live)
            {
                return Err(at(format!("its live revision {live} is not among its revisions")));
            }
            if let Some(parent) = post.parent_id {
                let is_page = |id: i64| {
                    self.posts
                        .iter()
                        .any(|other| other.id == id && other.kind == crate::domain::PostKind::Page)
                };
                if post.kind != crate::domain::PostKind::Page || parent == post.id || !is_page(parent) {
                    return Err(at(format!("its parent {parent} is not another page of the file")));
                }
            }
        }
        Ok(())
    }
}

/// Safe as a path segment and a file name: lower-case letters, digits and
/// single hyphens. Longer than the editor allows is fine (an import may
/// have added `-2` to a long slug); nothing else is.
fn check_slug(slug: &str, what: &str) -> Result<(), String> {
    let fine = !slug.is_empty()
        && slug.len() <= 200
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    // Double hyphens are allowed: earlier versions made them from words
    // without Latin letters, and they are still safe.
    if fine {
        Ok(())
    } else {
        Err(format!(
            "{what} \"{slug}\" is not a slug (lower-case letters, digits, hyphens)"
        ))
    }
}

/// What this file must hold for the site to stay safe: names and texts
/// without control characters (they break feeds), slugs and addresses that
/// stay on their paths. Lengths are the editor's business: imports from
/// WordPress and Ghost keep longer tag names, titles and descriptions, and
/// an export of such a site must come back.
fn check_text(text: &str, multi_line: bool, what: &str) -> Result<(), String> {
    refuse_control(text, multi_line, what)
}

fn check_user(user: &ExportUser) -> Result<(), String> {
    let at = |what: String| format!("user {} ({}): {what}", user.id, user.email);
    match Email::parse(&user.email) {
        Ok(email) if email.as_str() == user.email => {}
        _ => return Err(at("the email is not an address in lower case".into())),
    }
    if user.display_name.trim().is_empty() {
        return Err(at("the name is empty".into()));
    }
    check_text(&user.display_name, false, "the name").map_err(&at)?;
    check_text(&user.credentials, false, "the credentials").map_err(&at)?;
    check_text(&user.bio, true, "the biography").map_err(&at)?;
    check_address(&user.avatar_url, "the avatar").map_err(&at)?;
    check_slug(&user.slug, "the address name").map_err(at)
}

fn check_tag(tag: &ExportTag) -> Result<(), String> {
    let at = |what: String| format!("tag {} (\"{}\"): {what}", tag.id, tag.name);
    if tag.name.trim().is_empty() {
        return Err(at("the name is empty".into()));
    }
    check_text(&tag.name, false, "the name").map_err(&at)?;
    check_text(&tag.description, true, "the description").map_err(&at)?;
    check_slug(&tag.slug, "the slug").map_err(at)
}

/// An address readers' browsers may follow or load: none of the schemes
/// that run code or carry a document (`javascript:`, `data:`, …). Other
/// values stay as an import left them (Ghost's `__GHOST_URL__/…`, paths).
fn check_address(raw: &str, what: &str) -> Result<(), String> {
    let address = raw.trim();
    if address.chars().any(char::is_control) {
        return Err(format!("{what} has control characters"));
    }
    match url::Url::parse(address) {
        Ok(url) if !matches!(url.scheme(), "http" | "https") => {
            Err(format!("{what} \"{address}\" is not an http(s) address or a path"))
        }
        _ => Ok(()),
    }
}

/// A post's text as stored, in the working copy or a revision (public
/// pages read the live revision).
fn check_content(content: &PostContent) -> Result<(), String> {
    if content.title.trim().is_empty() {
        return Err("the title is empty".into());
    }
    check_text(&content.title, false, "the title")?;
    for (text, what) in [
        (&content.excerpt, "the excerpt"),
        (&content.cover_alt, "the cover's alt text"),
        (&content.seo_title, "the SEO title"),
        (&content.seo_description, "the meta description"),
    ] {
        check_text(text, true, what)?;
    }
    check_address(&content.cover_url, "cover_url")?;
    check_address(&content.canonical_url, "canonical_url")?;
    if content.body.len() > MAX_BODY_BYTES {
        return Err("the text is longer than 2 MB".into());
    }
    check_slug(&content.slug, "the slug")?;
    if Slug::is_reserved(&content.slug) {
        return Err(format!("\"{}\" is used by the site itself", content.slug));
    }
    Ok(())
}

fn check_post(post: &ExportPost) -> Result<(), String> {
    let at = |what: String| format!("post {} (\"{}\"): {what}", post.id, post.content.title);
    check_content(&post.content).map_err(&at)?;
    if post.kind == crate::domain::PostKind::Page {
        check_page(post).map_err(&at)?;
    }
    for revision in &post.revisions {
        check_content(&revision.content).map_err(|what| at(format!("revision {}: {what}", revision.id)))?;
    }
    for slug in &post.old_slugs {
        check_slug(slug, "the old slug").map_err(&at)?;
    }
    post.old_paths
        .iter()
        .try_for_each(|path| check_old_path(path))
        .map_err(&at)?;
    post.comments
        .iter()
        .try_for_each(|comment| refuse_control(&comment.body, true, "a comment"))
        .map_err(at)
}

/// A page has no tags, and neither its working slug nor the one readers
/// see (its live revision's) may be one of the site's own addresses.
fn check_page(post: &ExportPost) -> Result<(), String> {
    let live = post
        .revisions
        .iter()
        .filter(|revision| Some(revision.id) == post.live_revision_id)
        .map(|revision| &revision.content.slug);
    if let Some(slug) = std::iter::once(&post.content.slug)
        .chain(live)
        .find(|slug| Slug::is_route(slug))
    {
        return Err(format!("a page at /{slug} would hide the site's own address"));
    }
    if !post.tag_ids.is_empty() {
        return Err(format!(
            "a page has no tags, and this one names {} (only articles are tagged)",
            post.tag_ids.len()
        ));
    }
    Ok(())
}

fn check_media(item: &ExportMedia) -> Result<(), String> {
    let at = |what: String| format!("media item {}: {what}", item.id);
    let keys = std::iter::once(&item.original_key).chain(item.variants.iter().map(|variant| &variant.key));
    if let Some(key) = keys.into_iter().find(|key| !is_media_key(key)) {
        return Err(at(format!("names the file \"{key}\", which is not a media key")));
    }
    let name = &item.file_name;
    if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\']) || name.contains(char::is_control) {
        return Err(at(format!("\"{name}\" is not a file name")));
    }
    if !MEDIA_TYPES.contains(&item.content_type.as_str()) {
        return Err(at(format!(
            "the type \"{}\" is not an image type Vellum keeps",
            item.content_type
        )));
    }
    if item.alt.chars().count() > 500 {
        return Err(at("the alt text is longer than 500 characters".into()));
    }
    refuse_control(&item.alt, false, "the alt text").map_err(at)
}
