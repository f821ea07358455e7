//! How server functions' answers (and errors) travel: JSON, as with `server_fn`'s own `Json`, but
//! decoded from text. The browser decodes island props and socket frames from text
//! (`serde_json::from_str`); `Json` decodes from bytes (`from_slice`), which made the bundle carry
//! a second copy of the decoder of every type both reach (a message, a room summary, an error):
//! about a tenth of the bundle's JSON code (docs/BENCHMARKS.md, "Replies").

use leptos::server_fn::{codec::Post, Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, Serialize};

pub struct TextJsonEncoding;

impl ContentType for TextJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for TextJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// The output encoding of every server function.
pub type TextJson = Post<TextJsonEncoding>;
