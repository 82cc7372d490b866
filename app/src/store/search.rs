//! Full-text search SQL, which differs between the backends: SQLite's FTS5
//! table and PostgreSQL's `tsvector` column (migration 0006). Each backend
//! hands its `SearchSql` to the shared queries.

/// Marks the start and end of a matched word in a snippet. Private-use
/// characters cannot come from a post's text in a way that matters, and
/// the page escapes everything else before turning them into `<mark>`.
pub const MATCH_START: char = '\u{E000}';
pub const MATCH_END: char = '\u{E001}';

/// The longest search text looked at; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;

pub struct SearchSql {
    /// Turns what a reader typed into the backend's query text; `None`
    /// when nothing searchable is left.
    pub prepare: fn(&str) -> Option<String>,
    /// Removes a post's row ($1 the post).
    pub forget: &'static str,
    /// Writes a post's row from its live text, if it has one ($1 the post).
    pub index: &'static str,
    /// Joined to `posts p`.
    pub join: &'static str,
    /// The match condition, with `{q}` for the query's placeholder.
    pub matches: &'static str,
    /// `ORDER BY` terms, best first, with `{q}`.
    pub rank: &'static str,
    /// A passage of the text around the matches, with `{q}`.
    pub snippet: &'static str,
}

impl SearchSql {
    /// `template` with `{q}` replaced by the placeholder.
    pub fn with(template: &str, placeholder: &str) -> String {
        template.replace("{q}", placeholder)
    }
}

pub const SQLITE: SearchSql = SearchSql {
    prepare: fts5_query,
    forget: "DELETE FROM post_search WHERE rowid = $1",
    index: "INSERT INTO post_search (rowid, title, excerpt, body) SELECT p.id, r.title, r.excerpt, r.body \
            FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id WHERE p.id = $1",
    join: "JOIN post_search ON post_search.rowid = p.id",
    matches: "post_search MATCH {q}",
    // bm25 is lower for better matches; title and excerpt weigh more.
    rank: "bm25(post_search, 10.0, 4.0, 1.0)",
    snippet: "snippet(post_search, -1, char(57344), char(57345), '…', 24)",
};

pub const POSTGRES: SearchSql = SearchSql {
    prepare: websearch_query,
    forget: "DELETE FROM post_search WHERE post_id = $1",
    index: "INSERT INTO post_search (post_id, title, excerpt, body) SELECT p.id, r.title, r.excerpt, r.body \
            FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id WHERE p.id = $1",
    join: "JOIN post_search ON post_search.post_id = p.id",
    matches: "post_search.document @@ websearch_to_tsquery('english', {q})",
    rank: "ts_rank(post_search.document, websearch_to_tsquery('english', {q})) DESC",
    snippet: "ts_headline('english', post_search.excerpt || ' ' || post_search.body, \
              websearch_to_tsquery('english', {q}), \
              'StartSel=\u{E000}, StopSel=\u{E001}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \"')",
};

/// The words of a reader's query, at most `MAX_QUERY_CHARS` of it.
fn words(raw: &str) -> Vec<String> {
    let raw: String = raw.chars().take(MAX_QUERY_CHARS).collect();
    raw.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// FTS5 has its own query language, in which a stray quote or `NEAR` is
/// a syntax error: every word is quoted, so the reader's text is only
/// ever words, all of which must match; the last may be a prefix.
fn fts5_query(raw: &str) -> Option<String> {
    let words = words(raw);
    let count = words.len();
    let terms: Vec<String> = words
        .into_iter()
        .enumerate()
        .map(|(i, word)| {
            if i + 1 == count {
                format!("\"{word}\"*")
            } else {
                format!("\"{word}\"")
            }
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// `websearch_to_tsquery` accepts anything (quotes, `or`, `-word`) without
/// a syntax error; only an empty query is refused here.
fn websearch_query(raw: &str) -> Option<String> {
    // PostgreSQL refuses NUL in text; control characters mean nothing here.
    (!words(raw).is_empty()).then(|| raw.chars().filter(|c| !c.is_control()).take(MAX_QUERY_CHARS).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts5_queries_are_quoted_words_whatever_is_typed() {
        assert_eq!(fts5_query("Flu shots"), Some("\"flu\" \"shots\"*".into()));
        assert_eq!(
            fts5_query("\"NEAR(a b)\" OR * -x"),
            Some("\"near\" \"a\" \"b\" \"or\" \"x\"*".into())
        );
        assert_eq!(fts5_query("  ** \"\" "), None);
        assert_eq!(fts5_query("été"), Some("\"été\"*".into()));
    }

    #[test]
    fn websearch_queries_pass_through_but_not_empty_ones() {
        assert_eq!(websearch_query("flu -covid"), Some("flu -covid".into()));
        assert_eq!(websearch_query("\"\" -"), None);
        assert_eq!(websearch_query("flu\0 shot"), Some("flu shot".into()));
        assert_eq!(
            websearch_query(&"a".repeat(500)).map(|q| q.len()),
            Some(MAX_QUERY_CHARS)
        );
    }
}
