//! One RFC 5322 message, built with lettre: multipart text + HTML, UTF-8, encoded
//! non-ASCII subjects and names. The Date is the as-of date and the Message-ID and MIME
//! boundary derive from the content, so the same run gives the same bytes.
use std::time::{Duration, UNIX_EPOCH};

use chrono::NaiveDate;
use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use super::context::PersonView;
use super::render::Rendered;
use crate::error::{Error, Result};

/// Who sends, who receives.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// Sender name and address.
    pub from: PersonView,
    /// Recipients.
    pub to: &'a [PersonView],
    /// Copies.
    pub cc: &'a [PersonView],
}

/// The `.eml` bytes and the Message-ID.
#[derive(Debug, Clone)]
pub struct Built {
    /// The whole message.
    pub bytes: Vec<u8>,
    /// `<...@domain>`.
    pub message_id: String,
}

/// Builds the message. `key` identifies it (run date, customer, stage, invoices) and seeds
/// the Message-ID and boundary.
///
/// # Errors
/// [`Error::Email`] for an address lettre refuses (with CR/LF, not an address).
pub fn build(envelope: &Envelope<'_>, rendered: &Rendered, as_of: NaiveDate, key: &str) -> Result<Built> {
    let hash = blake3::hash(format!("{key}\n{}\n{}", rendered.subject, rendered.text).as_bytes()).to_hex();
    let domain = envelope.from.email.rsplit_once('@').map_or("payback.invalid", |(_, d)| d);
    let message_id = format!("<{}@{domain}>", &hash[..32]);
    let mailbox = |p: &PersonView| -> Result<Mailbox> {
        let address = p.email.parse().map_err(|e| Error::Email {
            reason: format!("\"{}\" is not an address lettre accepts: {e}", p.email.escape_debug()),
        })?;
        // Contacts' names are checked when read; a control character from elsewhere (a
        // template, the rules) becomes a space rather than a broken header.
        let name: String = p.name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        Ok(Mailbox::new((name != p.email).then_some(name), address))
    };
    let days = u64::try_from((as_of - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days()).unwrap_or(0);
    let date = UNIX_EPOCH + Duration::from_secs(days * 86_400);
    let mut builder = Message::builder()
        .from(mailbox(&envelope.from)?)
        .subject(rendered.subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>())
        .date(date)
        .message_id(Some(message_id.clone()));
    for person in envelope.to {
        builder = builder.to(mailbox(person)?);
    }
    for person in envelope.cc {
        builder = builder.cc(mailbox(person)?);
    }
    // The HTML part in base64 and with its line ends made here: its long lines would
    // otherwise be quoted-printable, which lettre encodes byte by byte, and lettre's line
    // ends move the rest of the body for every line (together a third of building a
    // message). Mail programs decode both encodings alike. The plain-text part
    // keeps lettre's choice (7bit for short English lines), readable in the file itself.
    let html = SinglePart::builder()
        .header(ContentType::TEXT_HTML)
        .header(ContentTransferEncoding::Base64)
        .body(crlf(&rendered.html));
    let body = MultiPart::alternative()
        .boundary(format!("payback-{}", &hash[32..56]))
        .singlepart(SinglePart::plain(rendered.text.clone()))
        .singlepart(html);
    let message = builder.multipart(body).map_err(|e| Error::Email { reason: e.to_string() })?;
    Ok(Built { bytes: message.formatted(), message_id })
}

/// `text` with CRLF line ends, as a message body needs them, made in one pass: lettre
/// inserts each `\r` into the string in place, moving the rest of the body every line.
fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut after_cr = false;
    for c in text.chars() {
        if c == '\n' && !after_cr {
            out.push('\r');
        }
        after_cr = c == '\r';
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_become_crlf_once() {
        assert_eq!(crlf("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
        assert_eq!(crlf("\n\n催款函\r\n"), "\r\n\r\n催款函\r\n");
        assert_eq!(crlf("no line end"), "no line end");
        assert_eq!(crlf(""), "");
    }
}
