//! The admin API's wire types: what its endpoints take and answer as
//! JSON (and describe in the OpenAPI document), and how they turn into and
//! out of the admin's own post fields. Apart from the handlers so that the
//! shape of the API reads in one place.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::domain::{PostContent, PostFields};
use crate::error::AppError;
use crate::posts::server::{Post, PostEdit, PostTitle, Slug};
use crate::posts::workflow::PostStatus;

/// A post as its authors and editors work on it: the working copy.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPost {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub status: PostStatus,
    /// Send it back with an update: a save over someone else's newer one
    /// is refused with 409.
    pub version: i64,
    pub markdown: String,
    pub excerpt: String,
    pub tags: Vec<String>,
    pub authors: Vec<AdminPerson>,
    pub cover_url: String,
    pub cover_alt: String,
    pub seo_title: String,
    pub seo_description: String,
    pub canonical_url: String,
    pub show_review: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub publish_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPerson {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPostSummary {
    pub id: i64,
    pub title: String,
    pub status: PostStatus,
    pub updated_at: DateTime<Utc>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPostList {
    pub posts: Vec<AdminPostSummary>,
}

/// A new draft: a title, and any of the other fields. (Its schema is
/// written out below.)
#[derive(Debug, Deserialize)]
pub struct NewDraft {
    pub title: String,
    #[serde(flatten)]
    pub fields: DraftFields,
    /// Last: serde hands a flattened field the names that the fields
    /// before it left, so only unknown names reach this one.
    #[serde(flatten)]
    pub(super) unknown: UnknownFields,
}

/// Changes to a draft: the version it was read at, and the fields to
/// change (the others stay).
#[derive(Debug, Deserialize)]
pub struct DraftUpdate {
    #[serde(deserialize_with = "whole_number")]
    pub version: i64,
    pub title: Option<String>,
    #[serde(flatten)]
    pub fields: DraftFields,
    /// Last, as in `NewDraft`.
    #[serde(flatten)]
    pub(super) unknown: UnknownFields,
}

/// A derived schema of a struct with a flattened field is an `allOf`,
/// which cannot forbid other names; these bodies are described as one
/// closed object each instead: their own properties plus `DraftFields`'s.
fn closed_draft_schema(description: &str, own: ObjectBuilder) -> RefOr<Schema> {
    let mut object = own.description(Some(description)).build();
    if let RefOr::T(Schema::Object(fields)) = <DraftFields as PartialSchema>::schema() {
        object.properties.extend(fields.properties);
    }
    object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
    RefOr::T(Schema::Object(object))
}

fn title_schema(title_type: SchemaType) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(title_type)
        .min_length(Some(1))
        .max_length(Some(200))
}

impl PartialSchema for NewDraft {
    fn schema() -> RefOr<Schema> {
        let own = ObjectBuilder::new()
            .property(
                "title",
                title_schema(SchemaType::new(Type::String)).examples(["Sleep and screens"]),
            )
            .required("title");
        closed_draft_schema("A new draft: a title, and any of the other fields.", own)
    }
}

impl ToSchema for NewDraft {}

impl PartialSchema for DraftUpdate {
    fn schema() -> RefOr<Schema> {
        let version = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .description(Some("The version the draft was read at."));
        let own = ObjectBuilder::new()
            .property("version", version)
            .required("version")
            .property("title", title_schema(SchemaType::from_iter([Type::String, Type::Null])));
        closed_draft_schema(
            "Changes to a draft: the version it was read at, and the fields to change (the others stay).",
            own,
        )
    }
}

impl ToSchema for DraftUpdate {}

/// The fields of a draft besides its title that a request may set; one
/// left out keeps its value.
#[derive(Debug, Default, PartialEq, Deserialize, ToSchema)]
pub struct DraftFields {
    pub slug: Option<String>,
    pub markdown: Option<String>,
    pub excerpt: Option<String>,
    /// Tag names; missing tags are created.
    pub tags: Option<Vec<String>>,
    pub cover_url: Option<String>,
    pub cover_alt: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
    pub show_review: Option<bool>,
}

/// The names in a body that no field takes, to refuse them by name as
/// `deny_unknown_fields` would (serde cannot combine it with `flatten`).
#[derive(Debug, Default, Deserialize)]
pub(super) struct UnknownFields(BTreeMap<String, serde::de::IgnoredAny>);

impl UnknownFields {
    pub(super) fn refuse(&self) -> Result<(), String> {
        match self.0.keys().next() {
            None => Ok(()),
            Some(name) => Err(format!("unknown field `{name}`")),
        }
    }
}

/// A JSON body an admin endpoint takes, with the names it does not know.
pub(super) trait AdminBody: serde::de::DeserializeOwned {
    fn unknown(&self) -> Option<&UnknownFields> {
        None
    }
}

impl AdminBody for NewDraft {
    fn unknown(&self) -> Option<&UnknownFields> {
        Some(&self.unknown)
    }
}

impl AdminBody for DraftUpdate {
    fn unknown(&self) -> Option<&UnknownFields> {
        Some(&self.unknown)
    }
}

impl AdminBody for Submission {}

impl DraftUpdate {
    /// The first save of a new draft, made of the fields it came with.
    pub(super) fn first_save(version: i64, draft: NewDraft) -> Self {
        Self {
            version,
            title: None,
            fields: draft.fields,
            unknown: UnknownFields::default(),
        }
    }
}

/// A version as JSON may write a whole number: `3` or `3.0`.
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|value| value.fract() == 0.0 && value.abs() < 9.0e15)
                .map(|value| value as i64)
        })
        .ok_or_else(|| serde::de::Error::custom("expected a whole number"))
}

/// The version the caller read, so that a submission of a text changed
/// since is refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    #[serde(deserialize_with = "whole_number")]
    pub version: i64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminListParams {
    /// Only posts in this status.
    #[param(value_type = Option<PostStatus>, inline, example = "draft")]
    pub(super) status: Option<String>,
}

impl DraftFields {
    /// Lays these changes, and a new `title` if there is one, over a
    /// post's fields. Tag names travel joined by commas, so a name with a
    /// comma in it is refused rather than split in two.
    pub(super) fn apply_to(&self, title: Option<&String>, fields: &mut PostFields) -> Result<(), AppError> {
        let set = |target: &mut String, new: &Option<String>| {
            if let Some(new) = new {
                new.clone_into(target);
            }
        };
        let content = &mut fields.content;
        set(&mut content.title, &title.cloned());
        set(&mut content.slug, &self.slug);
        set(&mut content.body, &self.markdown);
        set(&mut content.excerpt, &self.excerpt);
        set(&mut content.cover_url, &self.cover_url);
        set(&mut content.cover_alt, &self.cover_alt);
        set(&mut content.seo_title, &self.seo_title);
        set(&mut content.seo_description, &self.seo_description);
        set(&mut content.canonical_url, &self.canonical_url);
        if let Some(show_review) = self.show_review {
            fields.show_review = show_review;
        }
        if let Some(tags) = &self.tags {
            if tags.iter().any(|tag| tag.contains(',')) {
                return Err(AppError::invalid("tags", "Tag names cannot contain commas."));
            }
            fields.tags = tags.join(", ");
        }
        Ok(())
    }
}

/// Checks a new draft's fields as its first save will, before anything is
/// stored, so a refused draft leaves nothing behind.
pub(super) fn check_new_draft(draft: &NewDraft, author_id: i64) -> Result<(), AppError> {
    let title = &draft.title;
    let slug = PostTitle::parse(title)
        .map(|title| Slug::from_title(&title).as_str().to_owned())
        .unwrap_or_default();
    let mut values = PostFields {
        content: PostContent {
            title: title.clone(),
            slug,
            ..PostContent::default()
        },
        show_review: true,
        tags: String::new(),
        author_ids: vec![author_id],
    };
    draft.fields.apply_to(None, &mut values)?;
    PostEdit::parse(&values).map(drop)
}

pub(super) fn to_admin_post(post: Post, authors: Vec<AdminPerson>, tags: Vec<String>) -> AdminPost {
    AdminPost {
        id: post.id,
        title: post.content.title,
        slug: post.content.slug,
        status: post.status,
        version: post.version,
        markdown: post.content.body,
        excerpt: post.content.excerpt,
        tags,
        authors,
        cover_url: post.content.cover_url,
        cover_alt: post.content.cover_alt,
        seo_title: post.content.seo_title,
        seo_description: post.content.seo_description,
        canonical_url: post.content.canonical_url,
        show_review: post.show_review,
        created_at: post.created_at,
        updated_at: post.updated_at,
        published_at: post.published_at,
        publish_at: post.publish_at,
    }
}
