//! Cluster API rows: Cluster, control plane, MachineDeployment and Machine, projected from the
//! v1beta2 wire shape (TalosControlPlane from v1alpha3), with the condition each row shows the
//! way `clusterctl describe cluster` does (Available for groups, Ready for Machines).

use jiff::Timestamp;
use serde::Deserialize;
use smol_str::SmolStr;

use super::conditions::{Available, Ready, Shown};
use super::store::{Keyed, ObjRef};
use super::text::sanitize_inline;
use super::wire::{CondSummary, Slim, inline_text, text};

pub use super::wire::{CLUSTER_NAME_LABEL, CONTROL_PLANE_LABEL, DEPLOYMENT_NAME_LABEL};

// ---- wire -------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RefW {
    pub kind: Option<SmolStr>,
    pub name: Option<SmolStr>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClusterSpecW {
    pub paused: Option<bool>,
    pub control_plane_ref: Option<RefW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CountersW {
    pub desired_replicas: Option<i64>,
    pub replicas: Option<i64>,
    pub up_to_date_replicas: Option<i64>,
    pub ready_replicas: Option<i64>,
    pub available_replicas: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClusterStatusW {
    pub phase: Option<SmolStr>,
    pub conditions: Shown<Available>,
    pub control_plane: Option<CountersW>,
    pub workers: Option<CountersW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ControlPlaneSpecW {
    pub replicas: Option<i64>,
    pub version: Option<SmolStr>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ControlPlaneStatusW {
    pub replicas: Option<i64>,
    pub ready_replicas: Option<i64>,
    pub updated_replicas: Option<i64>,
    pub up_to_date_replicas: Option<i64>,
    pub unavailable_replicas: Option<i64>,
    pub version: Option<SmolStr>,
    pub ready: Option<bool>,
    pub conditions: Shown<Ready>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TemplateSpecW {
    pub version: Option<SmolStr>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TemplateW {
    pub spec: TemplateSpecW,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeploymentSpecW {
    pub cluster_name: Option<SmolStr>,
    pub replicas: Option<i64>,
    pub paused: Option<bool>,
    pub template: TemplateW,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeploymentStatusW {
    pub replicas: Option<i64>,
    pub ready_replicas: Option<i64>,
    pub available_replicas: Option<i64>,
    pub up_to_date_replicas: Option<i64>,
    pub phase: Option<SmolStr>,
    pub conditions: Shown<Available>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MachineSpecW {
    pub cluster_name: Option<SmolStr>,
    pub version: Option<SmolStr>,
    #[serde(rename = "providerID")]
    pub provider_id: Option<SmolStr>,
    pub infrastructure_ref: Option<InfraRefW>,
}

/// `spec.infrastructureRef`: `apiGroup` in v1beta2, `apiVersion` in v1beta1.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InfraRefW {
    pub api_group: Option<SmolStr>,
    pub api_version: Option<SmolStr>,
    pub kind: Option<SmolStr>,
    pub name: Option<SmolStr>,
}

/// The provider object behind a Machine (a HarvesterMachine, a VSphereMachine …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfraRef {
    pub group: SmolStr,
    pub kind: SmolStr,
    pub name: SmolStr,
}

impl InfraRefW {
    fn infra(&self) -> Option<InfraRef> {
        let group = match (&self.api_group, &self.api_version) {
            (Some(g), _) => g.as_str(),
            (None, Some(v)) => v.rsplit_once('/').map_or("", |(g, _)| g),
            (None, None) => return None,
        };
        Some(InfraRef {
            group: sanitize_inline(group),
            kind: sanitize_inline(self.kind.as_deref()?),
            name: sanitize_inline(self.name.as_deref()?),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MachineAddressW {
    #[serde(rename = "type")]
    pub kind: Option<SmolStr>,
    pub address: Option<SmolStr>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeRefW {
    pub name: Option<SmolStr>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MachineStatusW {
    pub phase: Option<SmolStr>,
    pub node_ref: Option<NodeRefW>,
    pub addresses: Vec<MachineAddressW>,
    pub conditions: Shown<Ready>,
}

pub type ClusterW = Slim<ClusterSpecW, ClusterStatusW>;
pub type ControlPlaneW = Slim<ControlPlaneSpecW, ControlPlaneStatusW>;
pub type DeploymentW = Slim<DeploymentSpecW, DeploymentStatusW>;
pub type MachineW = Slim<MachineSpecW, MachineStatusW>;

// ---- rows -------------------------------------------------------------------------------

/// Replica counters as clusterctl shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Replicas {
    pub desired: i64,
    pub current: i64,
    pub ready: i64,
    pub available: i64,
    pub up_to_date: i64,
}

impl Replicas {
    fn from_counters(c: &Option<CountersW>) -> Self {
        let c = c.clone().unwrap_or_default();
        Replicas {
            desired: c.desired_replicas.unwrap_or(0),
            current: c.replicas.unwrap_or(0),
            ready: c.ready_replicas.unwrap_or(0),
            available: c.available_replicas.unwrap_or(0),
            up_to_date: c.up_to_date_replicas.unwrap_or(0),
        }
    }

    fn sum(self, o: Replicas) -> Replicas {
        Replicas {
            desired: self.desired + o.desired,
            current: self.current + o.current,
            ready: self.ready + o.ready,
            available: self.available + o.available,
            up_to_date: self.up_to_date + o.up_to_date,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterRow {
    pub key: ObjRef,
    pub phase: String,
    pub paused: bool,
    pub replicas: Replicas,
    pub available: CondSummary,
    pub created: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ControlPlaneRow {
    pub key: ObjRef,
    pub cluster: String,
    pub replicas: Replicas,
    pub version: String,
    pub ready: CondSummary,
    pub created: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRow {
    pub key: ObjRef,
    pub cluster: String,
    pub replicas: Replicas,
    pub version: String,
    pub phase: String,
    pub paused: bool,
    pub available: CondSummary,
    pub created: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MachineRow {
    pub key: ObjRef,
    pub cluster: SmolStr,
    /// The MachineDeployment it belongs to, if a worker.
    pub deployment: Option<SmolStr>,
    pub control_plane: bool,
    pub phase: SmolStr,
    pub version: SmolStr,
    pub node: SmolStr,
    /// Its first InternalIP (where the node can be reached before it has a nodeRef).
    pub address: Option<SmolStr>,
    pub provider_id: SmolStr,
    pub ready: CondSummary,
    pub created: Option<Timestamp>,
    pub deleting: bool,
    /// Its provider's machine, followed for its own readiness.
    pub infra: Option<InfraRef>,
}

macro_rules! keyed {
    ($($t:ty),*) => {$(impl Keyed for $t {
        fn key(&self) -> &ObjRef { &self.key }
        fn key_mut(&mut self) -> &mut ObjRef { &mut self.key }
    })*};
}
keyed!(ClusterRow, ControlPlaneRow, DeploymentRow, MachineRow);

// ---- projection -------------------------------------------------------------------------

pub fn cluster_row(o: &ClusterW) -> ClusterRow {
    let s = &o.status;
    ClusterRow {
        key: o.obj_ref(),
        phase: text(&s.phase),
        paused: o.spec.paused.unwrap_or(false),
        replicas: Replicas::from_counters(&s.control_plane)
            .sum(Replicas::from_counters(&s.workers)),
        available: s.conditions.summary().clone(),
        created: o.created(),
    }
}

pub fn control_plane_row(o: &ControlPlaneW) -> ControlPlaneRow {
    let s = &o.status;
    let current = s.replicas.unwrap_or(0);
    ControlPlaneRow {
        key: o.obj_ref(),
        cluster: o.label(CLUSTER_NAME_LABEL).unwrap_or("").to_string(),
        replicas: Replicas {
            desired: o.spec.replicas.unwrap_or(0),
            current,
            ready: s.ready_replicas.unwrap_or(0),
            // TalosControlPlane (v1beta1 contract) reports unavailable, not available.
            available: current - s.unavailable_replicas.unwrap_or(0),
            up_to_date: s
                .up_to_date_replicas
                .or(s.updated_replicas)
                .unwrap_or(current),
        },
        version: text(&o.spec.version),
        ready: s.conditions.summary().clone(),
        created: o.created(),
    }
}

pub fn deployment_row(o: &DeploymentW) -> DeploymentRow {
    let s = &o.status;
    DeploymentRow {
        key: o.obj_ref(),
        cluster: text(&o.spec.cluster_name),
        replicas: Replicas {
            desired: o.spec.replicas.unwrap_or(0),
            current: s.replicas.unwrap_or(0),
            ready: s.ready_replicas.unwrap_or(0),
            available: s.available_replicas.unwrap_or(0),
            up_to_date: s.up_to_date_replicas.unwrap_or(0),
        },
        version: text(&o.spec.template.spec.version),
        phase: text(&s.phase),
        paused: o.spec.paused.unwrap_or(false),
        available: s.conditions.summary().clone(),
        created: o.created(),
    }
}

pub fn machine_row(o: &MachineW) -> MachineRow {
    let s = &o.status;
    MachineRow {
        key: o.obj_ref(),
        cluster: o
            .label(CLUSTER_NAME_LABEL)
            .map(SmolStr::new)
            .unwrap_or_else(|| inline_text(&o.spec.cluster_name)),
        deployment: o.label(DEPLOYMENT_NAME_LABEL).map(SmolStr::new),
        control_plane: o.label(CONTROL_PLANE_LABEL).is_some(),
        phase: inline_text(&s.phase),
        version: inline_text(&o.spec.version),
        node: s
            .node_ref
            .as_ref()
            .map(|n| inline_text(&n.name))
            .unwrap_or_default(),
        provider_id: inline_text(&o.spec.provider_id),
        ready: s.conditions.summary().clone(),
        created: o.created(),
        deleting: o.metadata.deletion_timestamp.is_some(),
        address: s
            .addresses
            .iter()
            .find(|a| a.kind.as_deref() == Some("InternalIP"))
            .and_then(|a| a.address.as_deref())
            .map(sanitize_inline)
            .filter(|a| !a.is_empty()),
        infra: o
            .spec
            .infrastructure_ref
            .as_ref()
            .and_then(InfraRefW::infra),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn machine_projection_reads_labels_and_conditions() {
        let wire: MachineW = serde_json::from_value(json!({
            "metadata": {"name": "m1", "namespace": "media", "labels": {
                CLUSTER_NAME_LABEL: "media", DEPLOYMENT_NAME_LABEL: "media-workers"},
                "managedFields": [{"manager": "x", "fieldsV1": {"f:spec": {}}}]},
            "spec": {"version": "v1.33.4", "providerID": "harvester://abc", "unknownField": 1},
            "status": {"phase": "Running", "nodeRef": {"name": "m1"},
                       "conditions": [{"type": "Ready", "status": "True", "reason": "Ready"}]}
        }))
        .expect("parses");
        let row = machine_row(&wire);
        assert_eq!(row.cluster, "media");
        assert_eq!(row.deployment.as_deref(), Some("media-workers"));
        assert!(!row.control_plane);
        assert_eq!(row.node, "m1");
        assert_eq!(row.ready.ok, Some(true));
    }

    #[test]
    fn an_object_missing_everything_still_projects() {
        let wire: ClusterW =
            serde_json::from_value(json!({"metadata": {"name": "bare"}})).expect("parses");
        let row = cluster_row(&wire);
        assert_eq!(row.key.name, "bare");
        assert_eq!(row.available.ok, None);
        assert_eq!(row.replicas, Replicas::default());
    }
}

/// Rows for unit tests of the modules built on them (tree, rollouts).
#[cfg(test)]
pub mod fixtures {
    use super::*;

    pub const CONTEXT: &str = "mgmt";

    fn replicas(desired: i64) -> Replicas {
        Replicas {
            desired,
            current: desired,
            ready: desired,
            available: desired,
            up_to_date: desired,
        }
    }

    pub fn cluster(name: &str) -> ClusterRow {
        ClusterRow {
            key: ObjRef::in_cluster(CONTEXT, name, name),
            phase: "Provisioned".into(),
            paused: false,
            replicas: replicas(0),
            available: CondSummary::default(),
            created: None,
        }
    }

    pub fn control_plane(cluster: &str, version: &str, desired: i64) -> ControlPlaneRow {
        ControlPlaneRow {
            key: ObjRef::in_cluster(CONTEXT, cluster, format!("{cluster}-cp")),
            cluster: cluster.into(),
            replicas: replicas(desired),
            version: version.into(),
            ready: CondSummary::default(),
            created: None,
        }
    }

    pub fn deployment(cluster: &str, version: &str, desired: i64) -> DeploymentRow {
        DeploymentRow {
            key: ObjRef::in_cluster(CONTEXT, cluster, format!("{cluster}-workers")),
            cluster: cluster.into(),
            replicas: replicas(desired),
            version: version.into(),
            phase: "Running".into(),
            paused: false,
            available: CondSummary::default(),
            created: None,
        }
    }

    /// The lab cluster: one control plane with one Machine, a MachineDeployment with
    /// `workers` Machines (`lab-w-00` …), all at v1.33.2.
    pub fn lab(workers: usize) -> crate::model::tree::CapiStores {
        use crate::model::store::WatchUpdate;
        let mut s = crate::model::tree::CapiStores::default();
        fn relist<R>(rows: Vec<R>) -> WatchUpdate<R> {
            WatchUpdate::Relisted(CONTEXT.into(), rows)
        }
        s.clusters.apply(relist(vec![cluster("lab")]));
        s.control_planes
            .apply(relist(vec![control_plane("lab", "v1.33.2", 1)]));
        s.deployments
            .apply(relist(vec![deployment("lab", "v1.33.2", workers as i64)]));
        let mut machines = vec![machine("lab", "lab-cp-a", None, "v1.33.2")];
        machines.extend((0..workers).map(|i| {
            machine(
                "lab",
                &format!("lab-w-{i:02}"),
                Some("lab-workers"),
                "v1.33.2",
            )
        }));
        s.machines.apply(relist(machines));
        s
    }

    /// A Running Machine; `deployment` None makes it a control-plane Machine.
    pub fn machine(
        cluster: &str,
        name: &str,
        deployment: Option<&str>,
        version: &str,
    ) -> MachineRow {
        MachineRow {
            key: ObjRef::in_cluster(CONTEXT, cluster, name),
            cluster: cluster.into(),
            deployment: deployment.map(Into::into),
            control_plane: deployment.is_none(),
            phase: "Running".into(),
            version: version.into(),
            node: name.into(),
            provider_id: Default::default(),
            ready: CondSummary::default(),
            created: None,
            deleting: false,
            address: None,
            infra: None,
        }
    }
}
