//! A simulated argocd-server: the REST endpoints the cockpit uses, over HTTPS with bearer
//! tokens, acting on the management cluster's Applications as the real server does (it builds
//! `.operation` for a sync, asks for a refresh, marks an operation Terminating) and serving the
//! resource tree with per-resource health, also as a newline-delimited JSON stream. Errors are
//! grpc-gateway JSON: `{"error", "code", "message"}`.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::{Method, Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::argo_objects::ARGO_NAMESPACE;
use super::db::{Db, ObjKey, now_rfc3339};
use super::http::{Body, channel_body, json_response, parse_query};
use super::kinds::kind_id;
use super::scenario::Scenario;
use super::server::Handler;
use crate::json_at::At;

/// How often a followed resource tree is looked at for changes.
const TREE_EVERY: Duration = Duration::from_millis(250);

pub struct ArgoApi {
    pub db: Arc<Mutex<Db>>,
    pub scenario: Arc<Scenario>,
    /// May do everything, as the `admin` account.
    pub admin_token: String,
    /// May only read (`role:readonly`).
    pub readonly_token: String,
}

/// grpc-gateway's error shape with the HTTP status it maps the gRPC code to.
fn grpc_error(code: u16, grpc: u16, message: &str) -> Response<Body> {
    json_response(
        code,
        &json!({"error": message, "code": grpc, "message": message}),
        None,
    )
}

enum Who {
    Admin,
    ReadOnly,
}

impl ArgoApi {
    fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn who(&self, req: &Request<Incoming>) -> Option<Who> {
        let header = req
            .headers()
            .get(http::header::AUTHORIZATION)?
            .to_str()
            .ok()?;
        let token = header.strip_prefix("Bearer ")?;
        if token == self.admin_token {
            Some(Who::Admin)
        } else if token == self.readonly_token {
            Some(Who::ReadOnly)
        } else {
            None
        }
    }

    fn app_key(name: &str) -> ObjKey {
        (
            kind_id("Application").unwrap_or_default(),
            ARGO_NAMESPACE.to_string(),
            name.to_string(),
        )
    }

    fn app(&self, name: &str) -> Option<Value> {
        self.db().get(&Self::app_key(name)).cloned()
    }

    fn not_found(name: &str) -> Response<Body> {
        grpc_error(
            404,
            5,
            &format!("applications.argoproj.io \"{name}\" not found"),
        )
    }

    async fn route(self: Arc<Self>, req: Request<Incoming>) -> Response<Body> {
        let Some(who) = self.who(&req) else {
            return grpc_error(401, 16, "invalid session: token signature is invalid");
        };
        let query = parse_query(req.uri().query());
        let method = req.method().clone();
        let path: Vec<String> = req
            .uri()
            .path()
            .trim_matches('/')
            .split('/')
            .map(str::to_string)
            .collect();
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        match (&method, parts.as_slice()) {
            (&Method::GET, ["api", "version"]) => {
                json_response(200, &json!({"Version": "v3.1.0+opsdeck-sim"}), None)
            }
            (&Method::GET, ["api", "v1", "session", "userinfo"]) => {
                let username = if matches!(who, Who::Admin) {
                    "admin"
                } else {
                    "viewer"
                };
                json_response(
                    200,
                    &json!({"loggedIn": true, "username": username, "iss": "argocd"}),
                    None,
                )
            }
            (
                &Method::GET,
                [
                    "api",
                    "v1",
                    "account",
                    "can-i",
                    "applications",
                    action,
                    _,
                    _,
                ],
            ) => {
                let yes = matches!(who, Who::Admin) || *action == "get";
                json_response(200, &json!({"value": if yes { "yes" } else { "no" }}), None)
            }
            (&Method::POST, ["api", "v1", "applications", name, "sync"]) => {
                let body = req.into_body().collect().await.map(|b| b.to_bytes());
                let body: Value = body
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .unwrap_or(Value::Null);
                self.sync(&who, name, &body)
            }
            (&Method::GET, ["api", "v1", "applications", name]) => {
                self.get_and_refresh(name, query.get("refresh").map(String::as_str))
            }
            (&Method::DELETE, ["api", "v1", "applications", name, "operation"]) => {
                self.terminate(&who, name)
            }
            (&Method::GET, ["api", "v1", "applications", name, "managed-resources"]) => {
                match self.app(name) {
                    Some(app) => {
                        json_response(200, &crate::argo_diff::managed_resources(&app), None)
                    }
                    None => Self::not_found(name),
                }
            }
            (&Method::GET, ["api", "v1", "applications", name, "resource-tree"]) => {
                match self.app(name) {
                    Some(app) => json_response(200, &self.tree(&app), None),
                    None => Self::not_found(name),
                }
            }
            (&Method::GET, ["api", "v1", "stream", "applications", name, "resource-tree"]) => {
                self.clone().stream_tree(name)
            }
            _ => grpc_error(404, 5, "Not Found"),
        }
    }

    fn denied(&self, action: &str, app: &Value) -> Response<Body> {
        let project = app["spec"]["project"].as_str().unwrap_or("default");
        let name = app["metadata"]["name"].as_str().unwrap_or("");
        grpc_error(
            403,
            7,
            &format!("permission denied: applications, {action}, {project}/{name}, sub: readonly"),
        )
    }

    /// The server builds `.operation` from the request, refusing while one runs.
    fn sync(&self, who: &Who, name: &str, body: &Value) -> Response<Body> {
        let Some(app) = self.app(name) else {
            return Self::not_found(name);
        };
        if matches!(who, Who::ReadOnly) {
            return self.denied("sync", &app);
        }
        if app.get("operation").is_some_and(|o| !o.is_null()) {
            return grpc_error(400, 9, "another operation is already in progress");
        }
        let mut sync = json!({
            "prune": body["prune"].as_bool().unwrap_or(false),
            "syncStrategy": if body["strategy"].get("apply").is_some() {
                json!({"apply": {}})
            } else {
                json!({"hook": {}})
            },
        });
        if body["dryRun"] == true {
            sync["dryRun"] = json!(true);
        }
        if let Some(items) = body.at("/syncOptions/items") {
            sync["syncOptions"] = items.clone();
        }
        if let Some(resources) = body.get("resources").filter(|r| r.is_array()) {
            sync["resources"] = resources.clone();
        }
        let operation = json!({"initiatedBy": {"username": "admin"}, "sync": sync});
        match self
            .db()
            .modify(&Self::app_key(name), |a| a["operation"] = operation)
        {
            Ok(app) => json_response(200, &app, None),
            Err(_) => grpc_error(404, 5, "application is gone"),
        }
    }

    /// `?refresh=` asks the controller to re-compare; the app comes back as it is now.
    fn get_and_refresh(&self, name: &str, refresh: Option<&str>) -> Response<Body> {
        if let Some(kind @ ("normal" | "hard")) = refresh {
            let _ = self.db().modify(&Self::app_key(name), |a| {
                a["metadata"]["annotations"]["argocd.argoproj.io/refresh"] = json!(kind)
            });
        }
        match self.app(name) {
            Some(app) => json_response(200, &app, None),
            None => Self::not_found(name),
        }
    }

    fn terminate(&self, who: &Who, name: &str) -> Response<Body> {
        let Some(app) = self.app(name) else {
            return Self::not_found(name);
        };
        if matches!(who, Who::ReadOnly) {
            return self.denied("sync", &app);
        }
        if app.get("operation").is_none_or(Value::is_null) {
            return grpc_error(
                400,
                9,
                "Unable to terminate operation. No operation is in progress",
            );
        }
        let _ = self.db().modify(&Self::app_key(name), |a| {
            a["status"]["operationState"]["phase"] = json!("Terminating")
        });
        json_response(200, &json!({}), None)
    }

    /// The app's managed resources as tree nodes, each with its health: the CR's copy when
    /// the controller persisted it, else what the scenario says the resource is.
    fn tree(&self, app: &Value) -> Value {
        let name = app["metadata"]["name"].as_str().unwrap_or("");
        let spec = self.scenario.apps.iter().find(|a| a.name == name);
        let nodes: Vec<Value> = app["status"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let planned = spec
                    .and_then(|s| {
                        s.resources.iter().find(|x| {
                            Some(x.name.as_str()) == r["name"].as_str()
                                && Some(x.kind.as_str()) == r["kind"].as_str()
                        })
                    })
                    .and_then(|x| x.health.clone());
                let health = r
                    .at("/health/status")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or(planned)
                    .unwrap_or_else(|| "Healthy".into());
                json!({
                    "group": r["group"].as_str().unwrap_or(""),
                    "version": r["version"],
                    "kind": r["kind"],
                    "namespace": r["namespace"].as_str().unwrap_or(""),
                    "name": r["name"],
                    "health": {"status": health},
                    "createdAt": now_rfc3339(),
                })
            })
            .collect();
        json!({"nodes": nodes, "orphanedNodes": [], "hosts": []})
    }

    /// `{"result": tree}` lines: now, then whenever the tree changes, until the client goes.
    fn stream_tree(self: Arc<Self>, name: &str) -> Response<Body> {
        if self.app(name).is_none() {
            return Self::not_found(name);
        }
        let (tx, rx) = mpsc::channel::<Vec<u8>>(16);
        let name = name.to_string();
        tokio::spawn(async move {
            let mut last = Value::Null;
            loop {
                let Some(app) = self.app(&name) else { return };
                let tree = self.tree(&app);
                // `createdAt` is stamped per call; compare without it.
                let shape = json!(tree["nodes"].as_array().map(|n| {
                    n.iter()
                        .map(|x| (x["name"].clone(), x["health"].clone()))
                        .collect::<Vec<_>>()
                }));
                if shape != last {
                    last = shape;
                    let mut line = json!({"result": tree}).to_string().into_bytes();
                    line.push(b'\n');
                    if tx.send(line).await.is_err() {
                        return;
                    }
                }
                tokio::time::sleep(TREE_EVERY).await;
                if tx.is_closed() {
                    return;
                }
            }
        });
        let mut resp = json_response(200, &Value::Null, None);
        *resp.body_mut() = channel_body(rx);
        resp
    }
}

impl Handler for ArgoApi {
    async fn handle(self: Arc<Self>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
        Ok(self.route(req).await)
    }
}
