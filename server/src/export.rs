//! `vellum export DIR`: the whole site in open formats, to keep or to take
//! elsewhere. `site.json` holds everything as data (every post with every
//! revision and comment, users without password hashes, tags, settings,
//! media metadata); `posts/<slug>.md` holds each post's current text with
//! YAML front matter; `media/` holds the image files.

use std::path::Path;

use anyhow::{Context, bail};
use app::posts::server::{ListOrder, PostFilter};
use app::posts::workflow::PostStatus;
use app::store::Store;
use app::store::transfer::{
    ExportComment, ExportMedia, ExportPost, ExportRevision, ExportTag, ExportUser, ExportVariant, FORMAT, SiteExport,
};

use crate::cli::ExportArgs;

pub async fn export(args: &ExportArgs) -> anyhow::Result<()> {
    if args.dir.exists() && std::fs::read_dir(&args.dir)?.next().is_some() {
        bail!("{} is not empty; choose a new folder", args.dir.display());
    }
    let state_store = app::store::connect(&args.database.resolved_url()).await?;
    let media = app::store::files::MediaStorage::from_setting(&args.media.media_store, &args.database.data_dir)
        .map_err(|message| anyhow::anyhow!("VELLUM_MEDIA_STORE: {message}"))?;
    let result = write_export(state_store.as_ref(), &media, &args.dir).await;
    state_store.close().await;
    let (posts, files) = result?;
    println!(
        "Exported {posts} posts and {files} media files to {}.",
        args.dir.display()
    );
    Ok(())
}

pub async fn write_export(
    store: &dyn Store,
    media: &app::store::files::MediaStorage,
    dir: &Path,
) -> anyhow::Result<(usize, usize)> {
    std::fs::create_dir_all(dir.join("posts"))?;
    std::fs::create_dir_all(dir.join("media"))?;
    let settings = store.site_settings().await.map_err(failed)?;
    let users = users(store).await?;
    let tags = tags(store).await?;
    let posts = posts(store, dir).await?;
    let (media_export, files) = media_files(store, media, dir).await?;
    let count = posts.len();
    let site = SiteExport {
        format: FORMAT.to_owned(),
        exported_at: chrono::Utc::now(),
        settings,
        users,
        tags,
        posts,
        media: media_export,
        import_sources: store.import_sources().await.map_err(failed)?,
    };
    std::fs::write(dir.join("site.json"), serde_json::to_vec_pretty(&site)?)
        .with_context(|| format!("cannot write {}", dir.join("site.json").display()))?;
    Ok((count, files))
}

fn failed(error: app::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}

async fn users(store: &dyn Store) -> anyhow::Result<Vec<ExportUser>> {
    // By id: both databases order them alike (names they might collate
    // differently).
    let mut users = store.list_users().await.map_err(failed)?;
    users.sort_by_key(|user| user.id);
    Ok(users
        .into_iter()
        // Never the password hash, the session epoch or sign-in times.
        .map(|user| ExportUser {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            slug: user.slug,
            bio: user.bio,
            avatar_url: user.avatar_url,
            credentials: user.credentials,
            role: user.role.as_str().to_owned(),
            active: user.active,
            created_at: user.created_at,
        })
        .collect())
}

async fn tags(store: &dyn Store) -> anyhow::Result<Vec<ExportTag>> {
    let mut tags = store.list_tags().await.map_err(failed)?;
    tags.sort_by_key(|tag| tag.id);
    Ok(tags
        .into_iter()
        .map(|tag| ExportTag {
            id: tag.id,
            name: tag.name,
            slug: tag.slug,
            description: tag.description,
        })
        .collect())
}

/// Every post, trashed ones too, by id; each also written to `posts/` as
/// Markdown.
async fn posts(store: &dyn Store, dir: &Path) -> anyhow::Result<Vec<ExportPost>> {
    // The lists leave the trash out unless asked for it.
    let mut summaries = Vec::new();
    for status in [None, Some(PostStatus::Trashed)] {
        let filter = PostFilter {
            status,
            order: ListOrder::RecentlyChanged,
            limit: i64::MAX,
            ..PostFilter::default()
        };
        summaries.extend(store.list_posts(&filter).await.map_err(failed)?);
    }
    summaries.sort_by_key(|summary| summary.id);
    summaries.dedup_by_key(|summary| summary.id);
    let mut posts = Vec::with_capacity(summaries.len());
    for summary in &summaries {
        if let Some(post) = post(store, summary.id, dir).await? {
            posts.push(post);
        }
    }
    Ok(posts)
}

/// The post with its authors, tags, old addresses, revisions and
/// comments, written to `posts/` as Markdown on the way.
async fn post(store: &dyn Store, id: i64, dir: &Path) -> anyhow::Result<Option<ExportPost>> {
    let Some(post) = store.post(id).await.map_err(failed)? else {
        return Ok(None);
    };
    let authors = store.post_authors(post.id).await.map_err(failed)?;
    let post_tags = store.post_tags(post.id).await.map_err(failed)?;
    let old = store.post_old_addresses(post.id).await.map_err(failed)?;
    let revisions = revisions(store, post.id).await?;
    let comments = comments(store, post.id).await?;
    let author_names: Vec<&str> = authors.iter().map(|author| author.display_name.as_str()).collect();
    let tag_names: Vec<&str> = post_tags.iter().map(|tag| tag.name.as_str()).collect();
    std::fs::write(
        dir.join("posts").join(format!("{}.md", post.content.slug)),
        markdown_file(&post, &author_names, &tag_names),
    )?;
    Ok(Some(ExportPost {
        id: post.id,
        content: post.content,
        status: post.status.as_str().to_owned(),
        show_review: post.show_review,
        version: post.version,
        created_at: post.created_at,
        updated_at: post.updated_at,
        published_at: post.published_at,
        publish_at: post.publish_at,
        trashed_at: post.trashed_at,
        reviewed_by: post.reviewed_by,
        reviewed_at: post.reviewed_at,
        reviewed_version: post.reviewed_version,
        live_revision_id: post.live_revision_id,
        authors: authors.iter().map(|author| author.id).collect(),
        tags: tag_names.iter().map(|name| (*name).to_owned()).collect(),
        tag_ids: post_tags.iter().map(|tag| tag.id).collect(),
        old_slugs: old.slugs,
        old_paths: old.paths,
        revisions,
        comments,
    }))
}

async fn revisions(store: &dyn Store, post_id: i64) -> anyhow::Result<Vec<ExportRevision>> {
    Ok(store
        .revisions(post_id)
        .await
        .map_err(failed)?
        .into_iter()
        .map(|revision| ExportRevision {
            id: revision.id,
            version: revision.version,
            saved_by: revision.saved_by,
            saved_by_id: revision.saved_by_id,
            kind: revision.kind,
            status: revision.status.as_str().to_owned(),
            content: revision.content,
            created_at: revision.created_at,
            updated_at: revision.updated_at,
        })
        .collect())
}

async fn comments(store: &dyn Store, post_id: i64) -> anyhow::Result<Vec<ExportComment>> {
    Ok(store
        .comments(post_id)
        .await
        .map_err(failed)?
        .into_iter()
        .map(|comment| ExportComment {
            id: comment.id,
            author: comment.author,
            author_id: comment.author_id,
            kind: comment.kind,
            body: comment.body,
            created_at: comment.created_at,
        })
        .collect())
}

/// The media library's metadata by id, and its files (originals and
/// variants) copied to `media/`; with how many files were copied.
async fn media_files(
    store: &dyn Store,
    media: &app::store::files::MediaStorage,
    dir: &Path,
) -> anyhow::Result<(Vec<ExportMedia>, usize)> {
    let items = store.media_list("", i64::MAX).await.map_err(failed)?;
    let ids: Vec<i64> = items.iter().map(|item| item.id).collect();
    let variants = store.media_variants(&ids).await.map_err(failed)?;
    let mut files = 0;
    let mut media_export = Vec::with_capacity(items.len());
    for item in items.into_iter().rev() {
        let own: Vec<_> = variants.iter().filter(|variant| variant.media_id == item.id).collect();
        for key in std::iter::once(&item.original_key).chain(own.iter().map(|variant| &variant.key)) {
            match media.get(key).await.map_err(failed)? {
                Some(bytes) => {
                    std::fs::write(dir.join("media").join(key), &bytes)?;
                    files += 1;
                }
                None => eprintln!(
                    "warning: the file {key} of \"{}\" is missing from storage",
                    item.file_name
                ),
            }
        }
        media_export.push(ExportMedia {
            id: item.id,
            original_key: item.original_key,
            file_name: item.file_name,
            content_type: item.content_type,
            width: item.width,
            height: item.height,
            bytes: item.bytes,
            alt: item.alt,
            uploaded_by: item.uploaded_by,
            created_at: item.created_at,
            variants: own
                .into_iter()
                .map(|variant| ExportVariant {
                    key: variant.key.clone(),
                    content_type: variant.content_type.clone(),
                    width: variant.width,
                    height: variant.height,
                    bytes: variant.bytes,
                })
                .collect(),
        });
    }
    media_export.sort_by_key(|item| item.id);
    Ok((media_export, files))
}

/// A post as a Markdown file with YAML front matter. Strings are written
/// as JSON strings, which YAML reads as they are.
fn markdown_file(post: &app::posts::server::Post, authors: &[&str], tags: &[&str]) -> String {
    use chrono::SubsecRound;
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
    let list = |items: &[&str]| {
        format!(
            "[{}]",
            items.iter().map(|item| quoted(item)).collect::<Vec<_>>().join(", ")
        )
    };
    let mut front = vec![
        format!("title: {}", quoted(&post.content.title)),
        format!("slug: {}", quoted(&post.content.slug)),
        format!("status: {}", post.status.as_str()),
        format!("authors: {}", list(authors)),
        format!("tags: {}", list(tags)),
        format!("created_at: {}", post.created_at.trunc_subsecs(6).to_rfc3339()),
        format!("updated_at: {}", post.updated_at.trunc_subsecs(6).to_rfc3339()),
    ];
    if let Some(at) = post.published_at {
        front.push(format!("published_at: {}", at.trunc_subsecs(6).to_rfc3339()));
    }
    if !post.content.excerpt.is_empty() {
        front.push(format!("excerpt: {}", quoted(&post.content.excerpt)));
    }
    if !post.content.cover_url.is_empty() {
        front.push(format!("cover: {}", quoted(&post.content.cover_url)));
        front.push(format!("cover_alt: {}", quoted(&post.content.cover_alt)));
    }
    format!("---\n{}\n---\n\n{}\n", front.join("\n"), post.content.body)
}

/// `GET /admin/export.tar.gz`: the export, for admins, as one download.
pub async fn download(
    axum::extract::State(state): axum::extract::State<app::state::AppState>,
    session: tower_sessions::Session,
) -> axum::response::Response {
    use app::error::AppError;
    use axum::response::IntoResponse;
    let user = match app::accounts::server::user_of_session(&state, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return AppError::Unauthenticated.into_response(),
        Err(error) => return error.into_response(),
    };
    if user.role < app::accounts::Role::Admin {
        return AppError::Forbidden.into_response();
    }
    match archive(&state).await {
        Ok(bytes) => (
            [
                (axum::http::header::CONTENT_TYPE, "application/gzip"),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"vellum-export.tar.gz\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => AppError::internal(format_args!("export: {error:#}")).into_response(),
    }
}

/// The export written to a scratch folder and packed as .tar.gz.
async fn archive(state: &app::state::AppState) -> anyhow::Result<Vec<u8>> {
    let scratch = std::env::temp_dir().join(format!("vellum-export-{}", app::accounts::server::random_token()));
    let written = write_export(state.store.as_ref(), &state.media, &scratch).await;
    let packed = written.and_then(|_| {
        let mut tarball = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        tarball.append_dir_all("vellum-export", &scratch)?;
        Ok(tarball.into_inner()?.finish()?)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    packed
}
