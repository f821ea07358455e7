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
    pub fn load(site_root: &Path) -> Self {
        let script = std::fs::read_to_string(site_root.join("sw.js"))
            .ok()
            .map(|template| template.replace("__BUILD_ID__", &build_id(site_root)));
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

/// A digest of every file of the site (the bundle, the offline page, icons, the worker's own
/// template): changes exactly when anything the worker caches does.
fn build_id(site_root: &Path) -> String {
    let mut files = Vec::new();
    let mut folders = vec![site_root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for path in std::fs::read_dir(&folder).into_iter().flatten().flatten().map(|entry| entry.path()) {
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.strip_prefix(site_root).unwrap_or(&file).hash(&mut hasher);
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
        let first = ServiceWorker::load(site.path()).script.expect("script");
        assert!(!first.contains("__BUILD_ID__"));
        assert_eq!(ServiceWorker::load(site.path()).script, Some(first.clone()), "same build, same name");
        std::fs::write(site.path().join("pkg/app.wasm"), b"build two").expect("asset");
        assert_ne!(ServiceWorker::load(site.path()).script, Some(first.clone()), "new build, new cache");
        std::fs::write(site.path().join("pkg/app.wasm"), b"build one").expect("asset");
        std::fs::write(site.path().join("offline.html"), b"a new offline page").expect("page");
        assert_ne!(ServiceWorker::load(site.path()).script, Some(first), "any cached file counts");
    }

    #[test]
    fn without_assets_there_is_no_worker() {
        let site = tempfile::tempdir().expect("temp dir");
        assert_eq!(ServiceWorker::load(site.path()).response().status(), StatusCode::NOT_FOUND);
    }
}
