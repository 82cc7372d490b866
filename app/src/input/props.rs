//! Property tests for slugs: whatever text a post's title, a tag or a
//! person's name holds, every slug Vellum accepts or makes from it can be
//! one path segment and one file name (`/posts/{slug}`, `/tags/{slug}`,
//! `/authors/{slug}`, the export's file names): 1 to 100 bytes of `a-z`,
//! `0-9` and single hyphens, with no hyphen at either end
//! (`Slug::is_well_formed`, which `vellum import vellum` checks too).
//!
//! Short in `make test` (64 cases each), long in `make fuzz`; see `config`.

use proptest::prelude::*;

use super::people::DisplayName;
use super::post::{Slug, TagName};

/// 64 cases unless `PROPTEST_CASES` says otherwise (`make fuzz` sets it):
/// the `proptest!` macro applies the `PROPTEST_*` variables on top of this
/// config. Failures are not persisted (no `proptest-regressions` files in
/// the source tree): proptest prints the smallest failing input instead,
/// and a case worth keeping becomes a plain test below.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The longest slug `Slug::is_well_formed` accepts.
const MAX_SLUG_BYTES: usize = 100;

/// Pieces that stress slugging: case, accents (`ß` folds to two letters in
/// people's slugs), letters and digits outside ASCII, separators, path
/// and control characters, percent-encoding, and the site's own words.
const PIECES: &[&str] = &[
    "a", "Z", "0", "9", "-", "--", "---", " ", "   ", "_", ".", "..", "/", "\\", "\0", "\t", "\n", "é", "É", "ß", "ñ",
    "Ø", "ı", "İ", "\u{212a}", "ﬁ", "Ⅻ", "²", "٣", "Сон", "王", "🙂", "\u{301}", "\u{200b}", "\u{feff}", "admin",
    "api", "posts", "tag-", "post-", "%2F", "%C3%A9", "Dr.", "O'Neil",
];

/// Arbitrary text: printable strings, any line, any characters (controls
/// included), runs of the pieces above, and single pieces repeated.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        ".*",
        prop::collection::vec(any::<char>(), 0..120).prop_map(|chars| chars.into_iter().collect::<String>()),
        prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|pieces| pieces.concat()),
        runs(),
    ]
}

/// A few of the pieces above, each repeated up to 59 times.
fn runs() -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(PIECES), 1..60usize), 1..4).prop_map(|runs| {
        runs.into_iter()
            .map(|(piece, times)| piece.repeat(times))
            .collect::<String>()
    })
}

/// Text close to a slug, so that `Slug::parse` accepts some of it.
fn slug_like() -> impl Strategy<Value = String> {
    prop_oneof![
        text(),
        "[a-z0-9-]{0,110}",
        "[ \t]{0,2}[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,14}[ \t\n]{0,2}",
        "[a-z0-9.-]{1,4}",
    ]
}

/// What a slug must be to serve as one path segment and one file name.
fn check_safe(slug: &str, made_from: &str) -> Result<(), TestCaseError> {
    prop_assert!(!slug.is_empty(), "an empty slug, made from {made_from:?}");
    prop_assert!(
        slug.len() <= MAX_SLUG_BYTES,
        "{slug:?} is {} bytes long, made from {made_from:?}",
        slug.len()
    );
    prop_assert!(
        slug.bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-'),
        "{slug:?} has more than a-z, 0-9 and -, made from {made_from:?}"
    );
    prop_assert!(
        !slug.starts_with('-') && !slug.ends_with('-'),
        "{slug:?} starts or ends with a hyphen, made from {made_from:?}"
    );
    prop_assert!(
        !slug.contains("--"),
        "{slug:?} has a double hyphen, made from {made_from:?}"
    );
    prop_assert!(
        slug != "." && slug != "..",
        "{slug:?} is a relative path, made from {made_from:?}"
    );
    prop_assert!(
        !slug.contains(['/', '\\', '\0']),
        "{slug:?} has a path separator or NUL, made from {made_from:?}"
    );
    prop_assert!(
        Slug::is_well_formed(slug),
        "{slug:?} is not well formed, made from {made_from:?}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn accepted_slugs_are_safe_path_segments(raw in slug_like()) {
        if let Ok(slug) = Slug::parse(&raw) {
            check_safe(slug.as_str(), &raw)?;
            prop_assert_eq!(slug.as_str(), raw.trim());
        }
    }

    #[test]
    fn a_slug_made_from_any_text_is_safe_and_accepted(raw in text()) {
        let slug = Slug::from_text(&raw);
        check_safe(slug.as_str(), &raw)?;
        prop_assert!(
            Slug::parse(slug.as_str()).is_ok(),
            "Slug::from_text({raw:?}) is {:?}, which Slug::parse refuses",
            slug.as_str()
        );
    }

    #[test]
    fn tag_slugs_are_safe_path_segments(raw in text()) {
        if let Ok(tag) = TagName::parse(&raw) {
            check_safe(tag.slug.as_str(), &raw)?;
        }
        if let Ok(tags) = TagName::parse_list(&raw) {
            for tag in tags {
                check_safe(tag.slug.as_str(), &tag.name)?;
            }
        }
    }

    #[test]
    fn people_slugs_are_safe_path_segments(raw in text()) {
        if let Ok(name) = DisplayName::parse(&raw) {
            check_safe(&name.slug_base(), &raw)?;
        }
    }
}

// Cases the properties above found, kept as plain tests so that they run
// every time whatever the random inputs.

/// Letters outside ASCII are dropped after the text is slugged, so two
/// such words in a row left `---`, which became `--`.
#[test]
fn words_without_latin_letters_leave_no_double_hyphen() {
    for text in ["a é é b", "Sleep Сон Сон rest", "x 王 王 王 y"] {
        let slug = Slug::from_text(text);
        assert!(
            Slug::parse(slug.as_str()).is_ok(),
            "{text:?} became {:?}",
            slug.as_str()
        );
    }
}

/// `ß` folds to `ss`, so 80 characters (the longest name) could make a
/// slug of 160 bytes, which an export could not bring back.
#[test]
fn a_long_name_of_double_letters_still_has_a_short_slug() {
    let name = DisplayName::parse(&"ß".repeat(80)).expect("80 characters is a valid name");
    let slug = name.slug_base();
    assert!(Slug::is_well_formed(&slug), "{slug:?} ({} bytes)", slug.len());
}
