//! Pods as the attention feed needs them: where each runs and whether a container of it is
//! stuck (crash-looping, an image that does not pull, a config that does not resolve). A few
//! strings per pod, whatever the pod's size.

use jiff::Timestamp;
use serde::Deserialize;

use super::store::{Keyed, ObjRef};
use super::text::sanitize;
use super::wire::Slim;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodSpecW {
    pub node_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodStatusW {
    pub phase: Option<String>,
    pub container_statuses: Vec<ContainerStatusW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerStatusW {
    pub name: String,
    pub restart_count: i64,
    pub state: ContainerStateW,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ContainerStateW {
    pub waiting: Option<WaitingW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WaitingW {
    pub reason: Option<String>,
}

pub type PodW = Slim<PodSpecW, PodStatusW>;

/// Waiting reasons that do not clear by themselves.
const STUCK: &[&str] = &[
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "CreateContainerConfigError",
    "InvalidImageName",
];

#[derive(Debug, Clone, PartialEq)]
pub struct PodRow {
    pub key: ObjRef,
    pub node: String,
    pub phase: String,
    /// Why the pod is not well (`radarr: CrashLoopBackOff, 7 restarts`), if it is not.
    pub unwell: Option<String>,
    pub created: Option<Timestamp>,
}

impl Keyed for PodRow {
    fn key(&self) -> &ObjRef {
        &self.key
    }
    fn key_mut(&mut self) -> &mut ObjRef {
        &mut self.key
    }
}

pub fn pod_row(o: &PodW) -> PodRow {
    let phase = o.status.phase.clone().unwrap_or_default();
    let stuck = o.status.container_statuses.iter().find_map(|c| {
        let reason = c.state.waiting.as_ref()?.reason.as_deref()?;
        STUCK.contains(&reason).then(|| {
            format!(
                "{}: {reason}, {} restarts",
                sanitize(&c.name),
                c.restart_count
            )
        })
    });
    let unwell = stuck.or_else(|| {
        matches!(phase.as_str(), "Failed" | "Unknown").then(|| format!("phase {phase}"))
    });
    PodRow {
        key: o.obj_ref(),
        node: sanitize(o.spec.node_name.as_deref().unwrap_or("")),
        phase: sanitize(&phase),
        unwell,
        created: o.created(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_looping_container_makes_its_pod_unwell() {
        let pod: PodW = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "radarr-1", "namespace": "media"},
            "spec": {"nodeName": "w1"},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "radarr", "restartCount": 7, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ]}
        }))
        .expect("a pod");
        let row = pod_row(&pod);
        assert_eq!(row.node, "w1");
        assert_eq!(
            row.unwell.as_deref(),
            Some("radarr: CrashLoopBackOff, 7 restarts")
        );
        let done: PodW = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "job-1", "namespace": "x"},
            "status": {"phase": "Succeeded"}
        }))
        .expect("a pod");
        assert_eq!(pod_row(&done).unwell, None);
    }
}
