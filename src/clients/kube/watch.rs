//! One watch per kind (`typed`: a list, then a watch from it), each object projected to a row
//! at once (the raw object is dropped), relists delivered whole, and errors turned into the
//! source state the pane shows, with backoff.

use std::fmt::Debug;
use std::ops::ControlFlow;

use jiff::Timestamp;
use kube::api::Api;
use kube::core::ApiResource;
use kube::{Client, Resource};
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use crate::clients::backoff::Backoff;
use crate::clients::error::ClientError;
use crate::clients::kube::pages;
use crate::clients::kube::typed::{self, Change, Ended, Expiries};
use crate::model::source::SourceState;
use crate::model::store::{Keyed, Malformed, ObjRef, WatchUpdate};
use crate::model::text::sanitize;
use crate::model::wire::ReadNotes;

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

/// The pane state for a failed list or watch; `since` is when the source last was fine.
fn failed_state(e: ClientError, since: Timestamp, ever_live: bool) -> SourceState {
    match e {
        ClientError::Forbidden(m) => SourceState::Forbidden(m),
        ClientError::NotFound(_) => SourceState::NotInstalled,
        e @ ClientError::Unauthorized(_) => SourceState::Error(e.to_string()),
        e if ever_live => SourceState::Stale {
            since,
            reason: e.to_string(),
        },
        e => SourceState::Error(e.to_string()),
    }
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
    F: Fn(&W) -> R + Send + Sync + 'static,
    S: Fn(WatchUpdate<R>) + Send + Sync + 'static,
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
        let mut backoff = Backoff::default();
        let mut ever_live = false;
        let mut last_good = Timestamp::now();
        let mut expiries = Expiries::default();
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
                    backoff.wait().await;
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
                    backoff.wait().await;
                    continue;
                }
            };
            let api: Api<W> = match &spec.namespace {
                Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
                None => Api::all_with(client.clone(), &ar),
            };
            let mut base = api.resource_url().to_string();
            if let Some(fields) = &spec.fields {
                base.push_str(&format!("?fieldSelector={}", pages::url_escape(fields)));
            }
            let ended = match typed::list(&client, &base, &project).await {
                Ok(listed) => {
                    ever_live = true;
                    backoff.reset();
                    last_good = Timestamp::now();
                    send(WatchUpdate::Relisted(cluster.clone(), listed.rows));
                    listed
                        .malformed
                        .into_iter()
                        .for_each(|m| send(WatchUpdate::Malformed(m)));
                    let version_of = object_version::<W>;
                    typed::follow(
                        &client,
                        &base,
                        pages::JSON_ACCEPT,
                        listed.rv,
                        version_of,
                        |change| {
                            last_good = Timestamp::now();
                            match change {
                                Change::Applied(o) => {
                                    let (row, malformed) = project(&o);
                                    send(WatchUpdate::Upsert(row));
                                    if let Some(m) = malformed {
                                        send(WatchUpdate::Malformed(m));
                                    }
                                }
                                Change::Deleted(o) => {
                                    send(WatchUpdate::Delete(ObjRef::in_cluster(
                                        cluster.clone(),
                                        sanitize(o.meta().namespace.as_deref().unwrap_or("")),
                                        sanitize(o.meta().name.as_deref().unwrap_or("")),
                                    )))
                                }
                            }
                            // A pane's watch is wanted as long as the cockpit runs.
                            ControlFlow::Continue(())
                        },
                    )
                    .await
                }
                Err(e) => Ended::Failed(e),
            };
            match ended {
                // Listed again (swapped in whole), after a pause that grows while expiries keep
                // coming: a storm of them must not turn into a storm of lists.
                Ended::Expired => {
                    tokio::time::sleep(expiries.pause()).await;
                    continue;
                }
                Ended::Unwanted => return,
                Ended::Failed(e) => {
                    tracing::warn!(kind = spec.kind, cluster = %cluster, "watch error: {e}");
                    send(WatchUpdate::State(
                        cluster.clone(),
                        failed_state(e, last_good, ever_live),
                    ));
                }
            }
            backoff.wait().await;
        }
    })
}

fn object_version<W: Resource>(object: &W) -> Option<&str> {
    object.meta().resource_version.as_deref()
}
