//! Input parsed into types that cannot hold bad values: what every write
//! is made of, checked before anything reaches SQL. Each parser returns a
//! message for the person who typed the value.

pub mod branding;
pub mod clinic;
pub mod menu;
pub mod outbound;
pub mod passkeys;
pub mod people;
pub mod post;
pub mod site;
pub mod tokens;

#[cfg(test)]
mod props;

use crate::error::FieldErrors;

/// Refuses control characters, which make feeds invalid XML and can hide
/// text; `multi_line` text keeps its line breaks and tabs.
pub fn refuse_control(text: &str, multi_line: bool, what: &str) -> Result<(), String> {
    let refused = |c: char| c.is_control() && !(multi_line && matches!(c, '\n' | '\r' | '\t'));
    if text.chars().any(refused) {
        return Err(format!("Remove the control characters from {what}."));
    }
    Ok(())
}

/// Records a parse failure under `field` and passes successes through.
pub fn collect<T>(problems: &mut FieldErrors, field: &str, parsed: Result<T, String>) -> Option<T> {
    match parsed {
        Ok(value) => Some(value),
        Err(message) => {
            problems.entry(field.to_owned()).or_default().push(message);
            None
        }
    }
}
