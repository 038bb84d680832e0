//! The kind browser's table: the server's own columns (those it prints without `-o wide`),
//! after CLUSTER when several clusters serve the kind and NAMESPACE when it is listed across
//! namespaces — as `kubectl get -A` adds it. Age is counted from the creation time, so it moves.
//! Pods and nodes get their usage from the Metrics API before AGE, as k9s shows it.

use std::borrow::Cow;
use std::cell::Ref;

use smol_str::SmolStr;

use crate::app::state::State;
use crate::model::browse::BrowseRow;
use crate::model::health::{self, Health, Level};
use crate::model::kept::{Built, KeptRows};
use crate::model::metrics::{MetricsOf, MetricsSource, Resources, cpu_text, memory_text, percent};
use crate::model::store::ObjRef;
use crate::model::table::{Cell, Column, TableRow, interned, status_style};
use crate::model::text::{ago_suffix, parse_age};

/// What a server column may take before it is cut (its content decides below that).
const SERVER_COLUMN_MAX: u16 = 60;

fn shows_cluster(state: &State) -> bool {
    state
        .browse
        .target
        .as_ref()
        .is_some_and(|t| t.clusters.len() > 1)
}

fn shows_namespace(state: &State) -> bool {
    state
        .browse
        .target
        .as_ref()
        .is_some_and(|t| t.kind.namespaced && t.namespace.is_none())
}

const POD_USAGE: &[Column] = &[
    Column::new("CPU", 8).right().drop(2),
    Column::new("MEM", 8).right().drop(2),
    Column::new("%CPU/R", 6).right().drop(3),
    Column::new("%CPU/L", 6).right().drop(4),
    Column::new("%MEM/R", 6).right().drop(3),
    Column::new("%MEM/L", 6).right().drop(4),
];

const NODE_USAGE: &[Column] = &[
    Column::new("CPU", 8).right().drop(2),
    Column::new("%CPU", 5).right().drop(3),
    Column::new("MEM", 8).right().drop(2),
    Column::new("%MEM", 5).right().drop(3),
];

fn usage_columns(state: &State) -> &'static [Column] {
    // When no browsed cluster serves the Metrics API there are no usage columns, rather than
    // six columns of `n/a` beside names and messages cut short.
    let metrics = &state.browse.metrics;
    let served = metrics
        .clusters
        .values()
        .any(|s| *s != MetricsSource::NotServed);
    match metrics.of.filter(|_| served) {
        Some(MetricsOf::Pods) => POD_USAGE,
        Some(MetricsOf::Nodes) => NODE_USAGE,
        None => &[],
    }
}

/// Where the usage goes among the server's shown columns: before AGE, else last.
fn usage_at(state: &State) -> usize {
    let shown = state.browse.columns.iter().filter(|c| c.priority == 0);
    let all = shown.clone().count();
    shown.clone().position(|c| c.name == "Age").unwrap_or(all)
}

/// A row's usage cells: numbers sort as numbers; `n/a` without metrics-server.
fn usage_cells(state: &State, key: &ObjRef) -> Vec<Cell> {
    let metrics = &state.browse.metrics;
    let Some(of) = metrics.of else {
        return Vec::new();
    };
    let Some(used) = metrics.usage.get(key) else {
        let missing = metrics.missing(&key.cluster);
        return usage_columns(state)
            .iter()
            .map(|_| Cell::plain(missing).sorted_by(-1))
            .collect();
    };
    let cpu = Cell::plain(cpu_text(used.cpu_milli)).sorted_by(used.cpu_milli as i64);
    let memory = Cell::plain(memory_text(used.memory)).sorted_by(used.memory as i64);
    match of {
        MetricsOf::Pods => {
            // `-` until the pod's requests and limits are known; `n/a` when it sets none.
            let sets = metrics.resources.get(key);
            let of = |amount: fn(&Resources) -> Option<u64>, used: u64| match sets {
                None => Cell::plain("-").sorted_by(-1),
                Some(r) => share(Some(used), amount(r)),
            };
            vec![
                cpu,
                memory,
                of(|r| r.requests.cpu_milli, used.cpu_milli),
                of(|r| r.limits.cpu_milli, used.cpu_milli),
                of(|r| r.requests.memory, used.memory),
                of(|r| r.limits.memory, used.memory),
            ]
        }
        MetricsOf::Nodes => {
            let of_node = metrics.allocatable.get(key);
            vec![
                cpu,
                share(Some(used.cpu_milli), of_node.map(|a| a.cpu_milli)),
                memory,
                share(Some(used.memory), of_node.map(|a| a.memory)),
            ]
        }
    }
}

/// `used` as a share of `of`, coloured as k9s does from 70 % and 90 %; `n/a` without `of`.
fn share(used: Option<u64>, of: Option<u64>) -> Cell {
    let Some(p) = used.zip(of).and_then(|(used, of)| percent(used, of)) else {
        return Cell::plain("n/a").sorted_by(-1);
    };
    let text = p.to_string();
    let cell = match p {
        p if p >= 90 => Cell::styled(text, "status.degraded"),
        p if p >= 70 => Cell::styled(text, "status.warning"),
        _ => Cell::plain(text),
    };
    cell.sorted_by(p as i64)
}

/// Whether the kind browsed has a health rule (pods' reads their printed cells).
fn shows_health(state: &State) -> bool {
    state.browse.target.as_ref().is_some_and(|t| {
        health::rule(&t.kind.group, &t.kind.kind).is_some() || state.browse.shows_core("Pod")
    })
}

/// Where a pod's STATUS and RESTARTS are among the server's cells (looked up once a frame,
/// not once a row: `:pods` may have thousands).
fn pod_cells(state: &State) -> Option<(usize, Option<usize>)> {
    if !state.browse.shows_core("Pod") {
        return None;
    }
    let at = |name: &str| state.browse.columns.iter().position(|c| c.name == name);
    Some((at("Status")?, at("Restarts")))
}

/// A row's verdict: its rule's, or for a pod from its STATUS and RESTARTS cells and age; and
/// whether the verdict turns as time passes (a pod waiting to start).
fn row_health(
    state: &State,
    row: &BrowseRow,
    pod: Option<(usize, Option<usize>)>,
) -> (Option<Health>, bool) {
    if row.health.is_some() {
        return (row.health.as_deref().cloned(), false);
    }
    let cell = |at: usize| row.cells.get(at).map(SmolStr::as_str);
    let Some((status, restarts)) = pod.and_then(|(s, r)| Some((cell(s)?, r))) else {
        return (None, false);
    };
    let age = row.created.map(|t| state.now.duration_since(t));
    let health = health::pod(status, restarts.and_then(cell).unwrap_or("0"), age);
    (Some(health), health::pod_waits(status))
}

fn health_cell(health: Option<Health>) -> Cell {
    let Some(health) = health else {
        return Cell::plain("").sorted_by(-1);
    };
    let style = match health.level {
        Level::Healthy => "status.ok",
        Level::Progressing => "status.progressing",
        Level::Unknown => "status.unknown",
        Level::Warning => "status.warning",
        Level::Degraded => "status.degraded",
    };
    Cell::styled(health.text(), style).sorted_by(health.level as i64)
}

pub fn columns(state: &State) -> Cow<'static, [Column]> {
    let mut out = Vec::new();
    if shows_cluster(state) {
        out.push(Column::new("CLUSTER", 24).drop(1));
    }
    if shows_namespace(state) {
        out.push(Column::new("NAMESPACE", 24));
    }
    let server = state.browse.columns.iter().filter(|c| c.priority == 0);
    let at = out.len() + usage_at(state);
    out.extend(server.map(|c| {
        let title = interned(&c.name.to_uppercase());
        Column::new(title, SERVER_COLUMN_MAX).min(title.len().min(12) as u16)
    }));
    let usage = usage_columns(state);
    out.splice(at..at, usage.iter().copied());
    if shows_health(state) {
        out.push(Column::new("HEALTH", 80).min(8));
    }
    if let Some(last) = out.pop() {
        out.push(last.flex());
    }
    Cow::Owned(out)
}

/// The browser's rows, brought up to date: built once, then patched per watch event.
pub fn kept(state: &State) -> Ref<'_, KeptRows> {
    {
        let mut kept = state.browse.kept.borrow_mut();
        // Worked out only when a row is to be built: most frames build none.
        let builder = std::cell::OnceCell::new();
        let builder = || builder.get_or_init(|| RowBuilder::new(state));
        let rows = &state.browse.rows;
        kept.sync(
            state.now.as_second(),
            || rows.iter().map(|r| builder().build(state, r)).collect(),
            |key| rows.get(key).map(|r| builder().build(state, r)),
        );
    }
    state.browse.kept.borrow()
}

/// How a browsed object becomes a row, worked out once per batch of rows (not once a row:
/// `:pods` may list 60,000).
struct RowBuilder {
    cluster: bool,
    namespace: bool,
    /// Where the usage cells go, when metrics are shown.
    usage: Option<usize>,
    health: bool,
    pod: Option<(usize, Option<usize>)>,
    /// The server columns shown, and whether each is the age.
    server: Vec<(usize, bool)>,
    width: usize,
}

impl RowBuilder {
    fn new(state: &State) -> RowBuilder {
        let (cluster, namespace) = (shows_cluster(state), shows_namespace(state));
        let server: Vec<(usize, bool)> = state
            .browse
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.priority == 0)
            // Built-in Tables type Age as a string, CRDs as a date: either way it is counted
            // from the creation time here, so it moves while the list is open.
            .map(|(i, c)| (i, c.name == "Age"))
            .collect();
        let usage = (!usage_columns(state).is_empty())
            .then(|| usize::from(cluster) + usize::from(namespace) + usage_at(state));
        let health = shows_health(state);
        // Exactly the cells a row gets: a row that grows past its capacity doubles it, and
        // a table of 60,000 rows is kept.
        let width = usize::from(cluster)
            + usize::from(namespace)
            + server.len()
            + usage.map_or(0, |_| usage_columns(state).len())
            + usize::from(health);
        RowBuilder {
            cluster,
            namespace,
            usage,
            health,
            pod: pod_cells(state),
            server,
            width,
        }
    }

    fn build(&self, state: &State, r: &BrowseRow) -> Built {
        let mut cells = Vec::with_capacity(self.width);
        if self.cluster {
            cells.push(Cell::plain(r.key.cluster.clone()));
        }
        if self.namespace {
            cells.push(Cell::plain(r.key.namespace.clone()));
        }
        for &(i, is_age) in &self.server {
            match (is_age, r.created) {
                (true, Some(created)) => cells.push(Cell::since(created)),
                _ => cells.push(server_cell(
                    r.cells.get(i).cloned().unwrap_or_default(),
                    r.read_at,
                )),
            }
        }
        if let Some(at) = self.usage {
            cells.splice(at..at, usage_cells(state, &r.key));
        }
        let mut timed = false;
        if self.health {
            let (health, turns) = row_health(state, r, self.pod);
            timed = turns;
            cells.push(health_cell(health));
        }
        Built {
            row: TableRow::new(r.key.clone(), cells),
            timed,
        }
    }
}

/// A server's cell, read at `read_at` (a Unix second): words with a known meaning coloured,
/// durations sorted by time, and a time it gave as relative (`7 (101s ago)`) kept as the
/// moment it names, so it ages as the row is kept.
fn server_cell(text: SmolStr, read_at: i64) -> Cell {
    if let Some((before, ago)) = ago_suffix(&text)
        && let Ok(at) = jiff::Timestamp::from_second(read_at.saturating_sub(ago))
    {
        return Cell::text_since(before, at);
    }
    let style = status_style(&text);
    let seconds = parse_age(&text);
    let cell = if style == "status.unknown" {
        Cell::plain(text)
    } else {
        Cell::styled(text, style)
    };
    // A duration (LAST SEEN, a CRD's own age column) sorts by time.
    match seconds {
        Some(s) => cell.sorted_by(s),
        None => cell,
    }
}
