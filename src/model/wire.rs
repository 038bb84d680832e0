//! Slim wire types: what the cockpit deserializes from the API, and nothing more.
//!
//! `Slim<Spec, Status>` is a kube `Resource` whose spec and status are per-kind structs naming
//! only the fields a pane shows. serde skips everything else while parsing (no allocation), so
//! a 20 KB Application costs what its row needs. Unknown or missing fields never fail a parse:
//! every field is optional or defaulted; a field of another type is read as empty and said
//! (`malformed`, read through `forgiving`).

use std::borrow::Cow;
use std::marker::PhantomData;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use kube::core::{ApiResource, DynamicResourceScope, Resource};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use smallvec::SmallVec;
use smol_str::SmolStr;

pub use super::conditions::CondSummary;
use super::forgiving::{Lenient, Notes};
use super::store::ObjRef;
use super::text::{sanitize, sanitize_inline};

#[derive(Debug, Clone)]
pub struct Slim<Spec, Status> {
    /// Its name, namespace, uid, resourceVersion and times; labels and annotations are below.
    pub metadata: ObjectMeta,
    /// The labels rows read (`WANTED_LABELS`) it has.
    pub labels: Wanted,
    /// The annotations rows read (`WANTED_ANNOTATIONS`) it has.
    pub annotations: Wanted,
    pub spec: Spec,
    pub status: Status,
    /// Fields of another type than the kind's schema gives them, read as empty: the first
    /// one's path and what it held (`status.phase: an object where a string belongs`).
    pub malformed: Option<Box<str>>,
}

/// What a watched object says about its own reading.
pub trait ReadNotes {
    /// The fields read as empty because they had another type, if any.
    fn malformed(&self) -> Option<&str>;
}

impl<Spec, Status> ReadNotes for Slim<Spec, Status> {
    fn malformed(&self) -> Option<&str> {
        self.malformed.as_deref()
    }
}

impl ReadNotes for kube::core::DynamicObject {
    /// Kept as JSON: no field can be of a wrong type.
    fn malformed(&self) -> Option<&str> {
        None
    }
}

/// The parts of an object a `Slim` reads; the rest (`apiVersion`, `kind`) is skipped.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Part {
    Metadata,
    Spec,
    Status,
    #[serde(other)]
    Other,
}

impl<'de, Spec, Status> Deserialize<'de> for Slim<Spec, Status>
where
    Spec: Deserialize<'de> + Default,
    Status: Deserialize<'de> + Default,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SlimVisitor(PhantomData))
    }
}

struct SlimVisitor<Spec, Status>(PhantomData<fn() -> (Spec, Status)>);

impl<'de, Spec, Status> Visitor<'de> for SlimVisitor<Spec, Status>
where
    Spec: Deserialize<'de> + Default,
    Status: Deserialize<'de> + Default,
{
    type Value = Slim<Spec, Status>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a Kubernetes object")
    }

    /// Each part read forgivingly (`forgiving`): a field of a wrong type is noted, not fatal.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let notes = Notes::default();
        let (mut meta, mut spec, mut status) = (None, None, None);
        while let Some(part) = map.next_key::<Part>()? {
            match part {
                Part::Metadata => {
                    meta = Some(map.next_value_seed(Lenient::<LiteMeta>::at("metadata", &notes))?)
                }
                Part::Spec => spec = Some(map.next_value_seed(Lenient::at("spec", &notes))?),
                Part::Status => status = Some(map.next_value_seed(Lenient::at("status", &notes))?),
                Part::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let mut meta = meta.unwrap_or_default();
        let labels = std::mem::take(&mut meta.labels);
        let annotations = std::mem::take(&mut meta.annotations);
        Ok(Slim {
            metadata: meta.into_meta(),
            labels,
            annotations,
            spec: spec.unwrap_or_default(),
            status: status.unwrap_or_default(),
            malformed: notes.summary(),
        })
    }
}

/// The metadata fields rows use; managedFields, annotations and the rest are skipped.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct LiteMeta {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    #[serde(deserialize_with = "stamp")]
    creation_timestamp: Option<Time>,
    #[serde(deserialize_with = "stamp")]
    deletion_timestamp: Option<Time>,
    #[serde(deserialize_with = "wanted_labels")]
    labels: Wanted,
    #[serde(deserialize_with = "wanted_annotations")]
    annotations: Wanted,
}

/// Cluster API's labels, which CAPI rows read.
pub const CLUSTER_NAME_LABEL: &str = "cluster.x-k8s.io/cluster-name";
pub const CONTROL_PLANE_LABEL: &str = "cluster.x-k8s.io/control-plane";
pub const DEPLOYMENT_NAME_LABEL: &str = "cluster.x-k8s.io/deployment-name";

/// Labels rows read (`Slim::label`); the rest are skipped while parsing: a Machine carries
/// half a dozen, each two strings to copy.
pub const WANTED_LABELS: &[&str] = &[
    CLUSTER_NAME_LABEL,
    CONTROL_PLANE_LABEL,
    DEPLOYMENT_NAME_LABEL,
];

/// Annotations rows read. Everything else (last-applied configurations can be many KB) is
/// skipped while parsing.
pub const WANTED_ANNOTATIONS: &[&str] = &[
    "harvesterhci.io/maintain-status",
    "harvesterhci.io/volumeClaimTemplates",
];

/// Of a map of strings, the entries under wanted keys, each key as the wanted list spells it:
/// a Machine's two labels held inline, where a map of copied strings took five allocations.
pub type Wanted = SmallVec<[(&'static str, SmolStr); 2]>;

fn wanted_annotations<'de, D: Deserializer<'de>>(d: D) -> Result<Wanted, D::Error> {
    only(d, WANTED_ANNOTATIONS)
}

fn wanted_labels<'de, D: Deserializer<'de>>(d: D) -> Result<Wanted, D::Error> {
    only(d, WANTED_LABELS)
}

/// A map of strings with only the `wanted` keys read (a key given twice: its last value).
fn only<'de, D: Deserializer<'de>>(
    d: D,
    wanted: &'static [&'static str],
) -> Result<Wanted, D::Error> {
    struct Visitor(&'static [&'static str]);
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Wanted;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map of strings")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Wanted::new())
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Wanted::new())
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Wanted::new();
            while let Some(key) = map.next_key_seed(WantedKey(self.0))? {
                match key {
                    Some(key) => {
                        let value = map.next_value::<SmolStr>()?;
                        match out.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, held)) => *held = value,
                            None => out.push((key, value)),
                        }
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(out)
        }
    }
    d.deserialize_option(Visitor(wanted))
}

impl LiteMeta {
    fn into_meta(self) -> ObjectMeta {
        ObjectMeta {
            name: self.name,
            namespace: self.namespace,
            uid: self.uid,
            resource_version: self.resource_version,
            creation_timestamp: self.creation_timestamp,
            deletion_timestamp: self.deletion_timestamp,
            ..ObjectMeta::default()
        }
    }
}

/// A map key read as the one of `wanted` it is, if any: compared where it lies, never copied
/// (serde copies a `Cow<str>` key unless a derive borrows it).
pub struct WantedKey(pub &'static [&'static str]);

impl<'de> serde::de::DeserializeSeed<'de> for WantedKey {
    type Value = Option<&'static str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for WantedKey {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().copied().find(|wanted| *wanted == key))
    }
}

/// A timestamp field: absent when it is null or not an RFC 3339 time (one odd timestamp must
/// not cost its object). Another type than a string is `forgiving`'s to note: it hands this an
/// empty string. For `#[serde(deserialize_with)]`, with the struct's `default` for a field
/// left out.
pub fn stamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
    struct Stamp;
    impl<'de> Visitor<'de> for Stamp {
        type Value = Option<Time>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an RFC 3339 time")
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_str(self)
        }
        fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
            Ok(super::rfc3339::parse(s).map(Time))
        }
    }
    d.deserialize_option(Stamp)
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
            inline_text(&self.metadata.namespace),
            inline_text(&self.metadata.name),
        )
    }

    pub fn created(&self) -> Option<Timestamp> {
        self.metadata.creation_timestamp.as_ref().map(|t| t.0)
    }

    /// One of `WANTED_LABELS`.
    pub fn label(&self, key: &str) -> Option<&str> {
        debug_assert!(WANTED_LABELS.contains(&key), "a label not read: {key}");
        wanted(&self.labels, key)
    }

    /// One of `WANTED_ANNOTATIONS`.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        wanted(&self.annotations, key)
    }
}

fn wanted<'a>(held: &'a Wanted, key: &str) -> Option<&'a str> {
    held.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.as_str())
}

/// A string field reduced for display: sanitized, and empty when absent.
pub fn text<S: AsRef<str>>(s: &Option<S>) -> String {
    sanitize(s.as_ref().map_or("", AsRef::as_ref))
}

/// `text`, inline when short (most are): no allocation.
pub fn inline_text<S: AsRef<str>>(s: &Option<S>) -> SmolStr {
    sanitize_inline(s.as_ref().map_or("", AsRef::as_ref))
}

pub fn timestamp(s: &Option<Time>) -> Option<Timestamp> {
    s.as_ref().map(|t| t.0)
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
