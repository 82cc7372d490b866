//! The media library as stored: items, their variants, and the files
//! they name (the bytes live in media storage).

use chrono::{DateTime, Utc};

/// A stored file as the library's rows name it (its bytes are in storage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    pub key: String,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub size: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaRow {
    pub id: i64,
    pub original_key: String,
    pub file_name: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub alt: String,
    pub uploaded_by: Option<i64>,
    pub uploader: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VariantRow {
    pub media_id: i64,
    pub key: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
}

#[derive(Debug, Clone)]
pub struct NewMedia {
    pub original: FileRecord,
    pub variants: Vec<FileRecord>,
    pub file_name: String,
    pub uploaded_by: i64,
    pub created_at: DateTime<Utc>,
}

/// Who asks which posts use a library item. Editors see every post's
/// title; others see their own posts' and the public title of published
/// ones (not scheduled ones: not public yet), and only a count of the rest
/// (the admin's rule for posts).
#[derive(Debug, Clone, Copy)]
pub struct UsageViewer {
    pub user_id: i64,
    pub sees_every_post: bool,
}

/// One post that uses one library file; no title when the viewer may not
/// see that post.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaUse {
    pub media_key: String,
    pub title: Option<String>,
}
