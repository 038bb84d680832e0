//! Plans of several steps: each step one request, then a gate that must hold before the next
//! step is sent. A Kubernetes upgrade patches the control plane, waits for its Machines, then
//! each MachineDeployment; a Talos upgrade does one node at a time and waits for it to come
//! back with the new version (and, for control planes, a whole etcd). Pure: building a plan
//! does no I/O; the app layer evaluates gates against the live rows.

use super::actions::{self, ActionPlan};
use super::argo_rest::ArgoRequest;
use super::capi::{ControlPlaneRow, DeploymentRow};
use super::plugin::PluginRun;
use super::request::ActionKind;
use super::store::ObjRef;
use super::talos::TalosNodeRow;
use super::upgrade::{NodeBefore, TalosUpgrade, UpgradeApi, Version, installer_version};

/// What one step sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Kube(ActionPlan),
    Talos(TalosUpgrade),
    /// One Machine API call to a node (a service restart, etcd maintenance).
    TalosCall(super::talos_calls::TalosCall),
}

/// What must be true before the next step goes out.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// The server accepted the request: go on at once (a drain's cordon and evictions).
    Accepted,
    /// As many control-plane Machines as desired, every one Running at the version.
    ControlPlaneAt {
        control_plane: ObjRef,
        cluster: String,
        version: String,
    },
    /// The same for a MachineDeployment's Machines.
    DeploymentAt {
        deployment: ObjRef,
        cluster: String,
        version: String,
    },
    /// The node rebooted, answers, reports the version, and (control planes) sees every etcd
    /// member it saw before, with no alarms.
    TalosNodeBack {
        node: ObjRef,
        version: String,
        before: NodeBefore,
    },
}

impl Gate {
    pub fn describe(&self) -> String {
        match self {
            Gate::Accepted => "the server's acceptance".into(),
            Gate::ControlPlaneAt {
                cluster, version, ..
            } => format!("every control-plane Machine of {cluster} Running {version}"),
            Gate::DeploymentAt {
                deployment,
                version,
                ..
            } => format!("every Machine of {} Running {version}", deployment.name),
            Gate::TalosNodeBack {
                node,
                version,
                before,
            } => match before.etcd_members {
                Some(n) => format!(
                    "{} rebooted, back at {version}, etcd healthy with {n} members",
                    node.name
                ),
                None => format!("{} rebooted and back at {version}", node.name),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// e.g. `control plane lab-cp`, `node lab-cp-0`.
    pub label: String,
    pub request: Request,
    pub gate: Gate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rollout {
    pub action: ActionKind,
    pub title: String,
    /// What the operations panel names, e.g. `Cluster lab`, `3 nodes of lab`.
    pub target: String,
    /// The context every step targets (kube context or talosconfig context).
    pub context: String,
    pub steps: Vec<Step>,
}

/// Everything a confirm dialog can offer: one request, or a rollout of several.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Request(ActionPlan),
    /// An Argo CD action through argocd-server's REST API.
    Argo(ArgoRequest),
    Rollout(Rollout),
    /// A user's command on this machine (plugins.toml).
    Plugin(PluginRun),
    /// One Machine API call to one node (a service restart, etcd maintenance).
    Talos(super::talos_calls::TalosCall),
}

impl Plan {
    /// The one request of a single-request plan.
    pub fn as_request(&self) -> Option<&ActionPlan> {
        match self {
            Plan::Request(p) => Some(p),
            Plan::Argo(_) | Plan::Rollout(_) | Plan::Plugin(_) | Plan::Talos(_) => None,
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Plan::Request(p) => &p.title,
            Plan::Argo(a) => &a.title,
            Plan::Rollout(r) => &r.title,
            Plan::Plugin(run) => &run.title,
            Plan::Talos(c) => &c.title,
        }
    }

    pub fn action(&self) -> ActionKind {
        match self {
            Plan::Request(p) => p.action,
            Plan::Argo(a) => a.action,
            Plan::Rollout(r) => r.action,
            Plan::Plugin(_) => ActionKind::Plugin,
            Plan::Talos(c) => c.action(),
        }
    }

    pub fn context(&self) -> &str {
        match self {
            Plan::Request(p) => &p.target.cluster,
            Plan::Argo(a) => &a.app.cluster,
            Plan::Rollout(r) => &r.context,
            Plan::Plugin(run) => &run.target.cluster,
            Plan::Talos(c) => &c.context,
        }
    }

    /// What the operations panel names as the target.
    pub fn target(&self) -> String {
        match self {
            Plan::Request(p) => p.object(),
            Plan::Argo(a) => format!("Application {}/{}", a.app.namespace, a.app.name),
            Plan::Rollout(r) => r.target.clone(),
            Plan::Plugin(run) => format!("{} {}", run.kind, run.target.namespaced_name()),
            Plan::Talos(c) => format!("node {}", c.node),
        }
    }

    /// The Talos Machine API methods among the steps (for the certificate's roles).
    pub fn talos_methods(&self) -> Vec<&'static str> {
        let r = match self {
            Plan::Talos(c) => return vec![c.method()],
            Plan::Rollout(r) => r,
            _ => return Vec::new(),
        };
        let mut methods = Vec::new();
        for step in &r.steps {
            match &step.request {
                Request::TalosCall(c) => methods.push(c.method()),
                Request::Talos(u) => methods.extend(match u.api {
                    super::upgrade::UpgradeApi::Lifecycle => [
                        "/machine.ImageService/Pull",
                        "/machine.LifecycleService/Upgrade",
                        "/machine.MachineService/Reboot",
                    ]
                    .as_slice(),
                    super::upgrade::UpgradeApi::Legacy => {
                        ["/machine.MachineService/Upgrade"].as_slice()
                    }
                }),
                Request::Kube(_) => {}
            }
        }
        methods
    }

    /// The Kubernetes requests among the steps, for the permission check.
    pub fn kube_requests(&self) -> Vec<&ActionPlan> {
        match self {
            Plan::Request(p) => vec![p],
            Plan::Argo(_) | Plan::Plugin(_) | Plan::Talos(_) => Vec::new(),
            Plan::Rollout(r) => r
                .steps
                .iter()
                .filter_map(|s| match &s.request {
                    Request::Kube(p) => Some(p),
                    Request::Talos(_) | Request::TalosCall(_) => None,
                })
                .collect(),
        }
    }

    /// Exactly what will be sent, in order.
    pub fn preview(&self) -> Vec<String> {
        match self {
            Plan::Request(p) => p.preview(),
            Plan::Argo(a) => a.preview(),
            Plan::Plugin(run) => run.preview(),
            Plan::Talos(c) => c.preview(),
            Plan::Rollout(r) => {
                let n = r.steps.len();
                let mut lines = Vec::new();
                for (i, step) in r.steps.iter().enumerate() {
                    lines.push(format!("step {}/{n}: {}", i + 1, step.label));
                    let previous = i.checked_sub(1).map(|p| &r.steps[p].request);
                    let request = match (&step.request, previous) {
                        // Node after node, only the `node` metadata changes: say so instead of
                        // repeating the calls, so the whole plan fits on a screen.
                        (Request::Talos(t), Some(Request::Talos(before)))
                            if t.image == before.image && t.api == before.api =>
                        {
                            vec![format!("the same calls with metadata node={}", t.node)]
                        }
                        (Request::Talos(t), _) => t.preview(),
                        (Request::TalosCall(c), _) => c.preview(),
                        (Request::Kube(p), _) => p.preview_compact(),
                    };
                    lines.extend(request.into_iter().map(|l| format!("  {l}")));
                    lines.push(format!("  then wait for {}", step.gate.describe()));
                }
                lines.push(
                    "a failed step or gate stops the rollout; nothing after it is sent".into(),
                );
                lines
            }
        }
    }
}

/// The API versions a cluster serves the kinds of a Kubernetes upgrade at.
#[derive(Debug, Clone, Copy)]
pub struct ServedApis<'a> {
    pub control_plane: &'a str,
    pub deployment: &'a str,
}

/// Kubernetes version upgrade of a CAPI cluster: the control plane first, then each
/// MachineDeployment, each only after the one before has rolled. Parts already at the version
/// are left out, so an interrupted upgrade is finished by asking for the same version again.
/// `apis` are the versions the cluster serves TalosControlPlanes and MachineDeployments at.
pub fn kubernetes_upgrade(
    cp: &ControlPlaneRow,
    deployments: &[&DeploymentRow],
    version: Version,
    apis: ServedApis<'_>,
) -> Result<Rollout, String> {
    let v = version.to_string();
    let behind = |current: &str| Version::parse(current) != Some(version);
    let mut steps = Vec::new();
    if behind(&cp.version) {
        steps.push(Step {
            label: format!("control plane {}", cp.key.name),
            request: Request::Kube(actions::control_plane_version(cp, apis.control_plane, &v)),
            gate: Gate::ControlPlaneAt {
                control_plane: cp.key.clone(),
                cluster: cp.cluster.clone(),
                version: v.clone(),
            },
        });
    }
    steps.extend(
        deployments
            .iter()
            .filter(|md| behind(&md.version))
            .map(|md| Step {
                label: format!("workers {}", md.key.name),
                request: Request::Kube(actions::deployment_version(md, apis.deployment, &v)),
                gate: Gate::DeploymentAt {
                    deployment: md.key.clone(),
                    cluster: md.cluster.clone(),
                    version: v.clone(),
                },
            }),
    );
    if steps.is_empty() {
        return Err(format!(
            "cluster {} already runs {v} everywhere",
            cp.cluster
        ));
    }
    Ok(Rollout {
        action: ActionKind::KubernetesUpgrade,
        title: format!(
            "Upgrade Kubernetes of cluster {} from {} to {v}",
            cp.cluster,
            oldest_version(cp, deployments)
        ),
        target: format!("Cluster {}", cp.cluster),
        context: cp.key.cluster.to_string(),
        steps,
    })
}

/// The oldest version a cluster's control plane or MachineDeployments run (what an upgrade
/// starts from).
pub fn oldest_version(cp: &ControlPlaneRow, deployments: &[&DeploymentRow]) -> String {
    std::iter::once(cp.version.as_str())
        .chain(deployments.iter().map(|d| d.version.as_str()))
        .filter_map(|v| Version::parse(v).map(|p| (p, v)))
        .min()
        .map_or_else(|| cp.version.clone(), |(_, v)| v.to_string())
}

/// Reboot one Talos node: its workload Node's drain first when there is one (cordon, evictions
/// honouring disruption budgets), the reboot, wait until the node is back (same version, a
/// new boot, its etcd members), then uncordon.
pub fn talos_reboot(
    node: &TalosNodeRow,
    drain: Option<(Rollout, ActionPlan)>,
) -> Result<Rollout, String> {
    let version = match (&node.error, &node.talos_version) {
        (None, Some(v)) => v.clone(),
        (Some(e), _) => return Err(format!("{} is not answering ({e})", node.key.name)),
        (None, None) => return Err(format!("{} has not reported its version", node.key.name)),
    };
    let call = super::talos_calls::TalosCall::new(
        node.key.cluster.to_string(),
        node.key.name.to_string(),
        super::talos_calls::TalosCallKind::Reboot,
    );
    let control_plane = node.is_control_plane();
    let reboot = Step {
        label: format!("reboot {}", node.key.name),
        request: Request::TalosCall(call),
        gate: Gate::TalosNodeBack {
            node: node.key.clone(),
            version,
            before: NodeBefore {
                boot_time: node.boot_time,
                etcd_members: control_plane
                    .then(|| node.etcd.as_ref().map(|e| e.members.len()))
                    .flatten(),
            },
        },
    };
    let (steps, title) = match drain {
        Some((drain, uncordon)) => {
            let evictions = drain.steps.len().saturating_sub(1);
            let mut steps = drain.steps;
            steps.push(reboot);
            steps.push(Step {
                label: format!("uncordon {}", node.key.name),
                request: Request::Kube(uncordon),
                gate: Gate::Accepted,
            });
            let title = format!(
                "Reboot {}: drain it (cordon, evict {evictions} pod{}), reboot, wait for it, uncordon",
                node.key.name,
                if evictions == 1 { "" } else { "s" }
            );
            (steps, title)
        }
        None => (
            vec![reboot],
            format!("Reboot {} without draining it", node.key.name),
        ),
    };
    Ok(Rollout {
        action: ActionKind::TalosReboot,
        title,
        target: format!("node {}", node.key.name),
        context: node.key.cluster.to_string(),
        steps,
    })
}

/// Talos OS upgrade of some nodes of one talosconfig context, one at a time: control planes
/// first (etcd keeps quorum with one member away), then workers. Nodes already at the
/// version are left out; an unreachable node refuses the whole plan, since its state is not
/// known.
pub fn talos_upgrade(nodes: &[&TalosNodeRow], image: &str) -> Result<Rollout, String> {
    let target = installer_version(image).ok_or_else(|| {
        format!(
            "{image:?} has no version tag (an installer image like {}:v1.11.2)",
            super::upgrade::DEFAULT_INSTALLER
        )
    })?;
    let mut ordered: Vec<&&TalosNodeRow> = nodes.iter().collect();
    ordered.sort_by_key(|n| (!n.is_control_plane(), n.key.name.clone()));
    let mut steps = Vec::new();
    let mut context = String::new();
    for node in ordered {
        let current = match (&node.error, &node.talos_version) {
            (None, Some(v)) => v.clone(),
            (Some(e), _) => return Err(format!("{} is not answering ({e})", node.key.name)),
            (None, None) => return Err(format!("{} has not reported its version", node.key.name)),
        };
        if Version::parse(&current) == Some(target) {
            continue;
        }
        context = node.key.cluster.to_string();
        let control_plane = node.is_control_plane();
        steps.push(Step {
            label: format!(
                "node {} ({}, {current})",
                node.key.name,
                if control_plane {
                    "control plane"
                } else {
                    "worker"
                }
            ),
            request: Request::Talos(TalosUpgrade {
                context: node.key.cluster.to_string(),
                node: node.key.name.to_string(),
                image: image.trim().to_string(),
                api: UpgradeApi::for_node(&current),
            }),
            gate: Gate::TalosNodeBack {
                node: node.key.clone(),
                version: target.to_string(),
                before: NodeBefore {
                    boot_time: node.boot_time,
                    etcd_members: control_plane
                        .then(|| node.etcd.as_ref().map(|e| e.members.len()))
                        .flatten(),
                },
            },
        });
    }
    if steps.is_empty() {
        return Err(format!("every selected node already runs {target}"));
    }
    let what = match steps.as_slice() {
        [one] => one.label.clone(),
        many => format!("{} nodes of {context}", many.len()),
    };
    Ok(Rollout {
        action: ActionKind::TalosUpgrade,
        title: format!("Upgrade Talos on {what} to {target}"),
        target: match steps.as_slice() {
            [
                Step {
                    request: Request::Talos(t),
                    ..
                },
            ] => format!("node {}", t.node),
            many => format!("{} nodes of {context}", many.len()),
        },
        context,
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::capi::fixtures::{control_plane, deployment};
    use crate::model::store::ObjRef;
    use crate::model::talos::{EtcdView, TalosNodeRow};

    const APIS: ServedApis<'static> = ServedApis {
        control_plane: "v1alpha3",
        deployment: "v1beta1",
    };

    fn v(text: &str) -> Version {
        Version::parse(text).expect("version")
    }

    #[test]
    fn a_kubernetes_upgrade_goes_control_plane_first_at_the_served_versions() {
        let cp = control_plane("lab", "v1.33.2", 1);
        let md = deployment("lab", "v1.33.2", 2);
        let r = kubernetes_upgrade(&cp, &[&md], v("v1.34.0"), APIS).expect("plan");
        assert_eq!(r.action, ActionKind::KubernetesUpgrade);
        let paths: Vec<String> = r
            .steps
            .iter()
            .map(|s| match &s.request {
                Request::Kube(p) => p.path(),
                Request::Talos(_) | Request::TalosCall(_) => String::new(),
            })
            .collect();
        assert_eq!(
            paths,
            vec![
                "/apis/controlplane.cluster.x-k8s.io/v1alpha3/namespaces/lab/taloscontrolplanes/lab-cp",
                "/apis/cluster.x-k8s.io/v1beta1/namespaces/lab/machinedeployments/lab-workers",
            ]
        );
        assert!(matches!(r.steps[0].gate, Gate::ControlPlaneAt { .. }));
        assert!(matches!(r.steps[1].gate, Gate::DeploymentAt { .. }));
    }

    #[test]
    fn parts_already_upgraded_are_left_out_and_nothing_to_do_is_an_error() {
        let cp = control_plane("lab", "v1.34.0", 1);
        let md = deployment("lab", "v1.33.2", 2);
        let r = kubernetes_upgrade(&cp, &[&md], v("v1.34.0"), APIS).expect("plan");
        assert_eq!(r.steps.len(), 1, "only the workers are behind");
        assert!(r.steps[0].label.starts_with("workers"));
        let done = deployment("lab", "v1.34.0", 2);
        let err = kubernetes_upgrade(&cp, &[&done], v("v1.34.0"), APIS).expect_err("nothing");
        assert!(err.contains("already runs v1.34.0"), "{err}");
    }

    fn node(name: &str, version: &str, control_plane: bool) -> TalosNodeRow {
        TalosNodeRow {
            key: ObjRef::in_cluster("lab", "", name),
            hostname: Some(name.into()),
            talos_version: Some(version.into()),
            services: None,
            memory_used_pct: None,
            load1: None,
            boot_time: None,
            etcd: control_plane.then(|| EtcdView {
                members: Vec::new(),
                member_id: 1,
                leader: 1,
                db_size: 0,
                errors: Vec::new(),
                raft_index: 0,
            }),
            error: None,
            polled_at: jiff::Timestamp::UNIX_EPOCH,
            sample: None,
        }
    }

    #[test]
    fn a_talos_upgrade_takes_control_planes_first_and_skips_nodes_at_the_version() {
        let w = node("lab-w-a", "v1.10.5", false);
        let cp = node("lab-cp-a", "v1.10.5", true);
        let done = node("lab-w-b", "v1.11.2", false);
        let r =
            talos_upgrade(&[&w, &done, &cp], "ghcr.io/siderolabs/installer:v1.11.2").expect("plan");
        let order: Vec<&str> = r
            .steps
            .iter()
            .map(|s| match &s.request {
                Request::Talos(t) => t.node.as_str(),
                Request::Kube(_) | Request::TalosCall(_) => "",
            })
            .collect();
        assert_eq!(order, vec!["lab-cp-a", "lab-w-a"]);
        assert!(talos_upgrade(&[&w], "ghcr.io/siderolabs/installer").is_err());
        let mut down = node("lab-w-c", "v1.10.5", false);
        down.error = Some("unreachable".into());
        assert!(talos_upgrade(&[&down], "installer:v1.11.2").is_err());
    }
}
