//! The chain of folders from the home down to a path, for the breadcrumbs.

use lablink_protocol::WorkspacePath;

/// One step of the trail: where it leads and the name to show (`None` for the home itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    pub path: WorkspacePath,
    pub name: Option<String>,
}

/// The home, then each folder down to and including `path`. Built by walking `parent()` so
/// that every step is a path the protocol already validated.
pub fn trail(path: &WorkspacePath) -> Vec<Crumb> {
    let mut crumbs = Vec::new();
    let mut at = Some(path.clone());
    while let Some(p) = at {
        at = p.parent();
        let name = p.file_name().map(str::to_owned);
        crumbs.push(Crumb { path: p, name });
    }
    crumbs.reverse();
    crumbs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> WorkspacePath {
        WorkspacePath::parse(s).unwrap()
    }

    #[test]
    fn root_only() {
        assert_eq!(trail(&WorkspacePath::root()), vec![Crumb { path: p(""), name: None }]);
    }

    #[test]
    fn nested() {
        let t = trail(&p("course/week 1/data"));
        let got: Vec<(String, Option<&str>)> =
            t.iter().map(|c| (c.path.to_string(), c.name.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                (String::new(), None),
                ("course".to_owned(), Some("course")),
                ("course/week 1".to_owned(), Some("week 1")),
                ("course/week 1/data".to_owned(), Some("data")),
            ]
        );
    }
}
