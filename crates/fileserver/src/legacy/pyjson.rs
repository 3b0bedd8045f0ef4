//! JSON written the way the original Python server wrote it, so that every byte the noto
//! plugins checksum or parse is the same: `json.dumps` for payloads (`", "` and `": "`
//! separators) and Flask's `jsonify` for the envelope (compact), both ASCII-only.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

struct PyFormatter {
    compact: bool,
}

impl Formatter for PyFormatter {
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(if self.compact { b"," } else { b", " }) }
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(if self.compact { b"," } else { b", " }) }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(if self.compact { b":" } else { b": " })
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if (' '..='~').contains(&c) {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

fn write<T: Serialize>(value: &T, compact: bool) -> String {
    let mut out = Vec::new();
    let mut ser = Serializer::with_formatter(&mut out, PyFormatter { compact });
    value.serialize(&mut ser).expect("serialising to memory cannot fail");
    String::from_utf8(out).expect("the formatter writes ASCII")
}

/// As Python's `json.dumps(value)`.
pub fn dumps<T: Serialize>(value: &T) -> String {
    write(value, false)
}

/// As Flask's `jsonify(value)` body, without the trailing newline.
pub fn jsonify<T: Serialize>(value: &T) -> String {
    write(value, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python() {
        // Expected strings are what CPython's json.dumps prints for the same values.
        let v = json!([{"name": "caf\u{e9} \u{1F600}", "type": "file"}, {"a": null, "b": [1, 2]}]);
        assert_eq!(
            dumps(&v),
            r#"[{"name": "caf\u00e9 \ud83d\ude00", "type": "file"}, {"a": null, "b": [1, 2]}]"#
        );
        assert_eq!(dumps(&json!("tab\there\u{7f}/\"q\"")), r#""tab\there\u007f/\"q\"""#);
        assert_eq!(jsonify(&json!({"a": [1, {"b": "é"}]})), r#"{"a":[1,{"b":"\u00e9"}]}"#);
    }
}
