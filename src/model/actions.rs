//! Mutating actions as plans: exactly what will be sent (context, object, method, path, content
//! type, body) and the permission it needs. The confirm dialog shows a plan, the executor sends
//! it unchanged, the audit log records it. Pure: building a plan does no I/O.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::argo::{AppRow, ResourceRef};
use super::capi::{ControlPlaneRow, DeploymentRow};
use super::eso::ExternalSecretRow;
use super::hosts::BmcRow;
use super::request::{ActionKind, Method, PowerAction, VmVerb};
use super::store::ObjRef;
use super::vms::VmRow;

pub const MERGE_PATCH: &str = "application/merge-patch+json";

#[derive(Debug, Clone, PartialEq)]
pub struct ActionPlan {
    /// Which action it is (its audit name, e.g. `argocd.sync`).
    pub action: ActionKind,
    /// What the dialog says, e.g. `Sync application immich`.
    pub title: String,
    pub target: ObjRef,
    pub group: &'static str,
    /// The version the cluster serves the kind at, as discovery found it.
    pub version: String,
    pub kind: &'static str,
    pub plural: &'static str,
    /// e.g. `scale`; the request then goes to `<object>/<subresource>`.
    pub subresource: Option<&'static str>,
    pub method: Method,
    pub content_type: &'static str,
    pub body: Value,
}

impl ActionPlan {
    /// The RBAC verb a SelfSubjectAccessReview asks about.
    pub fn verb(&self) -> &'static str {
        self.method.rbac_verb()
    }

    /// The request path, as it will go on the wire.
    pub fn path(&self) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        let collection = if self.target.namespace.is_empty() {
            format!("{base}/{}", self.plural)
        } else {
            format!(
                "{base}/namespaces/{}/{}",
                self.target.namespace, self.plural
            )
        };
        // A create goes to the collection; the new object's name is in the body (a
        // subresource, such as a pod's eviction, is created on the object).
        if self.method == Method::Post && self.subresource.is_none() {
            return collection;
        }
        let object = format!("{collection}/{}", self.target.name);
        match self.subresource {
            Some(sub) => format!("{object}/{sub}"),
            None => object,
        }
    }

    /// What a denied SelfSubjectAccessReview means for this plan, in words.
    pub fn denied_reason(&self) -> String {
        let resource = match self.subresource {
            Some(sub) => format!("{}/{sub}", self.plural),
            None => self.plural.to_string(),
        };
        let group = if self.group.is_empty() {
            "the core group"
        } else {
            self.group
        };
        format!("your token may not {} {resource} in {group}", self.verb())
    }

    /// The request as the dialog shows it, the body pretty-printed.
    pub fn preview(&self) -> Vec<String> {
        let mut lines = self.request_lines();
        let body = serde_json::to_string_pretty(&self.body).unwrap_or_default();
        lines.extend(body.lines().map(|l| format!("  {l}")));
        lines
    }

    /// The same with the body on one line, for plans of several requests.
    pub fn preview_compact(&self) -> Vec<String> {
        let mut lines = self.request_lines();
        lines.push(format!("  {}", self.body));
        lines
    }

    /// `Pod media/web-1`, or `Node worker-1` for a cluster-scoped object.
    pub fn object(&self) -> String {
        format!("{} {}", self.kind, self.target.namespaced_name())
    }

    fn request_lines(&self) -> Vec<String> {
        vec![
            format!("context  {}", self.target.cluster),
            format!("object   {}", self.object()),
            format!("request  {} {}", self.method, self.path()),
            format!("         Content-Type: {}", self.content_type),
        ]
    }
}

/// The Application CR's version; Argo CD serves only this one.
const ARGO_VERSION: &str = "v1alpha1";

fn argo(action: ActionKind, title: String, app: &AppRow, body: Value) -> ActionPlan {
    ActionPlan {
        action,
        title,
        target: app.key.clone(),
        group: "argoproj.io",
        version: ARGO_VERSION.into(),
        kind: "Application",
        plural: "applications",
        subresource: None,
        method: Method::Patch,
        content_type: MERGE_PATCH,
        body,
    }
}

/// Refresh through the CR: the controller re-compares (hard: regenerates manifests) and
/// removes the annotation.
pub fn argo_refresh(app: &AppRow, hard: bool) -> ActionPlan {
    let kind = if hard { "hard" } else { "normal" };
    argo(
        if hard {
            ActionKind::ArgoHardRefresh
        } else {
            ActionKind::ArgoRefresh
        },
        format!("Refresh ({kind}) application {}", app.key.name),
        app,
        json!({"metadata": {"annotations": {"argocd.argoproj.io/refresh": kind}}}),
    )
}

/// Sync options offered in the dialog.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SyncOptions {
    pub prune: bool,
    pub dry_run: bool,
    pub apply_out_of_sync_only: bool,
}

/// Argo CD refuses a sync while an operation runs; so does the cockpit, before sending.
pub fn refuse_while_running(app: &AppRow) -> Result<(), String> {
    match &app.operation {
        Some(op) => Err(format!(
            "{}: another operation is already in progress ({op})",
            app.key.name
        )),
        None => Ok(()),
    }
}

/// A selective sync's `resources` list (the same in the CR and the REST body).
pub fn resources_json(only: &[ResourceRef]) -> Value {
    only.iter()
        .map(
            |r| json!({"group": r.group, "kind": r.kind, "namespace": r.namespace, "name": r.name}),
        )
        .collect()
}

pub fn sync_title(app: &AppRow, only: &[ResourceRef]) -> String {
    match only.len() {
        0 => format!("Sync application {}", app.key.name),
        n => format!(
            "Sync {n} selected resource(s) of application {}",
            app.key.name
        ),
    }
}

/// Sync through the CR: set `.operation`, which the application controller runs and removes.
/// With `only` non-empty, a selective sync of those resources (Argo CD runs no hooks then).
/// Refused while an operation is running, as the Argo CD API server refuses.
pub fn argo_sync(
    app: &AppRow,
    options: SyncOptions,
    user: &str,
    only: &[ResourceRef],
) -> Result<ActionPlan, String> {
    refuse_while_running(app)?;
    let mut sync = json!({"syncStrategy": {"hook": {}}, "prune": options.prune});
    if options.dry_run {
        sync["dryRun"] = json!(true);
    }
    if options.apply_out_of_sync_only {
        sync["syncOptions"] = json!(["ApplyOutOfSyncOnly=true"]);
    }
    if !only.is_empty() {
        sync["resources"] = resources_json(only);
    }
    let title = sync_title(app, only);
    Ok(argo(
        ActionKind::ArgoSync,
        title,
        app,
        json!({"operation": {"initiatedBy": {"username": user}, "sync": sync}}),
    ))
}

/// Terminate the running operation through the CR: Argo CD's API server does the same for
/// `DELETE …/operation` (the Application CRD has no status subresource).
pub fn argo_terminate(app: &AppRow) -> Result<ActionPlan, String> {
    if app.operation.is_none() {
        return Err(format!("{}: no operation is running", app.key.name));
    }
    Ok(argo(
        ActionKind::ArgoTerminate,
        format!("Terminate the operation of {}", app.key.name),
        app,
        json!({"status": {"operationState": {"phase": "Terminating"}}}),
    ))
}

/// Start, stop, restart or migrate a VM through KubeVirt's lifecycle subresources (`PUT`, empty
/// body); virt-api answers 409 in words when the run strategy or the state does not allow it.
pub fn vm_power(vm: &VmRow, verb: VmVerb) -> ActionPlan {
    ActionPlan {
        action: verb.kind(),
        title: format!("{} VM {}", verb.title(), vm.key.name),
        target: vm.key.clone(),
        group: "subresources.kubevirt.io",
        version: "v1".into(),
        kind: "VirtualMachine",
        plural: "virtualmachines",
        subresource: Some(verb.subresource()),
        method: Method::Put,
        content_type: "application/json",
        body: json!({}),
    }
}

/// Force-sync an ExternalSecret: a changed annotation makes ESO refresh at once.
/// `version` is the one the cluster serves ExternalSecrets at (`v1`, or `v1beta1` on older ESO).
pub fn es_force_sync(es: &ExternalSecretRow, version: &str, now: Timestamp) -> ActionPlan {
    ActionPlan {
        action: ActionKind::ExternalSecretForceSync,
        title: format!("Force-sync ExternalSecret {}", es.key.name),
        target: es.key.clone(),
        group: "external-secrets.io",
        version: version.into(),
        kind: "ExternalSecret",
        plural: "externalsecrets",
        subresource: None,
        method: Method::Patch,
        content_type: MERGE_PATCH,
        body: json!({"metadata": {"annotations": {"force-sync": now.as_second().to_string()}}}),
    }
}

/// Scale a MachineDeployment through its `scale` subresource; the MachineSet then creates or
/// deletes Machines one by one. `version` is the one the cluster serves MachineDeployments at.
pub fn md_scale(md: &DeploymentRow, version: &str, replicas: u32) -> ActionPlan {
    ActionPlan {
        action: ActionKind::MachineDeploymentScale,
        title: format!(
            "Scale MachineDeployment {} from {} to {replicas}",
            md.key.name, md.replicas.desired
        ),
        target: md.key.clone(),
        group: "cluster.x-k8s.io",
        version: version.into(),
        kind: "MachineDeployment",
        plural: "machinedeployments",
        subresource: Some("scale"),
        method: Method::Patch,
        content_type: MERGE_PATCH,
        body: json!({"spec": {"replicas": replicas}}),
    }
}

/// A Rufio power action: a new one-shot BMC `Job` next to the BMC Machine (the Machine itself
/// is read-only state). `version` is the one the cluster serves Rufio Jobs at.
pub fn bmc_power(bmc: &BmcRow, power: PowerAction, version: &str, now: Timestamp) -> ActionPlan {
    // Jobs are one-shot, so each action gets a unique name; seconds are unique enough for a
    // person pressing keys, and the server refuses a duplicate with 409.
    let word = power.wire();
    let name = format!("{}-power-{word}-{}", bmc.key.name, now.as_second());
    ActionPlan {
        action: power.kind(),
        title: format!("Power {word} {} through its BMC", bmc.key.name),
        target: ObjRef::in_cluster(
            bmc.key.cluster.clone(),
            bmc.key.namespace.clone(),
            name.clone(),
        ),
        group: "bmc.tinkerbell.org",
        version: version.into(),
        kind: "Job",
        plural: "jobs",
        subresource: None,
        method: Method::Post,
        content_type: "application/json",
        body: json!({
            "apiVersion": format!("bmc.tinkerbell.org/{version}"),
            "kind": "Job",
            "metadata": {"name": name, "namespace": bmc.key.namespace},
            "spec": {
                "machineRef": {"name": bmc.key.name, "namespace": bmc.key.namespace},
                "tasks": [{"powerAction": word}],
            },
        }),
    }
}

/// Kubernetes version of a Talos control plane: CACPPT then replaces its Machines one by one.
/// `api_version` is the one the cluster serves TalosControlPlanes at.
pub fn control_plane_version(cp: &ControlPlaneRow, api_version: &str, version: &str) -> ActionPlan {
    ActionPlan {
        action: ActionKind::UpgradeControlPlane,
        title: format!(
            "Upgrade control plane {} from {} to {version}",
            cp.key.name, cp.version
        ),
        target: cp.key.clone(),
        group: "controlplane.cluster.x-k8s.io",
        version: api_version.into(),
        kind: "TalosControlPlane",
        plural: "taloscontrolplanes",
        subresource: None,
        method: Method::Patch,
        content_type: MERGE_PATCH,
        body: json!({"spec": {"version": version}}),
    }
}

/// Kubernetes version of a MachineDeployment's Machines: a rolling replacement follows.
/// `api_version` is the one the cluster serves MachineDeployments at.
pub fn deployment_version(md: &DeploymentRow, api_version: &str, version: &str) -> ActionPlan {
    ActionPlan {
        action: ActionKind::UpgradeWorkers,
        title: format!(
            "Upgrade MachineDeployment {} from {} to {version}",
            md.key.name, md.version
        ),
        target: md.key.clone(),
        group: "cluster.x-k8s.io",
        version: api_version.into(),
        kind: "MachineDeployment",
        plural: "machinedeployments",
        subresource: None,
        method: Method::Patch,
        content_type: MERGE_PATCH,
        body: json!({"spec": {"template": {"spec": {"version": version}}}}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(op: Option<&str>) -> AppRow {
        AppRow {
            key: ObjRef::in_cluster("mgmt", "argocd", "immich"),
            project: "p".into(),
            sync: "OutOfSync".into(),
            health: "Healthy".into(),
            revision: "abc".into(),
            last_sync: None,
            operation: op.map(Into::into),
            destination: "media/immich".into(),
            resources: 1,
            out_of_sync: 1,
            drifted: Vec::new(),
            ..Default::default()
        }
    }

    #[test]
    fn plans_say_exactly_what_is_sent() {
        let p = argo_sync(
            &app(None),
            SyncOptions {
                prune: true,
                ..Default::default()
            },
            "opsdeck",
            &[],
        )
        .expect("plan");
        assert_eq!(
            p.path(),
            "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/immich"
        );
        assert_eq!(p.body["operation"]["sync"]["prune"], json!(true));
        let preview = p.preview().join("\n");
        assert!(
            preview.contains("PATCH /apis/argoproj.io") && preview.contains("\"prune\": true"),
            "{preview}"
        );
        assert!(argo_sync(&app(Some("Running")), SyncOptions::default(), "u", &[]).is_err());
        let only = [ResourceRef {
            group: "apps".into(),
            kind: "Deployment".into(),
            namespace: "media".into(),
            name: "immich".into(),
        }];
        let partial = argo_sync(&app(None), SyncOptions::default(), "u", &only).expect("plan");
        assert_eq!(
            partial.body["operation"]["sync"]["resources"][0]["kind"],
            json!("Deployment")
        );
        assert!(partial.title.starts_with("Sync 1 selected resource(s)"));
        let r = argo_refresh(&app(None), true);
        assert_eq!(
            r.body["metadata"]["annotations"]["argocd.argoproj.io/refresh"],
            json!("hard")
        );
    }
}
