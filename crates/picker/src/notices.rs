//! The picker's notices (created, chosen, failed): a small hook over a reducer so callbacks
//! can push without holding the current list.

use std::rc::Rc;

use lablink_ui::{Notice, NoticeKind};
use yew::prelude::*;

#[derive(Default, PartialEq)]
pub struct Notices {
    pub list: Rc<Vec<Notice>>,
    next_id: u32,
}

pub enum NoticeAction {
    Push(NoticeKind, String),
    Dismiss(u32),
}

/// Notices shown at once; older ones go first.
const KEEP: usize = 3;

impl Reducible for Notices {
    type Action = NoticeAction;

    fn reduce(self: Rc<Self>, action: NoticeAction) -> Rc<Self> {
        let mut list = (*self.list).clone();
        let mut next_id = self.next_id;
        match action {
            NoticeAction::Push(kind, text) => {
                list.push(Notice { id: next_id, kind, text: text.into() });
                next_id += 1;
                let excess = list.len().saturating_sub(KEEP);
                list.drain(..excess);
            }
            NoticeAction::Dismiss(id) => list.retain(|n| n.id != id),
        }
        Rc::new(Self { list: Rc::new(list), next_id })
    }
}

#[hook]
pub fn use_notices() -> UseReducerHandle<Notices> {
    use_reducer(Notices::default)
}
