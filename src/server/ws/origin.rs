//! Cross-site WebSocket hijacking: a page elsewhere could open the socket with the user's cookie,
//! so a browser's Origin must name this very host.

use axum::http::{header, HeaderMap};

pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Not a browser: it cannot carry a victim's cookie across sites, and the session still
        // has to be valid.
        return true;
    };
    let (Ok(origin), Some(Ok(host))) = (origin.to_str(), headers.get(header::HOST).map(|h| h.to_str()))
    else {
        return false;
    };
    let authority =
        origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")).unwrap_or_default();
    authority.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, host.parse().expect("valid header"));
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, origin.parse().expect("valid header"));
        }
        headers
    }

    #[test]
    fn only_this_sites_pages_may_open_the_socket() {
        assert!(same_origin(&headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000")));
        assert!(same_origin(&headers(Some("https://chat.example"), "chat.example")));
        assert!(same_origin(&headers(None, "127.0.0.1:3000")));
        assert!(!same_origin(&headers(Some("http://evil.example"), "127.0.0.1:3000")));
        assert!(!same_origin(&headers(Some("http://127.0.0.1:3001"), "127.0.0.1:3000")));
        assert!(!same_origin(&headers(Some("null"), "127.0.0.1:3000")));
    }
}
