//! `y` on any row: which Kubernetes object the row is, so its YAML can be fetched. Layer panes
//! know their kind; the kind browser knows the kind it browses; the tree knows each node's.

use super::domains::YamlView;
use super::ids::PaneId;
use super::msg::Command;
use super::navigation::push;
use super::state::{Screen, State};
use super::tables;
use crate::model::store::ObjRef;
use crate::model::tree::NodeId;
use crate::model::yaml::ObjectRef;

/// An object of a kind the cockpit knows, at the version its store's watch found served (or
/// the cockpit's preferred one before that).
fn object(
    group: &str,
    version: Option<&str>,
    preferred: &str,
    kind: &str,
    plural: &str,
    key: ObjRef,
) -> ObjectRef {
    ObjectRef {
        group: group.into(),
        version: version.unwrap_or(preferred).into(),
        kind: kind.into(),
        plural: plural.into(),
        namespaced: true,
        key,
    }
}

/// `y`: the object under the cursor as YAML, if the row is a Kubernetes object.
pub fn open(state: &mut State) -> Vec<Command> {
    let Some(target) = target(state) else {
        state.notice = Some(no_object(state));
        return Vec::new();
    };
    push(state, Screen::Yaml(target.clone()));
    state.yaml = YamlView::default();
    vec![Command::FetchYaml(target)]
}

/// Why `target` found nothing: no row under the kind browser's cursor (an empty or still
/// loading list), or a row that is not an object (a wave, an operation).
pub fn no_object(state: &State) -> String {
    let browsing = state.screen() == &Screen::Pane(PaneId::BROWSE);
    if browsing && tables::selected(state, &tables::BROWSE).is_none() {
        "nothing selected (the list is empty or still loading)".into()
    } else {
        "this row is not a Kubernetes object".into()
    }
}

/// The object under the cursor, if the row is a Kubernetes object.
pub fn target(state: &State) -> Option<ObjectRef> {
    let served = |store_version: Option<&str>| store_version.map(str::to_string);
    match state.screen() {
        Screen::Pane(PaneId::BROWSE) => {
            let kind = &state.browse.target.as_ref()?.kind;
            let key = tables::selected(state, &tables::BROWSE)?;
            Some(ObjectRef {
                group: kind.group.clone(),
                version: kind.version.clone(),
                kind: kind.kind.clone(),
                plural: kind.plural.clone(),
                namespaced: kind.namespaced,
                key,
            })
        }
        Screen::Pane(PaneId::APPS) => {
            let key = tables::selected(state, &tables::APPS)?;
            Some(object(
                "argoproj.io",
                None,
                "v1alpha1",
                "Application",
                "applications",
                key,
            ))
        }
        Screen::SyncWaves(key) => Some(object(
            "argoproj.io",
            None,
            "v1alpha1",
            "Application",
            "applications",
            key.clone(),
        )),
        Screen::Pane(PaneId::SECRETS) => {
            let key = tables::selected(state, &tables::SECRETS)?;
            let version = served(state.eso.external_secrets.served_version(&key.cluster));
            Some(object(
                "external-secrets.io",
                version.as_deref(),
                "v1",
                "ExternalSecret",
                "externalsecrets",
                key,
            ))
        }
        Screen::Pane(PaneId::VMS) => {
            let key = tables::selected(state, &tables::VMS)?;
            let version = served(state.harvester.vms.served_version(&key.cluster));
            Some(object(
                "kubevirt.io",
                version.as_deref(),
                "v1",
                "VirtualMachine",
                "virtualmachines",
                key,
            ))
        }
        Screen::Pane(PaneId::HOSTS) => {
            let key = tables::selected(state, &tables::HOSTS)?;
            let version = served(state.metal.hardware.served_version(&key.cluster));
            Some(object(
                "tinkerbell.org",
                version.as_deref(),
                "v1alpha1",
                "Hardware",
                "hardware",
                key,
            ))
        }
        Screen::Pane(PaneId::CLUSTERS) => {
            let capi = &state.capi;
            let (group, store_version, kind, plural, key) = match state.tree.selected.as_ref()? {
                NodeId::Cluster(k) => (
                    "cluster.x-k8s.io",
                    capi.clusters.served_version(&k.cluster),
                    "Cluster",
                    "clusters",
                    k,
                ),
                NodeId::ControlPlane(k) => (
                    "controlplane.cluster.x-k8s.io",
                    capi.control_planes.served_version(&k.cluster),
                    "TalosControlPlane",
                    "taloscontrolplanes",
                    k,
                ),
                NodeId::Deployment(k) => (
                    "cluster.x-k8s.io",
                    capi.deployments.served_version(&k.cluster),
                    "MachineDeployment",
                    "machinedeployments",
                    k,
                ),
                NodeId::Machine(k) => (
                    "cluster.x-k8s.io",
                    capi.machines.served_version(&k.cluster),
                    "Machine",
                    "machines",
                    k,
                ),
            };
            let preferred = if group == "cluster.x-k8s.io" {
                "v1beta2"
            } else {
                "v1alpha3"
            };
            Some(object(
                group,
                store_version,
                preferred,
                kind,
                plural,
                key.clone(),
            ))
        }
        _ => None,
    }
}
