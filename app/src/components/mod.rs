//! Small building blocks shared by admin pages.

mod form;

pub use form::{FieldErrorText, FormAlert, TextField, field_errors};
