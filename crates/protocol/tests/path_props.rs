//! Property tests for `WorkspacePath`: whatever a client sends, a parsed path is normalised,
//! stays below the home and parses back to itself.

use lablink_protocol::path::{MAX_DEPTH, MAX_NAME_BYTES, MAX_PATH_BYTES, check_name};
use lablink_protocol::{PathError, WorkspacePath};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Pieces that tend to break path parsers.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("/".to_owned()),
        3 => Just(".".to_owned()),
        3 => Just("..".to_owned()),
        2 => Just("../".to_owned()),
        2 => Just("./".to_owned()),
        1 => Just("//".to_owned()),
        1 => Just("...".to_owned()),
        1 => Just("\0".to_owned()),
        1 => Just("\n".to_owned()),
        1 => Just("\r".to_owned()),
        1 => Just("\t".to_owned()),
        1 => Just("\u{7f}".to_owned()),
        1 => Just("\u{85}".to_owned()),
        1 => Just("\u{9f}".to_owned()),
        1 => Just("\\".to_owned()),
        1 => Just("%2e%2e".to_owned()),
        1 => Just(" ".to_owned()),
        1 => Just("\u{202e}".to_owned()),
        1 => Just("\u{feff}".to_owned()),
        2 => "[a-z]{1,4}",
        2 => "[é…ü日本😀]{1,3}",
        1 => any::<char>().prop_map(String::from),
        1 => "[a-z]{250,260}",
        1 => "日{80,90}",
    ]
}

/// Strings built from the risky fragments above.
fn biased_string() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..48).prop_map(|parts| parts.concat())
}

/// Long inputs around the length and depth limits.
fn long_string() -> impl Strategy<Value = String> {
    prop_oneof![
        (1usize..=4, (MAX_DEPTH - 4)..=(MAX_DEPTH + 4))
            .prop_map(|(len, n)| format!("{}/", "x".repeat(len)).repeat(n)),
        ((MAX_PATH_BYTES - 8)..=(MAX_PATH_BYTES + 8)).prop_map(|n| {
            // Names of 200 bytes, so neither the name nor the depth limit is reached first.
            let mut s = vec!["n".repeat(200); n / 201 + 1].join("/");
            s.truncate(n);
            s
        }),
        ((MAX_NAME_BYTES - 2)..=(MAX_NAME_BYTES + 2)).prop_map(|n| "x".repeat(n)),
    ]
}

/// Any input at all: arbitrary unicode, the biased strings and the long ones.
fn any_input() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        5 => biased_string(),
        1 => long_string(),
        1 => prop::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// One valid name, from short ASCII to 255-byte and multi-byte names.
fn valid_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9_-]{1,8}",
        2 => "[^/\\p{Cc}]{1,12}",
        1 => "\\.{3,5}",
        1 => "\\.[a-z]{1,4}",
        1 => "[a-z]{250,255}",
        1 => "日{1,85}",
    ]
    .prop_filter("a valid name", |n| check_name(n).is_ok())
}

/// Short ASCII names, so that long sequences of them stay below the length limit.
fn short_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_ -][a-zA-Z0-9._ -]{0,7}".prop_filter("not . or ..", |n| check_name(n).is_ok())
}

/// Something that is not a valid name.
fn invalid_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("/".to_owned()),
        "[a-z]{0,3}/[a-z]{0,3}",
        "[a-z]{0,3}[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}][a-z]{0,3}",
        "[a-z]{256,300}",
    ]
}

#[derive(Debug, Clone)]
enum Token {
    Name(String),
    Up,
    Dot,
    Empty,
}

fn token() -> impl Strategy<Value = Token> {
    prop_oneof![
        4 => short_name().prop_map(Token::Name),
        2 => Just(Token::Up),
        1 => Just(Token::Dot),
        1 => Just(Token::Empty),
    ]
}

fn render(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Token::Name(n) => n.as_str(),
            Token::Up => "..",
            Token::Dot => ".",
            Token::Empty => "",
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// What a path made of these tokens must parse to: a stack of names, where `..` that finds
/// the stack empty leaves the home.
fn model(tokens: &[Token]) -> Result<String, PathError> {
    let mut stack: Vec<&str> = Vec::new();
    for t in tokens {
        match t {
            Token::Name(n) => stack.push(n),
            Token::Up => {
                if stack.pop().is_none() {
                    return Err(PathError::EscapesRoot);
                }
            }
            Token::Dot | Token::Empty => {}
        }
    }
    if stack.len() > MAX_DEPTH {
        return Err(PathError::TooDeep);
    }
    Ok(stack.join("/"))
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// Everything a successfully parsed path must satisfy, given the input it came from.
fn assert_normalised(input: &str, path: &WorkspacePath) -> Result<(), TestCaseError> {
    let s = path.as_str();
    prop_assert!(!s.starts_with('/'), "leading slash in {s:?} from {input:?}");
    prop_assert!(!s.ends_with('/'), "trailing slash in {s:?} from {input:?}");
    prop_assert!(!s.chars().any(char::is_control), "control char in {s:?}");
    prop_assert!(s.len() <= MAX_PATH_BYTES);
    prop_assert!(s.len() <= input.len(), "{s:?} is longer than its input {input:?}");
    prop_assert_eq!(path.is_root(), s.is_empty());

    let segments: Vec<&str> = if s.is_empty() { Vec::new() } else { s.split('/').collect() };
    prop_assert!(segments.len() <= MAX_DEPTH);
    let input_segments: Vec<&str> = input.split('/').collect();
    for seg in &segments {
        prop_assert!(!seg.is_empty(), "empty segment in {s:?} from {input:?}");
        prop_assert_ne!(*seg, ".", "'.' segment in {:?} from {:?}", s, input);
        prop_assert_ne!(*seg, "..", "'..' segment in {:?} from {:?}", s, input);
        prop_assert!(seg.len() <= MAX_NAME_BYTES);
        prop_assert_eq!(check_name(seg), Ok(()));
        // Normalisation only drops segments; it never makes up a name.
        prop_assert!(input_segments.contains(seg), "{seg:?} is not in {input:?}");
    }
    prop_assert_eq!(path.segments().collect::<Vec<_>>(), segments.clone());
    prop_assert_eq!(path.file_name(), segments.last().copied());

    // Idempotent, through both entry points, `FromStr` and serde.
    prop_assert_eq!(WorkspacePath::parse(s), Ok(path.clone()));
    prop_assert_eq!(WorkspacePath::parse_home_relative(s), Ok(path.clone()));
    prop_assert_eq!(s.parse::<WorkspacePath>(), Ok(path.clone()));
    prop_assert_eq!(path.to_string(), s);
    let json = serde_json::to_string(path).unwrap();
    prop_assert_eq!(serde_json::from_str::<WorkspacePath>(&json).unwrap(), path.clone());
    Ok(())
}

/// The checks that come before any normalisation, in the order `parse` applies them.
fn early_error(input: &str, leading_slash_is_home: bool) -> Option<PathError> {
    if input.chars().any(char::is_control) {
        Some(PathError::ControlCharacter)
    } else if input.len() > MAX_PATH_BYTES {
        Some(PathError::PathTooLong)
    } else if input.starts_with('/') && !leading_slash_is_home {
        Some(PathError::Absolute)
    } else {
        None
    }
}

fn check_any(input: &str) -> Result<(), TestCaseError> {
    for home in [false, true] {
        let result =
            if home { WorkspacePath::parse_home_relative(input) } else { WorkspacePath::parse(input) };
        match (early_error(input, home), result) {
            (Some(expected), got) => prop_assert_eq!(got, Err(expected), "input {:?}", input),
            (None, Ok(path)) => assert_normalised(input, &path)?,
            (None, Err(e)) => prop_assert!(
                matches!(e, PathError::EscapesRoot | PathError::NameTooLong | PathError::TooDeep),
                "unexpected {e:?} for {input:?}"
            ),
        }
    }
    // The two entry points differ only in how they treat a leading '/'.
    if !input.starts_with('/') {
        prop_assert_eq!(WorkspacePath::parse(input), WorkspacePath::parse_home_relative(input));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// `parse` never panics; it refuses or returns a normalised path that re-parses to itself.
    #[test]
    fn parse_output_is_normalised_and_idempotent(input in any_input()) {
        check_any(&input)?;
    }

    /// A leading '/' is always refused by `parse`, and means the home to `parse_home_relative`.
    #[test]
    fn leading_slash(rest in any_input()) {
        let input = format!("/{rest}");
        let parsed = WorkspacePath::parse(&input);
        prop_assert!(parsed.is_err(), "{input:?} was accepted as {parsed:?}");
        if early_error(&input, true).is_none() {
            prop_assert_eq!(parsed, Err(PathError::Absolute));
            prop_assert_eq!(
                WorkspacePath::parse_home_relative(&input),
                WorkspacePath::parse_home_relative(&rest)
            );
            if !rest.starts_with('/') {
                prop_assert_eq!(
                    WorkspacePath::parse_home_relative(&input),
                    WorkspacePath::parse(&rest)
                );
            }
        }
        check_any(&input)?;
    }
}

proptest! {
    /// Valid names joined by '/' parse to exactly that string, the same as joining them one
    /// by one; the length and depth limits are the only reasons to refuse.
    #[test]
    fn joined_valid_names_round_trip(
        names in prop::collection::vec(valid_name(), 0..=(MAX_DEPTH + 8)),
    ) {
        let input = names.join("/");
        let parsed = WorkspacePath::parse(&input);
        let by_join = names.iter().try_fold(WorkspacePath::root(), |p, n| p.join(n));
        if input.len() > MAX_PATH_BYTES {
            prop_assert_eq!(parsed, Err(PathError::PathTooLong));
            prop_assert!(by_join.is_err());
        } else if names.len() > MAX_DEPTH {
            prop_assert_eq!(parsed, Err(PathError::TooDeep));
            prop_assert_eq!(by_join, Err(PathError::TooDeep));
        } else {
            let path = parsed.unwrap();
            prop_assert_eq!(path.as_str(), input.as_str());
            prop_assert!(path.segments().eq(names.iter().map(String::as_str)));
            prop_assert_eq!(by_join, Ok(path.clone()));
            // The leading '/' counts towards the length limit too.
            let with_slash = format!("/{input}");
            let expected = if with_slash.len() > MAX_PATH_BYTES {
                Err(PathError::PathTooLong)
            } else {
                Ok(path.clone())
            };
            prop_assert_eq!(WorkspacePath::parse_home_relative(&with_slash), expected);
            assert_normalised(&input, &path)?;
        }
    }

    /// Names, `..`, `.` and empty segments in any order parse exactly as a stack of names would.
    #[test]
    fn matches_stack_model(tokens in prop::collection::vec(token(), 0..100)) {
        let input = render(&tokens);
        prop_assume!(input.len() <= MAX_PATH_BYTES);
        let expected = model(&tokens);
        let got_home = WorkspacePath::parse_home_relative(&input);
        let got = got_home.as_ref().map(WorkspacePath::as_str).map_err(Clone::clone);
        prop_assert_eq!(got, expected.as_deref().map_err(Clone::clone), "input {:?}", input);
        if input.starts_with('/') {
            prop_assert_eq!(WorkspacePath::parse(&input), Err(PathError::Absolute));
        } else {
            prop_assert_eq!(WorkspacePath::parse(&input), got_home);
        }
    }

    /// More `..` than names before them is refused with `EscapesRoot`, whatever follows.
    #[test]
    fn climbing_above_home_is_refused(
        names in prop::collection::vec(short_name(), 0..10),
        noise in prop::collection::vec(prop_oneof![Just("."), Just("")], 0..4),
        extra_ups in 1usize..4,
        tail in prop_oneof![
            prop::collection::vec(token(), 0..20).prop_map(|t| render(&t)),
            "\\PC{0,40}",
            "[a-z]{256,300}",
            Just("a/b/c/d/e/f/g/h".to_owned()),
        ],
    ) {
        let mut parts: Vec<String> = names.clone();
        parts.extend(noise.iter().map(|s| (*s).to_owned()));
        parts.extend(std::iter::repeat_n("..".to_owned(), names.len() + extra_ups));
        let head = parts.join("/");
        prop_assume!(!head.starts_with('/'));
        for input in [head.clone(), format!("{head}/{tail}")] {
            prop_assume!(input.len() <= MAX_PATH_BYTES);
            let escapes = Err(PathError::EscapesRoot);
            prop_assert_eq!(WorkspacePath::parse(&input), escapes.clone(), "input {:?}", input);
            prop_assert_eq!(WorkspacePath::parse_home_relative(&input), escapes.clone());
            let with_slash = format!("/{input}");
            prop_assert_eq!(WorkspacePath::parse_home_relative(&with_slash), escapes);
        }
    }

    /// `join` then `parent` gives back the original; `file_name` is the joined name.
    #[test]
    fn join_then_parent(
        base in prop::collection::vec(valid_name(), 0..20),
        name in valid_name(),
    ) {
        let base_str = base.join("/");
        prop_assume!(base_str.len() <= MAX_PATH_BYTES);
        let base = WorkspacePath::parse(&base_str).unwrap();
        let expected = if base.is_root() { name.clone() } else { format!("{base_str}/{name}") };
        match base.join(&name) {
            Ok(joined) => {
                prop_assert!(expected.len() <= MAX_PATH_BYTES);
                prop_assert_eq!(joined.as_str(), expected.as_str());
                prop_assert_eq!(joined.parent(), Some(base.clone()));
                prop_assert_eq!(joined.file_name(), Some(name.as_str()));
                prop_assert!(!joined.is_root());
                prop_assert_eq!(joined.segments().count(), base.segments().count() + 1);
                prop_assert_eq!(WorkspacePath::parse(joined.as_str()), Ok(joined.clone()));
                assert_normalised(&expected, &joined)?;
            }
            Err(e) => {
                prop_assert_eq!(e, PathError::PathTooLong);
                prop_assert!(expected.len() > MAX_PATH_BYTES);
            }
        }
    }

    /// Walking `parent` from any parsed path reaches the home in one step per segment, and
    /// `file_name` names each segment on the way.
    #[test]
    fn parent_chain_reaches_home(input in any_input()) {
        if let Ok(path) = WorkspacePath::parse_home_relative(&input) {
            let segments: Vec<String> = path.segments().map(str::to_owned).collect();
            let mut current = path;
            for seg in segments.iter().rev() {
                prop_assert_eq!(current.file_name(), Some(seg.as_str()));
                let parent = current.parent().unwrap();
                prop_assert_eq!(parent.join(seg), Ok(current.clone()));
                current = parent;
            }
            prop_assert!(current.is_root());
            prop_assert_eq!(current.parent(), None);
            prop_assert_eq!(current.file_name(), None);
        }
    }

    /// `join` refuses anything that is not a single valid name and leaves no trace of it.
    #[test]
    fn join_refuses_invalid_names(
        base in prop::collection::vec(short_name(), 0..5),
        name in invalid_name(),
    ) {
        let base = WorkspacePath::parse(&base.join("/")).unwrap();
        let err = base.join(&name).unwrap_err();
        prop_assert!(
            matches!(
                err,
                PathError::NotAName | PathError::ControlCharacter | PathError::NameTooLong
            ),
            "{err:?} for {name:?}"
        );
        prop_assert!(check_name(&name).is_err());
    }

    /// `join` stops at the depth limit.
    #[test]
    fn join_respects_depth(depth in (MAX_DEPTH - 3)..=MAX_DEPTH, name in short_name()) {
        let base = WorkspacePath::parse(&vec!["d"; depth].join("/")).unwrap();
        let joined = base.join(&name);
        if depth < MAX_DEPTH {
            prop_assert_eq!(joined.unwrap().segments().count(), depth + 1);
        } else {
            prop_assert_eq!(joined, Err(PathError::TooDeep));
        }
    }
}
