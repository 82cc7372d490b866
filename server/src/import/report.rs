//! What an import says when it is done: the report printed for people,
//! and the same as JSON (`--report FILE.json`) for scripts.

use std::fmt::Write as _;

use app::store::imports::{ImportMode, ImportTally};
use serde_json::{Value, json};

use super::images::Fetched;
use super::{Note, Source};

/// One warning of the report: identical notes fold into one, with every
/// item they concern (one image missing in 12 posts is one line).
#[derive(Debug, serde::Serialize)]
pub struct Warning {
    pub message: String,
    pub items: Vec<String>,
}

/// The notes as the report shows them: by item, in the file's order, with
/// identical messages folded together.
fn folded_notes(source: &Source) -> Vec<Warning> {
    let order = |item: &str| {
        source
            .bodies
            .iter()
            .position(|body| body.label == item)
            .unwrap_or(usize::MAX)
    };
    let mut notes: Vec<&Note> = source.notes.iter().collect();
    notes.sort_by_key(|note| order(&note.item));
    let mut warnings: Vec<Warning> = Vec::new();
    for note in notes {
        match warnings.iter_mut().find(|warning| warning.message == note.message) {
            Some(warning) if warning.items.contains(&note.item) => {}
            Some(warning) => warning.items.push(note.item.clone()),
            None => warnings.push(Warning {
                message: note.message.clone(),
                items: vec![note.item.clone()],
            }),
        }
    }
    warnings
}

/// How many of the source's posts are pages.
fn page_count(source: &Source) -> usize {
    source
        .site
        .posts
        .iter()
        .filter(|post| post.kind == app::domain::PostKind::Page)
        .count()
}

/// The report as people read it: counts per kind, then each warning with
/// its items.
pub(super) fn text(source: &Source, fetched: &Fetched, tally: &ImportTally, mode: ImportMode) -> String {
    let mut out = String::new();
    let (made, found) = match mode {
        ImportMode::Write => ("created", "updated"),
        ImportMode::DryRun => ("would be created", "would be updated"),
    };
    if mode == ImportMode::DryRun {
        let _ = writeln!(
            out,
            "Dry run: nothing was written. Importing {} would give:",
            source.name
        );
    } else {
        let _ = writeln!(out, "Imported from {}:", source.name);
    }
    let _ = writeln!(
        out,
        "  posts:     {} {made}, {} {found}, {} unchanged",
        tally.posts_created, tally.posts_updated, tally.posts_unchanged
    );
    let pages = page_count(source);
    if pages > 0 {
        let _ = writeln!(out, "  pages:     {pages} of these are pages, each at /{{slug}}");
    }
    let _ = writeln!(
        out,
        "  people:    {} {made} (deactivated, without a password), {} matched by email",
        tally.users_created, tally.users_matched
    );
    let _ = writeln!(
        out,
        "  tags:      {} {made}, {} existing",
        tally.tags_created, tally.tags_matched
    );
    match mode {
        ImportMode::Write => {
            let _ = writeln!(
                out,
                "  images:    {} added to the library, {} already there, {} kept at their old address",
                tally.media_created,
                tally.media_matched + u64::try_from(fetched.known).unwrap_or(u64::MAX),
                fetched.kept.len()
            );
        }
        ImportMode::DryRun => {
            let _ = writeln!(
                out,
                "  images:    {} to fetch (not fetched in a dry run), {} already there",
                fetched.to_fetch, fetched.known
            );
        }
    }
    let _ = writeln!(
        out,
        "  redirects: {} old addresses recorded (each answers 301 while its post is public)",
        tally.redirects
    );
    if !source.skipped.is_empty() {
        let skipped: Vec<String> = source
            .skipped
            .iter()
            .map(|(kind, count)| format!("{count} {kind}"))
            .collect();
        let _ = writeln!(out, "  skipped:   {}", skipped.join(", "));
    }
    let warnings = folded_notes(source);
    if !warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings ({}):", warnings.len());
        for warning in &warnings {
            match warning.items.as_slice() {
                [item] => {
                    let _ = writeln!(out, "  {item}: {}", warning.message);
                }
                items => {
                    let _ = writeln!(
                        out,
                        "  {} ({} items: {})",
                        warning.message,
                        items.len(),
                        items.join(", ")
                    );
                }
            }
        }
    }
    if tally.users_created > 0 && mode == ImportMode::Write {
        let _ = writeln!(
            out,
            "\nNew people cannot sign in until an admin reactivates them (Users) and sends a set-password link."
        );
    }
    out
}

/// The report as JSON: the counts, what was skipped, and the warnings,
/// folded as the text folds them.
pub(super) fn json(source: &Source, fetched: &Fetched, tally: &ImportTally, mode: ImportMode) -> Value {
    json!({
        "source": source.name,
        "dry_run": mode == ImportMode::DryRun,
        "posts": {
            "created": tally.posts_created,
            "updated": tally.posts_updated,
            "unchanged": tally.posts_unchanged,
            "pages": page_count(source),
        },
        "people": { "created": tally.users_created, "matched_by_email": tally.users_matched },
        "tags": { "created": tally.tags_created, "existing": tally.tags_matched },
        "images": {
            "added": tally.media_created,
            "already_there": tally.media_matched + u64::try_from(fetched.known).unwrap_or(u64::MAX),
            "kept_at_old_address": fetched.kept.len(),
            "to_fetch": fetched.to_fetch,
        },
        "redirects": tally.redirects,
        "skipped": source.skipped,
        "warnings": folded_notes(source),
    })
}
