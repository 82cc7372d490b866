//! Where media files live: a directory under the data directory for a
//! single instance, or S3-compatible object storage that several instances
//! share. Both are `object_store` stores behind one type, so the rest of
//! Vellum does not know which it has.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::path::Path;

use crate::error::AppError;

#[derive(Clone)]
pub struct MediaStorage {
    store: Arc<dyn ObjectStore>,
    /// Where the files are, for the start-up log.
    pub description: String,
}

impl std::fmt::Debug for MediaStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl MediaStorage {
    /// The storage a `VELLUM_MEDIA_STORE` setting names: empty for the
    /// `media` folder in the data directory, `s3://bucket` for a bucket.
    pub fn from_setting(setting: &str, data_dir: &std::path::Path) -> Result<Self, String> {
        match setting.trim() {
            "" => Self::local(&data_dir.join("media")),
            url => Self::s3(url),
        }
    }

    /// Files in `dir` (created if missing, for Vellum's eyes only).
    fn local(dir: &std::path::Path) -> Result<Self, String> {
        create_private_dir(dir).map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(|error| error.to_string())?;
        Ok(Self {
            store: Arc::new(store),
            description: format!("the folder {}", dir.display()),
        })
    }

    /// An S3 bucket, `s3://bucket`; credentials, region and endpoint come
    /// from the usual AWS_* environment variables (AWS_ENDPOINT and
    /// AWS_ALLOW_HTTP for S3-compatible servers).
    fn s3(url: &str) -> Result<Self, String> {
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_url(url)
            .build()
            .map_err(|error| error.to_string())?;
        Ok(Self {
            store: Arc::new(store),
            description: format!("the bucket {url}"),
        })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        self.store
            .put(&Path::from(key), bytes.into())
            .await
            .map(drop)
            .map_err(|error| AppError::internal(format_args!("media storage: writing {key}: {error}")))
    }

    /// The file's bytes; `None` when there is no such file.
    pub async fn get(&self, key: &str) -> Result<Option<bytes::Bytes>, AppError> {
        match self.store.get(&Path::from(key)).await {
            Ok(found) => found
                .bytes()
                .await
                .map(Some)
                .map_err(|error| AppError::internal(format_args!("media storage: reading {key}: {error}"))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(AppError::internal(format_args!(
                "media storage: reading {key}: {error}"
            ))),
        }
    }

    /// Removes a file; a file already gone is fine.
    pub async fn delete(&self, key: &str) -> Result<(), AppError> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(AppError::internal(format_args!(
                "media storage: deleting {key}: {error}"
            ))),
        }
    }
}

/// Creates `dir` and any missing parents readable by this user only
/// (0700): the database, media and exports hold what the public must not
/// read. An existing folder keeps the mode its operator gave it.
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `path`, which must not exist, empty and readable by this user
/// only (0600), before anything is written into it.
pub fn create_private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}
