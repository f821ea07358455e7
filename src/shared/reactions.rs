//! Reactions: what counts as one (a single emoji, checked by the server on every path and by the
//! picker only to tell the user early), how many a message can take, the picker's quick choices,
//! and how a reaction reads to a screen reader.

use super::{validate::InvalidInput, views::Reaction};

/// Different emoji one message can carry (as Discord): enough for any conversation, few enough
/// that a message's reactions stay a short row and a cheap read.
pub const MAX_PER_MESSAGE: usize = 20;

/// The picker's first row; any other emoji can be typed or pasted.
pub const QUICK: [&str; 8] = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"];

/// The longest emoji sequence accepted, in characters: a family of four with skin tones is 11.
const EMOJI_MAX_CHARS: usize = 16;

/// Names a reaction's button reads out: "👍 2: alice, bob", the first few names then how many
/// more, so a hundred reactions do not make a hundred-name label.
pub fn label(reaction: &Reaction) -> String {
    const NAMED: usize = 10;
    let names = reaction.users.iter().take(NAMED).map(String::as_str).collect::<Vec<_>>().join(", ");
    let more = reaction.users.len().saturating_sub(NAMED);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    format!("{} {}: {names}{more}", reaction.emoji, reaction.users.len())
}

/// How one character may take part in an emoji.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// A pictograph that stands alone, or joins the one before it after a zero-width joiner.
    Picture,
    /// Half of a flag: exactly two make one.
    Regional,
    /// A skin tone, after the picture it colours.
    SkinTone,
    /// The emoji variation selector (U+FE0F): at most one, right after a picture or keycap base.
    Emoji,
    /// A tag letter: only in a subdivision flag (🏴 then tags then the cancel tag).
    Tag,
    Joiner,
    /// A keycap's base (0–9, #, *): only as "1️⃣".
    KeycapBase,
    Keycap,
    Other,
}

fn part(c: char) -> Part {
    match u32::from(c) {
        0x1F1E6..=0x1F1FF => Part::Regional,
        0x1F3FB..=0x1F3FF => Part::SkinTone,
        0xFE0F => Part::Emoji,
        0xE0020..=0xE007F => Part::Tag,
        0x200D => Part::Joiner,
        0x20E3 => Part::Keycap,
        0x1F000..=0x1FAFF
        | 0x2190..=0x21FF
        | 0x2300..=0x23FF
        | 0x25A0..=0x27BF
        | 0x2934..=0x2935
        | 0x2B00..=0x2BFF
        | 0x2122
        | 0x2139
        | 0x203C
        | 0x2049
        | 0x00A9
        | 0x00AE
        | 0x24C2
        | 0x3030
        | 0x303D
        | 0x3297
        | 0x3299 => Part::Picture,
        _ if c.is_ascii_digit() || c == '#' || c == '*' => Part::KeycapBase,
        // The text variation selector (U+FE0E) asks for the opposite of an emoji.
        _ => Part::Other,
    }
}

/// The reaction as stored: one emoji (a pictograph with its skin tone, several joined into one
/// by zero-width joiners, a flag, or a keycap), surrounding spaces ignored. Text, two emoji,
/// markup, repeated or misplaced selectors and hidden tag letters are refused, so two reactions
/// that look alike are the same reaction: a pictograph of the older, text-first blocks gets the
/// emoji selector it may have been typed without ("❤" is "❤️", as the picker offers it).
pub fn emoji(input: &str) -> Result<String, InvalidInput> {
    let typed = input.trim();
    let chars: Vec<char> = typed.chars().collect();
    let parts: Vec<Part> = chars.iter().map(|&c| part(c)).collect();
    // Without selectors: the shape of the emoji. A selector must follow a picture or a keycap base.
    let mut shape = Vec::with_capacity(parts.len());
    for (at, &p) in parts.iter().enumerate() {
        if p == Part::Emoji {
            let after = at.checked_sub(1).map(|before| parts[before]);
            if !matches!(after, Some(Part::Picture | Part::KeycapBase)) {
                return Err(InvalidInput::Reaction);
            }
        } else {
            shape.push((chars[at], p, parts.get(at + 1) == Some(&Part::Emoji)));
        }
    }
    let kinds: Vec<Part> = shape.iter().map(|&(_, p, _)| p).collect();
    let one = match kinds.as_slice() {
        [] => false,
        _ if chars.len() > EMOJI_MAX_CHARS => false,
        [Part::Regional, Part::Regional] | [Part::KeycapBase, Part::Keycap] => true,
        // A subdivision flag: the black flag, tag letters, the cancel tag.
        [Part::Picture, tags @ .., Part::Tag] if shape[0].0 == '\u{1F3F4}' && !tags.is_empty() => {
            tags.iter().all(|&p| p == Part::Tag) && shape.last().is_some_and(|&(c, _, _)| c == '\u{E007F}')
        }
        [Part::Picture, rest @ ..] => {
            // After the first picture: a skin tone right after a picture, another picture only
            // after a joiner, and no joiner at the end or twice in a row.
            let mut previous = Part::Picture;
            let joined_well = rest.iter().all(|&p| {
                let fits = match p {
                    Part::SkinTone => previous == Part::Picture,
                    Part::Joiner => matches!(previous, Part::Picture | Part::SkinTone),
                    Part::Picture => previous == Part::Joiner,
                    _ => false,
                };
                previous = p;
                fits
            });
            joined_well && previous != Part::Joiner
        }
        _ => false,
    };
    if !one {
        return Err(InvalidInput::Reaction);
    }
    let mut stored = String::with_capacity(typed.len() + 3);
    for &(c, p, selected) in &shape {
        stored.push(c);
        let text_first = p == Part::KeycapBase || (p == Part::Picture && u32::from(c) < 0x1F000);
        if text_first || selected {
            stored.push('\u{FE0F}');
        }
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_emoji_of_any_kind_is_a_reaction() {
        for ok in ["👍", "❤️", "👍🏽", "👨‍👩‍👧‍👦", "👨🏻‍👩🏻‍👧🏻‍👦🏻", "🏳️‍🌈", "🇫🇷", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "1️⃣", "#️⃣", "™️", "☕️", " 🎉 "]
        {
            assert_eq!(emoji(ok).as_deref(), Ok(ok.trim()), "{ok:?}");
        }
        for quick in QUICK {
            assert_eq!(emoji(quick).as_deref(), Ok(quick), "the picker offers them as stored");
        }
        // Typed without the emoji selector, stored with it: one reaction however it was typed.
        assert_eq!(emoji("❤").as_deref(), Ok("❤️"));
        assert_eq!(emoji("☕").as_deref(), Ok("☕️"));
        assert_eq!(emoji("1\u{20E3}").as_deref(), Ok("1️⃣"));
    }

    #[test]
    fn text_markup_and_several_emoji_are_not() {
        for bad in [
            "",
            " ",
            "a",
            "1",
            "+1",
            "👍👍",
            "🇫",
            "🇫🇷🇩🇪",
            "<script>",
            "👍<b>",
            "\u{200D}👍",
            "👍\u{200D}",
            "👍\u{200D}\u{200D}👍",
            "\u{1F3FB}",
            "👍\u{202E}",
            "👍 👍",
            "\u{FE0F}",
            "∑",
            "1\u{1F3FB}\u{20E3}",
            // Look-alikes: repeated or text selectors, hidden tag letters, two skin tones.
            "👍\u{FE0F}\u{FE0F}",
            "❤\u{FE0E}",
            "👍\u{E0041}\u{E007F}",
            "🏴\u{E0067}",
            "👍\u{1F3FB}\u{1F3FB}",
        ] {
            assert_eq!(emoji(bad), Err(InvalidInput::Reaction), "{bad:?}");
        }
        assert_eq!(emoji(&"👍\u{1F3FB}".repeat(9)), Err(InvalidInput::Reaction));
        assert_eq!(emoji(&format!("👨{}", "\u{200D}👨".repeat(9))), Err(InvalidInput::Reaction), "too long");
    }

    #[test]
    fn a_reaction_names_who_gave_it() {
        let two = Reaction { emoji: "👍".into(), users: vec!["alice".into(), "bob".into()] };
        assert_eq!(label(&two), "👍 2: alice, bob");
        let many = Reaction { emoji: "🎉".into(), users: (0..12).map(|n| format!("u{n}")).collect() };
        assert_eq!(label(&many), "🎉 12: u0, u1, u2, u3, u4, u5, u6, u7, u8, u9 and 2 more");
    }
}
