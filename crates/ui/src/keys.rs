//! Which keys the folder list handles, decided apart from the DOM so that it can be tested.

use crate::window::Move;

/// What a key press on the list asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    Move(Move),
    /// Open the highlighted folder.
    Open,
    /// Remove the last filter character, or go to the parent folder when the filter is empty.
    Back,
    /// Empty the filter.
    ClearFilter,
    /// Type-ahead: append to the filter.
    Type(char),
}

/// The modifier keys held with a key press.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub ctrl: bool,
    pub alt: bool,
    pub meta: bool,
}

/// Maps `KeyboardEvent.key` to an action; `None` leaves the key to the browser (Tab, shortcuts
/// such as Ctrl+F, function keys …). `filter_empty` matters for Space, which only extends an
/// existing filter rather than starting one, so that a stray Space does nothing surprising.
pub fn key_action(key: &str, modifiers: Modifiers, filter_empty: bool) -> Option<KeyAction> {
    let plain = !(modifiers.ctrl || modifiers.alt || modifiers.meta);
    let action = match key {
        "ArrowUp" | "Up" => KeyAction::Move(Move::Up),
        "ArrowDown" | "Down" => KeyAction::Move(Move::Down),
        "PageUp" => KeyAction::Move(Move::PageUp),
        "PageDown" => KeyAction::Move(Move::PageDown),
        "Home" => KeyAction::Move(Move::First),
        "End" => KeyAction::Move(Move::Last),
        "Enter" => KeyAction::Open,
        "Backspace" if plain => KeyAction::Back,
        "Escape" | "Esc" if !filter_empty => KeyAction::ClearFilter,
        _ => {
            let mut chars = key.chars();
            let c = chars.next()?;
            if chars.next().is_some() || !plain || c.is_control() {
                return None;
            }
            if c == ' ' && filter_empty {
                return None;
            }
            KeyAction::Type(c)
        }
    };
    Some(action)
}

/// What a key press on a data table's rows asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridKey {
    Move(Move),
    /// Enter or Space: tick or untick the row, where the table has tick boxes.
    Toggle,
}

/// Maps `KeyboardEvent.key` on a data table to an action; `None` leaves it to the browser
/// (Tab, shortcuts, typing into a field elsewhere).
pub fn grid_key(key: &str, modifiers: Modifiers) -> Option<GridKey> {
    if modifiers.ctrl || modifiers.alt || modifiers.meta {
        return None;
    }
    Some(match key {
        "ArrowUp" | "Up" => GridKey::Move(Move::Up),
        "ArrowDown" | "Down" => GridKey::Move(Move::Down),
        "PageUp" => GridKey::Move(Move::PageUp),
        "PageDown" => GridKey::Move(Move::PageDown),
        "Home" => GridKey::Move(Move::First),
        "End" => GridKey::Move(Move::Last),
        "Enter" | " " | "Spacebar" => GridKey::Toggle,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_keys() {
        assert_eq!(grid_key("ArrowDown", NONE), Some(GridKey::Move(Move::Down)));
        assert_eq!(grid_key("PageUp", NONE), Some(GridKey::Move(Move::PageUp)));
        assert_eq!(grid_key("End", NONE), Some(GridKey::Move(Move::Last)));
        assert_eq!(grid_key(" ", NONE), Some(GridKey::Toggle));
        assert_eq!(grid_key("Enter", NONE), Some(GridKey::Toggle));
        assert_eq!(grid_key("a", NONE), None);
        assert_eq!(grid_key("Tab", NONE), None);
        assert_eq!(grid_key("Home", Modifiers { ctrl: true, ..NONE }), None);
    }

    const NONE: Modifiers = Modifiers { ctrl: false, alt: false, meta: false };

    #[test]
    fn navigation_keys() {
        assert_eq!(key_action("ArrowUp", NONE, true), Some(KeyAction::Move(Move::Up)));
        assert_eq!(key_action("ArrowDown", NONE, true), Some(KeyAction::Move(Move::Down)));
        assert_eq!(key_action("PageUp", NONE, true), Some(KeyAction::Move(Move::PageUp)));
        assert_eq!(key_action("PageDown", NONE, true), Some(KeyAction::Move(Move::PageDown)));
        assert_eq!(key_action("Home", NONE, true), Some(KeyAction::Move(Move::First)));
        assert_eq!(key_action("End", NONE, true), Some(KeyAction::Move(Move::Last)));
        assert_eq!(key_action("Enter", NONE, true), Some(KeyAction::Open));
        assert_eq!(key_action("Backspace", NONE, true), Some(KeyAction::Back));
    }

    #[test]
    fn escape_only_when_there_is_a_filter() {
        // With nothing to clear, Escape is left to an enclosing dialog.
        assert_eq!(key_action("Escape", NONE, true), None);
        assert_eq!(key_action("Escape", NONE, false), Some(KeyAction::ClearFilter));
    }

    #[test]
    fn type_ahead() {
        assert_eq!(key_action("a", NONE, true), Some(KeyAction::Type('a')));
        assert_eq!(key_action("Ä", NONE, true), Some(KeyAction::Type('Ä')));
        assert_eq!(key_action(".", NONE, true), Some(KeyAction::Type('.')));
        assert_eq!(key_action(" ", NONE, false), Some(KeyAction::Type(' ')));
        assert_eq!(key_action(" ", NONE, true), None);
    }

    #[test]
    fn shortcuts_and_named_keys_are_left_alone() {
        let ctrl = Modifiers { ctrl: true, ..NONE };
        let alt = Modifiers { alt: true, ..NONE };
        let meta = Modifiers { meta: true, ..NONE };
        assert_eq!(key_action("f", ctrl, true), None);
        assert_eq!(key_action("a", alt, true), None);
        assert_eq!(key_action("c", meta, true), None);
        assert_eq!(key_action("Backspace", ctrl, false), None);
        assert_eq!(key_action("Tab", NONE, true), None);
        assert_eq!(key_action("F5", NONE, true), None);
        assert_eq!(key_action("Shift", NONE, true), None);
        assert_eq!(key_action("Dead", NONE, true), None);
        assert_eq!(key_action("", NONE, true), None);
    }
}
