//! Mutating actions as plans: exactly what will be sent (context, object, method, path, content
//! type, body) and the permission it needs. The confirm dialog shows a plan, the executor sends
//! it unchanged, the audit log records it. Pure: building a plan does no I/O.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::argo::AppRow;
use super::capi::{ControlPlaneRow, DeploymentRow};
use super::eso::ExternalSecretRow;
use super::hosts::BmcRow;
use super::store::ObjRef;
use super::vms::VmRow;

pub const MERGE_PATCH: &str = "application/merge-patch+json";

#[derive(Debug, Clone, PartialEq)]
pub struct ActionPlan {
    /// Stable name for the audit log, e.g. `argocd.sync`.
    pub action: &'static str,
    /// What the dialog says, e.g. `Sync application immich`.
    pub title: String,
    pub target: ObjRef,
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    /// e.g. `scale`; the request then goes to `<object>/<subresource>`.
    pub subresource: Option<&'static str>,
    /// Always PATCH for now; kept explicit so the dialog shows it.
    pub method: &'static str,
    pub content_type: &'static str,
    pub body: Value,
    /// The RBAC verb a SelfSubjectAccessReview asks about.
    pub verb: &'static str,
}

impl ActionPlan {
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
        // A create goes to the collection; the new object's name is in the body.
        if self.method == "POST" {
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
        format!("your token may not {} {resource} in {group}", self.verb)
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

    fn request_lines(&self) -> Vec<String> {
        vec![
            format!("context  {}", self.target.cluster),
            format!(
                "object   {} {}/{}",
                self.kind, self.target.namespace, self.target.name
            ),
            format!("request  {} {}", self.method, self.path()),
            format!("         Content-Type: {}", self.content_type),
        ]
    }
}

fn argo(action: &'static str, title: String, app: &AppRow, body: Value) -> ActionPlan {
    ActionPlan {
        action,
        title,
        target: app.key.clone(),
        group: "argoproj.io",
        version: "v1alpha1",
        kind: "Application",
        plural: "applications",
        subresource: None,
        method: "PATCH",
        content_type: MERGE_PATCH,
        body,
        verb: "patch",
    }
}

/// Refresh through the CR: the controller re-compares (hard: regenerates manifests) and
/// removes the annotation.
pub fn argo_refresh(app: &AppRow, hard: bool) -> ActionPlan {
    let kind = if hard { "hard" } else { "normal" };
    argo(
        if hard {
            "argocd.refresh.hard"
        } else {
            "argocd.refresh"
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

/// One resource of an application, as a selective sync names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResourceRef {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
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
        "argocd.sync",
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
        "argocd.terminate",
        format!("Terminate the operation of {}", app.key.name),
        app,
        json!({"status": {"operationState": {"phase": "Terminating"}}}),
    ))
}

/// Start, stop or restart a VM through KubeVirt's lifecycle subresources (`PUT`, empty body);
/// virt-api answers 409 in words when the run strategy or the state does not allow it.
pub fn vm_power(vm: &VmRow, action: &'static str) -> ActionPlan {
    ActionPlan {
        action: match action {
            "start" => "vm.start",
            "stop" => "vm.stop",
            "migrate" => "vm.migrate",
            _ => "vm.restart",
        },
        title: format!("{} VM {}", capitalised(action), vm.key.name),
        target: vm.key.clone(),
        group: "subresources.kubevirt.io",
        version: "v1",
        kind: "VirtualMachine",
        plural: "virtualmachines",
        subresource: Some(action),
        method: "PUT",
        content_type: "application/json",
        body: json!({}),
        verb: "update",
    }
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Force-sync an ExternalSecret: a changed annotation makes ESO refresh at once.
pub fn es_force_sync(es: &ExternalSecretRow, now: Timestamp) -> ActionPlan {
    ActionPlan {
        action: "externalsecret.force-sync",
        title: format!("Force-sync ExternalSecret {}", es.key.name),
        target: es.key.clone(),
        group: "external-secrets.io",
        version: "v1",
        kind: "ExternalSecret",
        plural: "externalsecrets",
        subresource: None,
        method: "PATCH",
        content_type: MERGE_PATCH,
        body: json!({"metadata": {"annotations": {"force-sync": now.as_second().to_string()}}}),
        verb: "patch",
    }
}

/// Scale a MachineDeployment through its `scale` subresource; the MachineSet then creates or
/// deletes Machines one by one.
pub fn md_scale(md: &DeploymentRow, replicas: u32) -> ActionPlan {
    ActionPlan {
        action: "machinedeployment.scale",
        title: format!(
            "Scale MachineDeployment {} from {} to {replicas}",
            md.key.name, md.replicas.desired
        ),
        target: md.key.clone(),
        group: "cluster.x-k8s.io",
        version: "v1beta2",
        kind: "MachineDeployment",
        plural: "machinedeployments",
        subresource: Some("scale"),
        method: "PATCH",
        content_type: MERGE_PATCH,
        body: json!({"spec": {"replicas": replicas}}),
        verb: "patch",
    }
}

/// A Rufio power action: a new one-shot BMC `Job` next to the BMC Machine (the Machine itself
/// is read-only state). `power` is `on`, `off` or `cycle`.
pub fn bmc_power(bmc: &BmcRow, power: &'static str, now: Timestamp) -> ActionPlan {
    // Jobs are one-shot, so each action gets a unique name; seconds are unique enough for a
    // person pressing keys, and the server refuses a duplicate with 409.
    let name = format!("{}-power-{power}-{}", bmc.key.name, now.as_second());
    ActionPlan {
        action: match power {
            "on" => "bmc.power-on",
            "off" => "bmc.power-off",
            _ => "bmc.power-cycle",
        },
        title: format!("Power {power} {} through its BMC", bmc.key.name),
        target: ObjRef::in_cluster(
            bmc.key.cluster.clone(),
            bmc.key.namespace.clone(),
            name.clone(),
        ),
        group: "bmc.tinkerbell.org",
        version: "v1alpha1",
        kind: "Job",
        plural: "jobs",
        subresource: None,
        method: "POST",
        content_type: "application/json",
        body: json!({
            "apiVersion": "bmc.tinkerbell.org/v1alpha1",
            "kind": "Job",
            "metadata": {"name": name, "namespace": bmc.key.namespace},
            "spec": {
                "machineRef": {"name": bmc.key.name, "namespace": bmc.key.namespace},
                "tasks": [{"powerAction": power}],
            },
        }),
        verb: "create",
    }
}

/// Kubernetes version of a Talos control plane: CACPPT then replaces its Machines one by one.
pub fn control_plane_version(cp: &ControlPlaneRow, version: &str) -> ActionPlan {
    ActionPlan {
        action: "kubernetes.upgrade.control-plane",
        title: format!(
            "Upgrade control plane {} from {} to {version}",
            cp.key.name, cp.version
        ),
        target: cp.key.clone(),
        group: "controlplane.cluster.x-k8s.io",
        version: "v1alpha3",
        kind: "TalosControlPlane",
        plural: "taloscontrolplanes",
        subresource: None,
        method: "PATCH",
        content_type: MERGE_PATCH,
        body: json!({"spec": {"version": version}}),
        verb: "patch",
    }
}

/// Kubernetes version of a MachineDeployment's Machines: a rolling replacement follows.
pub fn deployment_version(md: &DeploymentRow, version: &str) -> ActionPlan {
    ActionPlan {
        action: "kubernetes.upgrade.workers",
        title: format!(
            "Upgrade MachineDeployment {} from {} to {version}",
            md.key.name, md.version
        ),
        target: md.key.clone(),
        group: "cluster.x-k8s.io",
        version: "v1beta2",
        kind: "MachineDeployment",
        plural: "machinedeployments",
        subresource: None,
        method: "PATCH",
        content_type: MERGE_PATCH,
        body: json!({"spec": {"template": {"spec": {"version": version}}}}),
        verb: "patch",
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
            operation: op.map(str::to_string),
            destination: "media/immich".into(),
            resources: 1,
            out_of_sync: 1,
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
