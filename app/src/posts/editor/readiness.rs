//! The readiness panel beside the text: what would let a patient or a
//! search engine down, and the reading level against the site's target,
//! checked on the server a moment after typing stops.

use leptos::prelude::*;

use crate::posts::api::{Readiness, ReadinessItem};

/// Where an item's field is in the editor.
fn anchor(item: &ReadinessItem) -> &'static str {
    match item.field.as_str() {
        "excerpt" => "#post-excerpt",
        "seo_description" => "#post-seo_description",
        _ => "#post-body",
    }
}

/// The grade in words, for the panel.
pub fn grade_text(readiness: &Readiness) -> String {
    if let Some(language) = &readiness.ungraded_language {
        return format!(
            "Reading level: measured for English only; this site's articles are in \u{201c}{language}\u{201d}."
        );
    }
    match readiness.grade {
        None => "Reading level: write a few more sentences to see it.".into(),
        Some(grade) if grade <= readiness.target as f64 => {
            format!(
                "Reading level: grade {grade:.1}, within the aim of grade {}.",
                readiness.target
            )
        }
        Some(grade) => format!(
            "Reading level: grade {grade:.1}, above the aim of grade {}: shorter sentences and everyday words help.",
            readiness.target
        ),
    }
}

#[component]
pub(super) fn ReadinessPanel(
    readiness: RwSignal<Option<Readiness>>,
    /// A check of newer text is on its way.
    checking: ReadSignal<bool>,
) -> impl IntoView {
    view! {
        <section class="readiness card" aria-labelledby="readiness-heading" data-testid="readiness"
            data-checking=move || checking.get().to_string() aria-busy=move || checking.get().to_string()>
            <h2 id="readiness-heading">"Before review"</h2>
            {move || match readiness.get() {
                None => view! { <p>"Checking…"</p> }.into_any(),
                Some(readiness) => view! {
                    <p data-testid="reading-level">{grade_text(&readiness)}</p>
                    {(!readiness.hardest.is_empty()).then(|| view! {
                        <details data-testid="hardest-sentences">
                            <summary>"The hardest sentences"</summary>
                            <ol>{readiness.hardest.iter().map(|sentence| view! { <li>{sentence.clone()}</li> }).collect_view()}</ol>
                        </details>
                    })}
                    {if readiness.items.is_empty() {
                        view! { <p data-testid="readiness-clear">"Nothing to fix."</p> }.into_any()
                    } else {
                        view! {
                            <ul data-testid="readiness-items">
                                {readiness.items.iter().map(|item| view! {
                                    <li><a href=anchor(item)>{item.message.clone()}</a></li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                }.into_any(),
            }}
        </section>
    }
}
