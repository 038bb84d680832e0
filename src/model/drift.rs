//! Drift: where what is running differs from what is asked for, and since when the cockpit
//! has seen it differ. The rows are worked out by `app::drift`; this keeps them and their
//! first sightings.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::store::ObjRef;

#[derive(Debug, Clone, PartialEq)]
pub struct DriftRow {
    /// `Application`, `Machine`, `MachineDeployment` …
    pub kind: &'static str,
    pub key: ObjRef,
    /// What drifted: `Kubernetes version`, `replicas`, `Deployment media/radarr` …
    pub what: String,
    pub desired: String,
    pub actual: String,
    /// When the cockpit first saw it differ (or a bound the object gives).
    pub since: Option<Timestamp>,
}

#[derive(Debug, Clone, Default)]
pub struct Drift {
    pub rows: Vec<DriftRow>,
    /// When it was last worked out.
    pub computed_at: Option<Timestamp>,
    /// (object, what) → first seen drifted; forgotten once it is back in line.
    first_seen: BTreeMap<(ObjRef, String), Timestamp>,
}

impl Drift {
    /// Replace the rows with a new reckoning at `now`: a drift seen before keeps its first
    /// sighting, a new one starts now, one that is gone is forgotten. Says whether anything
    /// changed.
    pub fn update(&mut self, mut rows: Vec<DriftRow>, now: Timestamp) -> bool {
        let mut seen = BTreeMap::new();
        for r in &mut rows {
            let id = (r.key.clone(), r.what.clone());
            let first = self.first_seen.get(&id).copied().or(r.since).unwrap_or(now);
            r.since = Some(first);
            seen.insert(id, first);
        }
        self.first_seen = seen;
        self.computed_at = Some(now);
        let changed = rows != self.rows;
        self.rows = rows;
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(what: &str) -> DriftRow {
        DriftRow {
            kind: "Machine",
            key: ObjRef::new("ns", "m"),
            what: what.into(),
            desired: "v1.34.0".into(),
            actual: "v1.33.2".into(),
            since: None,
        }
    }

    #[test]
    fn a_drift_keeps_its_first_sighting_until_it_is_gone() {
        let mut d = Drift::default();
        let t0 = Timestamp::UNIX_EPOCH;
        let t1 = t0 + jiff::SignedDuration::from_secs(60);
        fn since(d: &Drift, w: &str) -> Option<Timestamp> {
            d.rows.iter().find(|r| r.what == w).and_then(|r| r.since)
        }
        assert!(d.update(vec![row("version")], t0));
        assert!(d.update(vec![row("version"), row("replicas")], t1));
        assert_eq!(since(&d, "version"), Some(t0));
        assert_eq!(since(&d, "replicas"), Some(t1));
        assert!(
            !d.update(vec![row("version"), row("replicas")], t1),
            "nothing new"
        );
        d.update(vec![row("replicas")], t1);
        d.update(vec![row("version"), row("replicas")], t1);
        assert_eq!(
            since(&d, "version"),
            Some(t1),
            "gone, then back: a new drift"
        );
    }
}
