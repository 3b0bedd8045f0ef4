//! Which folder is shown and how far its listing has loaded: a reducer, so the async pages
//! of a folder the user already left are recognised and dropped.

use std::rc::Rc;

use lablink_client::ClientError;
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{EntriesPage, Entry};
use yew::Reducible;

/// Entries asked for first: enough to fill the view at once.
pub const FIRST_PAGE: u32 = 500;
/// Entries per later page of a big folder.
pub const NEXT_PAGE: u32 = 5000;

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Nothing of this folder yet.
    Loading,
    /// Some pages shown, more on the way.
    Partial,
    Done,
    Failed(ClientError),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Navigator {
    pub path: WorkspacePath,
    pub entries: Rc<Vec<Entry>>,
    pub total: u64,
    pub phase: Phase,
    /// Bumped on every navigation or retry; pages carry the generation they were asked for.
    pub generation: u32,
}

pub enum NavAction {
    Open(WorkspacePath),
    Retry,
    Page { generation: u32, page: EntriesPage },
    Failed { generation: u32, error: ClientError },
}

impl Navigator {
    pub fn new(path: WorkspacePath) -> Self {
        Self { path, entries: Rc::default(), total: 0, phase: Phase::Loading, generation: 0 }
    }

    fn restart(&self, path: WorkspacePath) -> Self {
        Self { generation: self.generation.wrapping_add(1), ..Self::new(path) }
    }

    pub fn reduce(&self, action: NavAction) -> Option<Self> {
        match action {
            NavAction::Open(path) => Some(self.restart(path)),
            NavAction::Retry => Some(self.restart(self.path.clone())),
            NavAction::Page { generation, .. } | NavAction::Failed { generation, .. }
                if generation != self.generation =>
            {
                None
            }
            NavAction::Page { page, .. } => {
                let mut next = self.clone();
                let first = next.phase == Phase::Loading;
                if first {
                    next.entries = Rc::new(page.entries);
                } else {
                    Rc::make_mut(&mut next.entries).extend(page.entries);
                }
                next.total = page.total;
                next.phase = if page.next_cursor.is_some() { Phase::Partial } else { Phase::Done };
                Some(next)
            }
            NavAction::Failed { error, .. } => {
                let mut next = self.clone();
                next.phase = Phase::Failed(error);
                Some(next)
            }
        }
    }
}

impl Reducible for Navigator {
    type Action = NavAction;

    fn reduce(self: Rc<Self>, action: NavAction) -> Rc<Self> {
        match Navigator::reduce(&self, action) {
            Some(next) => Rc::new(next),
            None => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use lablink_client::ErrorKind;
    use lablink_protocol::files::EntryKind;

    use super::*;

    fn page(names: &[&str], total: u64, more: bool) -> EntriesPage {
        EntriesPage {
            path: WorkspacePath::root(),
            entries: names
                .iter()
                .map(|n| Entry { name: (*n).into(), kind: EntryKind::File, size: 1, modified: 0 })
                .collect(),
            total,
            next_cursor: more.then(|| "c".into()),
        }
    }

    #[test]
    fn pages_append_until_the_last() {
        let nav = Navigator::new(WorkspacePath::root());
        let nav = nav.reduce(NavAction::Page { generation: 0, page: page(&["a", "b"], 3, true) }).unwrap();
        assert_eq!(nav.phase, Phase::Partial);
        let nav = nav.reduce(NavAction::Page { generation: 0, page: page(&["c"], 3, false) }).unwrap();
        assert_eq!(nav.phase, Phase::Done);
        assert_eq!(nav.entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn pages_of_a_folder_left_behind_are_dropped() {
        let nav = Navigator::new(WorkspacePath::root());
        let nav = nav.reduce(NavAction::Open(WorkspacePath::parse("sub").unwrap())).unwrap();
        assert_eq!(nav.generation, 1);
        assert!(nav.reduce(NavAction::Page { generation: 0, page: page(&["old"], 1, false) }).is_none());
        let error = ClientError::new(ErrorKind::Offline, "x");
        assert!(nav.reduce(NavAction::Failed { generation: 0, error }).is_none());
    }

    #[test]
    fn retry_reloads_the_same_folder_from_scratch() {
        let nav = Navigator::new(WorkspacePath::parse("a").unwrap());
        let error = ClientError::new(ErrorKind::Offline, "x");
        let nav = nav.reduce(NavAction::Failed { generation: 0, error }).unwrap();
        let nav = nav.reduce(NavAction::Retry).unwrap();
        assert_eq!((nav.path.as_str(), &nav.phase, nav.generation), ("a", &Phase::Loading, 1));
        assert!(nav.entries.is_empty());
    }
}
