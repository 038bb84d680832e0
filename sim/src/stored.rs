//! An object as the database keeps it: its JSON value for the simulator's own logic, and its
//! encoding, made once per write, for lists and watches to send.

use std::ops::Range;

use bytes::Bytes;
use serde_json::Value;

use crate::json_at::At;
use crate::kinds::KindDef;
use crate::printers::PrintFacts;

/// An object and its JSON encoding, made once per write: lists and watches send the bytes,
/// as a real API server answers from its encoded cache.
///
/// `value` is what the simulator's own logic reads, without `metadata.managedFields`: those
/// are kept encoded in `managed`. As a tree of small JSON maps a pod's managed fields take
/// ~100 KiB of memory for ~3 KB of JSON, and the simulator never reads them — only sends them.
#[derive(Debug, Clone)]
pub struct Stored {
    pub value: Value,
    pub json: Bytes,
    /// `metadata.managedFields`, encoded; empty when the object has none.
    pub managed: Bytes,
    /// Where `json` holds `metadata` (managed fields in): a Table row with the object's
    /// metadata only (`includeObject=Metadata`, how clients browse pods) is that slice.
    metadata: Range<u32>,
    /// What its Table row says, for the kinds listed by the ten thousand (`PrintFacts`).
    facts: Option<Box<PrintFacts>>,
}

impl Stored {
    pub(crate) fn new(def: &KindDef, mut value: Value) -> Self {
        let (json, metadata) = encode_marking_metadata(&value);
        let managed = take_managed_fields(&mut value);
        let facts = PrintFacts::of(def, &value).map(Box::new);
        Stored {
            value,
            json: Bytes::from(json),
            managed,
            metadata,
            facts,
        }
    }

    /// The object as a client gets it: managed fields included.
    pub fn full(&self) -> Value {
        with_managed_fields(self.value.clone(), &self.managed)
    }

    /// Its encoding, whole and its metadata alone, for a Table row to splice, and what its
    /// row says when it was kept.
    pub fn encoded(&self) -> Encoded<'_> {
        let Range { start, end } = self.metadata;
        Encoded {
            whole: &self.json,
            metadata: (end > start).then(|| &self.json[start as usize..end as usize]),
            facts: self.facts.as_deref(),
        }
    }
}

/// An object as the database keeps it encoded (managed fields in): whole, and its metadata
/// alone when it has any; and its Table row's facts when its kind keeps them.
#[derive(Debug, Clone, Copy)]
pub struct Encoded<'a> {
    pub whole: &'a Bytes,
    pub metadata: Option<&'a [u8]>,
    pub facts: Option<&'a PrintFacts>,
}

/// `value` encoded exactly as `serde_json::to_vec` writes it, and where in it `metadata`'s
/// value is (an empty range when there is none).
fn encode_marking_metadata(value: &Value) -> (Vec<u8>, Range<u32>) {
    let Value::Object(map) = value else {
        return (serde_json::to_vec(value).unwrap_or_default(), 0..0);
    };
    // Small to start, as serde_json's own: the buffer is kept with the object.
    let mut out = Vec::with_capacity(128);
    let mut metadata = 0..0;
    out.push(b'{');
    for (i, (key, field)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = serde_json::to_writer(&mut out, key);
        out.push(b':');
        let start = out.len();
        let _ = serde_json::to_writer(&mut out, field);
        if key == "metadata"
            && let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(out.len()))
        {
            metadata = start..end;
        }
    }
    out.push(b'}');
    (out, metadata)
}

/// Remove `metadata.managedFields` from `value`, returning it encoded (empty when absent).
pub(crate) fn take_managed_fields(value: &mut Value) -> Bytes {
    let taken = value
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .and_then(|meta| meta.remove("managedFields"));
    match taken {
        Some(Value::Null) | None => Bytes::new(),
        Some(fields) => Bytes::from(serde_json::to_vec(&fields).unwrap_or_default()),
    }
}

/// `value` with encoded managed fields put back (unless it carries its own).
pub fn with_managed_fields(mut value: Value, managed: &[u8]) -> Value {
    let has_own = value
        .at("/metadata/managedFields")
        .is_some_and(|v| !v.is_null());
    if !managed.is_empty()
        && !has_own
        && let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut)
        && let Ok(fields) = serde_json::from_slice::<Value>(managed)
    {
        meta.insert("managedFields".into(), fields);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_encoding_is_serde_jsons_and_marks_the_metadata() {
        let with = json!({"apiVersion": "v1", "kind": "Pod", "spec": {"a": "\u{1b}[31m\"x\""},
            "metadata": {"name": "p", "labels": {"a/b": "c"}, "managedFields": [{"manager": "m"}]},
            "status": {"phase": "Running", "list": [1, 2.5, null, true]}});
        let (json, span) = encode_marking_metadata(&with);
        assert_eq!(json, serde_json::to_vec(&with).expect("json"));
        let marked = &json[span.start as usize..span.end as usize];
        let metadata: Value = serde_json::from_slice(marked).expect("metadata alone");
        assert_eq!(metadata, with["metadata"]);
        let without = json!({"kind": "Status", "code": 410});
        let (json, span) = encode_marking_metadata(&without);
        assert_eq!(json, serde_json::to_vec(&without).expect("json"));
        assert!(span.is_empty());
        assert_eq!(encode_marking_metadata(&json!([1])).0, b"[1]");
    }
}
