//! Encoding list responses the way a real API server does: items spliced in from each
//! object's cached encoding, keys in the order a custom-resource list has, and continue tokens
//! that name the snapshot a paged list belongs to.

use base64::Engine;
use bytes::Bytes;
use serde_json::Value;

use super::convert;
use super::db::Stored;
use super::kinds::KindDef;
use super::pieces::{PieceWriter, Pieces, RowSink, send_if_full};

/// One list item: the cached encoding when the storage version is asked for, else converted.
/// Built-in lists omit each item's kind and apiVersion, as the real server's do.
pub fn encode_item(def: &KindDef, item: &Stored, version: &str) -> Bytes {
    if version == def.storage_version() && !def.is_builtin() {
        return item.json.clone();
    }
    let mut value = convert::to_version(def, item.full(), version);
    if def.is_builtin()
        && let Some(map) = value.as_object_mut()
    {
        map.remove("kind");
        map.remove("apiVersion");
    }
    Bytes::from(serde_json::to_vec(&value).unwrap_or_default())
}

/// `{"apiVersion":…,"items":[…],"kind":…,"metadata":…}` with keys in the order a real server
/// writes a custom resource list (sorted), items spliced in as encoded, onto `out` in chunks
/// of about `chunk` bytes.
pub fn list_body(
    def: &KindDef,
    version: &str,
    meta: &Value,
    items: &[Bytes],
    chunk: usize,
    out: &mut dyn FnMut(Pieces),
) {
    let mut body = PieceWriter::default();
    let head = body.bytes();
    head.extend_from_slice(b"{\"apiVersion\":");
    head.extend(serde_json::to_vec(&def.api_version(version)).unwrap_or_default());
    head.extend_from_slice(b",\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.bytes().push(b',');
        }
        body.splice_stored(item, item);
        send_if_full(&mut body, chunk, out);
    }
    let tail = body.bytes();
    tail.extend_from_slice(b"],\"kind\":");
    tail.extend(serde_json::to_vec(&format!("{}List", def.kind)).unwrap_or_default());
    tail.extend_from_slice(b",\"metadata\":");
    tail.extend(serde_json::to_vec(meta).unwrap_or_default());
    tail.extend_from_slice(b"}\n");
    out(body.take());
}

/// A continue token: where the next page starts and the snapshot it belongs to.
#[derive(serde::Serialize, serde::Deserialize)]
struct ContinueToken {
    rv: u64,
    start: String,
    /// How many objects the pages before it held, for `remainingItemCount`.
    #[serde(default)]
    served: usize,
}

/// Where a continue token says a list goes on: its snapshot, the last key served, and how
/// many objects the pages so far held.
pub struct Continue {
    pub rv: u64,
    pub after: (String, String),
    pub served: usize,
}

pub fn encode_continue(rv: u64, ns: &str, name: &str, served: usize) -> String {
    let token = ContinueToken {
        rv,
        start: format!("{ns}/{name}"),
        served,
    };
    base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(&token).unwrap_or_default())
}

pub fn decode_continue(token: &str) -> Option<Continue> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()?;
    let t: ContinueToken = serde_json::from_slice(&bytes).ok()?;
    let (ns, name) = t.start.split_once('/')?;
    Some(Continue {
        rv: t.rv,
        after: (ns.to_string(), name.to_string()),
        served: t.served,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::KINDS;
    use bytes::Buf;
    use serde_json::json;

    #[test]
    fn a_list_written_in_chunks_is_one_list_with_every_item() {
        let def = KINDS
            .iter()
            .find(|k| k.kind == "Machine" && k.group == "cluster.x-k8s.io")
            .expect("Machines are simulated");
        let items: Vec<Bytes> = (0..40)
            .map(|i| Bytes::from(format!(r#"{{"metadata":{{"name":"m-{i:02}"}}}}"#)))
            .collect();
        let meta = json!({"resourceVersion": "7", "continue": "next"});
        for chunk in [1, 64, 1 << 20] {
            let mut chunks = Vec::new();
            list_body(def, "v1beta2", &meta, &items, chunk, &mut |mut b| {
                chunks.push(b.copy_to_bytes(b.remaining()))
            });
            // A chunk goes out as soon as it is full, so each but the last is full and less
            // than an item (and the list's head, for the first) past full; one chunk when the
            // list never fills one.
            let (last, full) = chunks.split_last().expect("a chunk");
            assert!(!last.is_empty());
            for c in full {
                assert!(
                    c.len() >= chunk && c.len() < chunk + 96,
                    "{} of {chunk}",
                    c.len()
                );
            }
            match chunk {
                1 => assert_eq!(chunks.len(), items.len() + 1),
                64 => assert!(chunks.len() > 10, "{}", chunks.len()),
                _ => assert_eq!(chunks.len(), 1),
            }
            let whole: Vec<u8> = chunks.concat();
            let list: Value = serde_json::from_slice(&whole).expect("one JSON list");
            let names: Vec<&str> = list["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|i| i["metadata"]["name"].as_str())
                .collect();
            assert_eq!(names.len(), 40);
            assert_eq!(names[39], "m-39");
            assert_eq!(list["kind"], "MachineList");
            assert_eq!(list["apiVersion"], "cluster.x-k8s.io/v1beta2");
            assert_eq!(list["metadata"], meta);
            // Keys as a custom resource list has them: the metadata last.
            let text = String::from_utf8(whole).expect("utf-8");
            assert!(text.find("\"items\"") < text.find("\"metadata\":{\"continue\""));
        }
    }
}
