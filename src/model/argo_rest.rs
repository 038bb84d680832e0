//! Argo CD actions through the Argo CD REST API (argocd-server), the second transport next to
//! patching the Application CR: the same sync, refresh and terminate, as the request the
//! server gets. Pure: building a request does no I/O.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::actions::{SyncOptions, refuse_while_running, resources_json, sync_title};
use super::argo::AppRow;
use super::argo::ResourceRef;
use super::request::{ActionKind, Method};
use super::store::ObjRef;

/// One REST call to argocd-server.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgoRequest {
    /// The same actions as the CR transport's (`argocd.sync` …).
    pub action: ActionKind,
    pub title: String,
    pub app: ObjRef,
    pub project: String,
    /// Where it goes, e.g. `https://argocd.example` (shown, never the token).
    pub server: String,
    pub method: Method,
    /// Path and query, e.g. `/api/v1/applications/immich/sync`.
    pub path: String,
    pub body: Option<Value>,
    /// The Argo CD RBAC action it needs on `applications` (`sync`, `get`).
    pub rbac_action: &'static str,
}

impl ArgoRequest {
    pub fn preview(&self) -> Vec<String> {
        let mut lines = vec![
            format!(
                "argocd   {} (token from ARGOCD_AUTH_TOKEN / config)",
                self.server
            ),
            format!(
                "object   Application {}/{} (project {})",
                self.app.namespace, self.app.name, self.project
            ),
            format!("request  {} {}", self.method, self.path),
        ];
        if let Some(body) = &self.body {
            lines.push("         Content-Type: application/json".into());
            let text = serde_json::to_string_pretty(body).unwrap_or_default();
            lines.extend(text.lines().map(|l| format!("  {l}")));
        }
        lines
    }

    /// The `can-i` path that asks argocd-server whether the token may do this.
    pub fn can_i_path(&self) -> String {
        format!(
            "/api/v1/account/can-i/applications/{}/{}/{}",
            self.rbac_action, self.project, self.app.name
        )
    }
}

fn request(
    app: &AppRow,
    server: &str,
    action: ActionKind,
    title: String,
    (method, path, body): (Method, String, Option<Value>),
    rbac_action: &'static str,
) -> ArgoRequest {
    ArgoRequest {
        action,
        title,
        app: app.key.clone(),
        project: app.project.to_string(),
        server: server.to_string(),
        method,
        path,
        body,
        rbac_action,
    }
}

/// `POST /api/v1/applications/{name}/sync`: the server builds `.operation` itself. Refused
/// here while an operation runs, as the server would refuse it.
pub fn sync(
    app: &AppRow,
    server: &str,
    options: SyncOptions,
    only: &[ResourceRef],
) -> Result<ArgoRequest, String> {
    refuse_while_running(app)?;
    let mut body = json!({
        "appNamespace": app.key.namespace,
        "prune": options.prune,
        "strategy": {"hook": {}},
    });
    if options.dry_run {
        body["dryRun"] = json!(true);
    }
    if options.apply_out_of_sync_only {
        // The REST body wraps sync options in `items`, unlike the CR.
        body["syncOptions"] = json!({"items": ["ApplyOutOfSyncOnly=true"]});
    }
    if !only.is_empty() {
        body["resources"] = resources_json(only);
    }
    let title = sync_title(app, only);
    Ok(request(
        app,
        server,
        ActionKind::ArgoSync,
        title,
        (
            Method::Post,
            format!("/api/v1/applications/{}/sync", app.key.name),
            Some(body),
        ),
        "sync",
    ))
}

/// `GET /api/v1/applications/{name}?refresh=normal|hard`: the server refreshes and answers.
pub fn refresh(app: &AppRow, server: &str, hard: bool) -> ArgoRequest {
    let kind = if hard { "hard" } else { "normal" };
    request(
        app,
        server,
        if hard {
            ActionKind::ArgoHardRefresh
        } else {
            ActionKind::ArgoRefresh
        },
        format!("Refresh ({kind}) application {}", app.key.name),
        (
            Method::Get,
            format!(
                "/api/v1/applications/{}?refresh={kind}&appNamespace={}",
                app.key.name, app.key.namespace
            ),
            None,
        ),
        "get",
    )
}

/// `DELETE /api/v1/applications/{name}/operation`.
pub fn terminate(app: &AppRow, server: &str) -> Result<ArgoRequest, String> {
    if app.operation.is_none() {
        return Err(format!("{}: no operation is running", app.key.name));
    }
    Ok(request(
        app,
        server,
        ActionKind::ArgoTerminate,
        format!("Terminate the operation of {}", app.key.name),
        (
            Method::Delete,
            format!(
                "/api/v1/applications/{}/operation?appNamespace={}",
                app.key.name, app.key.namespace
            ),
            None,
        ),
        "sync",
    ))
}

/// Health per resource (status, message), keyed like a selective sync names resources.
pub type ResourceHealth = BTreeMap<ResourceRef, (String, String)>;

/// Per-resource health from an `ApplicationTree` (`nodes[].health`).
pub fn tree_health(tree: &Value) -> ResourceHealth {
    tree["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| {
            let status = n.pointer("/health/status")?.as_str()?.to_string();
            let text = |f: &str| n[f].as_str().unwrap_or("").to_string();
            let message = n
                .pointer("/health/message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let reference = ResourceRef {
                group: text("group"),
                kind: text("kind"),
                namespace: text("namespace"),
                name: text("name"),
            };
            Some((reference, (status, message)))
        })
        .collect()
}
