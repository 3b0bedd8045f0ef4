//! `WorkspacePath`: a path inside a home, checked once at the edge so that the rest of the
//! code never sees `..`, absolute paths or control characters.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest single name, in bytes (the common `NAME_MAX` of Linux filesystems).
pub const MAX_NAME_BYTES: usize = 255;
/// Longest whole path, in bytes (`PATH_MAX` less room for the home prefix).
pub const MAX_PATH_BYTES: usize = 3072;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// Why a path was refused. The text is safe to show to a user: it never echoes the path back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("absolute paths are not accepted; give a path relative to the home folder")]
    Absolute,
    #[error("the path leaves the home folder")]
    EscapesRoot,
    #[error("the path contains a NUL or control character")]
    ControlCharacter,
    #[error("a name in the path is longer than {MAX_NAME_BYTES} bytes")]
    NameTooLong,
    #[error("the path is longer than {MAX_PATH_BYTES} bytes")]
    PathTooLong,
    #[error("the path is nested deeper than {MAX_DEPTH} folders")]
    TooDeep,
    #[error("this is not a valid name for a single file or folder")]
    NotAName,
}

/// A relative, normalised path below a home folder: segments joined by `/`, no `.`/`..` or
/// empty segments, no control characters. The empty path is the home itself.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct WorkspacePath(String);

fn is_control(c: char) -> bool {
    c.is_control()
}

/// Checks one name (a single path segment) as it may appear on disk.
pub fn check_name(name: &str) -> Result<(), PathError> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(PathError::NotAName);
    }
    if name.chars().any(is_control) {
        return Err(PathError::ControlCharacter);
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(PathError::NameTooLong);
    }
    Ok(())
}

impl WorkspacePath {
    /// The home folder itself.
    pub fn root() -> Self {
        Self(String::new())
    }

    /// Parses a path as a client sends it. `a//b`, `./a` and `a/b/../c` are normalised;
    /// anything that would climb above the home is refused, as are absolute paths.
    pub fn parse(input: &str) -> Result<Self, PathError> {
        Self::parse_inner(input, false)
    }

    /// Like [`parse`](Self::parse) but a leading `/` means the home root, as the legacy noto
    /// clients send it (`/folder`, `./`, `/`).
    pub fn parse_home_relative(input: &str) -> Result<Self, PathError> {
        Self::parse_inner(input, true)
    }

    fn parse_inner(input: &str, leading_slash_is_home: bool) -> Result<Self, PathError> {
        if input.chars().any(is_control) {
            return Err(PathError::ControlCharacter);
        }
        if input.len() > MAX_PATH_BYTES {
            return Err(PathError::PathTooLong);
        }
        if input.starts_with('/') && !leading_slash_is_home {
            return Err(PathError::Absolute);
        }
        let mut segments: Vec<&str> = Vec::new();
        for segment in input.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    if segments.pop().is_none() {
                        return Err(PathError::EscapesRoot);
                    }
                }
                name => {
                    if name.len() > MAX_NAME_BYTES {
                        return Err(PathError::NameTooLong);
                    }
                    segments.push(name);
                }
            }
        }
        if segments.len() > MAX_DEPTH {
            return Err(PathError::TooDeep);
        }
        Ok(Self(segments.join("/")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The names from the home down, empty for the home itself.
    pub fn segments(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }

    /// The last name, `None` for the home itself.
    pub fn file_name(&self) -> Option<&str> {
        self.segments().next_back()
    }

    /// The containing folder, `None` for the home itself.
    pub fn parent(&self) -> Option<Self> {
        if self.is_root() {
            return None;
        }
        Some(match self.0.rfind('/') {
            Some(i) => Self(self.0[..i].to_owned()),
            None => Self::root(),
        })
    }

    /// Appends one checked name.
    pub fn join(&self, name: &str) -> Result<Self, PathError> {
        check_name(name)?;
        let joined = if self.is_root() { name.to_owned() } else { format!("{}/{}", self.0, name) };
        if joined.len() > MAX_PATH_BYTES {
            return Err(PathError::PathTooLong);
        }
        if self.segments().count() + 1 > MAX_DEPTH {
            return Err(PathError::TooDeep);
        }
        Ok(Self(joined))
    }
}

impl fmt::Debug for WorkspacePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WorkspacePath({:?})", self.0)
    }
}

impl fmt::Display for WorkspacePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for WorkspacePath {
    type Err = PathError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for WorkspacePath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for WorkspacePath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        assert_eq!(WorkspacePath::parse("").unwrap().as_str(), "");
        assert_eq!(WorkspacePath::parse(".").unwrap().as_str(), "");
        assert_eq!(WorkspacePath::parse("a//b/./c/").unwrap().as_str(), "a/b/c");
        assert_eq!(WorkspacePath::parse("a/b/../c").unwrap().as_str(), "a/c");
        assert_eq!(WorkspacePath::parse("%2e%2e").unwrap().as_str(), "%2e%2e");
        assert_eq!(WorkspacePath::parse("…/ü/日本").unwrap().as_str(), "…/ü/日本");
    }

    #[test]
    fn refuses() {
        assert_eq!(WorkspacePath::parse("/etc"), Err(PathError::Absolute));
        assert_eq!(WorkspacePath::parse(".."), Err(PathError::EscapesRoot));
        assert_eq!(WorkspacePath::parse("a/../../b"), Err(PathError::EscapesRoot));
        assert_eq!(WorkspacePath::parse("a\0b"), Err(PathError::ControlCharacter));
        assert_eq!(WorkspacePath::parse("a\nb"), Err(PathError::ControlCharacter));
        assert_eq!(WorkspacePath::parse("a\u{85}b"), Err(PathError::ControlCharacter));
        assert_eq!(WorkspacePath::parse(&"x".repeat(256)), Err(PathError::NameTooLong));
        assert_eq!(WorkspacePath::parse(&"ab/".repeat(1100)), Err(PathError::PathTooLong));
        assert_eq!(WorkspacePath::parse(&"a/".repeat(65)), Err(PathError::TooDeep));
    }

    #[test]
    fn home_relative_accepts_leading_slash_only_there() {
        assert_eq!(WorkspacePath::parse_home_relative("/a/b").unwrap().as_str(), "a/b");
        assert_eq!(WorkspacePath::parse_home_relative("./").unwrap().as_str(), "");
        assert_eq!(WorkspacePath::parse_home_relative("/../x"), Err(PathError::EscapesRoot));
    }

    #[test]
    fn parent_join_and_name() {
        let p = WorkspacePath::parse("a/b").unwrap();
        assert_eq!(p.file_name(), Some("b"));
        assert_eq!(p.parent().unwrap().as_str(), "a");
        assert_eq!(p.parent().unwrap().parent().unwrap(), WorkspacePath::root());
        assert_eq!(WorkspacePath::root().parent(), None);
        assert_eq!(p.join("c").unwrap().as_str(), "a/b/c");
        assert_eq!(p.join(".."), Err(PathError::NotAName));
        assert_eq!(p.join("x/y"), Err(PathError::NotAName));
    }

    #[test]
    fn serde_round_trip_validates() {
        let p: WorkspacePath = serde_json::from_str("\"a/./b\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"a/b\"");
        assert!(serde_json::from_str::<WorkspacePath>("\"../x\"").is_err());
    }
}
