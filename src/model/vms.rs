//! Harvester: KubeVirt VMs joined with their VMIs (node, IPs), the image they boot, and the
//! Harvester hosts with their maintenance state.

use jiff::Timestamp;
use serde::Deserialize;

use super::conditions::{Ready, Shown};
use super::store::{Keyed, ObjRef};
use super::wire::{CondSummary, Slim, text};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CpuW {
    pub cores: Option<u32>,
    pub sockets: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourcesW {
    pub limits: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    pub requests: Option<std::collections::BTreeMap<String, serde_json::Value>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DomainW {
    pub cpu: CpuW,
    pub resources: ResourcesW,
    pub memory: Option<GuestMemoryW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuestMemoryW {
    pub guest: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VmiSpecW {
    pub domain: DomainW,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TemplateW {
    pub spec: VmiSpecW,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VmSpecW {
    pub run_strategy: Option<String>,
    pub running: Option<bool>,
    pub template: TemplateW,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VmStatusW {
    pub printable_status: Option<String>,
    pub run_strategy: Option<String>,
    pub conditions: Shown<Ready>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InterfaceW {
    pub ip_address: Option<String>,
    pub ip_addresses: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VmiStatusW {
    pub phase: Option<String>,
    pub node_name: Option<String>,
    pub interfaces: Vec<InterfaceW>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ImageSpecW {
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeSpecW {
    pub unschedulable: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeInfoW {
    pub kubelet_version: Option<String>,
    pub os_image: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeStatusW {
    pub conditions: Shown<Ready>,
    pub node_info: NodeInfoW,
}

pub type VmW = Slim<VmSpecW, VmStatusW>;
pub type VmiW = Slim<serde::de::IgnoredAny, VmiStatusW>;
pub type ImageW = Slim<ImageSpecW, serde::de::IgnoredAny>;
pub type NodeW = Slim<NodeSpecW, NodeStatusW>;

#[derive(Debug, Clone, PartialEq)]
pub struct VmRow {
    pub key: ObjRef,
    /// What a CAPI Machine's `harvester://<uid>` providerID names.
    pub uid: String,
    pub status: String,
    pub run_strategy: String,
    pub cpu: Option<u32>,
    pub memory: String,
    /// `<namespace>/<VirtualMachineImage name>` from the disk's claim template.
    pub image_id: Option<String>,
    pub ready: CondSummary,
    pub created: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VmiRow {
    pub key: ObjRef,
    pub phase: String,
    pub node: String,
    pub ips: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageRow {
    pub key: ObjRef,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostRow {
    pub key: ObjRef,
    pub ready: CondSummary,
    pub unschedulable: bool,
    /// `running` (entering) or `completed` (in maintenance).
    pub maintenance: Option<String>,
    pub version: String,
    pub os: String,
}

macro_rules! keyed {
    ($($t:ty),*) => {$(impl Keyed for $t {
        fn key(&self) -> &ObjRef { &self.key }
        fn key_mut(&mut self) -> &mut ObjRef { &mut self.key }
    })*};
}
keyed!(VmRow, VmiRow, ImageRow, HostRow);

fn quantity(v: Option<&serde_json::Value>) -> Option<String> {
    v.map(|q| match q {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

pub fn vm_row(o: &VmW) -> VmRow {
    let domain = &o.spec.template.spec.domain;
    let limits = domain.resources.limits.as_ref();
    let requests = domain.resources.requests.as_ref();
    let memory = quantity(limits.and_then(|l| l.get("memory")))
        .or_else(|| quantity(requests.and_then(|r| r.get("memory"))))
        .or_else(|| domain.memory.as_ref().and_then(|m| m.guest.clone()))
        .unwrap_or_default();
    let image_id = o
        .annotation("harvesterhci.io/volumeClaimTemplates")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| {
            v.get(0)?
                .pointer("/metadata/annotations/harvesterhci.io~1imageId")?
                .as_str()
                .map(str::to_string)
        });
    // What the VM is asked to do (the spec), else what KubeVirt last applied.
    let strategy = o
        .spec
        .run_strategy
        .clone()
        .or(o.status.run_strategy.clone())
        .or_else(|| {
            o.spec
                .running
                .map(|r| if r { "Always" } else { "Halted" }.to_string())
        });
    VmRow {
        key: o.obj_ref(),
        uid: text(&o.metadata.uid),
        status: text(&o.status.printable_status),
        run_strategy: text(&strategy),
        cpu: domain
            .cpu
            .cores
            .map(|c| c * domain.cpu.sockets.unwrap_or(1)),
        memory: text(&Some(memory)),
        image_id: image_id.map(|i| text(&Some(i))),
        ready: o.status.conditions.summary().clone(),
        created: o.created(),
    }
}

pub fn vmi_row(o: &VmiW) -> VmiRow {
    let mut ips: Vec<String> = Vec::new();
    for i in &o.status.interfaces {
        for ip in i.ip_address.iter().chain(i.ip_addresses.iter()) {
            let ip = text(&Some(ip.clone()));
            if !ips.contains(&ip) {
                ips.push(ip);
            }
        }
    }
    VmiRow {
        key: o.obj_ref(),
        phase: text(&o.status.phase),
        node: text(&o.status.node_name),
        ips,
    }
}

pub fn image_row(o: &ImageW) -> ImageRow {
    ImageRow {
        key: o.obj_ref(),
        display_name: text(&o.spec.display_name),
    }
}

pub fn host_row(o: &NodeW) -> HostRow {
    HostRow {
        key: o.obj_ref(),
        ready: o.status.conditions.summary().clone(),
        unschedulable: o.spec.unschedulable.unwrap_or(false),
        maintenance: o
            .annotation("harvesterhci.io/maintain-status")
            .map(str::to_string),
        version: text(&o.status.node_info.kubelet_version),
        os: text(&o.status.node_info.os_image),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn vm_projection_reads_image_and_size_and_skips_other_annotations() {
        let w: VmW = serde_json::from_value(json!({
            "metadata": {"name": "vm", "namespace": "ns", "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": "{\"huge\": true}",
                "harvesterhci.io/volumeClaimTemplates": "[{\"metadata\":{\"annotations\":{\"harvesterhci.io/imageId\":\"default/image-x\"}}}]"
            }},
            "spec": {"running": true, "template": {"spec": {"domain": {"cpu": {"cores": 2, "sockets": 2},
                     "resources": {"requests": {"memory": "4Gi"}}}}}},
            "status": {"printableStatus": "Running"}
        }))
        .expect("parses");
        assert_eq!(w.annotations.len(), 1);
        let row = vm_row(&w);
        assert_eq!(row.image_id.as_deref(), Some("default/image-x"));
        assert_eq!(
            (row.cpu, row.memory.as_str(), row.run_strategy.as_str()),
            (Some(4), "4Gi", "Always")
        );
    }
}
