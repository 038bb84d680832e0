//! A layer of a machine's chain as the trace view and the attention feed see it: which
//! layer, which object (None when the link is missing), and how it is doing.

use jiff::Timestamp;
use smol_str::SmolStr;

use super::store::ObjRef;

/// How a layer is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Ok,
    /// Not wrong yet: provisioning, scaling, out of sync, cordoned.
    Warn,
    Bad,
    /// The link is missing or its source says nothing.
    Unknown,
}

/// The layers of a chain, bottom to top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LayerKind {
    Bmc,
    Hardware,
    Host,
    Vm,
    Machine,
    Node,
    Talos,
    Group,
    Cluster,
    Apps,
    Secrets,
}

impl LayerKind {
    pub fn title(self) -> &'static str {
        match self {
            LayerKind::Bmc => "BMC",
            LayerKind::Hardware => "Hardware",
            LayerKind::Host => "Harvester host",
            LayerKind::Vm => "VM",
            LayerKind::Machine => "Machine",
            LayerKind::Node => "Node",
            LayerKind::Talos => "Talos",
            LayerKind::Group => "Machine group",
            LayerKind::Cluster => "Cluster",
            LayerKind::Apps => "Argo CD apps",
            LayerKind::Secrets => "ExternalSecrets",
        }
    }
}

/// One layer of a chain as the trace view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub kind: LayerKind,
    /// The object it is (None: the link is missing).
    pub key: Option<ObjRef>,
    /// `HarvesterMachine media-workers-x`, `3 apps` …
    pub name: SmolStr,
    pub verdict: Verdict,
    /// What the verdict rests on, or what was looked for when missing. (`SmolStr`s, as the
    /// name: the feed builds a chain for each Machine at each recompute, and short words
    /// like `Ready` and names then cost no allocation.)
    pub detail: SmolStr,
    /// Since when it is as it is (a condition's transition), else its age.
    pub since: Option<Timestamp>,
}

impl Layer {
    pub fn found(
        kind: LayerKind,
        key: &ObjRef,
        verdict: Verdict,
        detail: impl Into<SmolStr>,
    ) -> Layer {
        Layer {
            kind,
            key: Some(key.clone()),
            name: key.name.clone(),
            verdict,
            detail: detail.into(),
            since: None,
        }
    }

    pub fn missing(kind: LayerKind, looked_for: impl Into<SmolStr>) -> Layer {
        Layer {
            kind,
            key: None,
            name: SmolStr::new_static("-"),
            verdict: Verdict::Unknown,
            detail: looked_for.into(),
            since: None,
        }
    }

    pub fn since(mut self, since: Option<Timestamp>) -> Layer {
        self.since = since;
        self
    }
}
