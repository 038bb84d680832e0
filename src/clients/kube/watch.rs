//! One watch per kind: kube-runtime's watcher with backoff, each object projected to a row at
//! once (the raw object is dropped), relists delivered whole, and errors turned into the source
//! state the pane shows.

use std::fmt::Debug;
use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;
use kube::api::Api;
use kube::core::ApiResource;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use crate::model::source::SourceState;
use crate::model::store::{Keyed, Malformed, ObjRef, WatchUpdate};
use crate::model::text::sanitize;
use crate::model::wire::ReadNotes;

const MIN_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What to watch: a kind at the first served version of `versions`, optionally one namespace
/// and a field selector.
#[derive(Debug, Clone)]
pub struct WatchSpec {
    pub group: &'static str,
    pub versions: &'static [&'static str],
    pub kind: &'static str,
    pub plural: &'static str,
    pub namespace: Option<String>,
    pub fields: Option<String>,
}

impl WatchSpec {
    pub const fn new(
        group: &'static str,
        versions: &'static [&'static str],
        kind: &'static str,
        plural: &'static str,
    ) -> Self {
        WatchSpec {
            group,
            versions,
            kind,
            plural,
            namespace: None,
            fields: None,
        }
    }

    fn api_resource(&self, version: &str) -> ApiResource {
        ApiResource {
            group: self.group.to_string(),
            version: version.to_string(),
            api_version: if self.group.is_empty() {
                version.to_string()
            } else {
                format!("{}/{version}", self.group)
            },
            kind: self.kind.to_string(),
            plural: self.plural.to_string(),
        }
    }
}

/// Pick the first version the server serves this resource at, by discovery.
async fn resolve(client: &Client, spec: &WatchSpec) -> Result<ApiResource, SourceState> {
    let mut last_error = None;
    for version in spec.versions {
        let gv = if spec.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{version}", spec.group)
        };
        let listed = if spec.group.is_empty() {
            client.list_core_api_resources(version).await
        } else {
            client.list_api_group_resources(&gv).await
        };
        match listed {
            Ok(list) if list.resources.iter().any(|r| r.name == spec.plural) => {
                return Ok(spec.api_resource(version));
            }
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => last_error = Some(e),
        }
    }
    match last_error {
        Some(e) => Err(classify_client_error(&e)
            .unwrap_or_else(|| SourceState::Error(sanitize(&e.to_string())))),
        None => Err(SourceState::NotInstalled),
    }
}

fn classify_client_error(e: &kube::Error) -> Option<SourceState> {
    match e {
        kube::Error::Api(s) if s.code == 403 => Some(SourceState::Forbidden(sanitize(&s.message))),
        kube::Error::Api(s) if s.code == 404 => Some(SourceState::NotInstalled),
        kube::Error::Api(s) if s.code == 401 => Some(SourceState::Error(format!(
            "unauthorized: {}",
            sanitize(&s.message)
        ))),
        _ => None,
    }
}

/// The pane state for a watcher error; `since` is when the source last was fine.
fn classify(e: &watcher::Error, since: Timestamp, ever_live: bool) -> Option<SourceState> {
    let client_error = match e {
        watcher::Error::InitialListFailed(c)
        | watcher::Error::WatchStartFailed(c)
        | watcher::Error::WatchFailed(c) => Some(c),
        // 410 Expired: the watcher relists by itself; not worth alarming anyone.
        watcher::Error::WatchError(s) if s.code == 410 => return None,
        _ => None,
    };
    if let Some(state) = client_error.and_then(classify_client_error) {
        return Some(state);
    }
    let reason = sanitize(&e.to_string());
    Some(if ever_live {
        SourceState::Stale { since, reason }
    } else {
        SourceState::Error(reason)
    })
}

/// Spawn a watch on one cluster that projects each object with `project` (keyed into
/// `cluster`) and hands updates to `send`.
pub fn spawn_watch<W, R, F, S>(
    client: Client,
    cluster: String,
    spec: WatchSpec,
    project: F,
    send: S,
) -> JoinHandle<()>
where
    W: Resource<DynamicType = ApiResource, Scope = kube::core::DynamicResourceScope>
        + ReadNotes
        + Clone
        + DeserializeOwned
        + Debug
        + Send
        + 'static,
    R: Keyed + Send + 'static,
    F: Fn(&W) -> R + Send + 'static,
    S: Fn(WatchUpdate<R>) + Send + 'static,
{
    let cluster_name = smol_str::SmolStr::from(cluster.as_str());
    let (group, kind) = (spec.group, spec.kind);
    // The row, and what its object's odd fields were if it had any: a field of another type
    // is read as empty rather than failing the kind's list (`model::forgiving`).
    let project = move |o: &W| {
        let mut row = project(o);
        row.key_mut().cluster.clone_from(&cluster_name);
        let malformed = o.malformed().map(|fields| {
            tracing::warn!(kind, key = %row.key(), "read with fields left empty: {fields}");
            Malformed {
                key: row.key().clone(),
                group,
                kind,
                fields: sanitize(fields).into(),
            }
        });
        (row, malformed)
    };
    tokio::spawn(async move {
        // Said at once, so a pane fed by several watches says loading until each of them is
        // live, not live as soon as the first one is.
        send(WatchUpdate::State(cluster.clone(), SourceState::Loading));
        // Recovery is ours: after a real error the source is marked, we back off, and a fresh
        // list + watch starts, so a pane comes back live (and drops what was deleted
        // meanwhile) as soon as its server answers again.
        let mut backoff = MIN_BACKOFF;
        let mut ever_live = false;
        let mut last_good = Timestamp::now();
        loop {
            let ar = match resolve(&client, &spec).await {
                Ok(ar) => {
                    send(WatchUpdate::Served(cluster.clone(), ar.version.clone()));
                    ar
                }
                // Never there: nothing to follow. Gone while followed (its CRD deleted): it
                // may come back, so it is looked for again, less and less often.
                Err(SourceState::NotInstalled) if !ever_live => {
                    send(WatchUpdate::State(cluster, SourceState::NotInstalled));
                    return;
                }
                Err(SourceState::NotInstalled) => {
                    send(WatchUpdate::State(
                        cluster.clone(),
                        SourceState::NotInstalled,
                    ));
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
                Err(state) => {
                    let state = match state {
                        SourceState::Error(reason) if ever_live => SourceState::Stale {
                            since: last_good,
                            reason,
                        },
                        other => other,
                    };
                    send(WatchUpdate::State(cluster.clone(), state));
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            };
            let api: Api<W> = match &spec.namespace {
                Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
                None => Api::all_with(client.clone(), &ar),
            };
            let mut config = watcher::Config::default().page_size(500);
            if let Some(fields) = &spec.fields {
                config = config.fields(fields);
            }
            // A 410 is the watcher's to recover from (it relists), but after a pause that grows
            // while they keep coming: a storm of them must not turn into a storm of lists.
            let mut stream = watcher::watcher(api, config).default_backoff().boxed();
            let mut relist: Option<(Vec<R>, Vec<Malformed>)> = None;
            while let Some(event) = stream.next().await {
                match event {
                    Ok(event) => {
                        last_good = Timestamp::now();
                        match event {
                            Event::Init => relist = Some(Default::default()),
                            Event::InitApply(o) => {
                                let (rows, malformed) = relist.get_or_insert_default();
                                let (row, odd) = project(&o);
                                rows.push(row);
                                malformed.extend(odd);
                            }
                            Event::InitDone => {
                                ever_live = true;
                                backoff = MIN_BACKOFF;
                                let (rows, malformed) = relist.take().unwrap_or_default();
                                send(WatchUpdate::Relisted(cluster.clone(), rows));
                                malformed
                                    .into_iter()
                                    .for_each(|m| send(WatchUpdate::Malformed(m)));
                            }
                            Event::Apply(o) => {
                                let (row, malformed) = project(&o);
                                send(WatchUpdate::Upsert(row));
                                if let Some(m) = malformed {
                                    send(WatchUpdate::Malformed(m));
                                }
                            }
                            Event::Delete(o) => send(WatchUpdate::Delete(ObjRef::in_cluster(
                                cluster.clone(),
                                sanitize(o.meta().namespace.as_deref().unwrap_or("")),
                                sanitize(o.meta().name.as_deref().unwrap_or("")),
                            ))),
                        }
                    }
                    Err(e) => {
                        tracing::warn!(kind = spec.kind, cluster = %cluster, "watch error: {e}");
                        // None: a 410 the watcher relists from by itself.
                        if let Some(state) = classify(&e, last_good, ever_live) {
                            send(WatchUpdate::State(cluster.clone(), state));
                            break;
                        }
                    }
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    })
}
