//! Accessible form pieces: every field has a visible label, and its errors
//! stand beside it, tied to it with aria-describedby and announced by
//! screen readers.

use leptos::prelude::*;

use crate::error::AppError;

/// The messages for `field` in the latest result of an action.
pub fn field_errors<T: Send + Sync + 'static>(
    result: impl Into<Signal<Option<Result<T, AppError>>>>,
    field: &'static str,
) -> Signal<Vec<String>> {
    let result = result.into();
    Signal::derive(move || {
        result.with(|latest| match latest {
            Some(Err(error)) => error.field_messages(field).to_vec(),
            _ => Vec::new(),
        })
    })
}

#[component]
pub fn TextField(
    /// The form field's name, which is also the server function's argument.
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: Signal<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    /// The least and greatest value of a number field: the browser's
    /// spinner and its own check keep to them (the server checks anyway).
    #[prop(optional)]
    min: Option<i64>,
    #[prop(optional)] max: Option<i64>,
    #[prop(into)] errors: Signal<Vec<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id
                name=name
                type=kind
                value=move || value.get()
                autocomplete=autocomplete
                required=required
                min=min
                max=max
                aria-invalid=move || if errors.with(Vec::is_empty) { "false" } else { "true" }
                aria-describedby=described_by
            />
            <FieldErrorText id=error_id errors />
        </div>
    }
}

/// The messages of one field, in a live region.
#[component]
pub fn FieldErrorText(id: String, #[prop(into)] errors: Signal<Vec<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=id aria-live="polite">
            {move || errors.get().join(" ")}
        </p>
    }
}

/// A form-wide message for errors that belong to no single field.
#[component]
pub fn FormAlert<T: Send + Sync + 'static>(
    #[prop(into)] result: Signal<Option<Result<T, AppError>>>,
    /// Fields whose errors are shown beside them already.
    fields: &'static [&'static str],
) -> impl IntoView {
    let message = move || match result.with(|latest| latest.as_ref().and_then(|r| r.as_ref().err().cloned())) {
        Some(AppError::Validation { fields: problems }) => {
            let rest: Vec<String> = problems
                .iter()
                .filter(|(field, _)| !fields.contains(&field.as_str()))
                .flat_map(|(_, messages)| messages.clone())
                .collect();
            (!rest.is_empty()).then(|| rest.join(" "))
        }
        Some(error) => Some(error.to_string()),
        None => None,
    };
    view! {
        <div class="form-alert" role="alert" aria-live="assertive">
            {message}
        </div>
    }
}
