//! The demo's cover images, drawn for Vellum as SVG: abstract shapes in
//! calm colors, 1200×630, with no text, fonts, scripts or external
//! references. Served at `/demo/covers/{name}.svg`.

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
