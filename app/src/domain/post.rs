//! A post's fields in one shape: the stored rows, revisions, the public
//! read, the editor's state, the admin API and the export all hold these,
//! so a field is added in one place and two versions compare with `==`.

use serde::{Deserialize, Serialize};

/// What a post is to readers: an article (dated, bylined, in the feeds
/// and lists, at `/posts/{slug}`) or a page (About, Services, Contact…:
/// the same editor and workflow, but at `/{slug}`, without byline, date,
/// feed entry, tags or related articles).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    #[default]
    Post,
    Page,
}

impl PostKind {
    pub const ALL: [Self; 2] = [Self::Post, Self::Page];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Page => "page",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// How the admin names one ("post" reads as "article" to readers).
    pub fn label(self) -> &'static str {
        match self {
            Self::Post => "Article",
            Self::Page => "Page",
        }
    }

    /// Whether its medical review falls due again, by the site's review
    /// interval: an article's does; a page (About, Privacy) is reviewed
    /// before it goes out, like an article, but nothing makes that review
    /// due again (no due date, re-review or reminder).
    pub fn review_falls_due(self) -> bool {
        self == Self::Post
    }

    /// Where readers find one with this slug.
    pub fn path(self, slug: &str) -> String {
        match self {
            Self::Post => format!("/posts/{slug}"),
            Self::Page => format!("/{slug}"),
        }
    }
}

impl TryFrom<String> for PostKind {
    type Error = crate::error::AppError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| crate::error::AppError::internal(format_args!("unknown post kind {value:?}")))
    }
}

/// A post's text: what a revision keeps and what readers see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PostContent {
    pub title: String,
    pub slug: String,
    /// Markdown.
    pub body: String,
    pub excerpt: String,
    pub cover_url: String,
    pub cover_alt: String,
    pub seo_title: String,
    pub seo_description: String,
    pub canonical_url: String,
}

impl PostContent {
    /// Every field but the body, with the name the editor gives it: what a
    /// comparison of two revisions lists.
    pub fn labelled_fields(&self) -> [(&'static str, &str); 8] {
        [
            ("Title", &self.title),
            ("Address", &self.slug),
            ("Excerpt", &self.excerpt),
            ("Cover image", &self.cover_url),
            ("Cover alt text", &self.cover_alt),
            ("SEO title", &self.seo_title),
            ("Meta description", &self.seo_description),
            ("Canonical URL", &self.canonical_url),
        ]
    }
}

/// What an editor saves: the text, plus what changes with a save but is
/// not part of a revision (the review switch, tags and authors).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostFields {
    /// Flattened: the editor's form, its JSON and its browser copy keep
    /// one flat list of fields.
    #[serde(flatten)]
    pub content: PostContent,
    /// Show readers who reviewed the text, and when.
    #[serde(deserialize_with = "super::form::switch")]
    pub show_review: bool,
    /// Tag names, separated by commas, as the editor shows them.
    pub tags: String,
    /// One or more, primary first.
    #[serde(deserialize_with = "super::form::ids")]
    pub author_ids: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of `save_post`'s arguments: the fields flattened between
    /// the id, version and switch of the call.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Save {
        id: i64,
        version: i64,
        #[serde(flatten)]
        fields: PostFields,
        manual: bool,
    }

    fn sample() -> Save {
        Save {
            id: 7,
            version: 3,
            fields: PostFields {
                content: PostContent {
                    title: "Sleep & mood".into(),
                    slug: "sleep-and-mood".into(),
                    body: "## Why\n\nRest, 100%.".into(),
                    ..PostContent::default()
                },
                show_review: true,
                tags: "Sleep, Mood".into(),
                author_ids: vec![4, 2],
            },
            manual: false,
        }
    }

    #[test]
    fn the_save_form_is_flat_and_reads_back_whole() {
        let form = serde_qs::to_string(&sample()).expect("encode");
        assert!(form.contains("title=Sleep"), "{form}");
        assert!(
            form.contains("show_review=true") && form.contains("author_ids[0]=4"),
            "{form}"
        );
        assert_eq!(serde_qs::from_str::<Save>(&form).expect("decode"), sample());
        let typed = "id=7&version=3&title=Sleep+%26+mood&slug=sleep-and-mood&body=%23%23+Why%0A%0ARest%2C+100%25.\
                     &excerpt=&cover_url=&cover_alt=&seo_title=&seo_description=&canonical_url=\
                     &show_review=true&tags=Sleep%2C+Mood&author_ids[0]=4&author_ids[1]=2&manual=false";
        assert_eq!(
            serde_qs::from_str::<Save>(typed).expect("a form typed by hand"),
            sample()
        );
    }

    #[test]
    fn kinds_read_back_and_live_at_their_addresses() {
        for kind in PostKind::ALL {
            assert_eq!(PostKind::parse(kind.as_str()), Some(kind));
            assert_eq!(PostKind::try_from(kind.as_str().to_owned()).ok(), Some(kind));
        }
        assert!(PostKind::try_from("article".to_owned()).is_err());
        assert_eq!(PostKind::Page.path("about"), "/about");
        assert_eq!(PostKind::Post.path("flu"), "/posts/flu");
        assert_eq!(
            serde_json::to_value(PostKind::Page).ok(),
            Some(serde_json::json!("page"))
        );
    }

    #[test]
    fn the_json_is_flat_too() {
        let json = serde_json::to_value(sample().fields).expect("json");
        assert_eq!(json["title"], "Sleep & mood");
        assert_eq!(json["author_ids"][1], 2);
        let back: PostFields = serde_json::from_value(json).expect("back");
        assert_eq!(back, sample().fields);
    }

    #[test]
    fn bad_ids_and_switches_are_refused() {
        let bad_id = "id=7&version=3&title=a&slug=a&body=&excerpt=&cover_url=&cover_alt=&seo_title=\
                      &seo_description=&canonical_url=&show_review=true&tags=&author_ids[0]=x&manual=false";
        assert!(serde_qs::from_str::<Save>(bad_id).is_err());
        let bad_switch = bad_id
            .replace("author_ids[0]=x", "author_ids[0]=1")
            .replace("show_review=true", "show_review=maybe");
        assert!(serde_qs::from_str::<Save>(&bad_switch).is_err());
    }
}
