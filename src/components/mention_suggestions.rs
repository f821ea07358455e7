//! "@" in the message box offers the room's people whose names start with what follows it:
//! ArrowDown and ArrowUp move through them, Enter or Tab chooses, Escape closes, a click chooses
//! too. Choosing writes "@name " in place of what was typed; the server turns it into a mention.
//!
//! The list is an element the composer always renders (hidden while empty), filled here straight
//! through the DOM: as a reactive view, its options and attributes cost the bundle about 4 KB
//! compressed, more than the whole budget had left.

use std::{cell::RefCell, rc::Rc};

use leptos::{ev, html, prelude::*};

use crate::{
    client::socket::use_socket,
    shared::{mentions, protocol::ServerFrame, validate},
};

/// The list's id, which the message box names as what it controls.
pub const LIST_ID: &str = "mention-suggestions";

const OPTION_ID: &str = "mention-suggestion-";

#[derive(Default)]
struct State {
    /// The mention being typed: where its "@" is and where the cursor is (byte offsets into the
    /// text), and the name so far.
    typing: Option<(usize, usize, String)>,
    names: Vec<String>,
    chosen: usize,
}

#[derive(Clone)]
pub struct MentionSuggestions {
    state: Rc<RefCell<State>>,
    /// The message box's id (its `aria-activedescendant` names the option the keyboard is on).
    input_id: &'static str,
}

impl MentionSuggestions {
    /// The suggestions of `room`'s message box (`input_id`), listening for the server's answers as
    /// long as the box exists.
    pub fn new(room: String, input_id: &'static str) -> Self {
        let socket = use_socket();
        let this = Self { state: Rc::default(), input_id };
        let answers = this.clone();
        let listener = socket.on_frame(move |frame| {
            let ServerFrame::MentionSuggestions { room: answered, names } = frame else { return };
            {
                let mut state = answers.state.borrow_mut();
                let Some((_, _, typed)) = state.typing.as_ref().filter(|_| *answered == room) else { return };
                // An answer to an earlier question (typed on since) still holds, for the names
                // that start with what is typed now. Usernames are letters, digits, `_` and `-`:
                // nothing else is written into the page.
                let fits = |name: &&String| {
                    validate::username(name).is_ok()
                        && name.get(..typed.len()).is_some_and(|start| start.eq_ignore_ascii_case(typed))
                };
                state.names = names.iter().filter(fits).cloned().collect();
                state.chosen = 0;
            }
            answers.show();
        });
        on_cleanup(move || socket.off(listener));
        this
    }

    /// The text of `room`'s box is now `text`, with the cursor at `cursor` (in UTF-16 units, as
    /// the browser counts): asks for the people a mention being typed may name.
    pub fn typed(&self, room: &str, text: &str, cursor: u32) {
        let cursor = byte_offset(text, cursor);
        let Some((at, prefix)) = mentions::typing_at(text, cursor) else { return self.close() };
        let asked = {
            let mut state = self.state.borrow_mut();
            let asked = state.typing.as_ref().is_some_and(|(_, _, typed)| typed == prefix);
            state.typing = Some((at, cursor, prefix.to_owned()));
            asked
        };
        if !asked {
            use_socket().suggest_mentions(room, prefix);
        }
    }

    pub fn close(&self) {
        let mut state = self.state.borrow_mut();
        state.typing = None;
        if !state.names.is_empty() {
            state.names.clear();
            drop(state);
            self.show();
        }
    }

    /// A key pressed in the box: true when it was the open list's (moving, choosing, closing).
    pub fn key(
        &self,
        event: &ev::KeyboardEvent,
        input: NodeRef<html::Textarea>,
        text: RwSignal<String>,
    ) -> bool {
        let (count, chosen) = {
            let state = self.state.borrow();
            (state.names.len(), state.chosen)
        };
        if count == 0 || event.is_composing() {
            return false;
        }
        match event.key().as_str() {
            "ArrowDown" => self.move_to((chosen + 1) % count),
            "ArrowUp" => self.move_to((chosen + count - 1) % count),
            "Enter" | "Tab" if !event.shift_key() => self.choose(chosen, input, text),
            // Closed until the name typed changes (an answer still on its way is dropped).
            "Escape" => self.close(),
            // The cursor leaves the name: what Enter or Tab would replace is no longer there.
            "ArrowLeft" | "ArrowRight" | "Home" | "End" => {
                self.close();
                return false;
            }
            _ => return false,
        }
        event.prevent_default();
        true
    }

    fn move_to(&self, chosen: usize) {
        self.state.borrow_mut().chosen = chosen;
        self.show();
    }

    /// A press in the list: chooses the option pressed, before the box would lose the keyboard.
    pub fn pressed(&self, event: &ev::MouseEvent, input: NodeRef<html::Textarea>, text: RwSignal<String>) {
        event.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            // An option holds only its text: the option is what was pressed.
            let option = event.target().and_then(|target| target.dyn_into::<leptos::web_sys::Element>().ok());
            let index = option.and_then(|option| option.id().strip_prefix(OPTION_ID)?.parse().ok());
            if let Some(index) = index {
                self.choose(index, input, text);
            }
        }
        let _ = (input, text);
    }

    /// Writes "@name " over the mention being typed, the cursor after it.
    fn choose(&self, index: usize, input: NodeRef<html::Textarea>, text: RwSignal<String>) {
        let (name, typing) = {
            let state = self.state.borrow();
            (state.names.get(index).cloned(), state.typing.clone())
        };
        let (Some(name), Some((at, cursor, _))) = (name, typing) else { return };
        let current = text.get_untracked();
        if let (Some(before), Some(after)) = (current.get(..at), current.get(cursor..)) {
            let chosen = format!("{before}@{name} ");
            let caret = chosen.encode_utf16().count() as u32;
            let written = format!("{chosen}{after}");
            if let Some(input) = input.get_untracked() {
                // Set here, not left to the box's binding, so the cursor can be put after the name.
                input.set_value(&written);
                let _ = input.set_selection_range(caret, caret);
            }
            text.set(written);
        }
        self.close();
    }

    /// Writes the list as it is now into the page, and which option the box's keyboard is on.
    /// Only ever called in the browser (from its events and frames).
    fn show(&self) {
        let state = self.state.borrow();
        let document = document();
        if let Some(list) = document.get_element_by_id(LIST_ID) {
            let options: String = state
                .names
                .iter()
                .enumerate()
                .map(|(index, name)| {
                    let selected = index == state.chosen;
                    format!(
                        r#"<li id="{OPTION_ID}{index}" role="option" aria-selected="{selected}">@{name}</li>"#
                    )
                })
                .collect();
            list.set_inner_html(&options);
            let _ = list.toggle_attribute_with_force("hidden", state.names.is_empty());
        }
        if let Some(input) = document.get_element_by_id(self.input_id) {
            let _ = if state.names.is_empty() {
                input.remove_attribute("aria-activedescendant")
            } else {
                input.set_attribute("aria-activedescendant", &format!("{OPTION_ID}{}", state.chosen))
            };
        }
    }
}

/// The byte offset in `text` of the browser's cursor position `utf16` (counted in UTF-16 units).
fn byte_offset(text: &str, utf16: u32) -> usize {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        if units >= utf16 as usize {
            return at;
        }
        units += c.len_utf16();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::byte_offset;

    #[test]
    fn the_browser_cursor_becomes_a_byte_offset() {
        assert_eq!(byte_offset("@bo", 3), 3);
        assert_eq!(byte_offset("é @bo", 5), 6);
        assert_eq!(byte_offset("😀 @b", 5), 7, "an emoji is two UTF-16 units and four bytes");
        assert_eq!(byte_offset("ab", 9), 2);
    }
}
