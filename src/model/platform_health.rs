//! The health of the platform's other systems (cert-manager, Gateway API, MetalLB, Velero,
//! Karpenter, Kratix, Metal3, policy reports, ApplicationSets, vSphere machines), as the
//! attention feed needs it: per object, the verdict of its kind's health rule and since when
//! — not the object. A rule that reads the clock (a certificate nearing its end, a backup
//! schedule gone quiet) keeps the few fields it reads, to be judged again as time passes.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::Value;

use super::health::{self, Health, Rule};
use super::store::{Keyed, ObjRef, RowStore};

/// A kind the feed follows: its API group, kind and plural.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FollowedKind {
    pub group: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
}

impl FollowedKind {
    /// What the `:` command and the kind browser call it (`certificates.cert-manager.io`).
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.plural, self.group)
    }
}

/// Kinds whose rule reads the clock, so a verdict can change with no event.
fn reads_the_clock(kind: &FollowedKind) -> bool {
    matches!(
        (kind.group, kind.kind),
        ("cert-manager.io", "Certificate") | ("velero.io", "Schedule")
    )
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlatformHealthRow {
    pub key: ObjRef,
    pub kind: FollowedKind,
    pub health: Health,
    /// The latest condition transition: when it last changed state, as far as it says.
    pub since: Option<Timestamp>,
    /// For kinds that read the clock: their `spec` and `status`, judged again later.
    timed: Option<Box<Value>>,
}

impl Keyed for PlatformHealthRow {
    fn key(&self) -> &ObjRef {
        &self.key
    }
    fn key_mut(&mut self) -> &mut ObjRef {
        &mut self.key
    }
}

impl PlatformHealthRow {
    /// Its verdict at `now`.
    pub fn health_at(&self, now: Timestamp) -> Health {
        match (&self.timed, health::rule(self.kind.group, self.kind.kind)) {
            (Some(object), Some(rule)) => rule(object, now),
            _ => self.health.clone(),
        }
    }
}

fn latest_transition(object: &Value) -> Option<Timestamp> {
    object
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .filter_map(|c| c["lastTransitionTime"].as_str()?.parse().ok())
        .max()
}

/// Judge one object of `kind` (its `spec` and `status`: the rules read nothing else) with
/// `rule` at `now` and keep what the feed needs.
pub fn platform_health_row(
    kind: FollowedKind,
    rule: Rule,
    key: ObjRef,
    object: &Value,
    now: Timestamp,
) -> PlatformHealthRow {
    let timed = reads_the_clock(&kind).then(|| {
        Box::new(serde_json::json!({
            "spec": object["spec"],
            "status": object["status"],
        }))
    });
    PlatformHealthRow {
        key,
        kind,
        health: rule(object, now),
        since: latest_transition(object),
        timed,
    }
}

/// One store per kind: a kind's watch relists its rows on a cluster without touching the
/// others'.
#[derive(Debug, Default)]
pub struct PlatformHealth {
    pub kinds: BTreeMap<FollowedKind, RowStore<PlatformHealthRow>>,
    /// Clusters whose followed kinds are watched (once their discovery finished).
    pub watched: std::collections::BTreeSet<String>,
}

impl PlatformHealth {
    pub fn rows(&self) -> impl Iterator<Item = &PlatformHealthRow> {
        self.kinds.values().flat_map(|s| s.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: FollowedKind = FollowedKind {
        group: "cert-manager.io",
        kind: "Certificate",
        plural: "certificates",
    };

    fn certificate(not_after: &str) -> Value {
        serde_json::json!({
            "metadata": {"name": "web", "namespace": "media", "annotations": {"big": "x".repeat(1000)}},
            "spec": {"dnsNames": ["web.example"]},
            "status": {"notAfter": not_after,
                       "conditions": [{"type": "Ready", "status": "True",
                                       "lastTransitionTime": "2026-01-01T00:00:00Z"}]},
        })
    }

    #[test]
    fn a_certificate_is_judged_again_as_its_end_comes_closer() {
        let rule = health::rule(CERT.group, CERT.kind).expect("a rule");
        let now: Timestamp = "2026-11-01T00:00:00Z".parse().expect("time");
        let key = ObjRef::new("media", "web");
        let row = platform_health_row(CERT, rule, key, &certificate("2026-12-31T00:00:00Z"), now);
        assert_eq!(row.health.level, health::Level::Healthy);
        assert_eq!(row.since, "2026-01-01T00:00:00Z".parse().ok());
        let later: Timestamp = "2026-12-30T00:00:00Z".parse().expect("time");
        assert!(
            row.health_at(later).level > health::Level::Healthy,
            "{:?}",
            row.health_at(later)
        );
        // What is kept is what the rule reads, not the metadata.
        let kept = row
            .timed
            .as_ref()
            .map(|v| v.to_string())
            .unwrap_or_default();
        assert!(!kept.contains("xxxx"), "{kept}");
    }
}
