//! The simulated Kubernetes API: authentication, routing and the read/write handlers.
//! Watches live in `watch.rs`; discovery documents in `discovery.rs`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, MutexGuard};

use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};

use super::auth::Identity;
use super::convert;
use super::db::{Db, DbError, ObjKey, meta_str};
use super::discovery;
use super::eviction;
use super::http::{Body, error_response, full, json_response, parse_query};
use super::kinds::{KINDS, KindDef, ScalePaths};
use super::pod_logs;
use super::review;
use super::route::{self, ResourcePath, Route};
use super::server::Handler;
use super::server_state::Api;
use super::status::{self, StatusError};
use super::table::{self, IncludeObject, TableAsk, Wanted};
use super::vm_power;
use super::watch;
use crate::json_at::At;

fn not_found_page() -> Response<Body> {
    let mut resp = Response::new(full("404 page not found\n"));
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

fn set_path(obj: &mut Value, path: &[&str], value: Value) {
    let mut cur = obj;
    for (i, seg) in path.iter().enumerate() {
        if !cur.is_object() {
            *cur = json!({});
        }
        if i == path.len() - 1 {
            cur[*seg] = value;
            return;
        }
        cur = &mut cur[*seg];
    }
}

fn get_path<'a>(obj: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(obj, |cur, seg| cur.get(*seg))
}

fn scale_of(obj: &Value, paths: &ScalePaths) -> Value {
    let mut meta = json!({});
    for f in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = obj.at(&format!("/metadata/{f}")) {
            meta[f] = v.clone();
        }
    }
    let mut status = json!({
        "replicas": get_path(obj, paths.status_replicas).cloned().unwrap_or(json!(0)),
    });
    if let Some(sel) = get_path(obj, paths.label_selector).and_then(Value::as_str)
        && !sel.is_empty()
    {
        status["selector"] = json!(sel);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": meta,
        "spec": {"replicas": get_path(obj, paths.spec_replicas).cloned().unwrap_or(json!(0))},
        "status": status,
    })
}

/// Apply a patch body of the given content type to `target`.
fn apply_patch(target: &mut Value, content_type: &str, body: &[u8]) -> Result<(), StatusError> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    match media {
        "application/merge-patch+json" => {
            let patch: Value = serde_json::from_slice(body)
                .map_err(|e| status::bad_patch(400, format!("error decoding patch: {e}")))?;
            json_patch::merge(target, &patch);
            Ok(())
        }
        "application/json-patch+json" => {
            let patch: json_patch::Patch = serde_json::from_slice(body)
                .map_err(|e| status::bad_patch(400, format!("error decoding patch: {e}")))?;
            json_patch::patch(target, &patch).map_err(|e| {
                status::bad_patch(
                    422,
                    format!("the server rejected our request due to an error in our request: {e}"),
                )
            })
        }
        other => Err(status::unsupported_media_type(other)),
    }
}

impl Api {
    pub fn db(&self) -> MutexGuard<'_, Db> {
        // A panic while holding the lock is a simulator bug; keep serving with the data as is.
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn identify(&self, req: &Request<hyper::body::Incoming>) -> Result<Identity, StatusError> {
        let Some(auth) = req.headers().get(header::AUTHORIZATION) else {
            // No token: the client certificate's user, with that user's rules (none for a user
            // the simulator does not know: authenticated, and refused by RBAC); else anonymous.
            let user = req
                .extensions()
                .get::<crate::server::PeerUser>()
                .map_or("system:anonymous", |p| p.0.as_str());
            let known = self
                .identities
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .find(|i| i.user == user)
                .cloned();
            return Ok(known.unwrap_or_else(|| Identity {
                token: String::new(),
                user: user.into(),
                rules: Vec::new(),
            }));
        };
        if self
            .tokens_refused
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            return Err(status::unauthorized());
        }
        let token = auth
            .to_str()
            .ok()
            .and_then(|s| s.strip_prefix("Bearer "))
            .unwrap_or("");
        self.identities
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|i| i.token == token)
            .cloned()
            .ok_or_else(status::unauthorized)
    }

    pub async fn handle(
        self: Arc<Self>,
        req: Request<hyper::body::Incoming>,
    ) -> Result<Response<Body>, Infallible> {
        let identity = match self.identify(&req) {
            Ok(i) => i,
            Err(e) => return Ok(error_response(e)),
        };
        let hidden_groups = self
            .hidden_groups
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let hidden = |group: &str| hidden_groups.iter().any(|g| g == group);
        let unserved = |group: &str, version: &str| {
            self.hidden_versions
                .iter()
                .any(|gv| *gv == format!("{group}/{version}"))
        };
        let route = match route::parse(req.uri().path()) {
            Route::Group(g) | Route::ResourceList { group: g, .. } if hidden(&g) => Route::NotFound,
            Route::ResourceList { group, version } if unserved(&group, &version) => Route::NotFound,
            Route::Resource(p) if hidden(KINDS[p.kind].group) => Route::NotFound,
            Route::Resource(p) if unserved(KINDS[p.kind].group, &p.version) => Route::NotFound,
            other => other,
        };
        let resp = match route {
            Route::Version => {
                let text = serde_json::to_string_pretty(&discovery::version()).unwrap_or_default();
                let mut r = json_response(200, &Value::Null, None);
                *r.body_mut() = full(text);
                r
            }
            Route::CoreVersions => {
                json_response(200, &discovery::core_versions(&self.server_address), None)
            }
            Route::GroupList => json_response(200, &discovery::group_list(&hidden_groups), None),
            Route::Group(g) => match discovery::group(&g) {
                Some(doc) => json_response(200, &doc, None),
                None => not_found_page(),
            },
            Route::ResourceList { group, version } => {
                match discovery::resource_list(&group, &version) {
                    Some(doc) => json_response(200, &doc, None),
                    None => not_found_page(),
                }
            }
            Route::AccessReview => review::access_review(req, &identity).await,
            Route::RulesReview => review::rules_review(req, &identity).await,
            Route::WhoAmI => review::whoami(req, &identity).await,
            Route::VmAction {
                namespace,
                name,
                action,
            } => vm_power::handle(&self, req.method(), &identity, &namespace, &name, &action),
            Route::Resource(path) => self.resource(req, path, identity).await,
            Route::NotFound => not_found_page(),
        };
        Ok(resp)
    }

    async fn resource(
        self: Arc<Self>,
        req: Request<hyper::body::Incoming>,
        path: ResourcePath,
        identity: Identity,
    ) -> Response<Body> {
        let delay = self
            .answer_delay_ms
            .load(std::sync::atomic::Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        }
        let def = &KINDS[path.kind];
        let query = parse_query(req.uri().query());
        let is_watch = query.get("watch").is_some_and(|v| v == "true" || v == "1");
        let verb = match (req.method().clone(), path.name.is_some()) {
            (Method::GET, false) if is_watch => "watch",
            (Method::GET, false) => "list",
            (Method::GET, true) => "get",
            (Method::PATCH, _) => "patch",
            (Method::PUT, _) => "update",
            (Method::POST, false) => "create",
            // The eviction subresource is created on a named pod.
            (Method::POST, true) if path.subresource.as_deref() == Some("eviction") => "create",
            (Method::DELETE, true) => "delete",
            (m, _) => return error_response(status::method_not_allowed(m.as_str())),
        };
        if !identity.can(verb, def, path.subresource.as_deref()) {
            return error_response(status::forbidden(
                def,
                &identity.user,
                verb,
                path.name.as_deref().unwrap_or(""),
                &path.namespace,
                path.subresource.as_deref(),
            ));
        }
        // metrics-server serves get and list only.
        if !def.verbs().contains(&verb) {
            return error_response(status::method_not_allowed(req.method().as_str()));
        }
        if verb == "get" && path.subresource.as_deref() == Some("log") {
            return self.log(&path, &query);
        }
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // Lists, gets and watches print as a Table when the client asks (as kubectl does).
        let table = match table::wanted(accept) {
            Wanted::NotAcceptable => return error_response(status::not_acceptable()),
            Wanted::Table(version) if matches!(verb, "list" | "get" | "watch") => Some(TableAsk {
                version,
                include: IncludeObject::from_query(query.get("includeObject")),
            }),
            _ => None,
        };
        let warning = convert::deprecation_warning(def, &path.version);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let result = match verb {
            "watch" => return watch::serve(self, path, &query, table),
            "list" => {
                self.lists.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                *self
                    .lists_of
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .entry(def.kind)
                    .or_default() += 1;
                return self.list_streamed(path, query, table, warning).await;
            }
            "get" => self.get(&path).map(|(code, obj)| match table {
                Some(ask) if path.subresource.is_none() => {
                    (code, ask.one_row(def, &path.version, &obj))
                }
                _ => (code, obj),
            }),
            "delete" => self.delete(&path),
            _ => {
                let body = match req.into_body().collect().await {
                    Ok(b) => b.to_bytes(),
                    Err(e) => return error_response(status::bad_request(e.to_string())),
                };
                match verb {
                    "patch" => self.patch(&path, &content_type, &body),
                    "update" => self.put(&path, &body),
                    _ if path.subresource.as_deref() == Some("eviction") => {
                        self.evict(&path, &body)
                    }
                    _ => self.create(&path, &body),
                }
            }
        };
        if verb != "get"
            && self
                .swallow_answers
                .load(std::sync::atomic::Ordering::SeqCst)
        {
            // Written; the answer is lost with the server.
            std::future::pending::<()>().await;
        }
        match result {
            Ok((code, body)) => json_response(code, &body, warning.as_deref()),
            Err(e) => error_response(e),
        }
    }

    /// A pod's container log (text, maybe followed); other kinds have no `log`.
    fn log(&self, path: &ResourcePath, query: &HashMap<String, String>) -> Response<Body> {
        let def = &KINDS[path.kind];
        let name = path.name.as_deref().unwrap_or("");
        if def.kind != "Pod" {
            return not_found_page();
        }
        let pod = self.db().get(&self.key(path)).cloned();
        let result = pod
            .ok_or_else(|| status::not_found(def, name))
            .and_then(|pod| pod_logs::serve(&pod, pod_logs::LogAsk::from_query(query)));
        result.unwrap_or_else(error_response)
    }

    fn key(&self, path: &ResourcePath) -> ObjKey {
        (
            path.kind,
            path.namespace.clone(),
            path.name.clone().unwrap_or_default(),
        )
    }

    fn db_error(&self, def: &KindDef, name: &str, e: DbError) -> StatusError {
        match e {
            DbError::NotFound => status::not_found(def, name),
            DbError::AlreadyExists => status::already_exists(def, name),
            DbError::Conflict => status::conflict(def, name),
        }
    }

    fn get(&self, path: &ResourcePath) -> Result<(u16, Value), StatusError> {
        let def = &KINDS[path.kind];
        let name = path.name.as_deref().unwrap_or("");
        let stored = self
            .db()
            .get_full(&self.key(path))
            .ok_or_else(|| status::not_found(def, name))?;
        match (path.subresource.as_deref(), def.scale) {
            (None | Some("status"), _) => {
                Ok((200, convert::to_version(def, stored, &path.version)))
            }
            (Some("scale"), Some(paths)) => Ok((200, scale_of(&stored, &paths))),
            _ => Err(status::not_found(def, name)),
        }
    }

    fn patch(
        &self,
        path: &ResourcePath,
        content_type: &str,
        body: &[u8],
    ) -> Result<(u16, Value), StatusError> {
        let def = &KINDS[path.kind];
        let name = path.name.as_deref().unwrap_or("");
        let key = self.key(path);
        let mut db = self.db();
        let stored = db
            .get(&key)
            .cloned()
            .ok_or_else(|| status::not_found(def, name))?;
        let stored_rv = meta_str(&stored, "resourceVersion").to_string();
        match (path.subresource.as_deref(), def.scale) {
            (Some("scale"), Some(paths)) => {
                let mut scale = scale_of(&stored, &paths);
                apply_patch(&mut scale, content_type, body)?;
                self.write_scale(&mut db, def, &key, stored, &scale, &paths)
            }
            (None | Some("status"), _) => {
                let mut view = convert::to_version(def, stored.clone(), &path.version);
                apply_patch(&mut view, content_type, body)?;
                if meta_str(&view, "resourceVersion") != stored_rv {
                    return Err(status::conflict(def, name));
                }
                let patched = convert::from_version(def, view, &path.version);
                let new = split_status(def, path.subresource.as_deref(), &stored, patched);
                let written = db
                    .update(&key, new, None)
                    .map_err(|e| self.db_error(def, name, e))?;
                Ok((200, convert::to_version(def, written, &path.version)))
            }
            _ => Err(status::not_found(def, name)),
        }
    }

    fn write_scale(
        &self,
        db: &mut Db,
        def: &KindDef,
        key: &ObjKey,
        stored: Value,
        scale: &Value,
        paths: &ScalePaths,
    ) -> Result<(u16, Value), StatusError> {
        let name = key.2.as_str();
        let replicas = scale.at("/spec/replicas").and_then(Value::as_i64);
        let Some(replicas) = replicas.filter(|r| *r >= 0) else {
            return Err(status::invalid(
                def,
                name,
                ".spec.replicas",
                "must be greater than or equal to 0",
            ));
        };
        let expected = scale
            .at("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .filter(|rv| !rv.is_empty());
        let mut new = stored;
        set_path(&mut new, paths.spec_replicas, json!(replicas));
        let written = db
            .update(key, new, expected)
            .map_err(|e| self.db_error(def, name, e))?;
        Ok((200, scale_of(&written, paths)))
    }

    fn put(&self, path: &ResourcePath, body: &[u8]) -> Result<(u16, Value), StatusError> {
        let def = &KINDS[path.kind];
        let name = path.name.as_deref().unwrap_or("");
        let key = self.key(path);
        let incoming: Value = serde_json::from_slice(body)
            .map_err(|e| status::bad_request(format!("error decoding body: {e}")))?;
        let expected = meta_str(&incoming, "resourceVersion").to_string();
        let expected = (!expected.is_empty()).then_some(expected);
        let mut db = self.db();
        let stored = db
            .get(&key)
            .cloned()
            .ok_or_else(|| status::not_found(def, name))?;
        if let (Some("scale"), Some(paths)) = (path.subresource.as_deref(), def.scale) {
            return self.write_scale(&mut db, def, &key, stored, &incoming, &paths);
        }
        let patched = convert::from_version(def, incoming, &path.version);
        let new = split_status(def, path.subresource.as_deref(), &stored, patched);
        let written = db
            .update(&key, new, expected.as_deref())
            .map_err(|e| self.db_error(def, name, e))?;
        Ok((200, convert::to_version(def, written, &path.version)))
    }

    fn create(&self, path: &ResourcePath, body: &[u8]) -> Result<(u16, Value), StatusError> {
        let def = &KINDS[path.kind];
        let mut obj: Value = serde_json::from_slice(body)
            .map_err(|e| status::bad_request(format!("error decoding body: {e}")))?;
        let name = meta_str(&obj, "name").to_string();
        if name.is_empty() {
            return Err(status::invalid(
                def,
                "",
                "metadata.name",
                "Required value: name or generateName is required",
            ));
        }
        if def.namespaced {
            obj["metadata"]["namespace"] = json!(path.namespace);
        }
        let obj = convert::from_version(def, obj, &path.version);
        let created = self
            .db()
            .create(path.kind, obj)
            .map_err(|e| self.db_error(def, &name, e))?;
        Ok((201, convert::to_version(def, created, &path.version)))
    }

    /// `POST pods/<name>/eviction` with a policy/v1 Eviction naming the pod.
    fn evict(&self, path: &ResourcePath, body: &[u8]) -> Result<(u16, Value), StatusError> {
        let name = path.name.as_deref().unwrap_or("");
        eviction::request(
            &mut self.db(),
            &KINDS[path.kind],
            &self.key(path),
            name,
            body,
        )
    }

    fn delete(&self, path: &ResourcePath) -> Result<(u16, Value), StatusError> {
        let def = &KINDS[path.kind];
        let name = path.name.as_deref().unwrap_or("");
        let gone = self
            .db()
            .delete(&self.key(path))
            .map_err(|e| self.db_error(def, name, e))?;
        Ok((
            200,
            json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "details": {"name": name, "group": def.group, "kind": def.plural,
                            "uid": meta_str(&gone, "uid")}
            }),
        ))
    }
}

/// With a status subresource, the main resource ignores status changes and `/status` ignores
/// everything else.
fn split_status(def: &KindDef, subresource: Option<&str>, stored: &Value, patched: Value) -> Value {
    if !def.status_subresource {
        return patched;
    }
    match subresource {
        Some("status") => {
            let mut new = stored.clone();
            new["status"] = patched.get("status").cloned().unwrap_or(Value::Null);
            new
        }
        _ => {
            let mut new = patched;
            match stored.get("status") {
                Some(s) => new["status"] = s.clone(),
                None => {
                    if let Some(m) = new.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
            new
        }
    }
}

impl Handler for Api {
    fn handle(
        self: Arc<Self>,
        req: Request<hyper::body::Incoming>,
    ) -> impl Future<Output = Result<Response<Body>, Infallible>> + Send {
        Api::handle(self, req)
    }
}
