//! The attention feed's data: problems, the root that explains them, and the counts the
//! header shows. How they are found is `app::attention`'s.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::layer::LayerKind;
use super::store::ObjRef;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Critical,
}

/// Where a problem is, as the header counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Area {
    Metal,
    Vms,
    Machines,
    Nodes,
    Pods,
    Talos,
    Apps,
    Secrets,
    /// The other systems: cert-manager, Gateway API, Velero …
    Platform,
}

impl Area {
    pub const ALL: [Area; 9] = [
        Area::Metal,
        Area::Vms,
        Area::Machines,
        Area::Nodes,
        Area::Pods,
        Area::Talos,
        Area::Apps,
        Area::Secrets,
        Area::Platform,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Area::Metal => "metal",
            Area::Vms => "vms",
            Area::Machines => "machines",
            Area::Nodes => "nodes",
            Area::Pods => "pods",
            Area::Talos => "talos",
            Area::Apps => "apps",
            Area::Secrets => "secrets",
            Area::Platform => "platform",
        }
    }
}

/// One thing that is not well.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The chain layer it is (for jumps); apps and secrets have their own.
    pub layer: LayerKind,
    pub area: Area,
    pub key: ObjRef,
    /// `Hardware`, `VM`, `Application` …
    pub kind: &'static str,
    pub what: String,
    pub severity: Severity,
    pub since: Option<Timestamp>,
}

/// A root problem and the problems it explains.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub root: Problem,
    pub explained: Vec<Problem>,
}

/// The feed as last worked out, and whether a store has changed since.
#[derive(Debug, Clone, Default)]
pub struct Attention {
    pub groups: Vec<Group>,
    pub stale: bool,
    /// Problems per area (roots and explained alike).
    pub counts: BTreeMap<Area, usize>,
}

impl Attention {
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }
}
