//! Pasting into the Markdown text. HTML from Word, Google Docs,
//! LibreOffice or a web page becomes Markdown through the visual editor's
//! engine (`VellumEditor.pasteToMarkdown`), so both modes paste alike; the
//! images it carries are uploaded like dropped ones. Plain text pastes as
//! the browser does; clipboard image files are uploaded.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::File;

use super::formatting::{utf16_len, utf16_to_byte};
use super::images::{ImageInsert, with_block};
use crate::media::upload::all_files;

#[wasm_bindgen]
extern "C" {
    /// `{markdown, images, skipped}`, or null for HTML without structure
    /// worth keeping; throws when the engine is not loaded.
    #[wasm_bindgen(js_namespace = VellumEditor, js_name = pasteToMarkdown, catch)]
    fn paste_to_markdown(html: &str) -> Result<JsValue, JsValue>;
}

/// What the engine made of pasted HTML.
struct Converted {
    markdown: String,
    /// `data:` images, as files to upload.
    images: Vec<File>,
    /// Images the clipboard only pointed at (a file on the author's disk).
    skipped: u32,
}

fn convert(html: &str) -> Option<Converted> {
    let value = paste_to_markdown(html).ok()?;
    if value.is_null() || value.is_undefined() {
        return None;
    }
    let get = |key: &str| js_sys::Reflect::get(&value, &JsValue::from_str(key)).ok();
    let markdown = get("markdown")?.as_string()?;
    let images = get("images")
        .filter(js_sys::Array::is_array)
        .map(|list| {
            js_sys::Array::from(&list)
                .iter()
                .filter_map(|file| file.dyn_into::<File>().ok())
                .collect()
        })
        .unwrap_or_default();
    let skipped = get("skipped").and_then(|count| count.as_f64()).unwrap_or(0.0);
    Some(Converted {
        markdown,
        images,
        // A count of images in one paste: small, whole and not negative.
        skipped: skipped.clamp(0.0, f64::from(u32::MAX)) as u32,
    })
}

/// What the author hears about pasted images the clipboard only pointed at.
pub(super) fn skipped_message(count: u32) -> String {
    let (plural, them) = if count == 1 { ("", "it") } else { ("s", "them") };
    format!(
        "{count} pasted image{plural} stayed behind: the clipboard only pointed at a file on your computer. \
         Upload {them} with the Images button."
    )
}

/// Handles a paste into the text area.
pub(super) fn paste(images: ImageInsert, notice: RwSignal<Option<String>>, ev: &web_sys::ClipboardEvent) {
    let Some(data) = ev.clipboard_data() else { return };
    let Some(element) = images.textarea.get_untracked() else {
        return;
    };
    if element.read_only() {
        return;
    }
    // Ctrl+Shift+V asks for plain text (the browser still offers the
    // HTML), and text pasted into a code block stays as it is.
    let plain = images.plain_paste.try_update_value(std::mem::take).unwrap_or(false);
    let text = element.value();
    let cursor = utf16_to_byte(&text, element.selection_start().ok().flatten().unwrap_or(0));
    let html = data.get_data("text/html").unwrap_or_default();
    if !plain
        && !in_code_fence(&text[..cursor])
        && !html.trim().is_empty()
        && let Some(converted) = convert(&html)
    {
        ev.prevent_default();
        let end = insert_pasted(&element, images, &converted.markdown);
        images.start_in_text_at(converted.images, end);
        if converted.skipped > 0 {
            notice.set(Some(skipped_message(converted.skipped)));
        }
        return;
    }
    // Text (which office programs send with a picture of itself) pastes
    // as usual; only a clipboard of images alone is uploaded.
    if data.get_data("text/plain").is_ok_and(|text| !text.is_empty()) {
        return;
    }
    let files = all_files(data.files());
    if !files.is_empty() {
        ev.prevent_default();
        images.start_in_text(files);
    }
}

/// Puts pasted Markdown in place of the selection: a single line inline,
/// anything longer as blocks of their own. The cursor (UTF-16) after it.
fn insert_pasted(element: &web_sys::HtmlTextAreaElement, images: ImageInsert, markdown: &str) -> u32 {
    let text = element.value();
    let start = utf16_to_byte(&text, element.selection_start().ok().flatten().unwrap_or(0));
    let end = utf16_to_byte(&text, element.selection_end().ok().flatten().unwrap_or(0)).max(start);
    let (new_text, after) = pasted_text(&text, start..end, markdown);
    images.follow_now(&text, &new_text);
    element.set_value(&new_text);
    let cursor = utf16_len(&new_text[..after]);
    let _ = element.set_selection_range(cursor, cursor);
    images.fields.update(|f| f.content.body = new_text);
    cursor
}

/// Whether the text before the cursor leaves it inside a fenced code block
/// (CommonMark's fences: three or more backticks or tildes, indented less
/// than four spaces, closed by a fence of the same kind at least as long).
fn in_code_fence(before: &str) -> bool {
    let mut open: Option<(char, usize)> = None;
    for line in before.lines() {
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() >= 4 {
            continue;
        }
        let Some(mark) = trimmed.chars().next().filter(|c| *c == '`' || *c == '~') else {
            continue;
        };
        let run = trimmed.chars().take_while(|c| *c == mark).count();
        if run < 3 {
            continue;
        }
        let rest = &trimmed[run..];
        match open {
            None if !(mark == '`' && rest.contains('`')) => open = Some((mark, run)),
            Some((opened, length)) if opened == mark && run >= length && rest.trim().is_empty() => open = None,
            _ => {}
        }
    }
    open.is_some()
}

/// Whether a line of Markdown is a block of its own (a heading, a list
/// item, a quote, a table row, a rule, a lone image, an HTML block), not
/// words that can sit inside a paragraph.
fn is_block(line: &str) -> bool {
    let line = line.trim_start();
    let hashes = line.chars().take_while(|c| *c == '#').count();
    let heading = (1..=6).contains(&hashes) && line[hashes..].chars().next().is_none_or(char::is_whitespace);
    let numbered = line
        .find(['.', ')'])
        .is_some_and(|at| at > 0 && line[..at].bytes().all(|b| b.is_ascii_digit()) && line[at + 1..].starts_with(' '));
    const HTML_BLOCKS: [&str; 12] = [
        "<div",
        "<p>",
        "<p ",
        "<table",
        "<figure",
        "<ul",
        "<ol",
        "<blockquote",
        "<pre",
        "<details",
        "<h",
        "<!--",
    ];
    let html = HTML_BLOCKS.iter().any(|tag| {
        line.get(..tag.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(tag))
            && (*tag != "<h" || line.as_bytes().get(2).is_some_and(|b| (b'1'..=b'6').contains(b)))
    });
    heading
        || numbered
        || html
        || ["> ", "- ", "* ", "+ ", "|", "```", "~~~", "---", "!["]
            .iter()
            .any(|marker| line.starts_with(marker))
}

/// `text` with `range` replaced by `markdown`, and the byte offset after it.
fn pasted_text(text: &str, range: std::ops::Range<usize>, markdown: &str) -> (String, usize) {
    let markdown = markdown.trim_end_matches('\n');
    let without = format!("{}{}", &text[..range.start], &text[range.end..]);
    if markdown.contains('\n') || is_block(markdown) {
        with_block(&without, range.start, markdown)
    } else {
        let mut joined = without;
        joined.insert_str(range.start, markdown);
        (joined, range.start + markdown.len())
    }
}

#[cfg(test)]
mod tests {
    use super::{in_code_fence, pasted_text};

    #[test]
    fn a_single_block_pastes_as_a_block() {
        assert_eq!(
            pasted_text("Take daily", 5..5, "## Dose").0,
            "Take \n\n## Dose\n\ndaily"
        );
        assert_eq!(
            pasted_text("Take daily", 5..5, "3. Rest").0,
            "Take \n\n3. Rest\n\ndaily"
        );
        assert_eq!(pasted_text("Take daily", 5..5, "2024 data").0, "Take 2024 datadaily");
    }

    #[test]
    fn pastes_into_code_blocks_are_left_alone() {
        assert!(in_code_fence("Intro\n\n```js\nlet x"));
        assert!(!in_code_fence("Intro\n\n```js\nlet x\n```\nmore"));
        assert!(in_code_fence("~~~\n```\n"));
        assert!(!in_code_fence("Use `code` here"));
        assert!(!in_code_fence("```js``` is inline code"));
        assert!(
            in_code_fence("````\n```\n"),
            "a shorter fence does not close a longer one"
        );
        assert!(!in_code_fence("    ```\nindented code, not a fence"));
    }

    #[test]
    fn ordinary_words_are_not_blocks() {
        for words in [
            "#1 **tip**",
            "<3 **hours**",
            "<sup>2</sup> a day",
            "1.5 mg **twice**",
            "**Bold** start",
        ] {
            assert!(!super::is_block(words), "{words}");
        }
        for block in [
            "# Dose",
            "## Dose",
            "> Quote",
            "- item",
            "3. Rest",
            "| a | b |",
            "<div>x</div>",
            "<h2>Dose</h2>",
        ] {
            assert!(super::is_block(block), "{block}");
        }
    }

    #[test]
    fn one_line_pastes_inline_and_more_as_blocks() {
        assert_eq!(
            pasted_text("Take  daily", 5..5, "**two**"),
            ("Take **two** daily".into(), 12)
        );
        let (text, after) = pasted_text("Intro\nrest", 5..5, "## Dose\n\n- one\n");
        assert_eq!(text, "Intro\n\n## Dose\n\n- one\n\nrest");
        assert_eq!(&text[after..], "\n\nrest");
        assert_eq!(pasted_text("old text", 0..8, "new").0, "new");
    }
}
