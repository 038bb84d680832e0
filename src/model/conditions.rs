//! The one condition a row shows (`Ready` for a Machine, `Available` for a cluster), read
//! from a status's `conditions` without making strings and times of the others: a CAPI
//! Machine carries six, and at 20,000 Machines the five nobody shows were a third of what
//! reading them allocated.

use std::borrow::Cow;
use std::marker::PhantomData;

use jiff::Timestamp;
use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use smol_str::SmolStr;

use super::text::sanitize_inline;

/// A condition reduced to what a row shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CondSummary {
    /// Some(true) for "True", Some(false) for "False", None for Unknown or absent.
    pub ok: Option<bool>,
    pub reason: SmolStr,
    pub message: SmolStr,
    pub since: Option<Timestamp>,
}

impl CondSummary {
    /// `True`, `False`, or `Unknown`, as clusterctl's STATUS column.
    pub fn status_word(&self) -> &'static str {
        match self.ok {
            Some(true) => "True",
            Some(false) => "False",
            None => "Unknown",
        }
    }
}

/// Which condition a status is read for.
pub trait ConditionType {
    const TYPE: &'static str;
}

/// `Ready`: Machines, control planes, VMs, ExternalSecrets.
#[derive(Debug, Clone, Copy)]
pub enum Ready {}

impl ConditionType for Ready {
    const TYPE: &'static str = "Ready";
}

/// `Available`: Clusters and MachineDeployments, as `clusterctl describe` shows them.
#[derive(Debug, Clone, Copy)]
pub enum Available {}

impl ConditionType for Available {
    const TYPE: &'static str = "Available";
}

/// A status's `conditions`, kept as the first one of type `T` (the default when there is
/// none), in either CAPI shape (metav1.Condition, or v1beta1's with a severity).
#[derive(Debug, Clone)]
pub struct Shown<T> {
    summary: CondSummary,
    of: PhantomData<T>,
}

impl<T> Default for Shown<T> {
    fn default() -> Self {
        Shown {
            summary: CondSummary::default(),
            of: PhantomData,
        }
    }
}

impl<T> Shown<T> {
    pub fn summary(&self) -> &CondSummary {
        &self.summary
    }
}

/// A condition as it is read past: borrowed strings, so the ones not shown cost nothing.
/// Bare `Cow`s (serde copies a `Cow` inside an `Option`), absent read as empty.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Passing<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    status: Cow<'a, str>,
    #[serde(borrow, default)]
    reason: Cow<'a, str>,
    #[serde(borrow, default)]
    message: Cow<'a, str>,
    #[serde(borrow, default)]
    last_transition_time: Cow<'a, str>,
}

impl Passing<'_> {
    fn summary(&self) -> CondSummary {
        CondSummary {
            ok: match self.status.as_ref() {
                "True" => Some(true),
                "False" => Some(false),
                _ => None,
            },
            reason: sanitize_inline(&self.reason),
            message: sanitize_inline(&self.message),
            since: super::rfc3339::parse(&self.last_transition_time),
        }
    }
}

impl<'de, T: ConditionType> Deserialize<'de> for Shown<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Conditions<T>(PhantomData<T>);
        impl<'de, T: ConditionType> Visitor<'de> for Conditions<T> {
            type Value = Shown<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of conditions")
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Shown::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut shown = None;
                while let Some(condition) = seq.next_element::<Passing<'de>>()? {
                    if shown.is_none() && condition.kind == T::TYPE {
                        shown = Some(condition.summary());
                    }
                }
                Ok(Shown {
                    summary: shown.unwrap_or_default(),
                    of: PhantomData,
                })
            }
        }
        // A list, said as such: read forgivingly (`wire::Slim`), anything else is noted.
        d.deserialize_seq(Conditions(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::forgiving::{Lenient, Notes};
    use serde::de::DeserializeSeed;

    const MACHINE: &str = r#"[
        {"lastTransitionTime":"2026-11-30T10:00:00Z","message":"","reason":"Ready","status":"True","type":"BootstrapConfigReady"},
        {"lastTransitionTime":"2026-11-30T10:05:00Z","message":"waiting for \u001b[31mkubelet","reason":"NodeNotReady","severity":"Warning","status":"False","type":"Ready"},
        {"status":"True","type":"Ready","reason":"second"}
    ]"#;

    #[test]
    fn the_first_condition_of_its_type_is_kept_and_sanitized() {
        let ready: Shown<Ready> = serde_json::from_str(MACHINE).expect("reads");
        let s = ready.summary();
        assert_eq!((s.ok, s.status_word()), (Some(false), "False"));
        assert_eq!(s.reason, "NodeNotReady");
        assert!(!s.message.contains('\u{1b}'), "{:?}", s.message);
        assert!(s.message.starts_with("waiting for "), "{:?}", s.message);
        assert_eq!(
            s.since,
            Some("2026-11-30T10:05:00Z".parse().expect("a time"))
        );
        let available: Shown<Available> = serde_json::from_str(MACHINE).expect("reads");
        assert_eq!(available.summary(), &CondSummary::default());
        assert_eq!(available.summary().status_word(), "Unknown");
    }

    #[test]
    fn odd_conditions_are_read_forgivingly_and_noted() {
        let notes = Notes::default();
        let odd =
            r#"[{"type":"Ready","status":"True","message":7,"lastTransitionTime":"yesterday"}]"#;
        let ready: Shown<Ready> = Lenient::at("conditions", &notes)
            .deserialize(&mut serde_json::Deserializer::from_str(odd))
            .expect("read forgivingly");
        assert_eq!(ready.summary().ok, Some(true));
        assert_eq!(
            (ready.summary().message.as_str(), ready.summary().since),
            ("", None)
        );
        for not_a_list in ["null", r#"{"type":"Ready"}"#] {
            let none: Shown<Ready> = Lenient::at("conditions", &notes)
                .deserialize(&mut serde_json::Deserializer::from_str(not_a_list))
                .expect("read forgivingly");
            assert_eq!(none.summary(), &CondSummary::default());
        }
        assert_eq!(
            notes.summary().as_deref(),
            Some("conditions[0].message: a number where a string belongs (and 1 more)")
        );
    }
}
