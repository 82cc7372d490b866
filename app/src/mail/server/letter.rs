//! One message as Vellum writes it: a subject, paragraphs, an optional
//! button and a footer, as plain text and as simple HTML, in the site's
//! name. Recipients and subjects are header lines, so a line break in
//! either is refused here, whatever checked them before.

use chrono::{DateTime, Utc};

use crate::crypto::random_token;
use crate::domain::SiteSettings;
use crate::error::AppError;
use crate::store::model::mail::{NewMail, UnsubscribeLink};

pub struct Letter {
    to: String,
    subject: String,
    kind: &'static str,
    paragraphs: Vec<String>,
    /// Lines of a list (a digest's items), after the paragraphs.
    items: Vec<(String, String)>,
    button: Option<(String, String)>,
    footer: Vec<String>,
}

/// Refuses CR and LF (and other control characters), which would end a
/// header line and start another.
pub fn header_line(value: &str, what: &str) -> Result<String, AppError> {
    if value.chars().any(char::is_control) {
        tracing::error!(what, "refused a line break in an email header");
        return Err(AppError::invalid(
            what,
            format!("Remove the line breaks from the {what}."),
        ));
    }
    Ok(value.trim().to_owned())
}

/// `path` on the site's own address.
pub fn absolute(settings: &SiteSettings, path: &str) -> String {
    format!("{}{path}", settings.site_url.trim_end_matches('/'))
}

impl Letter {
    pub fn new(to: &str, subject: &str, kind: &'static str) -> Result<Self, AppError> {
        Ok(Self {
            to: header_line(to, "address")?,
            subject: header_line(subject, "subject")?,
            kind,
            paragraphs: Vec::new(),
            items: Vec::new(),
            button: None,
            footer: Vec::new(),
        })
    }

    pub fn paragraph(mut self, text: &str) -> Self {
        self.paragraphs.push(text.trim().to_owned());
        self
    }

    /// A list item: its text and a link.
    pub fn item(mut self, text: &str, url: &str) -> Self {
        self.items.push((text.to_owned(), url.to_owned()));
        self
    }

    pub fn button(mut self, label: &str, url: &str) -> Self {
        self.button = Some((label.to_owned(), url.to_owned()));
        self
    }

    pub fn footer(mut self, text: &str) -> Self {
        self.footer.push(text.to_owned());
        self
    }

    pub fn into_mail(
        self,
        settings: &SiteSettings,
        at: DateTime<Utc>,
        unsubscribe: Option<UnsubscribeLink>,
    ) -> NewMail {
        let text_body = self.text(settings, unsubscribe.as_ref());
        let html_body = self.html(settings, unsubscribe.as_ref());
        NewMail {
            to: self.to,
            subject: self.subject,
            text_body,
            html_body,
            kind: self.kind.to_owned(),
            message_id: message_id(settings),
            unsubscribe,
            at,
        }
    }

    fn text(&self, settings: &SiteSettings, unsubscribe: Option<&UnsubscribeLink>) -> String {
        let mut out = String::new();
        for paragraph in &self.paragraphs {
            out.push_str(paragraph);
            out.push_str("\n\n");
        }
        for (text, url) in &self.items {
            out.push_str(&format!("- {text}\n  {url}\n"));
        }
        if !self.items.is_empty() {
            out.push('\n');
        }
        if let Some((label, url)) = &self.button {
            out.push_str(&format!("{label}: {url}\n\n"));
        }
        out.push_str("-- \n");
        out.push_str(&format!("{} · {}\n", settings.title, absolute(settings, "/admin")));
        for line in &self.footer {
            out.push_str(line);
            out.push('\n');
        }
        if let Some(link) = unsubscribe {
            out.push_str(&format!("Unsubscribe: {}\n", link.url));
        }
        out
    }

    fn html(&self, settings: &SiteSettings, unsubscribe: Option<&UnsubscribeLink>) -> String {
        let mut body = String::new();
        for paragraph in &self.paragraphs {
            body.push_str(&format!("<p>{}</p>\n", escape(paragraph).replace('\n', "<br>")));
        }
        if !self.items.is_empty() {
            body.push_str("<ul>\n");
            for (text, url) in &self.items {
                body.push_str(&format!("<li><a href=\"{}\">{}</a></li>\n", escape(url), escape(text)));
            }
            body.push_str("</ul>\n");
        }
        if let Some((label, url)) = &self.button {
            body.push_str(&format!(
                "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;background:#1f4f99;\
                 color:#ffffff;text-decoration:none;border-radius:4px\">{}</a></p>\n",
                escape(url),
                escape(label)
            ));
        }
        let mut footer = format!(
            "<a href=\"{}\">{}</a>",
            escape(&absolute(settings, "/admin")),
            escape(&settings.title)
        );
        for line in &self.footer {
            footer.push_str(&format!("<br>{}", escape(line)));
        }
        if let Some(link) = unsubscribe {
            footer.push_str(&format!("<br><a href=\"{}\">Unsubscribe</a>", escape(&link.url)));
        }
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n\
             <body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a;max-width:36em\">\n{body}\
             <hr><p style=\"font-size:0.85em;color:#555555\">{footer}</p>\n</body></html>\n",
            escape(&self.subject)
        )
    }
}

/// A Message-ID on the site's host, written when the message is queued,
/// so that every retry carries the same one.
fn message_id(settings: &SiteSettings) -> String {
    let host = url::Url::parse(&settings.site_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "vellum.invalid".to_owned());
    format!("<{}@{host}>", &random_token()[..32])
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SiteSettings {
        SiteSettings {
            title: "Riverside <Clinic>".into(),
            site_url: "https://clinic.example/".into(),
            ..SiteSettings::default()
        }
    }

    #[test]
    fn line_breaks_in_headers_are_refused() {
        assert!(Letter::new("a@clinic.example\r\nBcc: x@evil.example", "Hi", "k").is_err());
        assert!(Letter::new("a@clinic.example", "Hi\nBcc: x@evil.example", "k").is_err());
        assert!(Letter::new("a@clinic.example", "Hi there", "k").is_ok());
    }

    #[test]
    fn both_bodies_carry_the_text_the_button_and_the_site_escaped_in_html() {
        let mail = Letter::new("a@clinic.example", "Reset", "password_reset")
            .expect("letter")
            .paragraph("Someone asked to reset <your> password.")
            .button(
                "Choose a new password",
                "https://clinic.example/admin/set-password?token=abc&x=1",
            )
            .into_mail(&settings(), Utc::now(), None);
        assert!(mail.text_body.contains("Someone asked to reset <your> password."));
        assert!(
            mail.text_body
                .contains("Choose a new password: https://clinic.example/admin/set-password?token=abc&x=1")
        );
        assert!(mail.html_body.contains("reset &lt;your&gt; password"));
        assert!(
            mail.html_body
                .contains("href=\"https://clinic.example/admin/set-password?token=abc&amp;x=1\"")
        );
        assert!(mail.html_body.contains("Riverside &lt;Clinic&gt;"));
        assert!(mail.message_id.ends_with("@clinic.example>"), "{}", mail.message_id);
    }
}
