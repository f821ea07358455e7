//! Where the site is served from, as browsers see it: which origins its own pages have, and
//! whether the session cookie must travel over HTTPS only. Requests that change something are
//! checked against it, so a page on another site (or another port of this host) cannot act with
//! the user's cookie.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{config::Config, state::AppState};

/// What a refused cross-site request is told.
pub const CROSS_SITE_REFUSED: &str = "This request came from another site and was refused.";

/// Every request that can change something (anything but GET, HEAD and OPTIONS: server
/// functions, forms, log-in and log-out) is refused unless it comes from one of the site's pages.
pub async fn refuse_cross_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !state.site.admits(request.headers()) {
        return (StatusCode::FORBIDDEN, CROSS_SITE_REFUSED).into_response();
    }
    next.run(request).await
}

#[derive(Debug, Clone)]
pub struct Site {
    /// Origins (`scheme://host[:port]`, lower case) whose pages are this site's own.
    origins: Vec<String>,
    /// Neither a public origin nor a concrete address is configured (the server listens on
    /// every interface): the best left is the address the browser says it asked for.
    trust_host_header: bool,
    pub secure_cookies: bool,
}

impl Site {
    pub fn of(config: &Config) -> Self {
        let addr = config.leptos.site_addr;
        let (origins, trust_host_header) = match &config.public_origin {
            Some(origin) => (vec![normalized(origin)], false),
            None if addr.ip().is_loopback() => (loopback_origins(addr), false),
            None if addr.ip().is_unspecified() => {
                tracing::warn!(
                    "public-origin is not set and the server listens on every interface: requests \
                     are checked against their own Host header; set public-origin in Leptos.toml"
                );
                (Vec::new(), true)
            }
            None => {
                tracing::warn!(
                    "public-origin is not set: only pages at http://{addr} may change anything; \
                     set public-origin in Leptos.toml to the address people use"
                );
                (vec![format!("http://{addr}")], false)
            }
        };
        // HTTPS-only cookies wherever the site is not on this machine alone, unless said otherwise.
        let secure_cookies = config.secure_cookies.unwrap_or_else(|| match &config.public_origin {
            Some(origin) => normalized(origin).starts_with("https://"),
            None => !addr.ip().is_loopback(),
        });
        if secure_cookies && config.secure_cookies.is_none() {
            tracing::info!(
                "the session cookie is HTTPS-only (the site is not on loopback): serve it through a \
                 TLS proxy, or set secure-cookies = false to log in over plain HTTP"
            );
        }
        Self { origins, trust_host_header, secure_cookies }
    }

    /// Whether a request may act with the user's session: it comes from one of this site's own
    /// pages, or from something that is not a browser (which cannot carry a victim's cookie). A
    /// browser names the page a request comes from in `Origin`, or at least says in
    /// `Sec-Fetch-Site` whether it is another site.
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return !matches!(
                headers.get("sec-fetch-site").and_then(|site| site.to_str().ok()),
                Some("cross-site" | "same-site")
            );
        };
        let Ok(origin) = origin.to_str() else { return false };
        let origin = normalized(origin);
        if self.origins.contains(&origin) {
            return true;
        }
        self.trust_host_header
            && headers.get(header::HOST).and_then(|host| host.to_str().ok()).is_some_and(|host| {
                let authority = origin.split_once("://").map_or("", |(_, authority)| authority);
                authority.eq_ignore_ascii_case(host)
            })
    }

    /// The site's address for links people copy and share elsewhere (invite links): the one
    /// the browser used if it is one of the site's own, else the configured one. Listening on
    /// every interface with no public origin set, the Host header is all there is.
    pub fn origin(&self, headers: &HeaderMap) -> String {
        if let Some(host) = headers.get(header::HOST).and_then(|host| host.to_str().ok()) {
            let asked = ["https", "http"].map(|scheme| normalized(&format!("{scheme}://{host}")));
            if let Some(own) = asked.into_iter().find(|origin| self.origins.contains(origin)) {
                return own;
            }
            if self.trust_host_header {
                let scheme = if self.secure_cookies { "https" } else { "http" };
                return normalized(&format!("{scheme}://{host}"));
            }
        }
        self.origins.first().cloned().unwrap_or_default()
    }
}

/// An origin as browsers send it: lower case, no trailing slash, default port left out.
fn normalized(origin: &str) -> String {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    origin
        .strip_suffix(":443")
        .filter(|_| origin.starts_with("https://"))
        .or_else(|| origin.strip_suffix(":80").filter(|_| origin.starts_with("http://")))
        .map(str::to_owned)
        .unwrap_or(origin)
}

/// On loopback the same server answers to its number and to `localhost`.
fn loopback_origins(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")];
    if let IpAddr::V4(ip) = addr.ip() {
        hosts.push(format!("{ip}:{port}"));
    }
    hosts.into_iter().map(|host| normalized(&format!("http://{host}"))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(site_addr: &str, public_origin: Option<&str>) -> Site {
        let mut config = Config::for_tests("unused".into());
        config.leptos.site_addr = site_addr.parse().expect("address");
        config.public_origin = public_origin.map(str::to_owned);
        Site::of(&config)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, value.parse().expect("valid header"));
        }
        headers
    }

    #[test]
    fn only_the_sites_own_pages_may_act() {
        let local = site("127.0.0.1:3000", None);
        assert!(local.admits(&headers(&[("origin", "http://127.0.0.1:3000")])));
        assert!(local.admits(&headers(&[("origin", "http://localhost:3000")])));
        assert!(local.admits(&headers(&[])), "not a browser");
        assert!(local.admits(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(local.admits(&headers(&[("sec-fetch-site", "none")])), "typed into the address bar");
        for refused in [
            headers(&[("origin", "http://evil.example")]),
            headers(&[("origin", "http://127.0.0.1:3001")]),
            headers(&[("origin", "null")]),
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[("sec-fetch-site", "same-site")]),
            // The Host header is the attacker's to choose when it is not checked against anything.
            headers(&[("origin", "http://evil.example"), ("host", "evil.example")]),
        ] {
            assert!(!local.admits(&refused), "{refused:?}");
        }

        let public = site("0.0.0.0:8080", Some("https://Chat.Example/"));
        assert!(public.admits(&headers(&[("origin", "https://chat.example")])));
        assert!(public.admits(&headers(&[("origin", "https://chat.example:443")])));
        assert!(!public.admits(&headers(&[("origin", "http://chat.example")])));
        assert!(!public.admits(&headers(&[("origin", "https://sub.chat.example")])));
    }

    #[test]
    fn shared_links_use_the_address_people_reach_the_site_at() {
        let local = site("127.0.0.1:3000", None);
        assert_eq!(local.origin(&headers(&[("host", "localhost:3000")])), "http://localhost:3000");
        assert_eq!(local.origin(&headers(&[("host", "evil.example")])), "http://localhost:3000");
        let public = site("0.0.0.0:8080", Some("https://chat.example"));
        assert_eq!(public.origin(&headers(&[("host", "10.0.0.5:8080")])), "https://chat.example");
        let anywhere = site("0.0.0.0:8080", None);
        assert_eq!(anywhere.origin(&headers(&[("host", "chat.lan:8080")])), "https://chat.lan:8080");
    }

    #[test]
    fn cookies_are_https_only_unless_the_site_is_on_loopback() {
        assert!(!site("127.0.0.1:3000", None).secure_cookies);
        assert!(site("0.0.0.0:3000", None).secure_cookies);
        assert!(site("192.168.1.5:3000", None).secure_cookies);
        assert!(site("0.0.0.0:3000", Some("https://chat.example")).secure_cookies);
        assert!(!site("0.0.0.0:3000", Some("http://chat.lan")).secure_cookies);
        let mut config = Config::for_tests("unused".into());
        config.leptos.site_addr = "0.0.0.0:3000".parse().expect("address");
        config.secure_cookies = Some(false);
        assert!(!Site::of(&config).secure_cookies, "the setting wins");
    }
}
