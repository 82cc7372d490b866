//! The demo's cover images, drawn for Vellum as SVG: abstract shapes in
//! calm colors, 1200×630, with no text, fonts, scripts or external
//! references. Served at `/demo/covers/{name}.svg`.

use app::state::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The covers' route: public, no session. It is served whether or not
/// the demo was seeded, as it always was.
pub fn routes() -> Router<AppState> {
    Router::new().route("/demo/covers/{name}", get(cover))
}

/// `GET /demo/covers/{name}.svg`: a demo cover, cached for good (a cover
/// never changes under its name).
async fn cover(Path(name): Path<String>) -> Response {
    match name.strip_suffix(".svg").and_then(svg) {
        Some(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            svg,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// (name, SVG), one per demo post.
pub const COVERS: [(&str, &str); 14] = [
    ("allergies", include_str!("covers/allergies.svg")),
    ("antibiotics", include_str!("covers/antibiotics.svg")),
    ("back-pain", include_str!("covers/back-pain.svg")),
    ("check-up", include_str!("covers/check-up.svg")),
    ("diabetes", include_str!("covers/diabetes.svg")),
    ("fever", include_str!("covers/fever.svg")),
    ("flu", include_str!("covers/flu.svg")),
    ("heart", include_str!("covers/heart.svg")),
    ("hydration", include_str!("covers/hydration.svg")),
    ("plate", include_str!("covers/plate.svg")),
    ("sleep", include_str!("covers/sleep.svg")),
    ("stress", include_str!("covers/stress.svg")),
    ("sun", include_str!("covers/sun.svg")),
    ("walking", include_str!("covers/walking.svg")),
];

/// The SVG named `name` (without `.svg`), if there is one.
pub fn svg(name: &str) -> Option<&'static str> {
    COVERS.iter().find(|(known, _)| *known == name).map(|(_, svg)| *svg)
}

/// Where a post finds its cover.
pub fn url(name: &str) -> String {
    format!("/demo/covers/{name}.svg")
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::covers;
    use super::super::posts::POSTS;

    #[test]
    fn covers_are_self_contained_svg() {
        let mut names = HashSet::new();
        for (name, svg) in covers::COVERS {
            assert!(names.insert(name), "{name} twice");
            assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1200 630\""));
            assert!(svg.trim_end().ends_with("</svg>"), "{name}");
            for banned in [
                "<script",
                "<text",
                "<image",
                "<foreignObject",
                "font",
                "on",
                "url(http",
                "href=\"http",
            ] {
                let found = match banned {
                    // Attributes such as onload; "on" alone is in ordinary words.
                    "on" => svg.contains(" onload") || svg.contains(" onclick"),
                    _ => svg.contains(banned),
                };
                assert!(!found, "{name} contains {banned}");
            }
            assert_eq!(svg.matches("http").count(), 1, "{name}: only the SVG namespace");
        }
        assert!(POSTS.iter().all(|post| names.contains(post.cover)));
        assert_eq!(covers::svg("nope"), None);
    }
}
