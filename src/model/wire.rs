//! Slim wire types: what the cockpit deserializes from the API, and nothing more.
//!
//! `Slim<Spec, Status>` is a kube `Resource` whose spec and status are per-kind structs naming
//! only the fields a pane shows. serde skips everything else while parsing (no allocation), so
//! a 20 KB Application costs what its row needs. Unknown or missing fields never fail a parse:
//! every field is optional or defaulted.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use kube::core::{ApiResource, DynamicResourceScope, Resource};
use serde::{Deserialize, Deserializer};

use super::store::ObjRef;
use super::text::sanitize;

#[derive(Debug, Clone, Deserialize)]
#[serde(bound(
    deserialize = "Spec: Deserialize<'de> + Default, Status: Deserialize<'de> + Default"
))]
pub struct Slim<Spec, Status> {
    #[serde(deserialize_with = "slim_meta")]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: Spec,
    #[serde(default)]
    pub status: Status,
}

/// The metadata fields rows use; managedFields, annotations and the rest are skipped.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct LiteMeta {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    creation_timestamp: Option<Time>,
    deletion_timestamp: Option<Time>,
    labels: Option<BTreeMap<String, String>>,
    #[serde(deserialize_with = "wanted_annotations")]
    annotations: Option<BTreeMap<String, String>>,
}

/// Annotations rows read. Everything else (last-applied configurations can be many KB) is
/// skipped while parsing.
pub const WANTED_ANNOTATIONS: &[&str] = &[
    "harvesterhci.io/maintain-status",
    "harvesterhci.io/volumeClaimTemplates",
];

fn wanted_annotations<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Option<BTreeMap<String, String>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map of annotations")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if WANTED_ANNOTATIONS.contains(&key.as_ref()) {
                    out.insert(key.into_owned(), map.next_value::<String>()?);
                } else {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            Ok((!out.is_empty()).then_some(out))
        }
    }
    d.deserialize_option(Visitor)
}

fn slim_meta<'de, D: Deserializer<'de>>(d: D) -> Result<ObjectMeta, D::Error> {
    let m = LiteMeta::deserialize(d)?;
    Ok(ObjectMeta {
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resource_version: m.resource_version,
        creation_timestamp: m.creation_timestamp,
        deletion_timestamp: m.deletion_timestamp,
        labels: m.labels,
        annotations: m.annotations,
        ..ObjectMeta::default()
    })
}

impl<Spec, Status> Resource for Slim<Spec, Status> {
    type DynamicType = ApiResource;
    type Scope = DynamicResourceScope;

    fn kind(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.kind)
    }
    fn group(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.group)
    }
    fn version(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.version)
    }
    fn api_version(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.api_version)
    }
    fn plural(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.plural)
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl<Spec, Status> Slim<Spec, Status> {
    pub fn obj_ref(&self) -> ObjRef {
        ObjRef::new(
            sanitize(self.metadata.namespace.as_deref().unwrap_or("")),
            sanitize(self.metadata.name.as_deref().unwrap_or("")),
        )
    }

    pub fn created(&self) -> Option<Timestamp> {
        self.metadata.creation_timestamp.as_ref().map(|t| t.0)
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.metadata.labels.as_ref()?.get(key).map(String::as_str)
    }

    /// One of `WANTED_ANNOTATIONS`.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata
            .annotations
            .as_ref()?
            .get(key)
            .map(String::as_str)
    }
}

/// A condition in either CAPI shape (metav1.Condition or v1beta1 with severity).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionW {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub severity: Option<String>,
    pub last_transition_time: Option<Time>,
}

/// A condition reduced to what a row shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CondSummary {
    /// Some(true) for "True", Some(false) for "False", None for Unknown or absent.
    pub ok: Option<bool>,
    pub reason: String,
    pub message: String,
    pub since: Option<Timestamp>,
}

impl CondSummary {
    pub fn from_conditions(conditions: &[ConditionW], kind: &str) -> Self {
        conditions
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| CondSummary {
                ok: match c.status.as_str() {
                    "True" => Some(true),
                    "False" => Some(false),
                    _ => None,
                },
                reason: sanitize(c.reason.as_deref().unwrap_or("")),
                message: sanitize(c.message.as_deref().unwrap_or("")),
                since: c.last_transition_time.as_ref().map(|t| t.0),
            })
            .unwrap_or_default()
    }

    /// `True`, `False`, or `Unknown`, as clusterctl's STATUS column.
    pub fn status_word(&self) -> &'static str {
        match self.ok {
            Some(true) => "True",
            Some(false) => "False",
            None => "Unknown",
        }
    }
}

/// A string field reduced for display: sanitized, and empty when absent.
pub fn text(s: &Option<String>) -> String {
    sanitize(s.as_deref().unwrap_or(""))
}

pub fn timestamp(s: &Option<Time>) -> Option<Timestamp> {
    s.as_ref().map(|t| t.0)
}
