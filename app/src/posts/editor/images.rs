//! Images in the text: chosen, dropped or pasted, several at once. Each
//! file is uploaded in turn with its own progress, then described (alt
//! text, and a caption if wanted), then placed where it was dropped: in
//! the Markdown as a paragraph of its own, or handed to the visual editor,
//! which holds its place meanwhile.
//!
//! The browser-only parts (files, the visual editor's promises) are kept
//! in `SendWrapper`s, since the page is also rendered on the server.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;
use web_sys::File;

use super::formatting::{utf16_len, utf16_to_byte};
use crate::domain::PostFields;
use crate::media::api::MediaView;
use crate::media::upload::{error_message, upload};

/// Markdown for an image; the alt text cannot end the brackets early, an
/// address with spaces or brackets is kept whole, and a caption is the
/// image's title (the renderer shows a titled image alone in its
/// paragraph as a figure with that caption).
fn image_markdown(alt: &str, url: &str, caption: &str) -> String {
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
    let caption = caption.trim();
    let title = if caption.is_empty() {
        String::new()
    } else {
        let mut quoted = String::from(" \"");
        for c in caption.chars() {
            match c {
                '\\' | '"' => {
                    quoted.push('\\');
                    quoted.push(c);
                }
                '\n' | '\r' => quoted.push(' '),
                _ => quoted.push(c),
            }
        }
        quoted.push('"');
        quoted
    };
    if url.contains(|c: char| c.is_whitespace() || "()<>".contains(c)) {
        format!("![{escaped}](<{}>{title})", url.replace(['<', '>'], ""))
    } else {
        format!("![{escaped}]({url}{title})")
    }
}

/// `text` with `block` inserted at byte `at` as a paragraph of its own,
/// and the byte offset just after it.
pub(super) fn with_block(text: &str, at: usize, block: &str) -> (String, usize) {
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

/// How far one image has come.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Stage {
    Waiting,
    Sending,
    /// Uploaded; waiting for its alt text.
    Describing(MediaView),
    Failed(String),
}

/// One file in the list of images on their way.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pending {
    pub id: u32,
    pub name: String,
    pub percent: RwSignal<u8>,
    pub stage: Stage,
    /// Its place in the files dropped together, and their number.
    pub of: (usize, usize),
}

/// Where a described image goes.
enum Target {
    /// The text area, at the position its batch of files was dropped
    /// (UTF-16 units); the position moves past each image placed, so a
    /// batch lands in order.
    Text(Rc<Cell<u32>>),
    /// The visual editor's promise for this file: resolved with
    /// `{src, alt, caption}`, or `null` when the image is not used.
    Visual(js_sys::Function),
}

struct Job {
    id: u32,
    file: File,
    target: Target,
}

/// The images on their way into the text; copied into handlers.
#[derive(Clone, Copy)]
pub(super) struct ImageInsert {
    pub(super) textarea: NodeRef<leptos::html::Textarea>,
    pub(super) fields: RwSignal<PostFields>,
    pub(super) editable: Memo<bool>,
    pub(super) queue: RwSignal<Vec<Pending>>,
    jobs: StoredValue<Vec<SendWrapper<Job>>>,
    next_id: StoredValue<u32>,
    /// The first uploaded image still to be described.
    pub(super) describing: Memo<Option<(u32, MediaView)>>,
    /// The caption typed in the describing box.
    pub(super) caption: RwSignal<String>,
    /// The text just after an image was placed, whose anchors are moved
    /// already.
    placed: StoredValue<Option<String>>,
    /// Ctrl+Shift+V was pressed: the next paste is plain text.
    pub(super) plain_paste: StoredValue<bool>,
}

impl ImageInsert {
    pub(super) fn new(
        textarea: NodeRef<leptos::html::Textarea>,
        fields: RwSignal<PostFields>,
        editable: Memo<bool>,
    ) -> Self {
        let queue = RwSignal::new(Vec::<Pending>::new());
        let describing = Memo::new(move |_| {
            queue.with(|queue| {
                queue.iter().find_map(|pending| match &pending.stage {
                    Stage::Describing(media) => Some((pending.id, media.clone())),
                    _ => None,
                })
            })
        });
        Self {
            textarea,
            fields,
            editable,
            queue,
            jobs: StoredValue::new(Vec::new()),
            next_id: StoredValue::new(0),
            describing,
            caption: RwSignal::new(String::new()),
            placed: StoredValue::new(None),
            plain_paste: StoredValue::new(false),
        }
    }

    /// Files for the text area, placed at its cursor.
    pub(super) fn start_in_text(self, files: Vec<File>) {
        if files.is_empty() || !self.editable.get_untracked() {
            return;
        }
        let cursor = self
            .textarea
            .get_untracked()
            .and_then(|element| element.selection_start().ok().flatten())
            .unwrap_or(0);
        self.start_in_text_at(files, cursor);
    }

    /// Files for the text area, placed at `at` (UTF-16 units).
    pub(super) fn start_in_text_at(self, files: Vec<File>, at: u32) {
        let at = Rc::new(Cell::new(at));
        let count = files.len();
        for (index, file) in files.into_iter().enumerate() {
            self.enqueue(file, Target::Text(Rc::clone(&at)), (index + 1, count));
        }
    }

    /// Files the visual editor asks for: one promise for each, in order.
    pub(super) fn start_in_visual(self, files: &js_sys::Array) -> js_sys::Array {
        let promises = js_sys::Array::new();
        let count = usize::try_from(files.length()).unwrap_or(1);
        for (index, file) in files.iter().enumerate() {
            let of = (index + 1, count);
            let promise = js_sys::Promise::new(&mut |resolve, _reject| match wasm_bindgen::JsCast::dyn_into::<File>(
                file.clone(),
            ) {
                Ok(file) if self.editable.get_untracked() => self.enqueue(file, Target::Visual(resolve), of),
                _ => {
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
                }
            });
            promises.push(&promise);
        }
        promises
    }

    fn enqueue(self, file: File, target: Target, of: (usize, usize)) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id.wrapping_add(1));
        self.queue.update(|queue| {
            queue.push(Pending {
                id,
                name: file.name(),
                percent: RwSignal::new(0),
                stage: Stage::Waiting,
                of,
            });
        });
        self.jobs
            .update_value(|jobs| jobs.push(SendWrapper::new(Job { id, file, target })));
        self.pump();
    }

    fn set_stage(self, id: u32, stage: Stage) -> bool {
        self.queue
            .try_update(|queue| {
                if let Some(pending) = queue.iter_mut().find(|pending| pending.id == id) {
                    pending.stage = stage;
                }
            })
            .is_some()
    }

    /// Sends the next waiting file unless one is on its way: one upload
    /// at a time keeps each file's progress readable.
    fn pump(self) {
        let next = self.queue.with_untracked(|queue| {
            if queue.iter().any(|pending| pending.stage == Stage::Sending) {
                return None;
            }
            queue
                .iter()
                .find(|pending| pending.stage == Stage::Waiting)
                .map(|pending| (pending.id, pending.name.clone(), pending.percent))
        });
        let Some((id, name, percent)) = next else { return };
        let Some(file) = self
            .jobs
            .with_value(|jobs| jobs.iter().find(|job| job.id == id).map(|job| job.file.clone()))
        else {
            return;
        };
        self.set_stage(id, Stage::Sending);
        leptos::task::spawn_local(async move {
            let outcome = upload(&file, percent.write_only()).await;
            let stage = match outcome {
                Ok(media) => Stage::Describing(media),
                Err(error) => Stage::Failed(format!("{name} was not uploaded: {}", error_message(&error))),
            };
            let failed = matches!(stage, Stage::Failed(_));
            // After the page is gone there is nothing left to do.
            if !self.set_stage(id, stage) {
                return;
            }
            if failed {
                self.settle(id, None);
            }
            self.pump();
        });
    }

    /// Takes the job of `id` and places its image, or lets its place go.
    fn settle(self, id: u32, media: Option<&MediaView>) {
        let job = self.jobs.try_update_value(|jobs| {
            let index = jobs.iter().position(|job| job.id == id)?;
            Some(jobs.remove(index))
        });
        let Some(Some(job)) = job else { return };
        let caption = match media {
            Some(_) => self.caption.try_update(std::mem::take).unwrap_or_default(),
            None => String::new(),
        };
        match (&job.target, media) {
            (Target::Text(at), Some(media)) => self.insert_in_text(at, media, &caption),
            (Target::Visual(resolve), media) => {
                let value = media.map_or(JsValue::NULL, |media| image_object(media, &caption));
                let _ = resolve.call1(&JsValue::NULL, &value);
            }
            (Target::Text(_), None) => {}
        }
    }

    /// The described image goes where it was dropped.
    pub(super) fn described(self, id: u32, media: &MediaView) {
        self.settle(id, Some(media));
        self.forget(id);
    }

    /// The author chose not to describe the image: it stays in the
    /// library, out of the text.
    pub(super) fn cancel(self, id: u32) {
        self.caption.set(String::new());
        self.settle(id, None);
        self.forget(id);
        if let Some(element) = self.textarea.get_untracked()
            && element.offset_parent().is_some()
        {
            let _ = element.focus();
        }
    }

    /// Takes a finished or failed file off the list.
    pub(super) fn forget(self, id: u32) {
        self.queue.update(|queue| queue.retain(|pending| pending.id != id));
    }

    fn insert_in_text(self, at: &Cell<u32>, media: &MediaView, caption: &str) {
        let Some(element) = self.textarea.get_untracked() else {
            return;
        };
        if element.read_only() {
            return;
        }
        let text = element.value();
        let byte = utf16_to_byte(&text, at.get());
        let (new_text, end) = with_block(&text, byte, &image_markdown(&media.alt, &media.url, caption));
        element.set_value(&new_text);
        let cursor = utf16_len(&new_text[..end]);
        // Every anchor here or later (this batch's too) moves past the
        // image; the change is known exactly, so `follow_text` skips it.
        let start = utf16_len(&text[..byte]);
        self.shift_anchors(start, start, start + utf16_len(&new_text) - utf16_len(&text), true);
        self.placed.set_value(Some(new_text.clone()));
        if element.offset_parent().is_some() {
            let _ = element.set_selection_range(cursor, cursor);
            let _ = element.focus();
        }
        self.fields.update(|f| f.content.body = new_text);
    }

    /// Moves the places where images will land in the text along with
    /// a change from `old` to `new` (typing, a paste): an anchor after the
    /// changed part moves by its change in length, one inside it goes to
    /// its start, and one where text is only added stays: images land
    /// where they were dropped, before what was typed there since.
    pub(super) fn follow_text(self, old: &str, new: &str) {
        if self.placed.try_update_value(Option::take).flatten().as_deref() == Some(new) {
            return;
        }
        if let Some((start, old_end, new_end)) = changed_span(old, new) {
            self.shift_anchors(start, old_end, new_end, false);
        }
    }

    /// Moves the anchors for a change the page makes itself, at once (not
    /// when the page follows the new text, by which time anchors made for
    /// the new text would move too).
    pub(super) fn follow_now(self, old: &str, new: &str) {
        if let Some((start, old_end, new_end)) = changed_span(old, new) {
            self.shift_anchors(start, old_end, new_end, false);
        }
        self.placed.set_value(Some(new.to_owned()));
    }

    /// Moves the anchors for `start..old_end` having become
    /// `start..new_end` (UTF-16 units); `push` moves an anchor where text
    /// was only added past it (an image placed there, which the rest of
    /// its batch follows).
    fn shift_anchors(self, start: u32, old_end: u32, new_end: u32, push: bool) {
        self.jobs.with_value(|jobs| {
            // A batch's files share one anchor: it moves once.
            let mut moved: Vec<*const Cell<u32>> = Vec::new();
            for job in jobs {
                if let Target::Text(at) = &job.target {
                    if moved.contains(&Rc::as_ptr(at)) {
                        continue;
                    }
                    moved.push(Rc::as_ptr(at));
                    let anchor = at.get();
                    if anchor > old_end || (anchor == old_end && (push || old_end > start)) {
                        at.set(anchor - old_end + new_end);
                    } else if anchor > start {
                        at.set(start);
                    }
                }
            }
        });
    }

    /// Files are on their way: the mode cannot change meanwhile (each
    /// knows which editor it goes to).
    pub(super) fn busy(self) -> bool {
        self.queue
            .with(|queue| queue.iter().any(|pending| !matches!(pending.stage, Stage::Failed(_))))
    }

    /// Takes a file that has not started uploading off the list.
    pub(super) fn remove_waiting(self, id: u32) {
        let waiting = self.queue.with_untracked(|queue| {
            queue
                .iter()
                .any(|pending| pending.id == id && pending.stage == Stage::Waiting)
        });
        if waiting {
            self.settle(id, None);
            self.forget(id);
        }
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

    /// Dropped files are uploaded (the server explains when one is not an
    /// image it takes); left to the browser, they would replace the page.
    pub(super) fn drop(self, ev: &web_sys::DragEvent) {
        let files = crate::media::upload::all_files(ev.data_transfer().and_then(|transfer| transfer.files()));
        if !files.is_empty() {
            ev.prevent_default();
            self.start_in_text(files);
        }
    }
}

/// Where `old` and `new` differ, in UTF-16 units: the start, and the end
/// of the changed part in each (`None` when they are the same).
fn changed_span(old: &str, new: &str) -> Option<(u32, u32, u32)> {
    if old == new {
        return None;
    }
    let old: Vec<u16> = old.encode_utf16().collect();
    let new: Vec<u16> = new.encode_utf16().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let units = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Some((units(prefix), units(old.len() - suffix), units(new.len() - suffix)))
}

/// `{src, alt, caption}` for the visual editor.
fn image_object(media: &MediaView, caption: &str) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in [
        ("src", media.url.as_str()),
        ("alt", media.alt.as_str()),
        ("caption", caption.trim()),
    ] {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object.into()
}

#[cfg(test)]
mod tests {
    use super::{changed_span, image_markdown, with_block};

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
            image_markdown("Blood pressure [2024]", "/media/a.png", ""),
            "![Blood pressure \\[2024\\]](/media/a.png)"
        );
        assert_eq!(
            image_markdown("two\nlines", "/media/a b.png", ""),
            "![two lines](</media/a b.png>)"
        );
    }

    #[test]
    fn changes_are_found_in_browser_units() {
        assert_eq!(changed_span("abc", "abc"), None);
        assert_eq!(changed_span("abc", "abXc"), Some((2, 2, 3)));
        assert_eq!(changed_span("aXXc", "ac"), Some((1, 3, 1)));
        // "🫀" is two UTF-16 units.
        assert_eq!(changed_span("🫀a", "🫀ba"), Some((2, 2, 3)));
        // A repeated letter: the change is placed once, not twice.
        assert_eq!(changed_span("aa", "aaa"), Some((2, 2, 3)));
    }

    #[test]
    fn a_caption_is_the_image_title() {
        assert_eq!(
            image_markdown("Cuff", "/media/a.png", " Taking a \"reading\" \\ at home\n"),
            "![Cuff](/media/a.png \"Taking a \\\"reading\\\" \\\\ at home\")"
        );
        assert_eq!(
            image_markdown("Cuff", "/media/a b.png", "At home"),
            "![Cuff](</media/a b.png> \"At home\")"
        );
    }
}
