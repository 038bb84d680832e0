//! Bare-metal hosts: Tinkerbell Hardware (addresses, netboot, disks), its latest Workflow, its
//! Rufio BMC Machine (power, reachability) — joined in the pane with the Harvester node it
//! became.

use jiff::Timestamp;
use serde::Deserialize;

use super::store::{Keyed, ObjRef};
use super::wire::{Slim, text};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IpW {
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DhcpW {
    pub mac: Option<String>,
    pub hostname: Option<String>,
    pub ip: Option<IpW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NetbootW {
    #[serde(rename = "allowPXE")]
    pub allow_pxe: Option<bool>,
    pub allow_workflow: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InterfaceW {
    pub dhcp: Option<DhcpW>,
    pub netboot: Option<NetbootW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DiskW {
    pub device: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RefW {
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HardwareSpecW {
    pub interfaces: Vec<InterfaceW>,
    pub disks: Vec<DiskW>,
    pub bmc_ref: Option<RefW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StateStatusW {
    pub state: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkflowSpecW {
    pub template_ref: Option<String>,
    pub hardware_ref: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CurrentStateW {
    pub action_name: Option<String>,
    pub task_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkflowStatusW {
    pub state: Option<String>,
    pub current_state: Option<CurrentStateW>,
    /// Tink ≤ v0.12 named the action here.
    pub current_action: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BmcConditionW {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BmcStatusW {
    pub power_state: Option<String>,
    pub conditions: Vec<BmcConditionW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BmcConnectionW {
    pub host: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BmcSpecW {
    pub connection: BmcConnectionW,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MachineRefW {
    pub name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BmcTaskW {
    pub power_action: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BmcJobSpecW {
    pub machine_ref: MachineRefW,
    pub tasks: Vec<BmcTaskW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BmcJobStatusW {
    pub conditions: Vec<BmcConditionW>,
}

pub type HardwareW = Slim<HardwareSpecW, StateStatusW>;
pub type BmcJobW = Slim<BmcJobSpecW, BmcJobStatusW>;
pub type WorkflowW = Slim<WorkflowSpecW, WorkflowStatusW>;
pub type BmcW = Slim<BmcSpecW, BmcStatusW>;

#[derive(Debug, Clone, PartialEq)]
pub struct HardwareRow {
    pub key: ObjRef,
    pub hostname: String,
    pub mac: String,
    pub ip: String,
    pub allow_pxe: Option<bool>,
    pub allow_workflow: Option<bool>,
    pub disks: Vec<String>,
    pub bmc: Option<String>,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowRow {
    pub key: ObjRef,
    pub hardware: String,
    pub template: String,
    /// Without tink's old `STATE_` prefix.
    pub state: String,
    pub action: String,
    pub created: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BmcRow {
    pub key: ObjRef,
    pub address: String,
    pub power: String,
    pub contactable: Option<bool>,
    pub message: String,
}

/// A Rufio power Job: what it does to which BMC Machine, and how it went.
#[derive(Debug, Clone, PartialEq)]
pub struct BmcJobRow {
    pub key: ObjRef,
    pub machine: String,
    /// The power actions in order, e.g. `cycle`.
    pub actions: String,
    /// `Pending`, `Running`, `Completed` or `Failed`.
    pub state: String,
    pub message: String,
}

macro_rules! keyed {
    ($($t:ty),*) => {$(impl Keyed for $t {
        fn key(&self) -> &ObjRef { &self.key }
        fn key_mut(&mut self) -> &mut ObjRef { &mut self.key }
    })*};
}
keyed!(HardwareRow, WorkflowRow, BmcRow, BmcJobRow);

pub fn hardware_row(o: &HardwareW) -> HardwareRow {
    let first = o.spec.interfaces.first();
    let dhcp = first.and_then(|i| i.dhcp.clone()).unwrap_or_default();
    let netboot = first.and_then(|i| i.netboot.clone()).unwrap_or_default();
    HardwareRow {
        key: o.obj_ref(),
        hostname: text(&dhcp.hostname),
        mac: text(&dhcp.mac),
        ip: text(&dhcp.ip.and_then(|ip| ip.address)),
        allow_pxe: netboot.allow_pxe,
        allow_workflow: netboot.allow_workflow,
        disks: o.spec.disks.iter().map(|d| text(&d.device)).collect(),
        bmc: o
            .spec
            .bmc_ref
            .as_ref()
            .map(|r| text(&r.name))
            .filter(|n| !n.is_empty()),
        state: text(&o.status.state),
    }
}

pub fn workflow_row(o: &WorkflowW) -> WorkflowRow {
    let state = text(&o.status.state);
    let current = o.status.current_state.clone().unwrap_or_default();
    WorkflowRow {
        key: o.obj_ref(),
        hardware: text(&o.spec.hardware_ref),
        template: text(&o.spec.template_ref),
        state: state.strip_prefix("STATE_").unwrap_or(&state).to_string(),
        action: text(&current.action_name.or(o.status.current_action.clone())),
        created: o.created(),
    }
}

pub fn bmc_job_row(o: &BmcJobW) -> BmcJobRow {
    let holds = |kind: &str| {
        o.status
            .conditions
            .iter()
            .find(|c| c.kind == kind && c.status == "True")
    };
    let (state, message) = match (holds("Failed"), holds("Completed"), holds("Running")) {
        (Some(c), _, _) => ("Failed", c.message.clone()),
        (None, Some(c), _) => ("Completed", c.message.clone()),
        (None, None, Some(c)) => ("Running", c.message.clone()),
        _ => ("Pending", None),
    };
    BmcJobRow {
        key: o.obj_ref(),
        machine: o.spec.machine_ref.name.clone(),
        actions: o
            .spec
            .tasks
            .iter()
            .filter_map(|t| t.power_action.clone())
            .collect::<Vec<_>>()
            .join(","),
        state: state.into(),
        message: message
            .map(|m| crate::model::text::sanitize(&m))
            .unwrap_or_default(),
    }
}

pub fn bmc_row(o: &BmcW) -> BmcRow {
    let contactable = o.status.conditions.iter().find(|c| c.kind == "Contactable");
    BmcRow {
        key: o.obj_ref(),
        address: text(&o.spec.connection.host),
        power: {
            let p = text(&o.status.power_state);
            if p.is_empty() { "unknown".into() } else { p }
        },
        contactable: contactable.and_then(|c| match c.status.as_str() {
            "True" => Some(true),
            "False" => Some(false),
            _ => None,
        }),
        message: contactable.map(|c| text(&c.message)).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn legacy_workflow_states_lose_their_prefix() {
        let w: WorkflowW = serde_json::from_value(json!({
            "metadata": {"name": "wf", "namespace": "t"},
            "spec": {"hardwareRef": "hv-01"},
            "status": {"state": "STATE_RUNNING", "currentAction": "stream-image"}
        }))
        .expect("parses");
        let row = workflow_row(&w);
        assert_eq!(
            (row.state.as_str(), row.action.as_str()),
            ("RUNNING", "stream-image")
        );
    }
}
