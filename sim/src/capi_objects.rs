//! Cluster API objects of a scenario, shaped like CAPI v1.11+ writes them (v1beta2 storage),
//! with Talos control planes (TalosControlPlane v1alpha3) on Harvester machines.

use serde_json::{Value, json};

use super::db::{fnv, now_rfc3339, synthetic_uid};
use super::scenario::{ClusterSpec, WorkerPool};

pub const CLUSTER_NAME_LABEL: &str = "cluster.x-k8s.io/cluster-name";
pub const CONTROL_PLANE_LABEL: &str = "cluster.x-k8s.io/control-plane";
pub const DEPLOYMENT_NAME_LABEL: &str = "cluster.x-k8s.io/deployment-name";
pub const SET_NAME_LABEL: &str = "cluster.x-k8s.io/set-name";

/// Five lowercase alphanumerics derived from a seed, like a generated name suffix.
pub fn suffix(seed: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = fnv(seed.as_bytes());
    (0..5)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// A metav1.Condition as CAPI v1beta2 writes it.
pub fn condition(kind: &str, ok: bool, reason: &str, message: &str) -> Value {
    json!({
        "type": kind,
        "status": if ok { "True" } else { "False" },
        "reason": reason,
        "message": message,
        "lastTransitionTime": now_rfc3339(),
        "observedGeneration": 1,
    })
}

/// A CAPI v1beta1 condition (TalosControlPlane still uses the v1beta1 contract).
pub fn v1beta1_condition(kind: &str, ok: bool, reason: &str, message: &str) -> Value {
    let mut c = json!({
        "type": kind,
        "status": if ok { "True" } else { "False" },
        "lastTransitionTime": now_rfc3339(),
    });
    if !ok {
        c["severity"] = json!("Warning");
        c["reason"] = json!(reason);
        c["message"] = json!(message);
    }
    c
}

fn owner(api_version: &str, kind: &str, name: &str, uid: &str) -> Value {
    json!({
        "apiVersion": api_version, "kind": kind, "name": name, "uid": uid,
        "controller": true, "blockOwnerDeletion": true,
    })
}

pub fn cluster_uid(c: &ClusterSpec) -> String {
    synthetic_uid(fnv(format!("cluster/{}", c.name).as_bytes()))
}

fn tcp_name(c: &ClusterSpec) -> String {
    format!("{}-cp", c.name)
}

fn tcp_uid(c: &ClusterSpec) -> String {
    synthetic_uid(fnv(format!("tcp/{}", c.name).as_bytes()))
}

pub fn md_name(c: &ClusterSpec, pool: &WorkerPool) -> String {
    format!("{}-{}", c.name, pool.name)
}

pub fn ms_name(c: &ClusterSpec, pool: &WorkerPool) -> String {
    let md = md_name(c, pool);
    format!("{md}-{}", suffix(&md))
}

/// Counters a control plane or MachineDeployment reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub desired: u32,
    pub ready: u32,
}

fn counters(n: Counts) -> Value {
    json!({
        "desiredReplicas": n.desired, "replicas": n.desired, "upToDateReplicas": n.desired,
        "readyReplicas": n.ready, "availableReplicas": n.ready,
    })
}

pub fn cluster(c: &ClusterSpec, cp: Counts, workers: Counts) -> Value {
    let available = cp.ready == cp.desired && workers.ready == workers.desired;
    let message = if available {
        String::new()
    } else {
        format!(
            "* WorkersAvailable: {} of {} workers ready",
            workers.ready, workers.desired
        )
    };
    json!({
        "metadata": {
            "name": c.name, "namespace": c.namespace, "uid": cluster_uid(c),
            "labels": {CLUSTER_NAME_LABEL: c.name},
            "finalizers": ["cluster.cluster.x-k8s.io"],
        },
        "spec": {
            "clusterNetwork": {"pods": {"cidrBlocks": ["10.244.0.0/16"]}, "services": {"cidrBlocks": ["10.96.0.0/12"]}},
            "controlPlaneEndpoint": {"host": format!("{}.k8s.home.arpa", c.name), "port": 6443},
            "controlPlaneRef": {"apiGroup": "controlplane.cluster.x-k8s.io", "kind": "TalosControlPlane", "name": tcp_name(c)},
            "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "HarvesterCluster", "name": c.name},
        },
        "status": {
            "phase": "Provisioned",
            "initialization": {"infrastructureProvisioned": true, "controlPlaneInitialized": true},
            "controlPlane": counters(cp),
            "workers": counters(workers),
            "conditions": [
                condition("Available", available, if available { "Available" } else { "NotAvailable" }, &message),
                condition("InfrastructureReady", true, "Ready", ""),
                condition("ControlPlaneInitialized", true, "Initialized", ""),
                condition("ControlPlaneAvailable", cp.ready == cp.desired, "Available", ""),
                condition("WorkersAvailable", workers.ready == workers.desired,
                    if workers.ready == workers.desired { "Available" } else { "NotAvailable" }, ""),
                condition("RemoteConnectionProbe", true, "ProbeSucceeded", ""),
            ],
        }
    })
}

pub fn talos_control_plane(c: &ClusterSpec, n: Counts) -> Value {
    let ready = n.ready == n.desired;
    json!({
        "metadata": {
            "name": tcp_name(c), "namespace": c.namespace, "uid": tcp_uid(c),
            "labels": {CLUSTER_NAME_LABEL: c.name},
            "ownerReferences": [owner("cluster.x-k8s.io/v1beta2", "Cluster", &c.name, &cluster_uid(c))],
        },
        "spec": {
            "replicas": n.desired,
            "version": c.version,
            "infrastructureTemplate": {
                "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
                "kind": "HarvesterMachineTemplate",
                "name": format!("{}-cp", c.name),
                "namespace": c.namespace,
            },
            "controlPlaneConfig": {
                "controlplane": {"generateType": "controlplane", "talosVersion": c.talos_version},
            },
            "rolloutStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
        },
        "status": {
            "replicas": n.desired, "readyReplicas": n.ready,
            "unavailableReplicas": n.desired.saturating_sub(n.ready),
            "initialized": true, "ready": ready, "bootstrapped": true,
            "version": c.version,
            "selector": format!("{CLUSTER_NAME_LABEL}={},{CONTROL_PLANE_LABEL}", c.name),
            "conditions": [
                v1beta1_condition("Ready", ready, "MachinesNotReady", "control plane machines are not ready"),
                v1beta1_condition("Available", true, "", ""),
                v1beta1_condition("EtcdClusterHealthyCondition", true, "", ""),
                v1beta1_condition("MachinesReady", ready, "NodeNotReady", "node is not ready"),
            ],
        }
    })
}

fn bootstrap_ref(name: &str) -> Value {
    json!({"apiGroup": "bootstrap.cluster.x-k8s.io", "kind": "TalosConfigTemplate", "name": name})
}

fn infra_template_ref(name: &str) -> Value {
    json!({"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "HarvesterMachineTemplate", "name": name})
}

/// The spec a MachineDeployment and its MachineSet share: replicas, selector, template.
fn worker_spec(c: &ClusterSpec, md: &str, n: Counts) -> Value {
    let labels = json!({CLUSTER_NAME_LABEL: c.name, DEPLOYMENT_NAME_LABEL: md});
    json!({
        "clusterName": c.name,
        "replicas": n.desired,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "clusterName": c.name,
                "version": c.version,
                "bootstrap": {"configRef": bootstrap_ref(md)},
                "infrastructureRef": infra_template_ref(md),
            },
        },
    })
}

fn with_worker_spec(mut obj: Value, c: &ClusterSpec, md: &str, n: Counts) -> Value {
    if let (Some(spec), Value::Object(shared)) =
        (obj["spec"].as_object_mut(), worker_spec(c, md, n))
    {
        spec.extend(shared);
    }
    obj
}

pub fn machine_deployment(c: &ClusterSpec, pool: &WorkerPool, n: Counts) -> Value {
    let md = md_name(c, pool);
    let phase = if n.ready < n.desired {
        "ScalingUp"
    } else {
        "Running"
    };
    let obj = json!({
        "metadata": {
            "name": md, "namespace": c.namespace,
            "uid": synthetic_uid(fnv(format!("md/{}/{md}", c.namespace).as_bytes())),
            "labels": {CLUSTER_NAME_LABEL: c.name},
            "ownerReferences": [owner("cluster.x-k8s.io/v1beta2", "Cluster", &c.name, &cluster_uid(c))],
        },
        "spec": {
            "rollout": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}},
        },
        "status": machine_set_status(c, &md, n, phase),
    });
    with_worker_spec(obj, c, &md, n)
}

fn machine_set_status(c: &ClusterSpec, md: &str, n: Counts, phase: &str) -> Value {
    let available = n.ready == n.desired;
    json!({
        "replicas": n.desired, "readyReplicas": n.ready, "availableReplicas": n.ready,
        "upToDateReplicas": n.desired,
        "phase": phase,
        "selector": format!("{CLUSTER_NAME_LABEL}={},{DEPLOYMENT_NAME_LABEL}={md}", c.name),
        "conditions": [
            condition("Available", available, if available { "Available" } else { "NotAvailable" },
                &if available { String::new() } else { format!("{} available replicas, at least {} required", n.ready, n.desired) }),
            condition("MachinesReady", available, if available { "Ready" } else { "NotReady" }, ""),
            condition("MachinesUpToDate", true, "UpToDate", ""),
        ],
    })
}

pub fn machine_set(c: &ClusterSpec, pool: &WorkerPool, n: Counts) -> Value {
    let md = md_name(c, pool);
    let ms = ms_name(c, pool);
    let mut status = machine_set_status(c, &md, n, "");
    if let Some(s) = status.as_object_mut() {
        s.remove("phase");
    }
    let obj = json!({
        "metadata": {
            "name": ms, "namespace": c.namespace,
            "uid": synthetic_uid(fnv(format!("ms/{}/{ms}", c.namespace).as_bytes())),
            "labels": {CLUSTER_NAME_LABEL: c.name, DEPLOYMENT_NAME_LABEL: md},
            "ownerReferences": [owner("cluster.x-k8s.io/v1beta2", "MachineDeployment", &md,
                &synthetic_uid(fnv(format!("md/{}/{md}", c.namespace).as_bytes())))],
        },
        "spec": {},
        "status": status,
    });
    with_worker_spec(obj, c, &md, n)
}

/// Where a Machine is in its life, as the simulator moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineStage {
    Provisioning,
    Provisioned,
    Running,
}

/// Who owns a Machine: the control plane, or a MachineSet of a pool.
pub enum MachineOwner<'a> {
    ControlPlane,
    Workers(&'a WorkerPool),
}

pub struct MachineArgs<'a> {
    pub cluster: &'a ClusterSpec,
    pub owner: MachineOwner<'a>,
    pub name: String,
    /// Last octet of the node address.
    pub host: u32,
    pub stage: MachineStage,
}

pub fn machine(a: &MachineArgs) -> Value {
    let c = a.cluster;
    let (labels, owner_ref) = match a.owner {
        MachineOwner::ControlPlane => (
            json!({CLUSTER_NAME_LABEL: c.name, CONTROL_PLANE_LABEL: ""}),
            owner(
                "controlplane.cluster.x-k8s.io/v1alpha3",
                "TalosControlPlane",
                &tcp_name(c),
                &tcp_uid(c),
            ),
        ),
        MachineOwner::Workers(pool) => {
            let ms = ms_name(c, pool);
            (
                json!({CLUSTER_NAME_LABEL: c.name, DEPLOYMENT_NAME_LABEL: md_name(c, pool), SET_NAME_LABEL: ms}),
                owner(
                    "cluster.x-k8s.io/v1beta2",
                    "MachineSet",
                    &ms,
                    &synthetic_uid(fnv(format!("ms/{}/{ms}", c.namespace).as_bytes())),
                ),
            )
        }
    };
    let spec = json!({
        "clusterName": c.name,
        "version": c.version,
        "bootstrap": {
            "configRef": {"apiGroup": "bootstrap.cluster.x-k8s.io", "kind": "TalosConfig", "name": a.name},
            "dataSecretName": a.name,
        },
        "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "HarvesterMachine", "name": a.name},
    });
    let mut obj = json!({
        "metadata": {
            "name": a.name, "namespace": c.namespace,
            "labels": labels,
            "ownerReferences": [owner_ref],
            "finalizers": ["machine.cluster.x-k8s.io"],
        },
        "spec": spec,
        "status": {
            "phase": "Provisioning",
            "initialization": {"bootstrapDataSecretCreated": true, "infrastructureProvisioned": false},
            "conditions": machine_conditions(MachineStage::Provisioning),
        },
    });
    if a.stage != MachineStage::Provisioning {
        mark_provisioned(&mut obj, c, a.host);
    }
    if a.stage == MachineStage::Running {
        mark_running(&mut obj, c);
    }
    obj
}

pub fn vm_uid(namespace: &str, machine: &str) -> String {
    synthetic_uid(fnv(format!("vm/{namespace}/{machine}").as_bytes()))
}

/// The Harvester VM is up: the Machine gets its providerID and addresses.
pub fn mark_provisioned(obj: &mut Value, c: &ClusterSpec, host: u32) {
    let name = obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    obj["spec"]["providerID"] = json!(format!("harvester://{}", vm_uid(&c.namespace, &name)));
    let status = &mut obj["status"];
    status["phase"] = json!("Provisioned");
    status["initialization"]["infrastructureProvisioned"] = json!(true);
    status["conditions"] = machine_conditions(MachineStage::Provisioned);
    status["addresses"] = json!([
        {"type": "InternalIP", "address": format!("10.20.{}.{}", cluster_octet(c), host)},
        {"type": "Hostname", "address": name},
    ]);
}

/// The Node joined: the Machine gets its nodeRef and node info.
pub fn mark_running(obj: &mut Value, c: &ClusterSpec) {
    let name = obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let uid = vm_uid(&c.namespace, &name);
    // A Machine made during a version rollout runs its own version, not the scenario's.
    let kubelet = obj["spec"]["version"]
        .as_str()
        .unwrap_or(&c.version)
        .to_string();
    let status = &mut obj["status"];
    status["phase"] = json!("Running");
    status["conditions"] = machine_conditions(MachineStage::Running);
    status["nodeRef"] = json!({"name": name});
    status["nodeInfo"] = json!({
        "architecture": "amd64", "bootID": uid, "containerRuntimeVersion": "containerd://2.0.6",
        "kernelVersion": "6.12.40-talos", "kubeProxyVersion": "", "kubeletVersion": kubelet,
        "machineID": uid.replace('-', ""), "operatingSystem": "linux",
        "osImage": format!("Talos ({})", c.talos_version), "systemUUID": uid,
    });
}

pub fn machine_conditions(stage: MachineStage) -> Value {
    let running = stage == MachineStage::Running;
    let provisioned = stage != MachineStage::Provisioning;
    let waiting = if provisioned {
        "Waiting for a Node with spec.providerID to exist"
    } else {
        "HarvesterMachine is waiting for the VM to boot"
    };
    json!([
        condition(
            "Available",
            running,
            if running { "Available" } else { "NotAvailable" },
            if running {
                ""
            } else {
                "* NodeHealthy: Node does not exist"
            }
        ),
        condition(
            "Ready",
            running,
            if running { "Ready" } else { "NotReady" },
            if running { "" } else { waiting }
        ),
        condition("UpToDate", true, "UpToDate", ""),
        condition("BootstrapConfigReady", true, "Ready", ""),
        condition(
            "InfrastructureReady",
            provisioned,
            if provisioned { "Ready" } else { "NotReady" },
            if provisioned { "" } else { waiting }
        ),
        condition(
            "NodeHealthy",
            running,
            if running {
                "NodeHealthy"
            } else {
                "NodeDoesNotExist"
            },
            ""
        ),
    ])
}

pub fn cluster_octet(c: &ClusterSpec) -> u64 {
    fnv(c.name.as_bytes()) % 200 + 20
}

pub fn worker_machine_name(c: &ClusterSpec, pool: &WorkerPool, index: u32) -> String {
    format!(
        "{}-{}",
        ms_name(c, pool),
        suffix(&format!("{}/{}/{index}", c.name, pool.name))
    )
}

pub fn cp_machine_name(c: &ClusterSpec, index: u32) -> String {
    format!(
        "{}-cp-{}",
        c.name,
        suffix(&format!("{}/cp/{index}", c.name))
    )
}

/// The Harvester infrastructure of a Machine (same name): the VM's size, image and network.
pub fn harvester_machine(
    c: &ClusterSpec,
    name: &str,
    control_plane: bool,
    provisioned: bool,
) -> Value {
    let mut hm = json!({
        "metadata": {
            "name": name, "namespace": c.namespace,
            "labels": {CLUSTER_NAME_LABEL: c.name},
        },
        "spec": {
            "cpu": if control_plane { 4 } else { 8 },
            "memory": if control_plane { "8Gi" } else { "16Gi" },
            "sshUser": "talos",
            "sshKeyPair": "default/opsdeck",
            "networks": ["default/vlan20"],
            "volumes": [{
                "volumeType": "image",
                "imageName": format!("default/image-talos-{}", c.talos_version.trim_start_matches('v').replace('.', "-")),
                "volumeSize": "40Gi",
                "bootOrder": 0,
            }],
        },
        "status": {"ready": provisioned},
    });
    if provisioned {
        mark_harvester_machine_ready(&mut hm, c);
    }
    hm
}

/// The VM is up: the HarvesterMachine reports its providerID and is ready.
pub fn mark_harvester_machine_ready(hm: &mut Value, c: &ClusterSpec) {
    let name = hm["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    hm["spec"]["providerID"] = json!(format!("harvester://{}", vm_uid(&c.namespace, &name)));
    hm["status"]["ready"] = json!(true);
}

/// Every CAPI object of one cluster, plus its namespace.
pub fn cluster_objects(c: &ClusterSpec) -> Vec<(&'static str, Value)> {
    let cp = Counts {
        desired: c.control_plane_replicas,
        ready: c.control_plane_replicas,
    };
    let workers = Counts {
        desired: c.workers.iter().map(|p| p.replicas).sum(),
        ready: c
            .workers
            .iter()
            .map(|p| p.replicas - p.provisioning.min(p.replicas))
            .sum(),
    };
    let mut out = vec![
        ("Namespace", json!({"metadata": {"name": c.namespace}})),
        ("Cluster", cluster(c, cp, workers)),
        ("TalosControlPlane", talos_control_plane(c, cp)),
    ];
    for i in 0..c.control_plane_replicas {
        out.push((
            "Machine",
            machine(&MachineArgs {
                cluster: c,
                owner: MachineOwner::ControlPlane,
                name: cp_machine_name(c, i),
                host: 10 + i,
                stage: MachineStage::Running,
            }),
        ));
        out.push((
            "HarvesterMachine",
            harvester_machine(c, &cp_machine_name(c, i), true, true),
        ));
    }
    for (p, pool) in c.workers.iter().enumerate() {
        let n = Counts {
            desired: pool.replicas,
            ready: pool.replicas - pool.provisioning.min(pool.replicas),
        };
        out.push(("MachineDeployment", machine_deployment(c, pool, n)));
        out.push(("MachineSet", machine_set(c, pool, n)));
        for i in 0..pool.replicas {
            let stage = if i >= n.ready {
                MachineStage::Provisioning
            } else {
                MachineStage::Running
            };
            out.push((
                "Machine",
                machine(&MachineArgs {
                    cluster: c,
                    owner: MachineOwner::Workers(pool),
                    name: worker_machine_name(c, pool, i),
                    host: 100 + (p as u32) * 50 + i,
                    stage,
                }),
            ));
            let name = worker_machine_name(c, pool, i);
            let running = stage == MachineStage::Running;
            out.push((
                "HarvesterMachine",
                harvester_machine(c, &name, false, running),
            ));
        }
    }
    out
}
