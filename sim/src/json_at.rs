//! `Value::pointer` without its cost. serde_json's unescapes every segment of the pointer into
//! two fresh `String`s before looking it up; reading a pod's cells through it was most of
//! what serving a page of 500 pods cost the simulator. The simulator's pointers are literals,
//! so a segment is looked up as it is written (one with a `~` escape goes the long way).

use serde_json::Value;

pub trait At {
    /// The value at a JSON pointer (`/status/conditions/0/type`), as `Value::pointer`.
    fn at(&self, pointer: &str) -> Option<&Value>;
}

impl At for Value {
    fn at(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        if pointer.contains('~') {
            return self.pointer(pointer);
        }
        pointer
            .strip_prefix('/')?
            .split('/')
            .try_fold(self, |value, segment| match value {
                Value::Object(map) => map.get(segment),
                Value::Array(list) => list.get(index(segment)?),
                _ => None,
            })
    }
}

/// An array index as a JSON pointer writes it: digits, no leading zero, no sign.
fn index(segment: &str) -> Option<usize> {
    let canonical = segment == "0"
        || (!segment.starts_with('0') && segment.bytes().all(|b| b.is_ascii_digit()));
    if canonical {
        segment.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_what_pointer_finds() {
        let v = json!({
            "a": {"b": [10, {"c": "x"}], "": 1, "d/e": 2, "f~g": 3},
            "list": [[1, 2], []],
        });
        let pointers = [
            "",
            "/",
            "/a",
            "/a/b",
            "/a/b/0",
            "/a/b/1/c",
            "/a/b/01",
            "/a/b/+1",
            "/a/b/2",
            "/a/b/-",
            "/a/",
            "/a/d~1e",
            "/a/f~0g",
            "/list/0/1",
            "/list/1/0",
            "/missing/x",
            "a",
            "/a/b/1/c/d",
        ];
        for p in pointers {
            assert_eq!(v.at(p), v.pointer(p), "pointer {p:?}");
        }
    }
}
