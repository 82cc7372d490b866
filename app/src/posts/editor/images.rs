//! Images in the text: chosen, dropped or pasted, uploaded, described
//! (alt text), then inserted as a paragraph where the cursor was.

use leptos::prelude::*;

use super::formatting::{utf16_len, utf16_to_byte};
use crate::domain::PostFields;
use crate::media::api::MediaView;
use crate::media::upload::{ACCEPTED_TYPES, Uploader, first_image, take_chosen_file};

/// Markdown for an image; the alt text cannot end the brackets early and
/// an address with spaces or brackets is kept whole.
fn image_markdown(alt: &str, url: &str) -> String {
    let mut escaped = String::with_capacity(alt.len());
    for c in alt.chars() {
        match c {
            '\\' | '[' | ']' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '\n' | '\r' => escaped.push(' '),
            _ => escaped.push(c),
        }
    }
    if url.contains(|c: char| c.is_whitespace() || "()<>".contains(c)) {
        format!("![{escaped}](<{}>)", url.replace(['<', '>'], ""))
    } else {
        format!("![{escaped}]({url})")
    }
}

/// `text` with `block` inserted at byte `at` as a paragraph of its own,
/// and the byte offset just after it.
fn with_block(text: &str, at: usize, block: &str) -> (String, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let (before, after) = text.split_at(at);
    let lead = if before.is_empty() || before.ends_with("\n\n") {
        ""
    } else if before.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let trail = if after.is_empty() || after.starts_with("\n\n") {
        ""
    } else if after.starts_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let end = before.len() + lead.len() + block.len();
    (format!("{before}{lead}{block}{trail}{after}"), end)
}

/// An image on its way into the text: uploaded, then described, then
/// inserted where the cursor was when it was chosen.
#[derive(Clone, Copy)]
pub(super) struct ImageInsert {
    textarea: NodeRef<leptos::html::Textarea>,
    fields: RwSignal<PostFields>,
    editable: Memo<bool>,
    pub(super) uploader: Uploader,
    /// The cursor when the upload started, in UTF-16 units.
    at: StoredValue<u32>,
    /// The uploaded image, waiting for its alt text.
    pub(super) describing: RwSignal<Option<MediaView>>,
}

impl ImageInsert {
    pub(super) fn new(
        textarea: NodeRef<leptos::html::Textarea>,
        fields: RwSignal<PostFields>,
        editable: Memo<bool>,
    ) -> Self {
        Self {
            textarea,
            fields,
            editable,
            uploader: Uploader::default(),
            at: StoredValue::new(0),
            describing: RwSignal::new(None),
        }
    }

    /// Uploads `file` unless the text cannot change now or another image
    /// is on its way.
    fn start(self, file: web_sys::File) {
        if !self.editable.get_untracked() || self.uploader.busy() || self.describing.with_untracked(Option::is_some) {
            return;
        }
        let cursor = self
            .textarea
            .get_untracked()
            .and_then(|element| element.selection_start().ok().flatten())
            .unwrap_or(0);
        self.at.set_value(cursor);
        leptos::task::spawn_local(async move {
            if let Some(media) = self.uploader.send(file).await {
                let _ = self.describing.try_set(Some(media));
            }
        });
    }

    /// Takes part in a drag over the text when it carries files; whether
    /// it does (for the drop highlight).
    pub(super) fn accept_drag(self, ev: &web_sys::DragEvent) -> bool {
        let Some(transfer) = ev.data_transfer() else {
            return false;
        };
        // Only the types are readable before the drop.
        let files = transfer
            .types()
            .iter()
            .any(|kind| kind.as_string().as_deref() == Some("Files"));
        let accepted = files && self.editable.get_untracked();
        if accepted {
            ev.prevent_default();
            transfer.set_drop_effect("copy");
        }
        accepted
    }

    /// A dropped file is uploaded (the server explains when it is not an
    /// image it takes); left to the browser, it would replace the page.
    pub(super) fn drop(self, ev: &web_sys::DragEvent) {
        if let Some(file) = first_image(ev.data_transfer().and_then(|transfer| transfer.files())) {
            ev.prevent_default();
            self.start(file);
        }
    }

    /// Pasted images are uploaded; text (which may come with a picture of
    /// itself, as from office programs) is pasted as usual.
    pub(super) fn paste(self, ev: &web_sys::ClipboardEvent) {
        let Some(data) = ev.clipboard_data() else { return };
        if data.get_data("text/plain").is_ok_and(|text| !text.is_empty()) {
            return;
        }
        if let Some(file) = first_image(data.files()) {
            ev.prevent_default();
            self.start(file);
        }
    }

    pub(super) fn insert(self, media: &MediaView) {
        self.describing.set(None);
        let Some(element) = self.textarea.get_untracked() else {
            return;
        };
        if element.read_only() {
            return;
        }
        let text = element.value();
        let at = utf16_to_byte(&text, self.at.get_value());
        let (new_text, end) = with_block(&text, at, &image_markdown(&media.alt, &media.url));
        element.set_value(&new_text);
        let cursor = utf16_len(&new_text[..end]);
        let _ = element.set_selection_range(cursor, cursor);
        let _ = element.focus();
        self.fields.update(|f| f.content.body = new_text);
    }

    pub(super) fn cancel(self) {
        self.describing.set(None);
        if let Some(element) = self.textarea.get_untracked() {
            let _ = element.focus();
        }
    }
}

/// Opens the file chooser; the chosen image is uploaded and inserted.
#[component]
pub(super) fn ImageButton(images: ImageInsert) -> impl IntoView {
    let chooser = NodeRef::<leptos::html::Input>::new();
    let chosen = move |_| {
        if let Some(file) = chooser.get_untracked().and_then(|input| take_chosen_file(&input)) {
            images.start(file);
        }
    };
    view! {
        <button type="button" title="Insert an image" aria-label="Insert an image"
            disabled=move || !images.editable.get() || images.uploader.busy()
            on:mousedown=|ev| ev.prevent_default()
            on:click=move |_| {
                if let Some(input) = chooser.get_untracked() {
                    input.click();
                }
            }>
            "Image"
        </button>
        <input type="file" hidden=true accept=ACCEPTED_TYPES node_ref=chooser aria-label="Image to insert"
            on:change=chosen />
    }
}

#[cfg(test)]
mod tests {
    use super::{image_markdown, with_block};

    #[test]
    fn images_are_inserted_as_paragraphs_of_their_own() {
        let image = "![Chart](/media/a.png)";
        assert_eq!(with_block("", 0, image), (image.to_owned(), image.len()));
        let (text, end) = with_block("Intro", 5, image);
        assert_eq!(text, format!("Intro\n\n{image}"));
        assert_eq!(end, text.len());
        let (text, end) = with_block("one\ntwo", 4, image);
        assert_eq!(text, format!("one\n\n{image}\n\ntwo"));
        assert_eq!(&text[end..], "\n\ntwo");
        assert_eq!(with_block("a\n\nb", 3, image).0, format!("a\n\n{image}\n\nb"));
    }

    #[test]
    fn image_markdown_keeps_the_alt_text_and_address_whole() {
        assert_eq!(
            image_markdown("Blood pressure [2024]", "/media/a.png"),
            "![Blood pressure \\[2024\\]](/media/a.png)"
        );
        assert_eq!(
            image_markdown("two\nlines", "/media/a b.png"),
            "![two lines](</media/a b.png>)"
        );
    }
}
