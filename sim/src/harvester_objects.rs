//! The Harvester cluster of a scenario: hosts (Nodes), one KubeVirt VM (+ VMI when it runs)
//! per CAPI Machine — the VM's uid is the Machine's `harvester://` providerID — Talos images,
//! and a stopped VM that belongs to no cluster.

use serde_json::{Value, json};

use super::capi_objects::{cluster_octet, cp_machine_name, vm_uid, worker_machine_name};
use super::db::{fnv, now_rfc3339};
use super::scenario::{ClusterSpec, Scenario};

pub const IMAGE_NAMESPACE: &str = "default";

fn image_name(talos_version: &str) -> String {
    format!(
        "image-talos-{}",
        talos_version.trim_start_matches('v').replace('.', "-")
    )
}

pub fn host(name: &str, maintenance: bool) -> Value {
    let mut node = json!({
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/hostname": name, "node-role.harvesterhci.io/management": "true",
                       "harvesterhci.io/managed": "true"},
        },
        "spec": {},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status",
                            "lastHeartbeatTime": now_rfc3339(), "lastTransitionTime": now_rfc3339()}],
            "nodeInfo": {"kubeletVersion": "v1.32.6+rke2r1", "osImage": "Harvester v1.8.2",
                         "architecture": "amd64", "operatingSystem": "linux"},
            "capacity": {"cpu": "32", "memory": "263842880Ki"},
        }
    });
    if maintenance {
        node["metadata"]["annotations"] = json!({"harvesterhci.io/maintain-status": "completed"});
        node["spec"]["unschedulable"] = json!(true);
    }
    node
}

fn image(talos_version: &str) -> Value {
    json!({
        "metadata": {"name": image_name(talos_version), "namespace": IMAGE_NAMESPACE},
        "spec": {
            "displayName": format!("talos-{talos_version}-nocloud-amd64.raw.xz"),
            "sourceType": "download",
            "url": format!("https://factory.talos.dev/image/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba/{talos_version}/nocloud-amd64.raw.xz"),
            "backend": "backingimage",
            "retry": 3,
        },
        "status": {
            "progress": 100,
            "size": 1_306_132_480u64,
            "virtualSize": 10_737_418_240u64,
            "storageClassName": format!("longhorn-{}", image_name(talos_version)),
            "conditions": [
                {"type": "Initialized", "status": "True", "lastUpdateTime": now_rfc3339()},
                {"type": "Imported", "status": "True", "lastUpdateTime": now_rfc3339()},
            ],
        }
    })
}

pub struct VmArgs<'a> {
    pub name: String,
    pub namespace: String,
    pub uid: String,
    pub cpu: u32,
    pub memory: &'a str,
    pub image: String,
    pub host: String,
    pub ip: Option<String>,
    /// `Running`, `Starting` or `Stopped`.
    pub printable: &'a str,
}

pub fn vm(a: &VmArgs) -> Value {
    let running = a.printable != "Stopped";
    let strategy = if running { "RerunOnFailure" } else { "Halted" };
    let claims = json!([{
        "metadata": {"name": format!("{}-disk-0", a.name),
                     "annotations": {"harvesterhci.io/imageId": format!("{IMAGE_NAMESPACE}/{}", a.image)}},
    }]);
    json!({
        "metadata": {
            "name": a.name, "namespace": a.namespace, "uid": a.uid,
            "annotations": {
                "harvesterhci.io/vmRunStrategy": "RerunOnFailure",
                "harvesterhci.io/volumeClaimTemplates": claims.to_string(),
            },
            "labels": {"harvesterhci.io/creator": "harvester"},
        },
        "spec": {
            "runStrategy": strategy,
            "template": {
                "metadata": {"labels": {"harvesterhci.io/vmName": a.name}},
                "spec": {
                    "domain": {
                        "cpu": {"cores": a.cpu, "sockets": 1, "threads": 1},
                        "resources": {"limits": {"cpu": a.cpu.to_string(), "memory": a.memory}},
                        "devices": {"disks": [{"name": "disk-0", "disk": {"bus": "virtio"}, "bootOrder": 1}]},
                    },
                    "volumes": [{"name": "disk-0", "persistentVolumeClaim": {"claimName": format!("{}-disk-0", a.name)}}],
                },
            },
        },
        "status": {
            "printableStatus": a.printable,
            "ready": a.printable == "Running",
            "created": running,
            "runStrategy": strategy,
            "conditions": [{"type": "Ready", "status": if a.printable == "Running" { "True" } else { "False" },
                            "lastTransitionTime": now_rfc3339()}],
        },
    })
}

pub fn vmi(a: &VmArgs) -> Value {
    let running = a.printable == "Running";
    let mut interfaces = json!([{"name": "default", "mac": format!("52:54:00:{:02x}:{:02x}:{:02x}", fnv(a.name.as_bytes()) as u8, (fnv(a.name.as_bytes()) >> 8) as u8, (fnv(a.name.as_bytes()) >> 16) as u8)}]);
    if let (true, Some(ip)) = (running, &a.ip) {
        interfaces[0]["ipAddress"] = json!(ip);
        interfaces[0]["ipAddresses"] = json!([ip]);
        interfaces[0]["infoSource"] = json!("domain, guest-agent");
    }
    json!({
        "metadata": {"name": a.name, "namespace": a.namespace, "labels": {"harvesterhci.io/vmName": a.name}},
        "spec": {"domain": {"cpu": {"cores": a.cpu}, "resources": {"limits": {"memory": a.memory}}, "devices": {}}},
        "status": {
            "phase": if running { "Running" } else { "Scheduled" },
            "nodeName": a.host,
            "interfaces": interfaces,
            "conditions": [{"type": "Ready", "status": if running { "True" } else { "False" }}],
        },
    })
}

/// Every object of the Harvester cluster.
pub fn objects(s: &Scenario) -> Vec<(&'static str, Value)> {
    let mut out: Vec<(&'static str, Value)> = s
        .harvester_hosts
        .iter()
        .enumerate()
        .map(|(i, h)| {
            (
                "Node",
                host(
                    h,
                    i + 1 == s.harvester_hosts.len() && s.harvester_hosts.len() > 2,
                ),
            )
        })
        .collect();
    if s.harvester_hosts.is_empty() {
        return out;
    }
    out.push(("Namespace", json!({"metadata": {"name": IMAGE_NAMESPACE}})));
    let mut versions: Vec<&str> = s
        .clusters
        .iter()
        .map(|c| c.talos_version.as_str())
        .collect();
    versions.sort();
    versions.dedup();
    out.extend(
        versions
            .into_iter()
            .map(|v| ("VirtualMachineImage", image(v))),
    );
    // Hosts that run VMs: not the one in maintenance.
    let active = &s.harvester_hosts[..s.harvester_hosts.len().saturating_sub(1).max(1)];
    for c in &s.clusters {
        out.push(("Namespace", json!({"metadata": {"name": c.namespace}})));
        for (n, (name, cp, stage_running)) in machines(c).into_iter().enumerate() {
            let args = VmArgs {
                uid: vm_uid(&c.namespace, &name),
                ip: Some(format!(
                    "10.20.{}.{}",
                    cluster_octet(c),
                    if cp {
                        10 + n as u64
                    } else {
                        100 + (fnv(name.as_bytes()) % 100)
                    }
                )),
                host: active[n % active.len()].clone(),
                name,
                namespace: c.namespace.clone(),
                cpu: if cp { 4 } else { 8 },
                memory: if cp { "8Gi" } else { "16Gi" },
                image: image_name(&c.talos_version),
                printable: if stage_running { "Running" } else { "Starting" },
            };
            out.push(("VirtualMachine", vm(&args)));
            out.push(("VirtualMachineInstance", vmi(&args)));
        }
    }
    let spare = VmArgs {
        name: "windows-build-agent".into(),
        namespace: IMAGE_NAMESPACE.into(),
        uid: vm_uid(IMAGE_NAMESPACE, "windows-build-agent"),
        cpu: 8,
        memory: "32Gi",
        image: "image-windows-2022".into(),
        host: active[0].clone(),
        ip: None,
        printable: "Stopped",
    };
    out.push(("VirtualMachine", vm(&spare)));
    out
}

/// (machine name, control plane, running) for a cluster's machines at scenario start.
fn machines(c: &ClusterSpec) -> Vec<(String, bool, bool)> {
    let mut out: Vec<(String, bool, bool)> = (0..c.control_plane_replicas)
        .map(|i| (cp_machine_name(c, i), true, true))
        .collect();
    for pool in &c.workers {
        let ready = pool.replicas - pool.provisioning.min(pool.replicas);
        out.extend((0..pool.replicas).map(|i| (worker_machine_name(c, pool, i), false, i < ready)));
    }
    out
}
