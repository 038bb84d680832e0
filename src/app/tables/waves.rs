//! The sync-wave view's list: a header line per hook phase and wave in the order Argo CD runs
//! them, then that wave's resources with their sync, health, hook state and result. The filter
//! keeps a wave while any of its resources match; the order is the run order, never sorted.

use crate::app::state::{State, WaveLine, app_detail, wave_lines};
use crate::model::argo::{ResourceRef, SyncPhase, Wave, WaveState};
use crate::model::store::ObjRef;
use crate::model::table::{Cell, Column, TableRow, status_style};

pub const COLUMNS: &[Column] = &[
    Column::new("KIND", 40).min(6),
    Column::new("NAME", 60).min(10),
    Column::new("SYNC", 10),
    Column::new("HEALTH", 12),
    Column::new("HOOK", 20).drop(2),
    Column::new("RESULT", 11).drop(1),
    Column::new("MESSAGE", 200).min(10).flex(),
];

/// A resource's row key: its group and kind stand where a row's cluster would (the rows of
/// this list all belong to one application).
pub fn resource_key(r: &ResourceRef) -> ObjRef {
    ObjRef::in_cluster(
        format!("{}/{}", r.group, r.kind),
        r.namespace.clone(),
        r.name.clone(),
    )
}

fn wave_key(w: &Wave) -> ObjRef {
    ObjRef::new("", format!("{} {}", w.phase.as_str(), w.wave))
}

fn wave_title(w: &Wave) -> String {
    match w.phase {
        SyncPhase::Sync => format!("Wave {}", w.wave),
        SyncPhase::UnknownHook => "Hooks not run yet in this operation".to_string(),
        p => format!("{} hooks · wave {}", p.as_str(), w.wave),
    }
}

fn state_word(s: WaveState) -> &'static str {
    match s {
        WaveState::Done => "Done",
        WaveState::Running => "Running",
        WaveState::Blocked => "Blocked",
        WaveState::Pending => "Pending",
        WaveState::Idle => "",
    }
}

pub fn rows(state: &State) -> Vec<TableRow> {
    let Some(detail) = app_detail(state) else {
        return Vec::new();
    };
    let tree = match &state.argo.tree_health {
        Some((k, Ok(tree))) if *k == detail.key => Some(tree),
        _ => None,
    };
    wave_lines(state, detail)
        .into_iter()
        .map(|line| match line {
            WaveLine::Wave(w, s) => TableRow::new(
                wave_key(w),
                vec![
                    Cell::styled(format!("▸ {}", wave_title(w)), "row.group"),
                    Cell::plain(format!("{} resources", w.resources.len())),
                    Cell::default(),
                    Cell::default(),
                    Cell::default(),
                    Cell::status(state_word(s)),
                    Cell::default(),
                ],
            ),
            WaveLine::Resource(r) => {
                let reference = r.reference();
                // The kind alone: groups make the column too wide to read.
                let kind = if state.argo.wave_marks.contains(&reference) {
                    Cell::styled(format!("✓ {}", r.kind), "prompt")
                } else {
                    Cell::plain(format!("  {}", r.kind))
                };
                let name = if r.namespace.is_empty() {
                    r.name.clone()
                } else {
                    format!("{}/{}", r.namespace, r.name)
                };
                // argocd-server's resource tree, when read, is the live truth; the CR's copy
                // (Argo CD 2.x, or 3.x with persistence on) otherwise.
                let health = tree
                    .and_then(|t| t.get(&reference))
                    .map(|(status, _)| status.clone())
                    .or_else(|| r.health.clone())
                    .unwrap_or_else(|| "-".into());
                let hook = match (r.hook, &r.hook_phase) {
                    (Some(_), _) if r.hook_type_unknown() => "hook".to_string(),
                    (Some(p), Some(hp)) => format!("{} {hp}", p.as_str()),
                    (Some(p), None) => format!("{} pending", p.as_str()),
                    (None, _) => String::new(),
                };
                let hook_style = status_style(r.hook_phase.as_deref().unwrap_or(""));
                let result = r.result.clone().unwrap_or_default();
                TableRow::new(
                    resource_key(&reference),
                    vec![
                        kind,
                        Cell::plain(name),
                        Cell::status(r.sync.clone()),
                        Cell::status(health),
                        Cell::styled(hook, hook_style),
                        Cell::status(result),
                        Cell::styled(r.result_message.clone(), "dim"),
                    ],
                )
            }
        })
        .collect()
}
