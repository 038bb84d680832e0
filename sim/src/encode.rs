//! Encoding list responses the way a real API server does: items spliced in from each
//! object's cached encoding, keys in the order a custom-resource list has, and continue tokens
//! that name the snapshot a paged list belongs to.

use base64::Engine;
use bytes::Bytes;
use serde_json::Value;

use super::convert;
use super::db::Stored;
use super::kinds::KindDef;

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
/// writes a custom resource list (sorted), items spliced in already encoded.
pub fn list_body(def: &KindDef, version: &str, meta: &Value, items: &[Bytes]) -> Bytes {
    let total: usize = items.iter().map(|i| i.len() + 1).sum();
    let mut out = Vec::with_capacity(total + 256);
    out.extend_from_slice(b"{\"apiVersion\":");
    out.extend(serde_json::to_vec(&def.api_version(version)).unwrap_or_default());
    out.extend_from_slice(b",\"items\":[");
    push_joined(&mut out, items.iter().map(|i| i.as_ref()));
    out.extend_from_slice(b"],\"kind\":");
    out.extend(serde_json::to_vec(&format!("{}List", def.kind)).unwrap_or_default());
    out.extend_from_slice(b",\"metadata\":");
    out.extend(serde_json::to_vec(meta).unwrap_or_default());
    out.extend_from_slice(b"}\n");
    Bytes::from(out)
}

/// Append already-encoded JSON values, comma-separated (the inside of an array).
fn push_joined<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a [u8]>) {
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
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
