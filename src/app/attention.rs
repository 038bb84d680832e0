//! The attention feed: everything not well, across every layer and cluster, grouped under the
//! problem that explains it — a host down explains the VMs on it, their Machines, Nodes and
//! Talos nodes, and the apps degraded on their cluster — the root first. Worked out at most
//! once a second, and only when a store it reads has changed: a scan, never per frame.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

pub use crate::model::attention::{Area, Attention, Group, Problem, Severity};

use super::chain::{Layer, LayerKind, Verdict, Wording, lower_chain};
use super::ids::PaneId;
use super::msg::{Command, Msg};
use super::state::{Screen, State, bmc_of};
use super::tables;
use crate::model::health::Level;
use crate::model::store::ObjRef;

/// A Machine in Provisioning or Provisioned (or Deleting) longer than this is stuck.
const STUCK_AFTER: SignedDuration = SignedDuration::from_mins(15);

fn problem(layer: &Layer, area: Area, kind: &'static str) -> Option<Problem> {
    let severity = match layer.verdict {
        Verdict::Bad => Severity::Critical,
        Verdict::Warn => Severity::Warning,
        _ => return None,
    };
    Some(Problem {
        layer: layer.kind,
        area,
        key: layer.key.clone()?,
        kind,
        what: layer.detail.to_string(),
        severity,
        since: layer.since,
    })
}

/// Every problem of the machines' chains (BMC up to Talos), each with the root its chain
/// says (the lowest failing layer under it); and per cluster, the first root below its Nodes
/// (a host, a VM) — that explains its apps' trouble too.
fn machine_problems(
    state: &State,
    out: &mut Vec<(Problem, Option<ObjRef>)>,
) -> BTreeMap<String, (ObjRef, Option<Timestamp>)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut cluster_roots = BTreeMap::new();
    for m in state.capi.machines.iter() {
        let layers = lower_chain(state, m, Wording::VerdictsOnly);
        let lowest = layers.iter().find(|l| l.verdict == Verdict::Bad);
        let root = lowest.and_then(|l| l.key.clone());
        if let Some(l) = lowest.filter(|l| {
            matches!(
                l.kind,
                LayerKind::Bmc | LayerKind::Hardware | LayerKind::Host | LayerKind::Vm
            )
        }) && let Some(key) = &l.key
        {
            // When the failure began: the lowest failing layer's transition (a BMC has none:
            // then the first failing layer above it that says).
            let began = layers
                .iter()
                .filter(|l| l.verdict == Verdict::Bad)
                .find_map(|l| l.since);
            cluster_roots
                .entry(m.cluster.to_string())
                .or_insert_with(|| (key.clone(), began));
        }
        for l in &layers {
            let Some(key) = &l.key else { continue };
            let (area, kind) = match l.kind {
                LayerKind::Bmc => (Area::Metal, "BMC"),
                LayerKind::Hardware => (Area::Metal, "Hardware"),
                LayerKind::Host => (Area::Metal, "Harvester host"),
                LayerKind::Vm => (Area::Vms, "VM"),
                LayerKind::Machine => (Area::Machines, "Machine"),
                LayerKind::Node => (Area::Nodes, "Node"),
                LayerKind::Talos => (Area::Talos, "Talos node"),
                _ => continue,
            };
            let Some(mut p) = problem(l, area, kind) else {
                continue;
            };
            // Only problems are remembered: most layers are well, and a set of every
            // layer's key was most of the feed's work on a large fleet.
            if !seen.insert((l.kind, key.clone())) {
                continue; // a host under several Machines is one problem
            }
            if l.kind == LayerKind::Machine && p.severity == Severity::Warning {
                // Provisioning is normal for a while; past that it is stuck.
                let since = m.ready.since.or(m.created);
                let stuck = since.is_some_and(|t| state.now.duration_since(t) > STUCK_AFTER);
                if !stuck {
                    continue;
                }
                p.what = format!("stuck in {} for over 15 min: {}", m.phase, p.what);
            }
            out.push((p, root.clone().filter(|r| r != key)));
        }
    }
    cluster_roots
}

/// Apps, ExternalSecrets, Workflows, and BMCs and hosts no Machine's chain passes through.
fn other_problems(state: &State, out: &mut Vec<(Problem, Option<ObjRef>)>) {
    for b in state.metal.bmcs.iter() {
        let what = match (b.contactable, b.power.as_str()) {
            (Some(false), _) => format!("unreachable {}", b.message),
            (_, "off") => "powered off".to_string(),
            _ => continue,
        };
        out.push((
            Problem {
                layer: LayerKind::Bmc,
                area: Area::Metal,
                key: b.key.clone(),
                kind: "BMC",
                what,
                severity: Severity::Critical,
                since: None,
            },
            None,
        ));
    }
    for h in state.harvester.hosts.iter() {
        let what = match (h.ready.ok, &h.maintenance) {
            (Some(true), None) => continue,
            (Some(true), Some(m)) => format!("maintenance {m}"),
            _ => format!("NotReady {}", h.ready.message),
        };
        let severity = match h.ready.ok {
            Some(true) => Severity::Warning,
            _ => Severity::Critical,
        };
        // A host whose BMC says it is off is down because of that.
        let bmc_root = state
            .links
            .hardware_by_host
            .only(&h.key.name)
            .and_then(|k| state.metal.hardware.get(k))
            .and_then(|hw| bmc_of(state, hw))
            .filter(|b| b.power == "off" || b.contactable == Some(false))
            .filter(|_| h.ready.ok != Some(true))
            .map(|b| b.key.clone());
        out.push((
            Problem {
                layer: LayerKind::Host,
                area: Area::Metal,
                key: h.key.clone(),
                kind: "Harvester host",
                what,
                severity,
                since: h.ready.since,
            },
            bmc_root,
        ));
    }
    for vm in state.harvester.vms.iter() {
        let unwell = match vm.status.as_str() {
            "Unknown" | "CrashLoopBackOff" | "ErrorUnschedulable" | "ErrorPvcNotFound"
            | "DataVolumeError" => true,
            // Stopped on purpose is fine; stopped while it should run is not.
            "Stopped" => !matches!(vm.run_strategy.as_str(), "Halted" | "Manual"),
            _ => false,
        };
        if !unwell {
            continue;
        }
        let host = state
            .harvester
            .vmis
            .get(&vm.key)
            .map(|vmi| vmi.node.clone())
            .filter(|n| !n.is_empty());
        let host_root = host.and_then(|name| {
            state
                .harvester
                .hosts
                .get(&ObjRef::in_cluster(vm.key.cluster.clone(), "", name))
                .filter(|h| h.ready.ok != Some(true))
                .map(|h| h.key.clone())
        });
        out.push((
            Problem {
                layer: LayerKind::Vm,
                area: Area::Vms,
                key: vm.key.clone(),
                kind: "VM",
                what: vm.status.clone(),
                severity: Severity::Critical,
                since: vm.ready.since,
            },
            host_root,
        ));
    }
    for a in state.argo.apps.iter() {
        // Since when: the health's own transition where Argo CD says, else the last sync (a
        // bound only).
        let health_since = a.health_since.or(a.last_sync);
        let (severity, what, since) =
            match (a.health.as_str(), a.sync.as_str(), a.operation.as_deref()) {
                ("Degraded", _, _) => (
                    Severity::Critical,
                    format!("Degraded, {}", a.sync),
                    health_since,
                ),
                (_, _, Some("Failed" | "Error")) => {
                    (Severity::Critical, "last sync failed".into(), a.last_sync)
                }
                ("Missing", _, _) => (Severity::Critical, "Missing".into(), health_since),
                // Progressing while no sync runs: replicas gone unavailable. `compute` keeps it
                // when something below explains it or it has lasted.
                ("Progressing", _, None) => (
                    Severity::Warning,
                    format!("Progressing, {}", a.sync),
                    health_since,
                ),
                (_, "OutOfSync", _) => (
                    Severity::Warning,
                    match a.out_of_sync {
                        0 => format!("OutOfSync, {}", a.health),
                        1 => format!("OutOfSync (1 resource), {}", a.health),
                        n => format!("OutOfSync ({n} resources), {}", a.health),
                    },
                    a.last_sync,
                ),
                _ => continue,
            };
        out.push((
            Problem {
                layer: LayerKind::Apps,
                area: Area::Apps,
                key: a.key.clone(),
                kind: "Application",
                what,
                severity,
                since,
            },
            None,
        ));
    }
    for e in state.eso.external_secrets.iter() {
        if e.ready.ok == Some(true) {
            continue;
        }
        let why = [e.ready.reason.as_str(), e.ready.message.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        out.push((
            Problem {
                layer: LayerKind::Secrets,
                area: Area::Secrets,
                key: e.key.clone(),
                kind: "ExternalSecret",
                what: format!("not Ready {why}"),
                severity: Severity::Critical,
                since: e.ready.since,
            },
            None,
        ));
    }
    // Pods stuck on a node that is down are that node's trouble.
    for pod in state.harvester.workload_pods.iter() {
        let Some(why) = &pod.unwell else { continue };
        let node = ObjRef::in_cluster(pod.key.cluster.clone(), "", pod.node.clone());
        let node_down = state
            .harvester
            .workload_nodes
            .get(&node)
            .is_some_and(|n| n.ready.ok != Some(true));
        out.push((
            Problem {
                layer: LayerKind::Node,
                area: Area::Pods,
                key: pod.key.clone(),
                kind: "Pod",
                what: why.clone(),
                severity: Severity::Critical,
                since: pod.created,
            },
            node_down.then_some(node),
        ));
    }
    // etcd's own word on a control-plane node (alarms, a member that lost the others).
    for t in state.talos.nodes.iter() {
        let Some(etcd) = t.etcd.as_ref().filter(|e| !e.errors.is_empty()) else {
            continue;
        };
        out.push((
            Problem {
                layer: LayerKind::Talos,
                area: Area::Talos,
                key: t.key.clone(),
                kind: "etcd member",
                what: format!("etcd: {}", etcd.errors.join("; ")),
                severity: Severity::Critical,
                since: None,
            },
            None,
        ));
    }
    // The other systems, by their kinds' health rules.
    for row in state.platform_health.rows() {
        let health = row.health_at(state.now);
        let severity = match health.level {
            Level::Degraded => Severity::Critical,
            Level::Warning => Severity::Warning,
            _ => continue,
        };
        out.push((
            Problem {
                layer: LayerKind::Cluster,
                area: Area::Platform,
                key: row.key.clone(),
                kind: row.kind.kind,
                what: health.reason,
                severity,
                since: row.since,
            },
            None,
        ));
    }
    for w in state.metal.workflows.iter() {
        if !matches!(w.state.as_str(), "FAILED" | "TIMEOUT") {
            continue;
        }
        out.push((
            Problem {
                layer: LayerKind::Hardware,
                area: Area::Metal,
                key: w.key.clone(),
                kind: "Workflow",
                what: format!("{} at {} on {}", w.state, w.action, w.hardware),
                severity: Severity::Critical,
                since: w.created,
            },
            None,
        ));
    }
}

/// Work the feed out from the stores.
pub fn compute(state: &State) -> Vec<Group> {
    let mut chained = Vec::new();
    let cluster_roots = machine_problems(state, &mut chained);
    let mut others = Vec::new();
    other_problems(state, &mut others);
    // A BMC or host a chain already found is that problem, not a second one.
    others.retain(|(p, _)| {
        !chained
            .iter()
            .any(|(c, _)| c.key == p.key && c.layer == p.layer && c.kind == p.kind)
    });
    let mut groups: Vec<Group> = Vec::new();
    let mut explained: Vec<(Problem, ObjRef)> = Vec::new();
    for (p, root) in chained {
        match root {
            Some(root) => explained.push((p, root)),
            None => groups.push(Group {
                root: p,
                explained: Vec::new(),
            }),
        }
    }
    for (p, below) in others {
        if let Some(root) = below {
            explained.push((p, root));
            continue;
        }
        let app = (p.area == Area::Apps)
            .then(|| state.argo.apps.get(&p.key))
            .flatten();
        let cluster = match p.area {
            Area::Apps => {
                app.and_then(|a| a.destination.split_once('/').map(|(c, _)| c.to_string()))
            }
            Area::Secrets => Some(state.cluster_of_context(&p.key.cluster).to_string()),
            _ => None,
        };
        // Trouble from before the failure below cannot be its consequence. A time that is
        // only a bound (an app's last sync) must be after it; a health transition Argo CD
        // stamped may fall in the same second (a cascade is that fast in the simulator).
        let transition = app.is_some_and(|a| a.health_since.is_some() && a.health != "Healthy");
        let root =
            cluster
                .and_then(|c| cluster_roots.get(&c).cloned())
                .filter(|(_, began)| match (began, p.since) {
                    (Some(began), Some(since)) => since > *began || (transition && since == *began),
                    _ => true,
                });
        // Progressing with nothing below to explain it is a rollout; past a while, stuck.
        let progressing = app.is_some_and(|a| a.health == "Progressing" && a.operation.is_none());
        if progressing && root.is_none() {
            let lasted = p
                .since
                .is_some_and(|t| state.now.duration_since(t) > STUCK_AFTER);
            if !lasted {
                continue;
            }
        }
        match root {
            Some((root, _)) => explained.push((p, root)),
            None => groups.push(Group {
                root: p,
                explained: Vec::new(),
            }),
        }
    }
    // A root that is itself explained (a host by its BMC) hands its problems down to its own.
    let root_of: BTreeMap<ObjRef, ObjRef> = explained
        .iter()
        .map(|(p, r)| (p.key.clone(), r.clone()))
        .collect();
    for (p, mut root) in explained {
        for _ in 0..8 {
            match root_of.get(&root) {
                Some(next) if *next != p.key => root = next.clone(),
                _ => break,
            }
        }
        match groups.iter_mut().find(|g| g.root.key == root) {
            Some(g) => g.explained.push(p),
            // The root is failing but not a problem of its own kind here: the problem stands.
            None => groups.push(Group {
                root: p,
                explained: Vec::new(),
            }),
        }
    }
    // Worst first; among equals, the most recent first (what just broke is on top).
    groups.sort_by(|a, b| {
        let weight = |g: &Group| (g.root.severity, g.explained.len());
        weight(b)
            .cmp(&weight(a))
            .then_with(|| b.root.since.cmp(&a.root.since))
            .then_with(|| a.root.key.cmp(&b.root.key))
    });
    for g in &mut groups {
        g.explained
            .sort_by(|a, b| a.area.cmp(&b.area).then_with(|| a.key.cmp(&b.key)));
    }
    groups
}

/// Work the feed out again; says whether it changed.
pub fn refresh(state: &mut State) -> bool {
    let groups = compute(state);
    let mut counts = BTreeMap::new();
    for p in groups
        .iter()
        .flat_map(|g| std::iter::once(&g.root).chain(&g.explained))
    {
        *counts.entry(p.area).or_insert(0) += 1;
    }
    let changed = groups != state.attention.groups;
    state.attention = Attention {
        groups,
        stale: false,
        counts,
    };
    changed
}

/// Whether a message changes a store the feed reads (the feed is then worked out again at
/// the next tick).
pub fn touched_by(msg: &Msg) -> bool {
    matches!(
        msg,
        Msg::Machines(_)
            | Msg::ControlPlanes(_)
            | Msg::Deployments(_)
            | Msg::Clusters(_)
            | Msg::Vms(_)
            | Msg::Vmis(_)
            | Msg::Hosts(_)
            | Msg::WorkloadNodes(_)
            | Msg::WorkloadPods(_)
            | Msg::PlatformHealth(..)
            | Msg::Hardware(_)
            | Msg::Workflows(_)
            | Msg::Bmcs(_)
            | Msg::Talos(_)
            | Msg::Apps(_)
            | Msg::ExternalSecrets(_)
    )
}

/// `Enter` on a problem: its own pane, the cursor on it.
pub fn enter(state: &mut State) -> Vec<Command> {
    let Some(p) = tables::attention_selected(state).cloned() else {
        return Vec::new();
    };
    if p.area == Area::Pods {
        return super::browse::open_one(state, "pods", &p.key);
    }
    if p.area == Area::Platform {
        let kind = state
            .platform_health
            .rows()
            .find(|r| r.key == p.key && r.kind.kind == p.kind)
            .map(|r| r.kind.qualified());
        return match kind {
            Some(kind) => super::browse::open_one(state, &kind, &p.key),
            None => Vec::new(),
        };
    }
    let layer = Layer {
        kind: match p.area {
            Area::Apps => LayerKind::Apps,
            Area::Secrets => LayerKind::Secrets,
            _ => p.layer,
        },
        key: Some(p.key.clone()),
        name: p.key.name.clone(),
        verdict: Verdict::Bad,
        detail: p.what.as_str().into(),
        since: p.since,
    };
    super::trace::go_to(state, &layer)
}

/// Start on the feed when something needs attention and the user has not gone anywhere yet
/// (still on the start pane, no `-c`, no key pressed).
pub fn maybe_start_here(state: &mut State) {
    if state.attention.total() > 0
        && !state.moved
        && state.pending_command.is_none()
        && state.stack == [Screen::Pane(PaneId::CLUSTERS)]
    {
        state.stack = vec![Screen::Pane(PaneId::ATTENTION)];
        state.moved = true;
    }
}
