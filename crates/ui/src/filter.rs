//! The name filter of a folder list: case-insensitive substring match.

/// Lower-cased copies of the names, computed once per listing so that each keystroke of the
/// filter only scans.
pub fn lowered_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names.map(str::to_lowercase).collect()
}

/// Indices (into the listing) of the names that contain `query`, ignoring case, in listing
/// order. An empty query matches everything.
pub fn matching_indices(lowered: &[String], query: &str) -> Vec<usize> {
    if query.is_empty() {
        return (0..lowered.len()).collect();
    }
    let needle = query.to_lowercase();
    lowered.iter().enumerate().filter(|(_, name)| name.contains(&needle)).map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(names: &[&str]) -> Vec<String> {
        lowered_names(names.iter().copied())
    }

    #[test]
    fn empty_query_matches_all() {
        assert_eq!(matching_indices(&lowered(&["a", "b", "c"]), ""), vec![0, 1, 2]);
        assert!(matching_indices(&[], "").is_empty());
    }

    #[test]
    fn substring_ignoring_case() {
        let names = lowered(&["Data", "notebook.ipynb", "README.md", "metadata.json", "ÜBUNG"]);
        assert_eq!(matching_indices(&names, "data"), vec![0, 3]);
        assert_eq!(matching_indices(&names, "DATA"), vec![0, 3]);
        assert_eq!(matching_indices(&names, ".ip"), vec![1]);
        assert_eq!(matching_indices(&names, "übung"), vec![4]);
        assert!(matching_indices(&names, "zzz").is_empty());
    }
}
