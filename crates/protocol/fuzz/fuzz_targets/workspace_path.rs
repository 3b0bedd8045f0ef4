//! Feeds arbitrary UTF-8 to the `WorkspacePath` parsers and checks that whatever they accept
//! is normalised, stays below the home and parses back to itself.

#![no_main]

use lablink_protocol::path::{MAX_DEPTH, MAX_NAME_BYTES, MAX_PATH_BYTES, check_name};
use lablink_protocol::{PathError, WorkspacePath};
use libfuzzer_sys::fuzz_target;

fn check_output(input: &str, path: &WorkspacePath) {
    let s = path.as_str();
    assert!(!s.starts_with('/'), "{input:?} -> {s:?} starts with '/'");
    assert!(!s.chars().any(char::is_control), "{input:?} -> {s:?} has a control char");
    assert!(s.len() <= MAX_PATH_BYTES && s.len() <= input.len());
    assert_eq!(path.is_root(), s.is_empty());
    if !s.is_empty() {
        let mut depth = 0;
        for seg in s.split('/') {
            assert!(!seg.is_empty(), "{input:?} -> {s:?} has an empty segment");
            assert_ne!(seg, "..", "{input:?} -> {s:?} has a '..' segment");
            assert_ne!(seg, ".", "{input:?} -> {s:?} has a '.' segment");
            assert!(seg.len() <= MAX_NAME_BYTES);
            assert_eq!(check_name(seg), Ok(()));
            depth += 1;
        }
        assert!(depth <= MAX_DEPTH);
    }
    // Re-parsing the output gives it back, through both entry points.
    assert_eq!(WorkspacePath::parse(s).as_ref(), Ok(path), "{input:?} -> {s:?}");
    assert_eq!(WorkspacePath::parse_home_relative(s).as_ref(), Ok(path));
    // The last name and the parent put back together give the path again.
    if let Some(name) = path.file_name() {
        let parent = path.parent().expect("a path with a name has a parent");
        assert_eq!(parent.join(name).as_ref(), Ok(path));
    } else {
        assert!(path.is_root() && path.parent().is_none());
    }
}

/// What `parse_home_relative` must answer, worked out by counting names instead of keeping
/// them: only the error kind and the depth of the result.
fn expected_depth(input: &str) -> Result<usize, PathError> {
    if input.chars().any(char::is_control) {
        return Err(PathError::ControlCharacter);
    }
    if input.len() > MAX_PATH_BYTES {
        return Err(PathError::PathTooLong);
    }
    let mut depth = 0usize;
    for seg in input.split('/') {
        match seg {
            "" | "." => {}
            ".." => depth = depth.checked_sub(1).ok_or(PathError::EscapesRoot)?,
            name if name.len() > MAX_NAME_BYTES => return Err(PathError::NameTooLong),
            _ => depth += 1,
        }
    }
    if depth > MAX_DEPTH {
        return Err(PathError::TooDeep);
    }
    Ok(depth)
}

fn check(input: &str) {
    let strict = WorkspacePath::parse(input);
    let home = WorkspacePath::parse_home_relative(input);
    let depth = home.as_ref().map(|p| p.segments().count()).map_err(Clone::clone);
    assert_eq!(depth, expected_depth(input), "parse_home_relative({input:?}) = {home:?}");
    if input.starts_with('/') {
        assert!(strict.is_err(), "{input:?} accepted by parse");
        if !input.chars().any(char::is_control) && input.len() <= MAX_PATH_BYTES {
            assert_eq!(strict, Err(PathError::Absolute));
        }
    } else {
        assert_eq!(strict, home, "the parsers differ on {input:?}");
    }
    for path in [&strict, &home].into_iter().flatten() {
        check_output(input, path);
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(input) => check(input),
        // Non-UTF-8 bytes still exercise the parser, with U+FFFD in their place.
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});
