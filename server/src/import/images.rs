//! The images of an import: fetched from the old site, processed like an
//! upload (re-encoded, variants made) and stored; the posts then point at
//! their library copies. An image that cannot be fetched, or that lives on
//! another site, keeps its old address and is reported.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

use app::media::server::{StoredFile, clean_file_name, process};
use app::store::files::MediaStorage;
use app::store::imports::{ForeignMedia, ImportMode};
use regex::Regex;

use super::{Attachment, Source, progress_bar};

/// What an image may be, and where it may come from.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_pixels: u64,
    /// Whether the old site may be on a private network (`--allow-private`).
    pub allow_private: bool,
}

/// Redirects followed for one image, all on the old site's host.
const MAX_REDIRECTS: usize = 5;

/// The images fetched, and what became of each address.
#[derive(Debug, Default)]
pub struct Fetched {
    /// An image's address as the HTML has it → its address here.
    pub addresses: HashMap<String, String>,
    /// Addresses kept as they were, with the reason.
    pub kept: HashMap<String, String>,
    pub media: Vec<ForeignMedia>,
    /// Every file this import stored (removed again if it fails).
    pub stored_keys: Vec<String>,
    /// How many images a real run would fetch.
    pub to_fetch: usize,
    /// How many an earlier run of the same import fetched already.
    pub known: usize,
}

static IMG_SRC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)<img\b[^>]*?\ssrc\s*=\s*["']([^"']+)["']"#).expect("a valid pattern"));
/// WordPress's resized copies: `photo-1024x768.jpg` is `photo.jpg`.
static SIZE_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-\d+x\d+(\.[A-Za-z0-9]+)$").expect("a valid pattern"));

/// The addresses of the images in `html`, as an HTML parser reads them.
pub fn sources(html: &str) -> Vec<String> {
    IMG_SRC
        .captures_iter(html)
        .map(|capture| capture[1].replace("&amp;", "&"))
        .collect()
}

/// Where to fetch an image from, and what the library should say of it.
struct Target {
    url: String,
    alt: String,
    uploader: String,
}

/// The full-size file behind `src`: a WordPress attachment (also through
/// one of its resized copies) or, failing that, a file on the old site.
fn target(source: &Source, src: &str, author: &str) -> Result<Target, String> {
    let src = &relocated(source, src);
    let full_size = SIZE_SUFFIX.replace(src, "$1");
    let attachment: Option<&Attachment> = source.attachments.iter().find(|attachment| {
        let url = relocated(source, &attachment.url);
        url == *src || url == full_size
    });
    let uploader = |login: &str| match source.site.users.iter().any(|user| user.key == login) {
        true => login.to_owned(),
        false => author.to_owned(),
    };
    let old_site = source.site_url.as_deref().and_then(|url| url::Url::parse(url).ok());
    let on_old_site = |url: &str| {
        url::Url::parse(url)
            .ok()
            .zip(old_site.as_ref())
            .is_some_and(|(url, old)| on_site(&url, old))
    };
    if let Some(attachment) = attachment {
        // The file names the attachment's address itself: only the old
        // site's host is asked for it.
        let url = relocated(source, &attachment.url);
        if !on_old_site(&url) {
            return Err("it is on another site".into());
        }
        return Ok(Target {
            url,
            alt: attachment.alt.clone(),
            uploader: uploader(&attachment.uploader),
        });
    }
    if on_old_site(src) {
        Ok(Target {
            url: src.to_owned(),
            alt: String::new(),
            uploader: author.to_owned(),
        })
    } else if src.starts_with("http://") || src.starts_with("https://") {
        Err("it is on another site".into())
    } else {
        Err("it is not a web address".into())
    }
}

/// Whether `url` is on the old site: its host, and its port or the web's
/// default one (an http page may move to https), never another port of
/// that machine.
fn on_site(url: &url::Url, old: &url::Url) -> bool {
    url.host_str().is_some() && url.host_str() == old.host_str() && (url.port() == old.port() || url.port().is_none())
}

/// `url` at the site's address now, when `--site-url` moved it from the
/// one the file names.
fn relocated(source: &Source, url: &str) -> String {
    match (&source.moved_from, &source.site_url) {
        (Some(from), Some(to)) => match url.strip_prefix(from.as_str()) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("{to}{rest}"),
            _ => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

/// Fetches what `source` shows, except the images an earlier run of the
/// same import brought in: `known` maps their addresses to their keys, so
/// a later run needs the old site no more.
pub async fn fetch_all(
    source: &Source,
    mode: ImportMode,
    storage: &MediaStorage,
    limits: Limits,
    known: &HashMap<String, String>,
) -> anyhow::Result<Fetched> {
    let mut fetched = Fetched::default();
    // Each image once, however many posts show it: src → target.
    let mut wanted: Vec<(String, Target)> = Vec::new();
    let mut known_used: Vec<String> = Vec::new();
    for (post, body) in source.site.posts.iter().zip(&source.bodies) {
        let author = post.authors.first().map(String::as_str).unwrap_or_default();
        for src in sources(&body.html).into_iter().chain(body.cover.clone()) {
            if wanted.iter().any(|(seen, _)| *seen == src)
                || fetched.kept.contains_key(&src)
                || fetched.addresses.contains_key(&src)
            {
                continue;
            }
            match target(source, &src, author) {
                Ok(target) => match known.get(&target.url) {
                    Some(key) => {
                        if !known_used.contains(&target.url) {
                            known_used.push(target.url.clone());
                        }
                        fetched.addresses.insert(src, format!("/media/{key}"));
                    }
                    None => wanted.push((src, target)),
                },
                Err(reason) => {
                    fetched.kept.insert(src, reason);
                }
            }
        }
    }
    fetched.known = known_used.len();
    let mut urls: Vec<&str> = wanted.iter().map(|(_, target)| target.url.as_str()).collect();
    urls.sort_unstable();
    urls.dedup();
    fetched.to_fetch = urls.len();
    if mode == ImportMode::DryRun {
        return Ok(fetched);
    }
    let client = client(source, limits.allow_private)?;
    let bar = progress_bar(urls.len(), "fetching images");
    let mut done: HashMap<String, Result<String, String>> = HashMap::new();
    for (src, target) in &wanted {
        if !done.contains_key(&target.url) {
            let outcome = fetch_one(&client, target, storage, limits, &mut fetched).await;
            bar.inc(1);
            done.insert(target.url.clone(), outcome);
        }
        match done.get(&target.url) {
            Some(Ok(address)) => {
                fetched.addresses.insert(src.clone(), address.clone());
            }
            Some(Err(reason)) => {
                fetched.kept.insert(src.clone(), reason.clone());
            }
            None => {}
        }
    }
    bar.finish_and_clear();
    Ok(fetched)
}

/// The client for the old site: `outbound`'s address rules, and redirects
/// followed only while they stay on the old site's host.
fn client(source: &Source, allow_private: bool) -> anyhow::Result<reqwest::Client> {
    let old_site = source.site_url.as_deref().and_then(|url| url::Url::parse(url).ok());
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        // `previous` holds the first address too.
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(format!("it redirects more than {MAX_REDIRECTS} times"));
        }
        if !old_site.as_ref().is_some_and(|old| on_site(attempt.url(), old)) {
            return attempt.error("it redirects to another site");
        }
        if let Err(why) = crate::outbound::refuse_private_literal(attempt.url(), allow_private) {
            return attempt.error(why);
        }
        attempt.follow()
    });
    Ok(crate::outbound::client_builder(allow_private)
        .timeout(Duration::from_secs(30))
        .redirect(redirects)
        .user_agent(concat!("Vellum/", env!("CARGO_PKG_VERSION"), " (import)"))
        .build()?)
}

/// Fetches, processes and stores one image; its address here, or why not.
async fn fetch_one(
    client: &reqwest::Client,
    target: &Target,
    storage: &MediaStorage,
    limits: Limits,
    fetched: &mut Fetched,
) -> Result<String, String> {
    let bytes = download(client, &target.url, limits).await?;
    let max_pixels = limits.max_pixels;
    let processed = tokio::task::spawn_blocking(move || process(&bytes, max_pixels))
        .await
        .map_err(|error| format!("processing stopped: {error}"))??;
    let files: Vec<&StoredFile> = std::iter::once(&processed.original)
        .chain(&processed.variants)
        .collect();
    for file in &files {
        storage
            .put(&file.key, file.bytes.clone())
            .await
            .map_err(|error| format!("it could not be stored: {error}"))?;
        fetched.stored_keys.push(file.key.clone());
    }
    let name = url::Url::parse(&target.url)
        .ok()
        .and_then(|url| {
            url.path_segments()
                .and_then(|mut segments| segments.next_back().map(str::to_owned))
        })
        .unwrap_or_default();
    fetched.media.push(ForeignMedia {
        source_url: target.url.clone(),
        original: processed.original.record(),
        variants: processed.variants.iter().map(StoredFile::record).collect(),
        file_name: clean_file_name(&super::percent_decoded(&name)),
        uploader: target.uploader.clone(),
        alt: target.alt.clone(),
    });
    Ok(format!("/media/{}", processed.original.key))
}

/// The body of `url`, refused past `max_bytes`.
async fn download(client: &reqwest::Client, url: &str, limits: Limits) -> Result<Vec<u8>, String> {
    let max_bytes = limits.max_bytes;
    let parsed = reqwest::Url::parse(url).map_err(|_| "it is not a web address".to_owned())?;
    crate::outbound::refuse_private_literal(&parsed, limits.allow_private)
        .map_err(|why| format!("{why} (use --allow-private for an old site on your own network)"))?;
    let mut response = client.get(parsed).send().await.map_err(|error| {
        if error.is_redirect() {
            // The policy's own reason, not reqwest's wording.
            std::error::Error::source(&error).map_or_else(|| "it redirects elsewhere".to_owned(), ToString::to_string)
        } else if error.is_timeout() {
            "the old site did not answer in time".to_owned()
        } else if error.is_connect() {
            "the old site could not be reached".to_owned()
        } else {
            format!("it could not be fetched ({error})")
        }
    })?;
    if !response.status().is_success() {
        return Err(format!("the old site answered {}", response.status()));
    }
    let too_big = || format!("it is larger than {} MB", max_bytes / (1024 * 1024));
    if response
        .content_length()
        .is_some_and(|length| usize::try_from(length).unwrap_or(usize::MAX) > max_bytes)
    {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| format!("the download broke off ({error})"))?
    {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > max_bytes {
            return Err(too_big());
        }
    }
    Ok(bytes)
}
