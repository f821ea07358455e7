//! Leptos.toml is the runtime configuration; Cargo.toml's copy is what cargo-leptos builds with.
//! They must not drift apart.

use std::path::Path;

fn leptos_section(path: &str) -> toml::Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("readable");
    let doc: toml::Value = toml::from_str(&text).expect("valid TOML");
    doc["package"]["metadata"]["leptos"].clone()
}

#[test]
fn leptos_toml_and_cargo_toml_agree() {
    assert_eq!(leptos_section("Leptos.toml"), leptos_section("Cargo.toml"));
}

#[test]
fn the_runtime_configuration_loads_with_environment_overrides() {
    use mini_discord::server::config::{Config, Overrides};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Leptos.toml");
    let config =
        Config::load(&path, Overrides { data_dir: Some("/tmp/md-test".into()), ..Overrides::default() })
            .expect("loads");
    assert_eq!(config.leptos.output_name.as_ref(), "mini-discord");
    assert_eq!(config.data_dir, Path::new("/tmp/md-test"));
    assert!(config.database_url.starts_with("sqlite:///tmp/md-test/"));
    assert_eq!(
        config.limits.read_buffer_bytes,
        mini_discord::server::config::Limits::default().read_buffer_bytes
    );
}
