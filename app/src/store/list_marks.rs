//! Where deep pages of a public list start, and how many entries it has,
//! remembered so that page 5,000 and the API's `total` cost what page 1
//! does. A page at an offset is otherwise found by
//! stepping over every newer entry of the list's index (`OFFSET`), which
//! grows with the site. A mark is the position of an entry in a list and
//! its sort key (when it went out, and its id): the page's query seeks to
//! the nearest mark at or before its offset through the index, then steps
//! over fewer than `STRIDE` entries.
//!
//! Marks hold while what readers see stays the same: they belong to one
//! public version (the store's change count, which every change readers
//! can see moves, on every instance) and, since a scheduled post joins the
//! lists at its time without a write, end at the next such time.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};

/// Marks sit this many entries apart: a page steps over fewer than this.
pub const STRIDE: i64 = 100;

/// Lists remembered at once (the index, tags, authors, the API's
/// filters); past it, all are forgotten and found again as asked for.
const MAX_LISTS: usize = 256;

/// An entry's place in the public order: when it went out, and its id.
pub type Mark = (DateTime<Utc>, i64);

/// The marks of every list that deep pages were asked of.
#[derive(Debug, Default)]
pub struct ListMarks {
    lists: Mutex<HashMap<String, Marks>>,
}

/// One list's marks, while they hold.
#[derive(Debug)]
struct Marks {
    version: u64,
    /// They hold from this time (the clock of the request that found the
    /// first) to the next time a scheduled post goes out, if any.
    from: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
    /// By position in the list (0 is the newest entry).
    at: BTreeMap<i64, Mark>,
    /// How many entries the list has, once counted.
    total: Option<i64>,
}

impl Marks {
    fn hold(&self, version: u64, now: DateTime<Utc>) -> bool {
        self.version == version && self.from <= now && self.until.is_none_or(|until| now < until)
    }
}

impl ListMarks {
    /// The mark nearest `position` at or before it in `list`, as
    /// (position, mark), when marks of this version hold at `now`.
    pub fn nearest(&self, list: &str, version: u64, now: DateTime<Utc>, position: i64) -> Option<(i64, Mark)> {
        let lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        let marks = lists.get(list).filter(|marks| marks.hold(version, now))?;
        marks
            .at
            .range(..=position)
            .next_back()
            .map(|(position, mark)| (*position, *mark))
    }

    /// Whether `list` has marks that hold at `now` in this version (if
    /// not, `remember` needs to know until when new ones hold).
    pub fn hold(&self, list: &str, version: u64, now: DateTime<Utc>) -> bool {
        let lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        lists.get(list).is_some_and(|marks| marks.hold(version, now))
    }

    /// How many entries `list` has, when counted in this version and
    /// still so at `now`.
    pub fn total(&self, list: &str, version: u64, now: DateTime<Utc>) -> Option<i64> {
        let lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        lists.get(list).filter(|marks| marks.hold(version, now))?.total
    }

    /// Remembers that the entry at `position` of `list` is `mark`, as
    /// found at `now` in `version`; `until` (the next time a scheduled
    /// post goes out) matters only when the list's marks start afresh.
    pub fn remember(&self, list: &str, found: Found, position: i64, mark: Mark) {
        self.with_marks(list, found, |marks| {
            marks.at.insert(position, mark);
        });
    }

    /// Remembers how many entries `list` has, as counted then.
    pub fn remember_total(&self, list: &str, found: Found, total: i64) {
        self.with_marks(list, found, |marks| marks.total = Some(total));
    }

    /// Changes `list`'s marks, started afresh unless they hold as found.
    fn with_marks(&self, list: &str, found: Found, change: impl FnOnce(&mut Marks)) {
        let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        if !lists.contains_key(list) && lists.len() >= MAX_LISTS {
            lists.clear();
        }
        let fresh = || Marks {
            version: found.version,
            from: found.now,
            until: found.until,
            at: BTreeMap::new(),
            total: None,
        };
        let marks = lists.entry(list.to_owned()).or_insert_with(fresh);
        if !marks.hold(found.version, found.now) {
            *marks = fresh();
        }
        change(marks);
    }
}

/// When and in which version a mark was found.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub version: u64,
    pub now: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::minutes(minutes)
    }

    #[test]
    fn the_nearest_mark_before_a_position_is_found() {
        let marks = ListMarks::default();
        let found = Found {
            version: 3,
            now: at(0),
            until: None,
        };
        assert_eq!(marks.nearest("/", 3, at(0), 500), None);
        marks.remember("/", found, 200, (at(-200), 7));
        marks.remember("/", found, 400, (at(-400), 5));
        assert_eq!(marks.nearest("/", 3, at(1), 450), Some((400, (at(-400), 5))));
        assert_eq!(marks.nearest("/", 3, at(1), 399), Some((200, (at(-200), 7))));
        assert_eq!(marks.nearest("/", 3, at(1), 100), None);
        assert_eq!(
            marks.nearest("/tags/sleep", 3, at(1), 450),
            None,
            "each list has its own"
        );
    }

    #[test]
    fn marks_end_with_a_change_or_a_scheduled_post() {
        let marks = ListMarks::default();
        let found = Found {
            version: 3,
            now: at(0),
            until: Some(at(60)),
        };
        marks.remember("/", found, 200, (at(-200), 7));
        assert!(marks.hold("/", 3, at(59)));
        assert!(!marks.hold("/", 4, at(1)), "a change readers see");
        assert!(!marks.hold("/", 3, at(60)), "a scheduled post went out");
        assert!(!marks.hold("/", 3, at(-1)), "a clock set back");
        // A mark of the new version starts the list afresh.
        let later = Found {
            version: 4,
            now: at(61),
            until: None,
        };
        marks.remember("/", later, 300, (at(-300), 6));
        assert_eq!(marks.nearest("/", 4, at(62), 250), None);
        assert_eq!(marks.nearest("/", 4, at(62), 300), Some((300, (at(-300), 6))));
    }

    #[test]
    fn a_count_is_remembered_as_long_as_the_marks() {
        let marks = ListMarks::default();
        let found = Found {
            version: 1,
            now: at(0),
            until: Some(at(10)),
        };
        assert_eq!(marks.total("/", 1, at(0)), None);
        marks.remember_total("/", found, 12_345);
        assert_eq!(marks.total("/", 1, at(9)), Some(12_345));
        assert_eq!(marks.total("/", 2, at(9)), None);
        assert_eq!(marks.total("/", 1, at(10)), None);
    }
}
