//! What the content API sends: the JSON shapes, and how a public post
//! becomes one. Field names and meanings are part of the API contract
//! (`docs/api.md`); add fields, never rename them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::content::MEDIA_PREFIX;
use crate::content::render::excerpt;
use crate::media::server::{MediaIndex, mentioned_keys};
use crate::posts::server::{PublicAuthor, PublicCount, PublicPost, Tag, public_path};
use crate::settings::SiteSettings;

/// A published post, as readers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Post {
    pub id: i64,
    #[schema(example = "flu-shots-2026")]
    pub slug: String,
    /// The post's page on the blog.
    #[schema(example = "https://clinic.example/posts/flu-shots-2026")]
    pub url: String,
    pub title: String,
    /// The author's excerpt, or the start of the first paragraph.
    pub excerpt: String,
    /// The body, rendered and sanitised.
    pub html: String,
    /// The body as written (Markdown).
    pub markdown: String,
    /// The works the post cites (its footnotes), in the order of the
    /// numbered Sources list that ends `html`.
    pub sources: Vec<Source>,
    pub cover: Option<Cover>,
    pub tags: Vec<TagRef>,
    /// In byline order, primary author first.
    pub authors: Vec<Author>,
    /// The medical review, when the post shows it and the live text is
    /// the version that was reviewed.
    pub reviewer: Option<Reviewer>,
    /// Whether that review is still current: when the next is due and
    /// whether it has lapsed; null when `reviewer` is.
    pub review: Option<ReviewStatus>,
    pub published_at: DateTime<Utc>,
    /// When the text readers see last changed.
    pub updated_at: DateTime<Utc>,
    pub reading_time_minutes: u32,
    pub seo: Seo,
    /// The library images of the cover and the body, with their resized
    /// copies, so a front end can build its own `srcset`.
    pub images: Vec<Image>,
}

/// A work a post cites: one of its footnotes. `url`, `doi` and `pmid`
/// are null when the footnote names none; a DOI resolves at
/// `https://doi.org/{doi}` and a PubMed ID at
/// `https://pubmed.ncbi.nlm.nih.gov/{pmid}/`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Source {
    /// Its number in the Sources list and in the text's citations.
    #[schema(example = 1, minimum = 1)]
    pub number: usize,
    /// The footnote's words without its address, DOI and PubMed ID.
    #[schema(example = "Smith J et al. Sleep and blood pressure. NEJM 2021.")]
    pub name: String,
    /// The http(s) address written in the footnote, unless it is a DOI's
    /// or a PubMed page (see `doi` and `pmid`).
    #[schema(example = "https://www.nhs.uk/conditions/insomnia/")]
    pub url: Option<String>,
    #[schema(example = "10.1056/NEJMoa2034577")]
    pub doi: Option<String>,
    /// PubMed ID: digits.
    #[schema(example = "33567185", pattern = "^[0-9]+$")]
    pub pmid: Option<String>,
}

impl From<&crate::content::Source> for Source {
    fn from(source: &crate::content::Source) -> Self {
        Self {
            number: source.number,
            name: source.name.clone(),
            url: source.url.clone(),
            doi: source.doi.clone(),
            pmid: source.pmid.clone(),
        }
    }
}

/// A library image and its resized copies.
#[derive(Debug, Serialize, ToSchema)]
pub struct Image {
    /// The stored original (upright, without metadata).
    pub url: String,
    pub alt: String,
    pub width: i64,
    pub height: i64,
    /// Smallest first; WebP and the original's format.
    pub variants: Vec<ImageVariant>,
}

impl Image {
    /// The library images `texts` (a cover, a body) mention, in order,
    /// with absolute addresses.
    pub(super) fn mentioned(texts: &[&str], settings: &SiteSettings, media: &MediaIndex) -> Vec<Self> {
        mentioned_keys(texts)
            .into_iter()
            .filter_map(|key| media.get(&key))
            .map(|image| Self {
                url: settings.absolute(&format!("{MEDIA_PREFIX}{}", image.media.original_key)),
                alt: image.media.alt.clone(),
                width: image.media.width,
                height: image.media.height,
                variants: image
                    .variants
                    .iter()
                    .map(|variant| ImageVariant {
                        url: settings.absolute(&format!("{MEDIA_PREFIX}{}", variant.key)),
                        content_type: variant.content_type.clone(),
                        width: variant.width,
                        height: variant.height,
                        bytes: variant.bytes,
                    })
                    .collect(),
            })
            .collect()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImageVariant {
    pub url: String,
    #[schema(example = "image/webp")]
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Cover {
    pub url: String,
    /// Describes the image for people who cannot see it.
    pub alt: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagRef {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Author {
    pub slug: String,
    pub name: String,
    /// e.g. "MD, FAAP"; empty when none.
    pub credentials: String,
    pub bio: String,
    /// The avatar's URL, if the author has one.
    pub avatar: Option<String>,
    /// The author's page on the blog.
    pub url: String,
}

/// The medical review: who reviewed the text readers see, and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reviewer {
    pub name: String,
    pub credentials: String,
    pub reviewed_at: DateTime<Utc>,
}

/// When a clinician is next due to confirm the reviewed text.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewStatus {
    /// When the next review is due (by default 12 months after
    /// `reviewed_at`; the site's setting or the reviewer may say
    /// otherwise); null for a review recorded without one.
    pub due_at: Option<DateTime<Utc>>,
    /// The due date has passed without a new review: the review has
    /// lapsed. The blog then flags it or shows only its date.
    pub overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Seo {
    /// The title for search results: the SEO title, or the post's title.
    pub title: String,
    pub description: String,
    pub canonical_url: String,
}

/// A page of posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostList {
    pub posts: Vec<Post>,
    pub meta: ListMeta,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    pub pagination: Pagination,
}

/// Where this page sits. `next` and `prev` are page numbers, null at the
/// ends; the `Link` header carries the same as URLs.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pagination {
    pub page: i64,
    pub limit: i64,
    /// How many pages there are (0 when nothing matches).
    pub pages: i64,
    pub total: i64,
    pub next: Option<i64>,
    pub prev: Option<i64>,
}

/// An author of published posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorWithCount {
    #[serde(flatten)]
    pub author: Author,
    /// How many published posts they are an author of.
    pub post_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorList {
    pub authors: Vec<AuthorWithCount>,
}

/// A tag on published posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagDetail {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The tag's page on the blog.
    pub url: String,
    /// How many published posts carry it.
    pub post_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub tags: Vec<TagDetail>,
}

/// The site itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct Site {
    pub title: String,
    pub description: String,
    #[schema(example = "https://clinic.example")]
    pub url: String,
    /// IANA time zone name, in which the blog shows dates.
    #[schema(example = "America/Chicago")]
    pub time_zone: String,
    /// BCP 47 language tag of the content.
    #[schema(example = "en")]
    pub locale: String,
    /// The clinic behind the site; `null` until its details are filled in.
    pub clinic: Option<Clinic>,
    /// The menus as the blog shows them, for front ends that draw their own.
    pub navigation: Navigation,
}

/// The clinic's details as the blog's footer shows them. Empty text is
/// a detail not given.
#[derive(Debug, Serialize, ToSchema)]
pub struct Clinic {
    #[schema(example = "Riverside Family Clinic")]
    pub name: String,
    pub address: ClinicAddress,
    #[schema(example = "+1 555 010 2030")]
    pub phone: String,
    pub email: String,
    /// Where patients book a visit (http or https), or empty.
    pub booking_url: String,
    /// The medical disclaimer shown under every article.
    pub disclaimer: String,
    /// The weekdays the clinic is open, Monday first; closed days are left out.
    pub opening_hours: Vec<OpeningHours>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClinicAddress {
    pub street_address: String,
    pub locality: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

/// One weekday's hours, as 24-hour local times in the site's time zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningHours {
    #[schema(example = "Monday")]
    pub day: String,
    #[schema(example = "08:00")]
    pub opens: String,
    #[schema(example = "17:30")]
    pub closes: String,
}

/// The header and footer menus.
#[derive(Debug, Serialize, ToSchema)]
pub struct Navigation {
    pub header: Vec<NavigationLink>,
    pub footer: Vec<NavigationLink>,
}

/// A menu item: its label and where it leads (an address on this site or
/// elsewhere).
#[derive(Debug, Serialize, ToSchema)]
pub struct NavigationLink {
    #[schema(example = "About us")]
    pub label: String,
    /// Absolute for addresses on this site.
    #[schema(example = "https://clinic.example/about")]
    pub url: String,
}

impl Clinic {
    pub fn from_details(clinic: crate::domain::ClinicDetails) -> Option<Self> {
        if clinic.is_empty() {
            return None;
        }
        let opening_hours = clinic
            .week()
            .filter(|(_, hours)| hours.is_open())
            .map(|(day, hours)| OpeningHours {
                day: day.to_owned(),
                opens: hours.opens,
                closes: hours.closes,
            })
            .collect();
        Some(Self {
            name: clinic.name,
            address: ClinicAddress {
                street_address: clinic.street_address,
                locality: clinic.locality,
                region: clinic.region,
                postal_code: clinic.postal_code,
                country: clinic.country,
            },
            phone: clinic.phone,
            email: clinic.email,
            booking_url: clinic.booking_url,
            disclaimer: clinic.disclaimer,
            opening_hours,
        })
    }
}

impl Author {
    pub fn from_public(author: PublicAuthor, settings: &SiteSettings) -> Self {
        Self {
            url: format!("{}/authors/{}", settings.site_url, author.slug),
            avatar: (!author.avatar_url.is_empty()).then(|| settings.absolute(&author.avatar_url)),
            slug: author.slug,
            name: author.name,
            credentials: author.credentials,
            bio: author.bio,
        }
    }
}

impl AuthorWithCount {
    pub fn from_public(counted: PublicCount<PublicAuthor>, settings: &SiteSettings) -> Self {
        Self {
            author: Author::from_public(counted.item, settings),
            post_count: counted.posts,
        }
    }
}

impl TagDetail {
    pub fn from_public(counted: PublicCount<Tag>, settings: &SiteSettings) -> Self {
        Self {
            url: format!("{}/tags/{}", settings.site_url, counted.item.slug),
            slug: counted.item.slug,
            name: counted.item.name,
            description: counted.item.description,
            post_count: counted.posts,
        }
    }
}

impl Post {
    /// A page in the shape of a post (its preview): at the page's own
    /// address, and without the medical review only articles show.
    pub fn as_page(self, settings: &SiteSettings) -> Self {
        let url = format!(
            "{}{}",
            settings.site_url,
            crate::domain::PostKind::Page.path(&self.slug)
        );
        // A canonical address nobody chose is the post's own address.
        let canonical_url = if self.seo.canonical_url == self.url {
            url.clone()
        } else {
            self.seo.canonical_url
        };
        Self {
            seo: Seo {
                canonical_url,
                ..self.seo
            },
            url,
            reviewer: None,
            review: None,
            ..self
        }
    }

    /// `now` decides whether the review is overdue.
    pub fn from_public(post: PublicPost, settings: &SiteSettings, media: &MediaIndex, now: DateTime<Utc>) -> Self {
        // The stored render, as the post page shows it.
        let rendered = post.render().into_owned();
        let images = Image::mentioned(&[&post.content.cover_url, &post.content.body], settings, media);
        let due_at = post.shown_review_due();
        let reviewer = post.shown_review().map(|(name, credentials, reviewed_at)| Reviewer {
            name,
            credentials,
            reviewed_at,
        });
        let review = reviewer.as_ref().map(|_| ReviewStatus {
            due_at,
            overdue: due_at.is_some_and(|due| due <= now),
        });
        let url = format!("{}{}", settings.site_url, public_path(&post.content.slug));
        let excerpt_text = if post.content.excerpt.is_empty() {
            excerpt(&rendered.first_paragraph, 200)
        } else {
            post.content.excerpt.clone()
        };
        let seo = Seo {
            title: if post.content.seo_title.is_empty() {
                post.content.title.clone()
            } else {
                post.content.seo_title.clone()
            },
            description: if post.content.seo_description.is_empty() {
                excerpt_text.clone()
            } else {
                post.content.seo_description.clone()
            },
            canonical_url: if post.content.canonical_url.is_empty() {
                url.clone()
            } else {
                post.content.canonical_url.clone()
            },
        };
        Self {
            id: post.id,
            cover: (!post.content.cover_url.is_empty()).then(|| Cover {
                url: settings.absolute(&post.content.cover_url),
                alt: post.content.cover_alt.clone(),
            }),
            tags: post
                .tags
                .into_iter()
                .map(|(name, slug)| TagRef { slug, name })
                .collect(),
            authors: post
                .authors
                .into_iter()
                .map(|author| Author::from_public(author, settings))
                .collect(),
            reviewer,
            review,
            published_at: post.published_at,
            updated_at: post.updated_at,
            reading_time_minutes: rendered.reading_time_minutes,
            seo,
            slug: post.content.slug,
            url,
            title: post.content.title,
            excerpt: excerpt_text,
            // Library images get absolute addresses: the HTML is shown
            // on other sites.
            html: rendered.html.replace(
                "<img src=\"/media/",
                &format!("<img src=\"{}/media/", settings.site_url),
            ),
            markdown: post.content.body,
            sources: rendered.sources.iter().map(Source::from).collect(),
            images,
        }
    }
}
