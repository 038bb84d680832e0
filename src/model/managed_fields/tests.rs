//! The cutting of managed fields: whole texts, texts in parts, and the scanner under them.

use super::scan::Scan;
use super::{Stripper, strip};
use serde_json::{Value, json};

/// Index just past the array or object that opens at `open`, if it ends.
fn value_end(text: &[u8], open: usize) -> Option<usize> {
    Scan::default().through(&text[open..]).map(|end| open + end)
}

fn stripped(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let cut = strip(&mut bytes);
    assert_eq!(cut, text.len() - bytes.len());
    String::from_utf8(bytes).expect("UTF-8")
}

#[test]
fn the_member_goes_with_one_comma_wherever_it_stands() {
    let mf = r#""managedFields":[{"manager":"x","fieldsV1":{"f:a":{}}}]"#;
    assert_eq!(stripped(&format!(r#"{{"a":1,{mf}}}"#)), r#"{"a":1}"#);
    assert_eq!(stripped(&format!(r#"{{{mf},"a":1}}"#)), r#"{"a":1}"#);
    assert_eq!(stripped(&format!(r#"{{{mf}}}"#)), r#"{}"#);
    assert_eq!(
        stripped(&format!(r#"{{"a":1,{mf},"b":2}}"#)),
        r#"{"a":1,"b":2}"#
    );
    assert_eq!(
        stripped(&format!(r#"[{{{mf},{mf},"a":1}},{{"b":{{{mf}}}}}]"#)),
        r#"[{"a":1},{"b":{}}]"#
    );
    assert_eq!(
        stripped(&format!("{{ \"a\" : 1 ,\n {mf} \n}}")),
        "{ \"a\" : 1  \n}"
    );
}

#[test]
fn what_only_looks_like_the_member_stays() {
    for text in [
        // The key's text inside a string, escaped.
        r#"{"note":"\"managedFields\":[1]","a":1}"#,
        // A key ending in an escaped quote and the name.
        r#"{"x\"managedFields":[1],"a":1}"#,
        // Not an array.
        r#"{"managedFields":null,"a":1}"#,
        r#"{"managedFields":{"b":[]}}"#,
        // An array that never ends.
        r#"{"a":1,"managedFields":[{"b":"]"}"#,
    ] {
        assert_eq!(stripped(text), text);
    }
}

#[test]
fn brackets_and_quotes_inside_strings_do_not_end_the_value() {
    let nasty = json!([
        {"k:{\"type\":\"Ready\"}": {".": {}, "f:x": {}}},
        "]]]}}}", "\\", "\\\"]", "\\\\\"", "{[", "a\\\\", "\u{1F600}\"]"
    ]);
    let text = format!(r#"{{"a":1,"managedFields":{nasty},"b":"after"}}"#);
    let parsed: Value = serde_json::from_str(&stripped(&text)).expect("JSON");
    assert_eq!(parsed, json!({"a": 1, "b": "after"}));
}

#[test]
fn the_end_is_found_across_blocks_as_serde_json_finds_it() {
    // Values long enough to cross many 64-byte blocks, with escapes at block edges.
    for pad in 0..130 {
        let filler = "\\".repeat(pad % 7 * 2) + &"x".repeat(pad);
        let value = json!([{"a": [filler, {"b\"]": "}\\"}], "c": {}}, [[[]]], "\"" ]);
        let text = format!("{value} trailing");
        let end = value_end(text.as_bytes(), 0).expect("an end");
        assert_eq!(&text[..end], value.to_string(), "pad {pad}");
    }
}

#[test]
fn a_scan_goes_on_across_parts_as_if_the_value_came_whole() {
    // Escapes and quotes at every place a part can end, blocks of 64 long and short.
    for pad in [0, 1, 5, 63, 64, 65, 130] {
        let filler = "\\".repeat(pad % 7 * 2 + 1) + "\"" + &"x".repeat(pad);
        let value = json!([{"a": [filler, {"b\"]": "}\\"}], "c": {}}, [[[]]], "\"" ]);
        let text = format!("{value} trailing ]");
        let whole = value_end(text.as_bytes(), 0).expect("an end");
        for size in 1..=text.len() {
            let mut scan = Scan::default();
            let mut seen = 0;
            let end = text.as_bytes().chunks(size).find_map(|part| {
                let end = scan.through(part).map(|end| seen + end);
                seen += part.len();
                end
            });
            assert_eq!(end, Some(whole), "pad {pad}, parts of {size}");
        }
    }
}

/// Text heavy in what could mislead a scanner: quotes, backslashes, brackets, the key.
fn tricky_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop::collection::vec(
        prop_oneof![
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just("{".to_string()),
            Just("]".to_string()),
            Just("[}".to_string()),
            Just("\"managedFields\":[".to_string()),
            Just("é".to_string()),
            "[a-z ]{0,40}",
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i32>().prop_map(|n| json!(n)),
        tricky_text().prop_map(Value::String),
    ];
    let key = prop_oneof![
        Just("managedFields".to_string()),
        Just("a".to_string()),
        Just("z".to_string()),
        tricky_text(),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `value` without any object's `managedFields` that holds an array.
fn without_managed_fields(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(without_managed_fields).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, v)| !(k.as_str() == "managedFields" && v.is_array()))
                .map(|(k, v)| (k.clone(), without_managed_fields(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `text` given to a `Stripper` in parts of these sizes (the last part takes the rest).
fn stripped_in_parts(text: &str, sizes: &[usize]) -> String {
    let (mut held, mut stripper) = (Vec::new(), Stripper::default());
    let mut rest = text.as_bytes();
    for size in sizes {
        let (part, after) = rest.split_at((*size).min(rest.len()));
        stripper.push(&mut held, part);
        rest = after;
    }
    stripper.push(&mut held, rest);
    let cut = stripper.finish(&mut held);
    assert_eq!(cut, text.len() - held.len());
    String::from_utf8(held).expect("UTF-8")
}

#[test]
fn text_given_in_parts_is_cut_as_the_whole_is() {
    let mf = r#""managedFields":[{"manager":"x","fieldsV1":{"f:a":{"]":"\"}}]"}}}]"#;
    let texts = [
        format!(r#"{{"a":1,{mf}}}"#),
        format!(r#"{{{mf},"a":1}}"#),
        format!(r#"{{{mf} , {mf}}}"#),
        format!(r#"[{{{mf},{mf},"a":1}},{{"b":{{{mf}}}}}]"#),
        format!("{{ \"a\" : 1 ,\n {mf} \n}}"),
        format!("{{ {mf} \n\t}}"),
        format!(r#"{{"x":"\"managedFie","a":1,{mf},"z":"lds\":[]"}}"#),
        r#"{"managedFields" : null,"a":1}"#.to_string(),
    ];
    for text in &texts {
        let whole = stripped(text);
        let read: Value = serde_json::from_str(&whole).expect("JSON");
        assert!(!whole.contains("managedFields\":["), "{whole}");
        // Cut at every byte, and in parts of every size.
        for at in 0..=text.len() {
            assert_eq!(stripped_in_parts(text, &[at]), whole, "{text} cut at {at}");
        }
        for size in 1..text.len() {
            let sizes = vec![size; text.len() / size + 1];
            assert_eq!(
                stripped_in_parts(text, &sizes),
                whole,
                "{text} in parts of {size}"
            );
        }
        drop(read);
    }
}

#[test]
fn a_value_that_never_ends_is_refused_by_the_parser_however_it_came() {
    let text = r#"{"a":1,"managedFields":[{"b":"]"},{"c":"\"}]"#;
    // Whole, the text is kept as it is from the key on.
    assert_eq!(stripped(text), text);
    for at in 0..=text.len() {
        let parts = stripped_in_parts(text, &[at]);
        assert!(
            serde_json::from_str::<Value>(&parts).is_err(),
            "cut at {at}: {parts}"
        );
        assert!(parts.starts_with(r#"{"a":1"#), "cut at {at}: {parts}");
    }
}

#[test]
fn text_held_while_parts_arrive_is_only_what_is_kept() {
    // A page of objects whose managed fields are most of their bytes, as pods' are.
    let object = |i: usize| {
        let fields = format!(r#"{{"f:spec":{{"f:containers":"{}"}}}}"#, "x".repeat(2000));
        format!(
            r#"{{"metadata":{{"name":"pod-{i}","managedFields":[{{"manager":"kubelet","fieldsV1":{fields}}}]}},"cells":["pod-{i}","Running"]}}"#
        )
    };
    let objects: Vec<String> = (0..200).map(object).collect();
    let text = format!(r#"{{"kind":"Table","rows":[{}]}}"#, objects.join(","));
    let (mut held, mut stripper, mut most) = (Vec::new(), Stripper::default(), 0);
    for part in text.as_bytes().chunks(1000) {
        stripper.push(&mut held, part);
        most = most.max(held.len());
    }
    stripper.finish(&mut held);
    assert_eq!(
        String::from_utf8(held.clone()).expect("UTF-8"),
        stripped(&text)
    );
    // A member is never held: at most the text kept and what of one part is kept.
    assert!(
        most <= held.len(),
        "held {most} bytes for {} kept (a member is {})",
        held.len(),
        object(0).len()
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
    #[test]
    fn stripped_text_reads_as_the_value_without_managed_fields(
        value in any_json(),
        sizes in proptest::collection::vec(proptest::prop_oneof![0usize..40, 0usize..400], 0..12),
    ) {
        for text in [value.to_string(), serde_json::to_string_pretty(&value).expect("JSON")] {
            let read: Value = serde_json::from_str(&stripped(&text)).expect("still JSON");
            proptest::prop_assert_eq!(read, without_managed_fields(&value));
            proptest::prop_assert_eq!(stripped_in_parts(&text, &sizes), stripped(&text));
        }
    }
}
