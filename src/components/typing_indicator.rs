use leptos::prelude::*;

/// Someone typing in the room, until when (browser clock, ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Typist {
    pub name: String,
    pub until_ms: f64,
}

/// "alice is typing…", "alice and bob are typing…", "alice, bob and 3 others are typing…".
pub fn typing_text(names: &[String]) -> Option<String> {
    match names {
        [] => None,
        [one] => Some(format!("{one} is typing…")),
        [one, two] => Some(format!("{one} and {two} are typing…")),
        [one, two, three] => Some(format!("{one}, {two} and {three} are typing…")),
        [one, two, rest @ ..] => Some(format!("{one}, {two} and {} others are typing…", rest.len())),
    }
}

/// The line under the conversation that says who is typing. Not a live region: announcing every
/// keystroke burst would drown out the messages themselves.
#[component]
pub fn TypingIndicator(typing: RwSignal<Vec<Typist>>) -> impl IntoView {
    let text =
        move || typing.with(|list| typing_text(&list.iter().map(|t| t.name.clone()).collect::<Vec<_>>()));
    view! { <p class="typing">{move || text().unwrap_or_default()}</p> }
}

#[cfg(test)]
mod tests {
    use super::typing_text;

    #[test]
    fn the_typing_line_reads_naturally() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(typing_text(&[]), None);
        assert_eq!(typing_text(&names(&["alice"])).as_deref(), Some("alice is typing…"));
        assert_eq!(typing_text(&names(&["alice", "bob"])).as_deref(), Some("alice and bob are typing…"));
        assert_eq!(
            typing_text(&names(&["alice", "bob", "carol"])).as_deref(),
            Some("alice, bob and carol are typing…")
        );
        assert_eq!(
            typing_text(&names(&["alice", "bob", "carol", "dan"])).as_deref(),
            Some("alice, bob and 2 others are typing…")
        );
    }
}
