//! Values as a form posts them. A field that serde reaches through
//! `flatten` arrives as text (a query string does not say what type a value
//! is), so switches and ids read both their JSON form and their text form.

use serde::{Deserialize, Deserializer, de::Error};

#[derive(Deserialize)]
#[serde(untagged)]
enum Switch {
    Bool(bool),
    Text(String),
}

/// `true` or `"true"` (and `"on"`, a ticked box); `false`, `"false"` or `""`.
pub fn switch<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    match Switch::deserialize(deserializer)? {
        Switch::Bool(on) => Ok(on),
        Switch::Text(text) => match text.as_str() {
            "true" | "on" => Ok(true),
            "false" | "" => Ok(false),
            other => Err(D::Error::custom(format!("expected true or false, not {other:?}"))),
        },
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Id {
    Number(i64),
    Text(String),
}

/// A list of ids, as numbers or as their text.
pub fn ids<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<i64>, D::Error> {
    Vec::<Id>::deserialize(deserializer)?
        .into_iter()
        .map(|id| match id {
            Id::Number(id) => Ok(id),
            Id::Text(text) => text
                .trim()
                .parse()
                .map_err(|_| D::Error::custom(format!("expected an id, not {text:?}"))),
        })
        .collect()
}

/// A whole number from a field that the form's own check explains: text
/// that is not one (an emptied field) reads as 0, out of every such
/// field's range, so the person sees that field's message rather than a
/// refusal of the whole form.
pub fn checked_integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    match Id::deserialize(deserializer)? {
        Id::Number(number) => Ok(number),
        Id::Text(text) => Ok(text.trim().parse().unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Inner {
        #[serde(deserialize_with = "super::checked_integer")]
        grade: i64,
    }

    #[derive(serde::Deserialize)]
    struct Outer {
        #[serde(flatten)]
        inner: Inner,
    }

    #[test]
    fn a_number_field_reads_through_flatten() {
        let outer: Outer = serde_urlencoded::from_str("grade=8").expect("a form");
        assert_eq!(outer.inner.grade, 8);
        let json: Outer = serde_json::from_str(r#"{"grade": 9}"#).expect("JSON");
        assert_eq!(json.inner.grade, 9);
        // An emptied field reaches the field's own check as 0.
        let empty: Outer = serde_urlencoded::from_str("grade=").expect("a form");
        assert_eq!(empty.inner.grade, 0);
    }
}
