//! Any kind through the server's own columns: discovery of what a cluster serves, and a
//! list + watch of one kind with Table output (`includeObject=Metadata`), projected to compact
//! rows at once. Recovery is ours, as for the typed watches: after an error or an expired
//! resourceVersion the kind is listed again and swapped in whole.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::StreamExt;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;
use kube::Client;
use tokio::task::JoinHandle;

use crate::clients::Sink;
use crate::clients::backoff::Backoff;
use crate::clients::error::ClientError;
use crate::clients::kube::pages::{self, Pages};
use crate::clients::kube::typed::{self, Change, Ended, Expiries};
use crate::model::browse::{BrowseRow, ServerColumn, TableW, browse_row};
use crate::model::catalog::ApiKind;
use crate::model::health::{self, Rule};
use crate::model::source::SourceState;
use crate::model::store::{ObjRef, WatchUpdate};

/// What a browse watch reports.
#[derive(Debug, Clone)]
pub enum BrowseUpdate {
    /// The server's columns for the kind, from one cluster.
    Columns(String, Vec<ServerColumn>),
    Rows(WatchUpdate<BrowseRow>),
    /// A page of a first list, shown as it arrives: each of its rows as an upsert. One
    /// message a page, not one a row (60,000 pods were 60,000 messages, each waking the
    /// screen's loop).
    Page(Vec<BrowseRow>),
}

impl BrowseUpdate {
    /// The updates to a store this stands for, in order (nothing allocated for them).
    pub fn into_rows(self) -> impl Iterator<Item = WatchUpdate<BrowseRow>> {
        let (one, page) = match self {
            BrowseUpdate::Columns(..) => (None, Vec::new()),
            BrowseUpdate::Rows(update) => (Some(update), Vec::new()),
            BrowseUpdate::Page(rows) => (None, rows),
        };
        one.into_iter()
            .chain(page.into_iter().map(WatchUpdate::Upsert))
    }
}

/// The core group's kinds (`pods`, `nodes` …): one request, so `:pods` can open before the
/// other groups have answered.
pub async fn discover_core(client: &Client) -> Result<Vec<ApiKind>, ClientError> {
    let list = client
        .list_core_api_resources("v1")
        .await
        .map_err(|e| ClientError::from_kube(&e))?;
    Ok(kinds_of(String::new(), list))
}

/// Every other group's kinds, at each group's preferred version (subresources and kinds that
/// cannot be listed left out).
pub async fn discover_groups(client: &Client) -> Result<Vec<ApiKind>, ClientError> {
    let groups = client
        .list_api_groups()
        .await
        .map_err(|e| ClientError::from_kube(&e))?;
    // Every group at once (a cluster has dozens); one that fails alone (an aggregated API
    // that is down) is left out, not fatal.
    let asked = groups.groups.into_iter().filter_map(|group| {
        let version = group
            .preferred_version
            .or_else(|| group.versions.first().cloned())?;
        Some(async move {
            let list = client
                .list_api_group_resources(&version.group_version)
                .await;
            list.ok().map(|l| kinds_of(group.name, l))
        })
    });
    Ok(futures::stream::iter(asked)
        .buffer_unordered(8)
        .filter_map(|answer| async move { answer })
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .flatten()
        .collect())
}

fn kinds_of(group: String, list: APIResourceList) -> Vec<ApiKind> {
    let version = list
        .group_version
        .rsplit('/')
        .next()
        .unwrap_or("v1")
        .to_string();
    list.resources
        .into_iter()
        .filter(|r| !r.name.contains('/') && r.verbs.iter().any(|v| v == "list"))
        .map(|r| ApiKind {
            group: group.clone(),
            version: version.clone(),
            singular: if r.singular_name.is_empty() {
                r.kind.to_lowercase()
            } else {
                r.singular_name
            },
            kind: r.kind,
            plural: r.name,
            short_names: r.short_names.unwrap_or_default(),
            namespaced: r.namespaced,
        })
        .collect()
}

/// A list as it came: the server's columns, the rows not already shown, and its
/// resourceVersion.
#[derive(Default)]
struct Listed {
    columns: Vec<ServerColumn>,
    rows: Vec<BrowseRow>,
    rv: String,
    /// Its pages went to `early` as they arrived.
    streamed: bool,
}

/// Where a first list's pages go as they arrive: its cluster's sink. It remembers whether it
/// showed anything, as a list retried after failing half way must then be swapped in whole
/// (rows it showed may have been deleted since).
struct Early<'a> {
    cluster: &'a str,
    sink: &'a Sink<BrowseUpdate>,
    shown: AtomicBool,
}

impl Early<'_> {
    fn send(&self, update: BrowseUpdate) -> bool {
        self.shown.store(true, Ordering::Relaxed);
        self.sink.send(update)
    }

    fn shown(&self) -> bool {
        self.shown.load(Ordering::Relaxed)
    }
}

/// The whole collection as Table pages (`base` is the collection with its query so far). With
/// `early`, a list of more than one page sends each page there as it arrives (the columns,
/// then each row), and returns no row.
async fn list(
    client: &Client,
    base: &str,
    rule: Option<Rule>,
    early: Option<&Early<'_>>,
) -> Result<Listed, ClientError> {
    let gone = || ClientError::Invalid("nobody reads the rows any more".into());
    let mut listed = Listed::default();
    let mut token: Option<String> = None;
    let mut pages = Pages::start(client, base, pages::TABLE_ACCEPT);
    loop {
        // Its place in the window is given up once it is parsed.
        let answer = pages.next(token.as_deref()).await?;
        let page: TableW =
            pages::read_json(&answer.text).map_err(|e| ClientError::Invalid(e.to_string()))?;
        drop(answer);
        if let Some(defs) = page.columns {
            listed.columns = defs;
        }
        let read_at = Timestamp::now();
        listed
            .rows
            .extend(page.rows.into_iter().map(|r| browse_row(r, rule, read_at)));
        let next = page.metadata.continue_token.filter(|t| !t.is_empty());
        if let Some(early) = early
            && (next.is_some() || listed.streamed)
        {
            let columns = BrowseUpdate::Columns(early.cluster.to_string(), listed.columns.clone());
            if !listed.streamed && !early.send(columns) {
                return Err(gone());
            }
            listed.streamed = true;
            let cluster = smol_str::SmolStr::from(early.cluster);
            let mut page = std::mem::take(&mut listed.rows);
            for row in &mut page {
                row.key.cluster.clone_from(&cluster);
            }
            if !early.send(BrowseUpdate::Page(page)) {
                return Err(gone());
            }
        }
        match next {
            Some(next) => token = Some(next),
            None => {
                listed.rv = page.metadata.resource_version.unwrap_or_default();
                return Ok(listed);
            }
        }
    }
}

/// Watch one kind on one cluster, in a namespace or across all, reporting to `sink`.
pub fn spawn_table_watch(
    client: Client,
    cluster: String,
    kind: ApiKind,
    namespace: Option<String>,
    fields: Option<String>,
    sink: Sink<BrowseUpdate>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        // A kind with a health rule comes with its objects, judged as each row arrives and
        // then dropped; any other kind with its metadata only.
        let rule = health::rule(&kind.group, &kind.kind);
        let include = if rule.is_some() { "Object" } else { "Metadata" };
        let mut base = format!(
            "{}?includeObject={include}",
            kind.collection_path(namespace.as_deref())
        );
        if let Some(fields) = &fields {
            base.push_str(&format!("&fieldSelector={}", pages::url_escape(fields)));
        }
        let cluster_key = smol_str::SmolStr::from(cluster.as_str());
        let keyed = |mut row: BrowseRow| {
            row.key.cluster.clone_from(&cluster_key);
            row
        };
        // The first list's pages are shown as they arrive: with nothing shown yet there is
        // nothing to keep consistent, and 60,000 pods show their first rows at once. Later
        // lists (and a first one retried after it failed half way, which may have shown rows
        // deleted since) are swapped in whole, so no row flickers or lingers.
        let early = Early {
            cluster: &cluster,
            sink: &sink,
            shown: AtomicBool::new(false),
        };
        let mut backoff = Backoff::default();
        let mut last_good = Timestamp::now();
        let mut ever_live = false;
        let mut expiries = Expiries::default();
        loop {
            let stream = !ever_live && !early.shown();
            let listed = list(&client, &base, rule, stream.then_some(&early)).await;
            let Listed {
                columns,
                rows,
                rv,
                streamed: shown_early,
            } = match listed {
                Ok(listed) => listed,
                Err(e) => {
                    tracing::warn!(kind = %kind.qualified(), cluster = %cluster, "list failed: {e}");
                    let state = match (&e, ever_live) {
                        (ClientError::Forbidden(m), _) => SourceState::Forbidden(m.clone()),
                        (ClientError::NotFound(_), _) => SourceState::NotInstalled,
                        (_, true) => SourceState::Stale {
                            since: last_good,
                            reason: e.to_string(),
                        },
                        (_, false) => SourceState::Error(e.to_string()),
                    };
                    if !sink.send(BrowseUpdate::Rows(WatchUpdate::State(
                        cluster.clone(),
                        state,
                    ))) {
                        return;
                    }
                    backoff.wait().await;
                    continue;
                }
            };
            ever_live = true;
            backoff.reset();
            last_good = Timestamp::now();
            let sent = if shown_early {
                sink.send(BrowseUpdate::Rows(WatchUpdate::State(
                    cluster.clone(),
                    SourceState::Live,
                )))
            } else {
                let rows = rows.into_iter().map(keyed).collect();
                sink.send(BrowseUpdate::Columns(cluster.clone(), columns))
                    && sink.send(BrowseUpdate::Rows(WatchUpdate::Relisted(
                        cluster.clone(),
                        rows,
                    )))
            };
            if !sent {
                return;
            }
            // Watch from the list, renewing at each timeout, until the server says relist.
            let follow = |change: Change<TableW>| {
                let read_at = Timestamp::now();
                let update = match change {
                    Change::Applied(t) => t
                        .rows
                        .into_iter()
                        .next()
                        .map(|r| WatchUpdate::Upsert(keyed(browse_row(r, rule, read_at)))),
                    Change::Deleted(t) => t.rows.into_iter().next().map(|r| {
                        let row = keyed(browse_row(r, None, read_at));
                        WatchUpdate::Delete(ObjRef::in_cluster(
                            cluster.clone(),
                            row.key.namespace,
                            row.key.name,
                        ))
                    }),
                };
                let sent = update.is_none_or(|update| sink.send(BrowseUpdate::Rows(update)));
                if sent {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            };
            let ended = typed::follow(
                &client,
                &base,
                pages::TABLE_ACCEPT,
                rv,
                table_version,
                follow,
            )
            .await;
            match ended {
                // Listed again (swapped in whole), after a pause that grows while expiries
                // keep coming: a storm of them must not turn into a storm of lists.
                Ended::Expired => tokio::time::sleep(expiries.pause()).await,
                Ended::Unwanted => return,
                // Listed again after the backoff; a list that fails says so on the pane.
                Ended::Failed(e) => {
                    tracing::debug!(kind = %kind.qualified(), cluster = %cluster, "watch ended: {e}");
                    backoff.wait().await;
                }
            }
        }
    })
}

/// A one-row Table's resourceVersion: the Table's own, or its object's.
fn table_version(table: &TableW) -> Option<&str> {
    table.metadata.resource_version.as_deref().or_else(|| {
        table
            .rows
            .first()
            .and_then(|r| r.object.as_ref())
            .and_then(|o| o.metadata.resource_version.as_deref())
    })
}
