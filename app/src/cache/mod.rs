//! The in-process cache of rendered public responses (pages, feeds, API
//! reads), each kept in every encoding a browser may ask for, ready to
//! write.
//!
//! A change drops or renews only what it touched (`PublicChange`, read
//! from the store's log): a post's own pages, its tags' and authors'
//! pages, and the lists; the rest stays. Touched entries are re-rendered
//! in the background (`refresh`), and meanwhile served as they were for
//! at most `STALE_FOR`. A post leaving the public, and changes to the
//! settings, drop everything at once. Other posts' pages show lists too
//! (related articles): they are renewed the next time they are asked for,
//! in the background, so readers get them once more as they were. An
//! entry is also dropped when a scheduled post's time comes.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};

use crate::store::changes::{PublicChange, Touched};

mod renewals;

pub use renewals::{Renewal, Renewals, catch_up, settle};

/// How long a touched entry may still be served while its new render is
/// on its way.
pub const STALE_FOR: Duration = Duration::from_secs(1);

/// At most this many entries are re-rendered after the changes one
/// lookup catches up with; the rest of the touched ones are dropped
/// (rendered when next asked for).
const MAX_RENEWED_PER_CHANGE: usize = 256;

/// A lazy renewal that stored nothing by then (the version moved while it
/// rendered, or it failed) may be started again.
const RENEWAL_RETRY_AFTER: Duration = Duration::from_secs(10);

/// Search results are kept for this many distinct queries at most.
const MAX_SEARCH_ENTRIES: usize = 512;

/// The encodings an answer is kept in, in the order of `CachedResponse::variants`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity = 0,
    Gzip = 1,
    Brotli = 2,
}

/// One encoding of an answer: its complete headers (ETag, length,
/// encoding, caching) and body, written as they are on a hit.
#[derive(Debug, Clone)]
pub struct Variant {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// An answer as the handler gave it, in every encoding.
#[derive(Debug)]
pub struct CachedResponse {
    /// Indexed by `Encoding`.
    pub variants: [Variant; 3],
}

impl CachedResponse {
    pub fn variant(&self, encoding: Encoding) -> &Variant {
        &self.variants[encoding as usize]
    }

    /// Bytes held: a body shared by several encodings (one that is not
    /// worth compressing) counts once.
    fn size(&self) -> usize {
        let mut size = 0;
        for (at, variant) in self.variants.iter().enumerate() {
            let shared = self.variants[..at]
                .iter()
                .any(|earlier| earlier.body.as_ptr() == variant.body.as_ptr());
            size += variant.headers.len() * 64 + if shared { 0 } else { variant.body.len() };
        }
        size
    }
}

/// What `sync` did.
#[derive(Debug, Default)]
pub struct Synced {
    /// The keys to render again now.
    pub renew: Vec<String>,
    /// Whether changes were applied (the next scheduled time must then be
    /// read again).
    pub applied: bool,
    /// The time, now come, of the next scheduled post or review falling
    /// due, when this caller is the first to see it: what it touched must
    /// be read and applied (`apply_unwritten`).
    pub came_due: Option<DateTime<Utc>>,
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup {
    Hit(Arc<CachedResponse>),
    /// Touched by a change and being renewed: serve it as it was. The key
    /// is given when the caller should start the renewal.
    Stale(Arc<CachedResponse>, Option<String>),
    Miss,
}

/// What the cache has done since the process started, for `/metrics`
/// and for tests that check a hit does no work.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    /// The hits answered before the router (`fresh`), among `hits`;
    /// for tests (`/metrics` reports `hits`).
    pub early_hits: u64,
    pub misses: u64,
    pub entries: u64,
    pub bytes: u64,
    pub evictions: u64,
    /// Bodies compressed (each encoding of each stored entry counts one).
    pub compressions: u64,
}

/// Which changes an entry depends on, read from its address.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Topic {
    /// A post's or site page's page: its own changes, and lazily any
    /// change (it shows related articles).
    Page(String),
    /// The API's post or page: its own changes only.
    Slug(String),
    Tag(String),
    Author(String),
    /// Home, feeds, the sitemap, API lists: every change to posts.
    Lists,
    /// A search's results: dropped on every change to posts.
    Search,
    /// Theme, robots, the API's site: only settings change them.
    Site,
}

impl Topic {
    /// Which renewals go first: the posts a change named, then the
    /// lists readers open most.
    fn rank(&self) -> u8 {
        match self {
            Topic::Page(_) | Topic::Slug(_) => 0,
            Topic::Lists => 1,
            _ => 2,
        }
    }

    fn of(key: &str) -> Topic {
        // API keys start with the Origin asked from.
        let address = if key.starts_with('/') {
            key
        } else {
            key.split_once(' ').map_or(key, |(_, address)| address)
        };
        let (path, query) = address.split_once('?').unwrap_or((address, ""));
        if query.split('&').any(|pair| pair.starts_with("q=")) {
            return Topic::Search;
        }
        let api = path.strip_prefix(crate::content::API_PREFIX);
        let segments: Vec<&str> = api.unwrap_or(path).trim_start_matches('/').split('/').collect();
        let owned = |slug: &&str| (*slug).to_owned();
        match (api.is_some(), segments.as_slice()) {
            (_, ["tags", slug] | ["tags", slug, "feed.xml"]) => Topic::Tag(owned(slug)),
            (_, ["authors", slug] | ["authors", slug, "feed.xml"]) => Topic::Author(owned(slug)),
            (true, ["posts" | "pages", slug]) => Topic::Slug(owned(slug)),
            (true, ["site" | "openapi.json"]) | (false, ["theme.css" | "robots.txt"]) => Topic::Site,
            (false, ["search"]) => Topic::Search,
            (false, ["posts", slug]) => Topic::Page(owned(slug)),
            (false, ["" | "feed.xml" | "atom.xml" | "sitemap.xml"]) => Topic::Lists,
            (false, [slug]) => Topic::Page(owned(slug)),
            _ => Topic::Lists,
        }
    }
}

/// What a change does to one entry.
#[derive(Debug, PartialEq, Eq)]
enum Effect {
    Keep,
    Drop,
    /// Render again now, serve the old one meanwhile.
    Renew,
    /// Render again when next asked for, serve the old one meanwhile.
    RenewLazily,
}

fn effect(topic: &Topic, touched: &Touched) -> Effect {
    let names = |list: &[String], name: &str| list.iter().any(|item| item == name);
    match topic {
        Topic::Page(slug) if names(&touched.posts, slug) => Effect::Renew,
        Topic::Page(_) => Effect::RenewLazily,
        Topic::Slug(slug) if names(&touched.posts, slug) => Effect::Renew,
        Topic::Tag(slug) if names(&touched.tags, slug) => Effect::Renew,
        Topic::Author(slug) if names(&touched.authors, slug) => Effect::Renew,
        Topic::Lists => Effect::Renew,
        Topic::Search => Effect::Drop,
        Topic::Slug(_) | Topic::Tag(_) | Topic::Author(_) | Topic::Site => Effect::Keep,
    }
}

#[derive(Debug, Clone, Copy)]
enum Freshness {
    Fresh,
    /// Touched at `since`; a lazy one is renewed when next asked for, and
    /// `renewing` says since when a renewal is on its way.
    Stale {
        since: Instant,
        lazy: bool,
        renewing: Option<Instant>,
    },
}

#[derive(Debug)]
struct Entry {
    response: Arc<CachedResponse>,
    topic: Topic,
    freshness: Freshness,
    /// Its place in the eviction queue.
    serial: u64,
    size: usize,
}

#[derive(Debug, Default)]
struct Entries {
    /// The store's public version the entries are up to date with.
    version: u64,
    /// When they stop being true on their own (the next scheduled post);
    /// `None` while unknown, `Some(None)` when nothing is scheduled.
    valid_until: Option<Option<DateTime<Utc>>>,
    responses: HashMap<String, Entry>,
    /// Oldest first: the order in which entries are evicted.
    queue: VecDeque<(String, u64)>,
    next_serial: u64,
    bytes: usize,
    searches: usize,
}

#[derive(Debug, Default)]
struct Counters {
    hits: AtomicU64,
    early_hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
    compressions: AtomicU64,
}

#[derive(Debug)]
pub struct PublicCache {
    budget_bytes: usize,
    entries: Mutex<Entries>,
    counters: Counters,
    /// Renders touched entries again.
    pub renewals: Arc<Renewals>,
}

impl PublicCache {
    pub fn new(budget_bytes: usize) -> Self {
        Self {
            budget_bytes,
            entries: Mutex::new(Entries::default()),
            counters: Counters::default(),
            renewals: Arc::default(),
        }
    }

    /// Whether anything may be kept at all (`VELLUM_PUBLIC_CACHE_MB=0`
    /// turns the cache off).
    pub fn is_on(&self) -> bool {
        self.budget_bytes > 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave the map half-written
        // in a way that matters: at worst an entry is missing.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counters and sizes, read by `/metrics`.
    pub fn stats(&self) -> CacheStats {
        let entries = self.lock();
        CacheStats {
            hits: self.counters.hits.load(Ordering::Relaxed),
            early_hits: self.counters.early_hits.load(Ordering::Relaxed),
            misses: self.counters.misses.load(Ordering::Relaxed),
            entries: entries.responses.len() as u64,
            bytes: entries.bytes as u64,
            evictions: self.counters.evictions.load(Ordering::Relaxed),
            compressions: self.counters.compressions.load(Ordering::Relaxed),
        }
    }

    /// Counts bodies compressed for storing.
    pub fn count_compressions(&self, count: u64) {
        self.counters.compressions.fetch_add(count, Ordering::Relaxed);
    }

    /// Brings the entries up to the store's `version`, applying what the
    /// changes since (`changes(from, to)`; `None` when forgotten) touched.
    pub fn sync(
        &self,
        version: u64,
        now: DateTime<Utc>,
        changes: impl FnOnce(u64, u64) -> Option<Vec<PublicChange>>,
    ) -> Synced {
        let mut entries = self.lock();
        // The first to see the time come reports it, once.
        let came_due = match entries.valid_until {
            Some(Some(until)) if now >= until => {
                entries.valid_until = None;
                Some(until)
            }
            _ => None,
        };
        // Versions only grow; a caller that read an older one than
        // another already applied has nothing to add.
        if version <= entries.version {
            return Synced {
                came_due,
                ..Synced::default()
            };
        }
        let from = entries.version;
        entries.version = version;
        entries.valid_until = None;
        let Some(changes) = changes(from, version) else {
            entries.clear();
            return Synced {
                applied: true,
                came_due,
                ..Synced::default()
            };
        };
        let mut renew = Vec::new();
        for change in changes {
            entries.apply_change(change, &mut renew);
        }
        Synced {
            renew,
            applied: true,
            came_due,
        }
    }

    /// Applies what changed with no write (scheduled posts whose time came,
    /// reviews that fell due); returns the keys to render again now. The
    /// touched entries are dropped rather than served meanwhile: a post
    /// is public exactly at its time.
    pub fn apply_unwritten(&self, change: PublicChange) -> Vec<String> {
        let mut renew = Vec::new();
        let mut entries = self.lock();
        entries.apply_change(change, &mut renew);
        for key in &renew {
            entries.remove(key);
        }
        renew
    }

    /// Whether `insert` needs to be told when the next post is scheduled.
    pub fn needs_horizon(&self) -> bool {
        self.lock().valid_until.is_none()
    }

    /// Sets when the entries stop being true on their own, as read at
    /// `version`.
    pub fn set_horizon(&self, version: u64, next_publication: Option<DateTime<Utc>>) {
        let mut entries = self.lock();
        if entries.version == version {
            entries.valid_until = Some(next_publication);
        }
    }

    /// The response for `key` when the cache is up to date with the
    /// store's `version` at `now` and the entry is fresh: all a hit needs,
    /// under one lock. Otherwise `None`: the caller goes the whole way
    /// (`catch_up`, then `get`). Counts nothing: the caller counts what
    /// it answers (`count_early_hit`).
    pub fn fresh(&self, key: &str, version: u64, now: DateTime<Utc>) -> Option<Arc<CachedResponse>> {
        let entries = self.lock();
        let current = entries.version == version
            && entries
                .valid_until
                .is_some_and(|until| until.is_none_or(|until| now < until));
        let entry = entries.responses.get(key).filter(|_| current)?;
        matches!(entry.freshness, Freshness::Fresh).then(|| entry.response.clone())
    }

    /// Counts a hit answered from `fresh`.
    pub fn count_early_hit(&self) {
        self.counters.hits.fetch_add(1, Ordering::Relaxed);
        self.counters.early_hits.fetch_add(1, Ordering::Relaxed);
    }

    /// The response for `key`, if one is known.
    pub fn get(&self, key: &str) -> Lookup {
        let mut entries = self.lock();
        let Some(entry) = entries.responses.get_mut(key) else {
            self.counters.misses.fetch_add(1, Ordering::Relaxed);
            return Lookup::Miss;
        };
        let lookup = match &mut entry.freshness {
            Freshness::Fresh => Lookup::Hit(entry.response.clone()),
            Freshness::Stale {
                lazy: true, renewing, ..
            } => {
                let due = renewing.is_none_or(|started| started.elapsed() >= RENEWAL_RETRY_AFTER);
                let renew = due.then(|| key.to_owned());
                if due {
                    *renewing = Some(Instant::now());
                }
                Lookup::Stale(entry.response.clone(), renew)
            }
            Freshness::Stale { since, .. } if since.elapsed() < STALE_FOR => {
                Lookup::Stale(entry.response.clone(), None)
            }
            Freshness::Stale { .. } => Lookup::Miss,
        };
        let counter = match lookup {
            Lookup::Miss => &self.counters.misses,
            _ => &self.counters.hits,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        lookup
    }

    /// Keeps a response rendered at `version`, unless a change this cache
    /// already knows of came since. `next_publication` is when the next
    /// scheduled post goes live (needed when `needs_horizon`).
    pub fn insert(
        &self,
        key: String,
        response: CachedResponse,
        version: u64,
        next_publication: Option<Option<DateTime<Utc>>>,
    ) {
        let mut entries = self.lock();
        if entries.version != version {
            return;
        }
        if entries.valid_until.is_none() {
            match next_publication {
                Some(next) => entries.valid_until = Some(next),
                None => return,
            }
        }
        let size = key.len() + response.size();
        if size > self.budget_bytes {
            return;
        }
        let topic = Topic::of(&key);
        entries.remove(&key);
        if topic == Topic::Search && entries.searches >= MAX_SEARCH_ENTRIES {
            return;
        }
        while entries.bytes + size > self.budget_bytes {
            if !entries.evict_oldest() {
                return;
            }
            self.counters.evictions.fetch_add(1, Ordering::Relaxed);
        }
        let serial = entries.next_serial;
        entries.next_serial += 1;
        entries.compact_queue();
        entries.queue.push_back((key.clone(), serial));
        entries.bytes += size;
        entries.searches += usize::from(topic == Topic::Search);
        let entry = Entry {
            response: Arc::new(response),
            topic,
            freshness: Freshness::Fresh,
            serial,
            size,
        };
        entries.responses.insert(key, entry);
    }

    /// Drops `key` (its renewal found it gone, or private).
    pub fn forget(&self, key: &str) {
        self.lock().remove(key);
    }
}

impl Entries {
    fn clear(&mut self) {
        *self = Entries {
            version: self.version,
            next_serial: self.next_serial,
            ..Entries::default()
        };
    }

    fn apply_change(&mut self, change: PublicChange, renew: &mut Vec<String>) {
        match change {
            PublicChange::Everything => {
                self.clear();
                renew.clear();
            }
            PublicChange::Posts(touched) => self.apply(&touched, renew),
        }
    }

    fn remove(&mut self, key: &str) {
        if let Some(entry) = self.responses.remove(key) {
            self.bytes = self.bytes.saturating_sub(entry.size);
            self.searches -= usize::from(entry.topic == Topic::Search);
        }
    }

    /// Forgets the queue's places of entries replaced or removed since,
    /// so that it stays about as long as the map.
    fn compact_queue(&mut self) {
        if self.queue.len() > 2 * self.responses.len() + 64 {
            let responses = &self.responses;
            self.queue
                .retain(|(key, serial)| responses.get(key).is_some_and(|entry| entry.serial == *serial));
        }
    }

    /// Removes the oldest entry still kept; false when none is left.
    fn evict_oldest(&mut self) -> bool {
        while let Some((key, serial)) = self.queue.pop_front() {
            if self.responses.get(&key).is_some_and(|entry| entry.serial == serial) {
                self.remove(&key);
                return true;
            }
        }
        false
    }

    fn apply(&mut self, touched: &Touched, renew: &mut Vec<String>) {
        let since = Instant::now();
        let mut dropped = Vec::new();
        let mut touched_now = Vec::new();
        for (key, entry) in &mut self.responses {
            match effect(&entry.topic, touched) {
                Effect::Keep => {}
                Effect::Drop => dropped.push(key.clone()),
                Effect::Renew => touched_now.push((entry.topic.rank(), key.len(), key.clone())),
                Effect::RenewLazily => {
                    if matches!(entry.freshness, Freshness::Fresh) {
                        entry.freshness = Freshness::Stale {
                            since,
                            lazy: true,
                            renewing: None,
                        };
                    }
                }
            }
        }
        // The named posts and the first pages of lists first; what does
        // not fit is dropped, rendered when next asked for.
        touched_now.sort();
        for (_, _, key) in touched_now {
            if renew.contains(&key) {
                continue;
            }
            if renew.len() >= MAX_RENEWED_PER_CHANGE {
                dropped.push(key);
                continue;
            }
            if let Some(entry) = self.responses.get_mut(&key) {
                entry.freshness = Freshness::Stale {
                    since,
                    lazy: false,
                    renewing: Some(since),
                };
            }
            renew.push(key);
        }
        for key in dropped {
            self.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2030-01-15T12:{minute:02}:00Z"))
            .expect("time")
            .with_timezone(&Utc)
    }

    fn page(text: &'static str) -> CachedResponse {
        let variant = Variant {
            headers: HeaderMap::new(),
            body: Bytes::from_static(text.as_bytes()),
        };
        CachedResponse {
            variants: [variant.clone(), variant.clone(), variant],
        }
    }

    fn body(lookup: Lookup) -> Option<(&'static str, Bytes)> {
        match lookup {
            Lookup::Hit(hit) => Some(("hit", hit.variant(Encoding::Identity).body.clone())),
            Lookup::Stale(stale, _) => Some(("stale", stale.variant(Encoding::Identity).body.clone())),
            Lookup::Miss => None,
        }
    }

    fn post_change(slug: &str, tag: &str) -> PublicChange {
        PublicChange::Posts(Touched {
            posts: vec![slug.to_owned()],
            tags: vec![tag.to_owned()],
            ..Touched::default()
        })
    }

    fn filled(keys: &[&str]) -> PublicCache {
        let cache = PublicCache::new(1 << 20);
        for key in keys {
            cache.insert((*key).to_owned(), page("old"), 0, Some(None));
        }
        cache
    }

    #[test]
    fn a_post_change_renews_what_it_touched_and_keeps_the_rest() {
        let keys = [
            "/",
            "/posts/flu",
            "/posts/other",
            "/tags/vaccines",
            "/tags/diet",
            "/theme.css",
            "/search?q=flu",
        ];
        let cache = filled(&keys);
        let synced = cache.sync(1, at(0), |_, _| Some(vec![post_change("flu", "vaccines")]));
        let (renew, applied) = (synced.renew, synced.applied);
        assert!(applied);
        assert_eq!(
            renew,
            ["/posts/flu", "/", "/tags/vaccines"],
            "the post first, then the lists"
        );
        assert_eq!(body(cache.get("/posts/flu")).map(|(how, _)| how), Some("stale"));
        assert_eq!(body(cache.get("/tags/diet")).map(|(how, _)| how), Some("hit"));
        assert_eq!(body(cache.get("/theme.css")).map(|(how, _)| how), Some("hit"));
        assert!(body(cache.get("/search?q=flu")).is_none(), "search results are dropped");
        // Another post's page shows related articles: renewed when asked for.
        match cache.get("/posts/other") {
            Lookup::Stale(_, Some(key)) => assert_eq!(key, "/posts/other"),
            other => panic!("expected a lazy renewal, got {other:?}"),
        }
        assert!(
            matches!(cache.get("/posts/other"), Lookup::Stale(_, None)),
            "renewed once"
        );
        cache.insert("/posts/flu".into(), page("new"), 1, Some(None));
        assert_eq!(body(cache.get("/posts/flu")), Some(("hit", Bytes::from("new"))));
    }

    #[test]
    fn a_fresh_answer_needs_the_current_version_and_an_unexpired_horizon() {
        let cache = PublicCache::new(1 << 20);
        cache.insert("/".into(), page("home"), 0, Some(Some(at(10))));
        cache.insert("/posts/flu".into(), page("flu"), 0, Some(Some(at(10))));
        assert!(cache.fresh("/", 0, at(9)).is_some());
        assert!(
            cache.fresh("/", 1, at(9)).is_none(),
            "a change the cache has not applied"
        );
        assert!(cache.fresh("/", 0, at(10)).is_none(), "a scheduled post went live");
        assert!(cache.fresh("/tags/diet", 0, at(9)).is_none(), "never stored");
        cache.sync(1, at(9), |_, _| Some(vec![post_change("flu", "vaccines")]));
        cache.set_horizon(1, Some(at(10)));
        assert!(cache.fresh("/posts/flu", 1, at(9)).is_none(), "stale, being renewed");
        assert!(cache.fresh("/", 1, at(9)).is_none(), "stale, being renewed");
        let cache = filled(&["/theme.css"]);
        cache.sync(1, at(9), |_, _| Some(vec![post_change("flu", "vaccines")]));
        assert!(
            cache.fresh("/theme.css", 1, at(9)).is_none(),
            "kept, but when the next post is scheduled is not known yet"
        );
        cache.set_horizon(1, None);
        assert!(cache.fresh("/theme.css", 1, at(9)).is_some(), "nothing is scheduled");
        assert_eq!(cache.stats().hits, 0, "the caller counts what it answers");
    }

    #[test]
    fn everything_or_a_forgotten_log_drops_every_entry() {
        let cache = filled(&["/", "/theme.css"]);
        cache.sync(1, at(0), |_, _| Some(vec![PublicChange::Everything]));
        assert!(body(cache.get("/theme.css")).is_none());
        let cache = filled(&["/", "/theme.css"]);
        cache.sync(5, at(0), |_, _| None);
        assert!(body(cache.get("/theme.css")).is_none());
    }

    #[test]
    fn a_scheduled_time_is_reported_once_to_be_applied() {
        let cache = PublicCache::new(1024);
        assert!(cache.needs_horizon());
        cache.insert("/".into(), page("home"), 0, Some(Some(at(10))));
        assert_eq!(cache.sync(0, at(9), |_, _| None).came_due, None);
        assert_eq!(
            cache.sync(0, at(10), |_, _| None).came_due,
            Some(at(10)),
            "a post went live at 12:10"
        );
        assert_eq!(cache.sync(0, at(11), |_, _| None).came_due, None, "once");
        assert_eq!(cache.apply_unwritten(post_change("due", "heart")), ["/"]);
        assert!(matches!(cache.get("/"), Lookup::Miss), "not served once its time came");
    }

    #[test]
    fn a_caller_with_an_older_version_cannot_move_the_cache_back() {
        let cache = filled(&["/"]);
        cache.sync(2, at(0), |_, _| Some(vec![PublicChange::Everything]));
        cache.sync(1, at(0), |_, _| panic!("nothing to read"));
        cache.insert("/".into(), page("rendered before the change"), 1, Some(None));
        assert!(body(cache.get("/")).is_none());
    }

    #[test]
    fn a_response_rendered_before_a_known_change_is_not_kept() {
        let cache = PublicCache::new(1024);
        cache.sync(2, at(0), |_, _| None);
        cache.insert("/".into(), page("old"), 1, Some(None));
        assert!(body(cache.get("/")).is_none());
    }

    #[test]
    fn the_budget_evicts_the_oldest_entries() {
        let size = "/a".len() + page("12345").size();
        let cache = PublicCache::new(size * 2);
        for key in ["/a", "/b", "/c"] {
            cache.insert(key.into(), page("12345"), 0, Some(None));
        }
        assert!(body(cache.get("/a")).is_none(), "the oldest went");
        assert!(body(cache.get("/c")).is_some());
        assert_eq!(cache.stats().evictions, 1);
        assert_eq!(cache.stats().bytes as usize, size * 2);
    }

    #[test]
    fn addresses_name_what_they_show() {
        assert_eq!(Topic::of("/"), Topic::Lists);
        assert_eq!(Topic::of("/posts/flu"), Topic::Page("flu".into()));
        assert_eq!(Topic::of("/about-us"), Topic::Page("about-us".into()));
        assert_eq!(Topic::of("/tags/diet/feed.xml"), Topic::Tag("diet".into()));
        assert_eq!(
            Topic::of("https://app.example /api/v1/posts/flu"),
            Topic::Slug("flu".into())
        );
        assert_eq!(Topic::of("/api/v1/posts?limit=5"), Topic::Lists);
        assert_eq!(Topic::of("/api/v1/authors/ada"), Topic::Author("ada".into()));
        assert_eq!(Topic::of("/search?q=flu"), Topic::Search);
        assert_eq!(Topic::of("/theme.css?accent=x"), Topic::Site);
    }
}
