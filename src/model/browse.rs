//! Any kind, as the API server prints it: the wire shape of a `meta.k8s.io` Table and its
//! projection to compact rows — the cells as text plus the little metadata a row needs (its
//! key, uid and creation time). Objects are never held; `managedFields` and the rest of the
//! metadata are skipped while parsing.

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use smallvec::SmallVec;
use smol_str::SmolStr;

use super::health::{Health, Rule, SPEC_FIELDS};
use super::store::{Keyed, ObjRef};
use super::text::{sanitize_cow, sanitize_inline};
use super::wire::WantedKey;

/// A column as the server defines it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ServerColumn {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub priority: i64,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct TableW {
    #[serde(rename = "columnDefinitions", default)]
    pub columns: Option<Vec<ServerColumn>>,
    #[serde(default)]
    pub rows: Vec<RowW>,
    #[serde(default)]
    pub metadata: ListMetaW,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct ListMetaW {
    #[serde(rename = "resourceVersion", default)]
    pub resource_version: Option<String>,
    #[serde(rename = "continue", default)]
    pub continue_token: Option<String>,
    /// How many objects follow this page (a paged list without a selector says so). Only a
    /// hint: anything but a count reads as none rather than failing the page.
    #[serde(rename = "remainingItemCount", default, deserialize_with = "count")]
    pub remaining_item_count: Option<u64>,
}

fn count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(Value::deserialize(d)?.as_u64())
}

#[derive(Debug, Clone, Deserialize)]
pub struct RowW {
    /// Inline up to a dozen columns: a row's cells are read without growing a list.
    #[serde(default)]
    pub cells: SmallVec<[CellW; 12]>,
    #[serde(default)]
    pub object: Option<PartialW>,
}

/// The row's object: its metadata, and — for a kind with a health rule, whose objects are
/// asked for whole — the parts the rule reads, kept only until it has read them.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct PartialW {
    #[serde(default)]
    pub metadata: MetaW,
    /// Only the fields health rules read (`health::SPEC_FIELDS`): a provider machine's
    /// volumes and networks are skipped while parsing.
    #[serde(default, deserialize_with = "judged_spec")]
    pub spec: Option<Value>,
    #[serde(default)]
    pub status: Option<Value>,
    /// A PolicyReport's counts are at the top.
    #[serde(default)]
    pub summary: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct MetaW {
    #[serde(default)]
    pub name: SmolStr,
    #[serde(default)]
    pub namespace: SmolStr,
    #[serde(rename = "creationTimestamp", default)]
    pub created: Option<SmolStr>,
    /// Read for a watch's last event only, but on every row: short enough to be held inline.
    #[serde(rename = "resourceVersion", default)]
    pub resource_version: Option<SmolStr>,
}

impl PartialW {
    /// What a health rule reads: the spec (its judged fields), status and summary. Moved, not
    /// copied: `json!` serialized each part into a new tree (3 % of the cockpit's CPU loading
    /// 100k objects, whose 20,000 provider machines come whole).
    pub fn judged(self) -> Value {
        let parts = [
            ("spec", self.spec),
            ("status", self.status),
            ("summary", self.summary),
        ];
        Value::Object(
            parts
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.unwrap_or(Value::Null)))
                .collect(),
        )
    }
}

/// A spec reduced to the fields health rules read.
fn judged_spec<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    struct Fields;
    impl<'de> serde::de::Visitor<'de> for Fields {
        type Value = Option<Value>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object's spec")
        }
        // A spec that is not an object (a CRD's oddity) has no judged fields: read as none,
        // not as an error that would cost the whole page.
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut kept = serde_json::Map::new();
            while let Some(key) = map.next_key_seed(WantedKey(SPEC_FIELDS))? {
                match key {
                    Some(key) => {
                        kept.insert(key.to_string(), map.next_value()?);
                    }
                    None => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
            }
            Ok(Some(Value::Object(kept)))
        }
    }
    d.deserialize_any(Fields)
}

/// One object of a browsed kind.
#[derive(Debug, Clone, PartialEq)]
pub struct BrowseRow {
    pub key: ObjRef,
    /// The server's cells, as text.
    pub cells: Box<[SmolStr]>,
    pub created: Option<Timestamp>,
    /// When its cells were read (a Unix second): what a cell's `(101s ago)` counts from.
    pub read_at: i64,
    /// The kind's health rule's verdict, when it has one (boxed: most kinds have none, and
    /// `:pods` may hold 60,000 rows).
    pub health: Option<Box<Health>>,
}

impl Keyed for BrowseRow {
    fn key(&self) -> &ObjRef {
        &self.key
    }
    fn key_mut(&mut self) -> &mut ObjRef {
        &mut self.key
    }
}

/// A cell as text, read straight from the wire (no JSON tree per cell: a 60,000-pod list has
/// over half a million): strings as they are (sanitized), numbers and booleans printed,
/// nothing for a missing value, anything else as its JSON.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellW(pub SmolStr);

impl<'de> Deserialize<'de> for CellW {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        struct Text;
        impl<'de> serde::de::Visitor<'de> for Text {
            type Value = CellW;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table cell")
            }
            fn visit_str<E>(self, s: &str) -> Result<CellW, E> {
                Ok(CellW(sanitize_inline(s)))
            }
            fn visit_bool<E>(self, b: bool) -> Result<CellW, E> {
                Ok(CellW(SmolStr::new_static(if b { "true" } else { "false" })))
            }
            fn visit_i64<E>(self, n: i64) -> Result<CellW, E> {
                Ok(CellW(smol_str::format_smolstr!("{n}")))
            }
            fn visit_u64<E>(self, n: u64) -> Result<CellW, E> {
                Ok(CellW(smol_str::format_smolstr!("{n}")))
            }
            fn visit_f64<E>(self, n: f64) -> Result<CellW, E> {
                Ok(CellW(json_text(&Value::from(n))))
            }
            fn visit_unit<E>(self) -> Result<CellW, E> {
                Ok(CellW::default())
            }
            fn visit_none<E>(self) -> Result<CellW, E> {
                Ok(CellW::default())
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<CellW, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<CellW, A::Error> {
                Ok(CellW(json_text(&Value::deserialize(
                    SeqAccessDeserializer::new(seq),
                )?)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<CellW, A::Error> {
                Ok(CellW(json_text(&Value::deserialize(
                    MapAccessDeserializer::new(map),
                )?)))
            }
        }
        d.deserialize_any(Text)
    }
}

fn json_text(value: &Value) -> SmolStr {
    sanitize_inline(&value.to_string())
}

/// A Table row read at `read_at` as a compact row, judged by `rule` when the kind has one (its
/// object came whole); the cluster is filled in by the watch.
pub fn browse_row(row: RowW, rule: Option<Rule>, read_at: Timestamp) -> BrowseRow {
    let mut object = row.object.unwrap_or_default();
    let meta = std::mem::take(&mut object.metadata);
    let health = rule.map(|rule| Box::new(rule(&object.judged(), read_at)));
    let cells: Box<[SmolStr]> = row.cells.into_iter().map(|c| c.0).collect();
    // Without object metadata (includeObject=None) the first cell is the name. Mostly it is
    // the name anyway: then key and cell share one string (a name past 23 bytes is on the
    // heap, and the key is copied into the store and the table row).
    let name = match (meta.name.is_empty(), cells.first()) {
        (true, first) => first.cloned().unwrap_or_default(),
        (false, Some(first)) if *first == meta.name => first.clone(),
        (false, _) => clean(meta.name),
    };
    BrowseRow {
        key: ObjRef::new(clean(meta.namespace), name),
        cells,
        created: meta.created.as_deref().and_then(super::rfc3339::parse),
        read_at: read_at.as_second(),
        health,
    }
}

/// A server string as shown: kept as it came when it is clean (most are).
fn clean(text: SmolStr) -> SmolStr {
    match sanitize_cow(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(cleaned) => cleaned.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_judged_object_keeps_only_the_spec_fields_rules_read() {
        let row: RowW = serde_json::from_value(json!({
            "cells": ["m1", "5m"],
            "object": {"metadata": {"name": "m1", "namespace": "c00"},
                       "spec": {"paused": true, "cpu": 4, "volumes": [{"imageName": "talos"}]},
                       "status": {"ready": true}}}))
        .expect("a row");
        let judged = row.object.expect("an object").judged();
        assert_eq!(judged["spec"], json!({"paused": true}));
        assert_eq!(judged["status"], json!({"ready": true}));
        assert_eq!(judged["summary"], Value::Null);
        // A spec of another shape is no spec, not a page that fails to parse.
        for odd in [
            json!("text"),
            json!([1, {"a": 2}]),
            json!(7),
            json!(true),
            json!(null),
        ] {
            let row: RowW = serde_json::from_str(
                &json!({"cells": ["x"], "object": {"metadata": {"name": "x"}, "spec": odd}})
                    .to_string(),
            )
            .unwrap_or_else(|e| panic!("{odd}: {e}"));
            assert_eq!(row.object.expect("an object").judged()["spec"], Value::Null);
        }
    }

    #[test]
    fn rows_keep_cells_and_a_little_metadata() {
        let table: TableW = serde_json::from_value(json!({
            "kind": "Table",
            "metadata": {"resourceVersion": "42"},
            "columnDefinitions": [{"name": "Name", "type": "string", "format": "name", "priority": 0}],
            "rows": [{
                "cells": ["web-1", 3, null, true, "evil\u{1b}[31m", 1.5, {"a": [1, "b\u{7}"]}],
                "object": {"kind": "PartialObjectMetadata", "metadata": {
                    "name": "web-1", "namespace": "media", "uid": "u-1",
                    "creationTimestamp": "2026-11-23T16:01:49Z",
                    "managedFields": [{"manager": "kubectl"}]}}
            }]
        }))
        .expect("table");
        assert_eq!(table.metadata.resource_version.as_deref(), Some("42"));
        let row = browse_row(table.rows[0].clone(), None, Timestamp::now());
        assert_eq!(row.key, ObjRef::new("media", "web-1"));
        assert_eq!(
            &*row.cells,
            [
                "web-1",
                "3",
                "",
                "true",
                "evil",
                "1.5",
                r#"{"a":[1,"b\u0007"]}"#
            ]
            .map(SmolStr::from)
        );
        assert!(row.created.is_some());
    }
}
