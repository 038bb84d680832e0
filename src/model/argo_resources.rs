//! An app's resources as the apps table and drift need them — how many, and the OutOfSync
//! ones by name — read from the Application without allocating the names of the synced ones
//! (an app can have hundreds; a platform, hundreds of thousands).

use std::borrow::Cow;

use serde::Deserialize;

use super::text::sanitize;

/// An app's resources as its row needs them: how many, and the OutOfSync ones by name. Read
/// with borrowed strings, so the names of the (many) synced resources are never allocated.
#[derive(Debug, Clone, Default)]
pub struct ResourcesSummary {
    pub total: usize,
    /// `Deployment media/radarr`.
    pub drifted: Vec<String>,
}

/// Bare `Cow`s, absent read as empty: serde borrows a `Cow<str>` only when it is the field's
/// own type (inside an `Option` it is always copied, an allocation per field per resource).
#[derive(Deserialize)]
struct ResourceLite<'a> {
    #[serde(borrow, default)]
    status: Cow<'a, str>,
    #[serde(borrow, default)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    namespace: Cow<'a, str>,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
}

impl<'de> Deserialize<'de> for ResourcesSummary {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ResourcesSummary;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of resources")
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(ResourcesSummary::default())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = ResourcesSummary::default();
                while let Some(r) = seq.next_element::<ResourceLite<'de>>()? {
                    out.total += 1;
                    if r.status != "OutOfSync" {
                        continue;
                    }
                    let name = match sanitize(&r.namespace) {
                        ns if ns.is_empty() => sanitize(&r.name),
                        ns => format!("{ns}/{}", sanitize(&r.name)),
                    };
                    out.drifted.push(format!("{} {name}", sanitize(&r.kind)));
                }
                Ok(out)
            }
        }
        // A list, said as such: read forgivingly (`wire::Slim`), anything else is noted.
        d.deserialize_seq(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeSeed;

    #[test]
    fn only_the_out_of_sync_resources_are_named() {
        let text = r#"[{"kind":"Service","namespace":"m","name":"web","status":"Synced"},
                       {"status":"OutOfSync","kind":"Deployment","namespace":"m","name":"web"},
                       {"kind":"ClusterRole","name":"r\u0065ader","status":"OutOfSync"}]"#;
        let s: ResourcesSummary = serde_json::from_str(text).expect("parses");
        assert_eq!(s.total, 3);
        assert_eq!(s.drifted, ["Deployment m/web", "ClusterRole reader"]);
        let notes = crate::model::forgiving::Notes::default();
        // Fields null or of another type: read as empty, the resource still counted.
        let odd_fields =
            r#"[{"kind":null,"name":"web","status":"OutOfSync"},{"kind":7,"status":"Synced"}]"#;
        let s: ResourcesSummary = crate::model::forgiving::Lenient::at("resources", &notes)
            .deserialize(&mut serde_json::Deserializer::from_str(odd_fields))
            .expect("read forgivingly");
        assert_eq!(
            (s.total, s.drifted.as_slice()),
            (2, [" web".to_string()].as_slice())
        );
        for odd in ["null", r#"{"kind":"Service"}"#] {
            let none: ResourcesSummary = crate::model::forgiving::Lenient::at("resources", &notes)
                .deserialize(&mut serde_json::Deserializer::from_str(odd))
                .expect("read forgivingly");
            assert_eq!((none.total, none.drifted.len()), (0, 0));
        }
        assert_eq!(
            notes.summary().as_deref(),
            Some("resources[1].kind: a number where a string belongs (and 1 more)")
        );
    }
}
