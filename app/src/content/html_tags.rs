//! Reading the sanitiser's output back for the property tests: its start
//! tags with their attribute values, and the scheme a browser reads in an
//! address. Test support only; the importers' property tests in the server
//! crate include this same file (`#[path]`), so there is one reader.

/// A start tag of the output, its attribute values decoded.
pub struct StartTag {
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

/// The start tags of `html` as the sanitiser writes it (html5ever's
/// serialiser): `<` is escaped in text and in attribute values, so every
/// `<` opens a tag, and attribute values are in double quotes, inside
/// which `"` is escaped.
pub fn start_tags(html: &str) -> Vec<StartTag> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(rest.len());
        if name_len == 0 {
            // An end tag: nothing to check in it.
            continue;
        }
        let mut tag = StartTag {
            name: rest[..name_len].to_ascii_lowercase(),
            attributes: Vec::new(),
        };
        rest = &rest[name_len..];
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
            if rest.is_empty() {
                break;
            }
            if let Some(after) = rest.strip_prefix('>') {
                rest = after;
                break;
            }
            // At least one byte, so that the loop always moves on.
            let name_len = rest
                .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
                .unwrap_or(rest.len())
                .max(1);
            let name = rest[..name_len].to_ascii_lowercase();
            rest = &rest[name_len..];
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix('=') {
                if let Some(quoted) = after.strip_prefix('"') {
                    let close = quoted.find('"').unwrap_or(quoted.len());
                    value = decoded(&quoted[..close]);
                    rest = quoted.get(close + 1..).unwrap_or_default();
                } else {
                    let end = after
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .unwrap_or(after.len());
                    value = decoded(&after[..end]);
                    rest = &after[end..];
                }
            }
            tag.attributes.push((name, value));
        }
        tags.push(tag);
    }
    tags
}

/// An attribute value as a browser reads it: html5ever's serialiser
/// escapes only these five.
fn decoded(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The scheme a browser (WHATWG URL, as the `url` crate ammonia uses)
/// reads in `url`, in lower case: C0 controls and spaces around the
/// address are ignored, and tabs and line breaks anywhere in it. `None`
/// for a relative address.
pub fn scheme(url: &str) -> Option<String> {
    let url: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let is_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| scheme.to_ascii_lowercase())
}
