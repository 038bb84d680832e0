//! `:drift` worked out from the stores: desired against actual for Kubernetes versions
//! (control plane or MachineDeployment → Machine → its Node's kubelet), Talos versions within a
//! cluster, replicas, VMs against their run strategy, ExternalSecrets past their refresh,
//! every OutOfSync resource of every app, and apps whose source has moved past the revision
//! they synced. Redone once a second (some drift is only time passing, an overdue refresh).

use std::collections::BTreeMap;

use super::state::State;
use crate::model::drift::DriftRow;

fn row(
    kind: &'static str,
    key: &crate::model::store::ObjRef,
    what: &str,
    desired: String,
    actual: String,
) -> DriftRow {
    DriftRow {
        kind,
        key: key.clone(),
        what: what.to_string(),
        desired,
        actual,
        since: None,
    }
}

fn versions(state: &State, out: &mut Vec<DriftRow>) {
    for m in state.capi.machines.iter() {
        let ns = &m.key.namespace;
        // Borrowed: this walks every Machine at each recompute, and nearly all agree.
        let desired: Option<&str> = if m.control_plane {
            state
                .capi
                .control_planes
                .iter()
                .find(|cp| cp.cluster == m.cluster && cp.key.namespace == *ns)
                .map(|cp| cp.version.as_str())
        } else {
            m.deployment.as_ref().and_then(|d| {
                state
                    .capi
                    .deployments
                    .get_in(&m.key.cluster, ns, d)
                    .map(|md| md.version.as_str())
            })
        };
        let Some(desired) = desired.filter(|d| !d.is_empty()) else {
            continue;
        };
        if !m.version.is_empty() && m.version != desired {
            out.push(row(
                "Machine",
                &m.key,
                "Kubernetes version",
                desired.to_string(),
                m.version.to_string(),
            ));
        }
        let context = state.context_of_cluster(&m.cluster);
        if let Some(n) = state.harvester.workload_nodes.get_in(context, "", &m.node)
            && !n.version.is_empty()
            && n.version != desired
        {
            out.push(row(
                "Node",
                &n.key,
                "kubelet version",
                desired.to_string(),
                n.version.clone(),
            ));
        }
    }
    // Talos: the version most of a cluster's nodes run is what the others should.
    let mut by_cluster: BTreeMap<&str, Vec<(&crate::model::store::ObjRef, &str)>> = BTreeMap::new();
    for t in state.talos.nodes.iter() {
        if let Some(v) = &t.talos_version {
            by_cluster
                .entry(t.key.cluster.as_str())
                .or_default()
                .push((&t.key, v.as_str()));
        }
    }
    for nodes in by_cluster.values() {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, v) in nodes {
            *counts.entry(v).or_default() += 1;
        }
        let Some((common, _)) = counts.iter().max_by_key(|(_, n)| **n) else {
            continue;
        };
        for (key, v) in nodes {
            if v != common {
                out.push(row(
                    "Talos node",
                    key,
                    "Talos version",
                    common.to_string(),
                    v.to_string(),
                ));
            }
        }
    }
}

fn replicas(state: &State, out: &mut Vec<DriftRow>) {
    let deployments = state
        .capi
        .deployments
        .iter()
        .map(|md| ("MachineDeployment", &md.key, &md.replicas));
    let control_planes = state
        .capi
        .control_planes
        .iter()
        .map(|cp| ("control plane", &cp.key, &cp.replicas));
    for (kind, key, r) in deployments.chain(control_planes) {
        if r.ready != r.desired {
            let (desired, ready) = (r.desired.to_string(), r.ready.to_string());
            out.push(row(kind, key, "ready replicas", desired, ready));
        }
    }
}

fn vms(state: &State, out: &mut Vec<DriftRow>) {
    for vm in state.harvester.vms.iter() {
        let wants_running = matches!(vm.run_strategy.as_str(), "Always" | "RerunOnFailure");
        let running = vm.status == "Running";
        let transient = matches!(
            vm.status.as_str(),
            "Starting" | "Stopping" | "Migrating" | "Provisioning"
        );
        if transient {
            continue;
        }
        if wants_running != running && vm.run_strategy != "Manual" {
            let desired = if wants_running { "Running" } else { "Stopped" };
            out.push(row(
                "VM",
                &vm.key,
                &format!("run strategy {}", vm.run_strategy),
                desired.into(),
                vm.status.clone(),
            ));
        }
    }
}

fn refreshes(state: &State, out: &mut Vec<DriftRow>) {
    for e in state.eso.external_secrets.iter() {
        let (Some(every), Some(last)) = (e.refresh_secs, e.refreshed) else {
            continue;
        };
        if every <= 0.0 {
            continue;
        }
        let late = state.now.as_second() - last.as_second();
        // Twice the interval: one missed refresh can be the controller's queue.
        if late as f64 > 2.0 * every {
            let mut r = row(
                "ExternalSecret",
                &e.key,
                "refresh",
                format!("every {}", e.refresh_text),
                format!("last {}", crate::model::text::age(last, state.now)),
            );
            r.since = Some(last);
            out.push(r);
        }
    }
}

fn apps(state: &State, out: &mut Vec<DriftRow>) {
    for a in state.argo.apps.iter() {
        if a.behind {
            out.push(row(
                "Application",
                &a.key,
                "revision",
                format!("{} (source now)", a.revision),
                format!("{} (synced)", a.synced_revision),
            ));
        }
        for resource in &a.drifted {
            let mut r = row(
                "Application",
                &a.key,
                resource,
                "as in git".into(),
                "OutOfSync".into(),
            );
            r.since = a.last_sync;
            out.push(r);
        }
    }
}

/// Work the drift out again (once a second); says whether it changed.
pub fn refresh(state: &mut State) -> bool {
    let mut rows = Vec::new();
    versions(state, &mut rows);
    replicas(state, &mut rows);
    vms(state, &mut rows);
    refreshes(state, &mut rows);
    apps(state, &mut rows);
    let now = state.now;
    state.drift.update(rows, now)
}

/// `Enter` on a drift row of an app: its diff against git from argocd-server.
pub fn open_diff(state: &mut State) -> Vec<super::msg::Command> {
    use super::domains::DiffView;
    use super::ids::PaneId;
    use super::state::Screen;
    let Some(at) = super::tables::selected(state, &super::tables::DRIFT)
        .and_then(|key| super::tables::drift_index(&key))
    else {
        return Vec::new();
    };
    let Some(row) = state
        .drift
        .rows
        .get(at)
        .filter(|r| r.kind == "Application")
        .cloned()
    else {
        state.notice = Some("the diff is for an app's OutOfSync resources".into());
        return Vec::new();
    };
    if state.argo.server.is_none() {
        state.notice = Some("the diff comes from argocd-server: start with --argocd-server".into());
        return Vec::new();
    }
    state.diff = DiffView {
        app: Some(row.key.clone()),
        lines: None,
        scroll: 0,
    };
    super::navigation::push(state, Screen::Pane(PaneId::DIFF));
    vec![super::msg::Command::FetchDiff(row.key)]
}

/// argocd-server answered: keep it if it is the app on screen.
pub fn on_diff(
    state: &mut State,
    app: crate::model::store::ObjRef,
    result: Result<Vec<crate::model::argo_diff::ResourceDiff>, crate::clients::error::ClientError>,
) {
    if state.diff.app.as_ref() == Some(&app) {
        state.diff.lines = Some(
            result
                .map(|d| crate::model::argo_diff::lines(&d))
                .map_err(|e| e.to_string()),
        );
    }
}
