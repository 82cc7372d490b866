//! The demo's articles: written for Vellum, in plain language, each with a
//! cover made for it (`covers.rs`). The bodies live in `posts/*.md`.

use app::domain::{PostContent, PostFields};

/// Who wrote a post (the demo's staff, by role in the story).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Dr. Maya Patel, the family physician who reviews articles.
    Physician,
    /// Sam Rivera, nurse and health educator.
    Nurse,
    /// Nora Lindqvist, registered dietitian.
    Dietitian,
}

/// How far through the workflow a post has got, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Published this many days ago, after review.
    Published { days_ago: i64 },
    /// Approved, and scheduled to go out in this many days.
    Scheduled { in_days: i64 },
    /// Submitted for review this many days ago, waiting for an editor.
    InReview { days_ago: i64 },
    /// Still being written; last saved this many days ago.
    Draft { days_ago: i64 },
}

pub struct DemoPost {
    pub title: &'static str,
    pub excerpt: &'static str,
    /// Comma-separated, from `TAGS`.
    pub tags: &'static str,
    /// The byline, primary author first.
    pub authors: &'static [Who],
    /// A name in `covers::COVERS`.
    pub cover: &'static str,
    pub cover_alt: &'static str,
    /// Whether readers are told about the medical review.
    pub show_review: bool,
    pub body: &'static str,
    pub plan: Plan,
    /// What the author says when submitting, or the reviewer when
    /// approving, if anything.
    pub submit_note: Option<&'static str>,
    pub approve_note: Option<&'static str>,
    /// Months from the review to the next one due: a year, as the
    /// settings say, but for the flu article, which its reviewer wanted
    /// to check again within the season; it is overdue in the demo.
    pub review_months: u32,
}

impl DemoPost {
    /// What its author saves: the article at `slug`, with its cover.
    pub fn fields(&self, slug: &str, author_ids: Vec<i64>) -> PostFields {
        PostFields {
            content: PostContent {
                title: self.title.to_owned(),
                slug: slug.to_owned(),
                body: self.body.to_owned(),
                excerpt: self.excerpt.to_owned(),
                cover_url: if self.cover.is_empty() {
                    String::new()
                } else {
                    super::covers::url(self.cover)
                },
                cover_alt: self.cover_alt.to_owned(),
                ..PostContent::default()
            },
            show_review: self.show_review,
            tags: self.tags.to_owned(),
            author_ids,
        }
    }
}

/// The tags the demo uses, with the description each tag page shows.
pub const TAGS: [(&str, &str); 8] = [
    (
        "Heart health",
        "Blood pressure, cholesterol and the everyday habits that protect your heart.",
    ),
    (
        "Prevention",
        "Screenings, vaccines and small habits that keep problems from starting.",
    ),
    (
        "Nutrition",
        "Practical, budget-friendly eating advice from our registered dietitian.",
    ),
    (
        "Sleep",
        "Why sleep matters, and what helps when it does not come easily.",
    ),
    (
        "Children's health",
        "Fevers, sun, growing up: guidance for parents and caregivers.",
    ),
    (
        "Mental health",
        "Stress, worry and low mood: what helps, and when to reach out.",
    ),
    ("Vaccines", "Who needs which vaccine, when, and what to expect."),
    (
        "Chronic conditions",
        "Living well with long-term conditions such as diabetes, allergies and back pain.",
    ),
];

/// Oldest first: the order they were written in.
pub const POSTS: [DemoPost; 14] = [
    DemoPost {
        title: "Getting the most from your yearly check-up",
        excerpt: "A little preparation turns a routine visit into a real conversation about your health. \
                  What to bring, what to expect, and which questions to ask.",
        tags: "Prevention",
        authors: &[Who::Physician, Who::Nurse],
        cover: "check-up",
        cover_alt: "A white clipboard with blank lines and a teal check mark, on a soft blue-green background.",
        show_review: false,
        body: include_str!("posts/check-up.md"),
        plan: Plan::Published { days_ago: 88 },
        submit_note: None,
        approve_note: None,
        review_months: 12,
    },
    DemoPost {
        title: "Flu season: why the yearly vaccine matters",
        excerpt: "Flu viruses change and protection fades, so the vaccine is updated every year. \
                  Who needs it, what to expect afterwards, and how to tell flu from a cold.",
        tags: "Vaccines, Prevention",
        authors: &[Who::Nurse],
        cover: "flu",
        cover_alt: "A teal shield with a white cross, surrounded by pale blue circles.",
        show_review: true,
        body: include_str!("posts/flu.md"),
        plan: Plan::Published { days_ago: 79 },
        submit_note: Some("Timed for the start of our vaccine clinics."),
        approve_note: Some("Matches this season's guidance. Good to go."),
        review_months: 2,
    },
    DemoPost {
        title: "Five habits for a healthier heart",
        excerpt: "Small, steady changes protect your heart more than any single big one. \
                  Five everyday habits, and the warning signs everyone should know.",
        tags: "Heart health, Nutrition, Prevention",
        authors: &[Who::Nurse, Who::Dietitian],
        cover: "heart",
        cover_alt: "A coral heart crossed by a white heartbeat line, on a blush-pink background.",
        show_review: true,
        body: include_str!("posts/heart.md"),
        plan: Plan::Published { days_ago: 71 },
        submit_note: None,
        approve_note: None,
        review_months: 12,
    },
    DemoPost {
        title: "Fever in children: what to do and when to call",
        excerpt: "Most childhood fevers are the body fighting an infection. How to measure a fever, \
                  keep your child comfortable, and spot the signs that need a call.",
        tags: "Children's health",
        authors: &[Who::Nurse],
        cover: "fever",
        cover_alt: "A thermometer and a small white cloud beside a soft sun, on a warm peach background.",
        show_review: true,
        body: include_str!("posts/fever.md"),
        plan: Plan::Published { days_ago: 63 },
        submit_note: None,
        approve_note: Some("Checked the thresholds and the dosing advice against current pediatric guidance."),
        review_months: 12,
    },
    DemoPost {
        title: "Living well with type 2 diabetes",
        excerpt: "Type 2 diabetes is common and manageable. What the numbers mean, how food and movement \
                  help, and the everyday checks that prevent problems.",
        tags: "Chronic conditions, Nutrition",
        authors: &[Who::Dietitian, Who::Nurse],
        cover: "diabetes",
        cover_alt: "A teal droplet above a gentle wave line that stays within a pale band, on mint green.",
        show_review: true,
        body: include_str!("posts/diabetes.md"),
        plan: Plan::Published { days_ago: 56 },
        submit_note: None,
        approve_note: None,
        review_months: 12,
    },
    DemoPost {
        title: "Better sleep starts in the daytime",
        excerpt: "Good nights are shaped by your days: morning light, caffeine timing and a calm last hour. \
                  Practical steps for better sleep, and when to ask for help.",
        tags: "Sleep, Mental health",
        authors: &[Who::Nurse],
        cover: "sleep",
        cover_alt: "A pale crescent moon and scattered stars above rolling hills, in deep night blue.",
        show_review: true,
        body: include_str!("posts/sleep.md"),
        plan: Plan::Published { days_ago: 48 },
        submit_note: None,
        approve_note: None,
        review_months: 12,
    },
    DemoPost {
        title: "Building a balanced plate",
        excerpt: "Forget the headlines: a simple picture of a balanced plate takes you most of the way \
                  to healthy eating, on any budget.",
        tags: "Nutrition",
        authors: &[Who::Dietitian],
        cover: "plate",
        cover_alt: "A plate divided into a green half and two quarters in orange and wheat tones, \
                    with a glass of water beside it.",
        show_review: true,
        body: include_str!("posts/plate.md"),
        plan: Plan::Published { days_ago: 40 },
        submit_note: None,
        approve_note: None,
        review_months: 12,
    },
    DemoPost {
        title: "Back pain: why moving helps you heal",
        excerpt: "Most low back pain is harmless and settles within weeks. Why gentle movement beats \
                  bed rest, what eases the pain, and which signs need prompt care.",
        tags: "Chronic conditions, Prevention",
        authors: &[Who::Physician],
        cover: "back-pain",
        cover_alt: "A gently curving column of rounded purple blocks, like a spine, on a lavender background.",
        show_review: false,
        body: include_str!("posts/back-pain.md"),
        plan: Plan::Published { days_ago: 31 },
        submit_note: None,
        approve_note: None,
        review_months: 12,
    },
    DemoPost {
        title: "Stress, worry and when to ask for help",
        excerpt: "Stress is a normal response to pressure, but it should not run your life. \
                  How to recognize it, small things that help, and when to talk to us.",
        tags: "Mental health",
        authors: &[Who::Nurse],
        cover: "stress",
        cover_alt: "Calm, widening ripples spreading across still blue-green water.",
        show_review: true,
        body: include_str!("posts/stress.md"),
        plan: Plan::Published { days_ago: 22 },
        submit_note: None,
        approve_note: Some("Thank you for including the crisis line. Approved."),
        review_months: 12,
    },
    DemoPost {
        title: "Seasonal allergies: a practical guide",
        excerpt: "Sneezing, itchy eyes and a runny nose every year? How to cut your exposure to pollen \
                  and choose treatments that work.",
        tags: "Chronic conditions, Prevention",
        authors: &[Who::Nurse],
        cover: "allergies",
        cover_alt: "Two white flowers with yellow centers releasing small dots of pollen over a pale green meadow.",
        show_review: true,
        body: include_str!("posts/allergies.md"),
        plan: Plan::Published { days_ago: 10 },
        submit_note: None,
        approve_note: None,
        review_months: 12,
    },
    DemoPost {
        title: "Staying hydrated: how much water do you need?",
        excerpt: "There is no magic number of glasses. How to tell whether you are drinking enough, \
                  who needs extra care, and easy ways to make it a habit.",
        tags: "Nutrition, Prevention",
        authors: &[Who::Dietitian, Who::Nurse],
        cover: "hydration",
        cover_alt: "A large blue water drop above layered waves in shades of aqua.",
        show_review: true,
        body: include_str!("posts/hydration.md"),
        plan: Plan::Published { days_ago: 1 },
        submit_note: None,
        approve_note: None,
        review_months: 12,
    },
    DemoPost {
        title: "Antibiotics: when they help and when they don't",
        excerpt: "Antibiotics fight bacteria, not viruses. Why we do not prescribe them for most colds \
                  and coughs, and how to feel better in the meantime.",
        tags: "Prevention",
        authors: &[Who::Physician],
        cover: "antibiotics",
        cover_alt: "White and teal capsules scattered at angles on a pale blue-gray background.",
        show_review: false,
        body: include_str!("posts/antibiotics.md"),
        plan: Plan::Draft { days_ago: 3 },
        submit_note: None,
        approve_note: None,
        review_months: 12,
    },
    DemoPost {
        title: "Sun safety for the whole family",
        excerpt: "UV damage adds up over a lifetime, but protection is simple: shade, clothing, hats \
                  and sunscreen used the right way, for adults and children alike.",
        tags: "Children's health, Prevention",
        authors: &[Who::Nurse],
        cover: "sun",
        cover_alt: "A bright yellow sun beside a teal and white striped beach umbrella over golden sand.",
        show_review: true,
        body: include_str!("posts/sun.md"),
        plan: Plan::Scheduled { in_days: 4 },
        submit_note: Some("Ready for review. I added a section on babies and young children."),
        approve_note: Some("Approved; scheduled so it does not go out in the same week as the hydration article."),
        review_months: 12,
    },
    DemoPost {
        title: "Walking for health: how to start and keep going",
        excerpt: "Walking is close to a free prescription for body and mind. A four-week plan to get \
                  started, and ideas to keep going once the novelty wears off.",
        tags: "Heart health, Prevention",
        authors: &[Who::Nurse],
        cover: "walking",
        cover_alt: "A winding path through green hills dotted with round trees, under a pale sky.",
        show_review: true,
        body: include_str!("posts/walking.md"),
        plan: Plan::InReview { days_ago: 1 },
        submit_note: Some(
            "Ready for a medical check, especially the section on walking with a heart condition or diabetes.",
        ),
        approve_note: None,
        review_months: 12,
    },
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use app::posts::server::PostEdit;

    use super::super::covers;
    use super::*;

    #[test]
    fn every_post_is_a_complete_article() {
        let tags: HashSet<&str> = TAGS.iter().map(|(name, _)| *name).collect();
        let mut titles = HashSet::new();
        for post in &POSTS {
            let words = post.body.split_whitespace().count();
            assert!((500..=900).contains(&words), "{}: {words} words", post.title);
            assert!(post.body.contains("\n## "), "{}: sections", post.title);
            assert!(
                post.body.contains("\n- ") || post.body.contains("\n1. "),
                "{}: a list",
                post.title
            );
            assert!(
                post.body.contains("## When to call your clinician"),
                "{}: when to call",
                post.title
            );
            assert!(!post.excerpt.is_empty() && post.excerpt.len() < 300, "{}", post.title);
            assert!(!post.excerpt.contains("  "), "{}: excerpt spacing", post.title);
            let post_tags: Vec<&str> = post.tags.split(", ").collect();
            assert!((1..=3).contains(&post_tags.len()), "{}", post.title);
            assert!(
                post_tags.iter().all(|tag| tags.contains(tag)),
                "{}: {}",
                post.title,
                post.tags
            );
            assert!(
                covers::svg(post.cover).is_some(),
                "{}: cover {}",
                post.title,
                post.cover
            );
            assert!(post.cover_alt.len() > 20, "{}: alt text", post.title);
            assert!(titles.insert(post.title), "{}: twice", post.title);
            PostEdit::parse(&post.fields("a-post", vec![1]))
                .unwrap_or_else(|error| panic!("{}: {error:?}", post.title));
        }
        let used: HashSet<&str> = POSTS.iter().flat_map(|post| post.tags.split(", ")).collect();
        assert_eq!(used, tags, "every tag is used");
        assert!(POSTS.iter().any(|post| post.authors.len() > 1), "multi-author bylines");
    }
}
