//! Covers as the blog's pages show them: the image, its alt text, and
//! its variants when it is a library image.

use super::pages::CoverImage;
use crate::media::server::MediaIndex;

/// A post's cover, with its variants when it is a library image.
pub(super) fn cover_image(url: &str, alt: &str, media: &MediaIndex) -> Option<CoverImage> {
    if url.is_empty() {
        return None;
    }
    let image = crate::media::server::key_of(url).and_then(|key| media.get(key));
    Some(CoverImage {
        src: url.to_owned(),
        alt: alt.to_owned(),
        srcset: image
            .map(|image| image.srcset("image/webp"))
            .filter(|srcset| !srcset.is_empty()),
        width: image.map(|image| image.media.width),
        height: image.map(|image| image.media.height),
    })
}
