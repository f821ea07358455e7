//! `/sw.js`: the service worker script (public/sw.js), served with this build's id filled in, so
//! every build caches its shell under its own name and drops the previous build's cache.

use std::{
    hash::{DefaultHasher, Hash, Hasher},
    path::Path,
};

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

/// The script, ready to serve; `None` when the site has no `sw.js` (a server started without
/// its assets, as in the Rust tests).
#[derive(Clone)]
pub struct ServiceWorker {
    script: Option<String>,
}

impl ServiceWorker {
    pub fn load(site_root: &Path, pkg_dir: &str) -> Self {
        let script = std::fs::read_to_string(site_root.join("sw.js"))
            .ok()
            .map(|template| template.replace("__BUILD_ID__", &build_id(&site_root.join(pkg_dir))));
        Self { script }
    }

    pub fn response(&self) -> Response {
        let Some(script) = &self.script else {
            return StatusCode::NOT_FOUND.into_response();
        };
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
                // Browsers check for a new worker on every navigation only if this is not cached.
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            script.clone(),
        )
            .into_response()
    }
}

/// A digest of the built assets' contents: changes exactly when the build does.
fn build_id(pkg: &Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(pkg)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.file_name().hash(&mut hasher);
        std::fs::read(&file).unwrap_or_default().hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_name_follows_the_build() {
        let site = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(site.path().join("pkg")).expect("pkg dir");
        std::fs::write(site.path().join("sw.js"), "const CACHE = 'shell-__BUILD_ID__';").expect("template");
        std::fs::write(site.path().join("pkg/app.wasm"), b"build one").expect("asset");
        let first = ServiceWorker::load(site.path(), "pkg").script.expect("script");
        assert!(!first.contains("__BUILD_ID__"));
        assert_eq!(ServiceWorker::load(site.path(), "pkg").script, Some(first.clone()), "same build, same name");
        std::fs::write(site.path().join("pkg/app.wasm"), b"build two").expect("asset");
        assert_ne!(ServiceWorker::load(site.path(), "pkg").script, Some(first), "new build, new cache");
    }

    #[test]
    fn without_assets_there_is_no_worker() {
        let site = tempfile::tempdir().expect("temp dir");
        assert_eq!(ServiceWorker::load(site.path(), "pkg").response().status(), StatusCode::NOT_FOUND);
    }
}
