//! Tests of the Application rows, sync waves and hooks (`argo`).

use super::*;
use serde_json::json;

fn detail(phase: &str, results: serde_json::Value) -> AppDetail {
    let wire: AppDetailW = serde_json::from_value(json!({
        "metadata": {"name": "a", "namespace": "argocd"},
        "status": {
            "sync": {"status": "OutOfSync", "revision": "0123456789abcdef"},
            "health": {"status": "Progressing"},
            "resources": [
                {"kind": "Job", "name": "pre", "namespace": "x", "hook": true, "status": "Synced"},
                {"kind": "Namespace", "name": "x", "syncWave": -1, "status": "Synced", "health": {"status": "Healthy"}},
                {"kind": "Deployment", "group": "apps", "name": "d", "namespace": "x", "syncWave": 2, "status": "OutOfSync", "health": {"status": "Progressing"}},
                {"kind": "Job", "name": "post", "namespace": "x", "hook": true, "status": "Synced"},
            ],
            "operationState": {"phase": phase, "message": "m", "syncResult": {"resources": results}},
        }
    }))
    .expect("parses");
    app_detail(&wire)
}

#[test]
fn groups_hooks_and_waves_in_execution_order() {
    let d = detail(
        "Running",
        json!([
            {"kind": "Job", "name": "pre", "namespace": "x", "hookType": "PreSync", "hookPhase": "Succeeded", "status": "Synced"},
            {"kind": "Job", "name": "post", "namespace": "x", "hookType": "PostSync"},
            {"kind": "Namespace", "name": "x", "status": "Synced"},
        ]),
    );
    let order: Vec<(SyncPhase, i64)> = d.waves.iter().map(|w| (w.phase, w.wave)).collect();
    assert_eq!(
        order,
        vec![
            (SyncPhase::PreSync, 0),
            (SyncPhase::Sync, -1),
            (SyncPhase::Sync, 2),
            (SyncPhase::PostSync, 0),
        ]
    );
    assert_eq!(d.revision, "0123456");
    assert_eq!(
        d.wave_states(),
        vec![
            WaveState::Done,
            WaveState::Done,
            WaveState::Running,
            WaveState::Pending
        ]
    );
    assert_eq!(d.position(), "running wave 2");
}

#[test]
fn a_failed_hook_blocks_its_wave() {
    let d = detail(
        "Failed",
        json!([
            {"kind": "Job", "name": "pre", "namespace": "x", "hookType": "PreSync", "hookPhase": "Failed", "status": "SyncFailed"},
        ]),
    );
    assert_eq!(d.wave_states()[0], WaveState::Blocked);
    assert_eq!(d.position(), "blocked in PreSync hooks (wave 0)");
}

#[test]
fn hooks_keep_their_phase_when_a_new_operation_resets_results() {
    let before = detail(
        "Succeeded",
        json!([
            {"kind": "Job", "name": "pre", "namespace": "x", "hookType": "PreSync", "hookPhase": "Succeeded"},
            {"kind": "Job", "name": "post", "namespace": "x", "hookType": "PostSync", "hookPhase": "Succeeded"},
        ]),
    );
    let mut after = detail("Running", json!([]));
    let phases = |d: &AppDetail| d.waves.iter().map(|w| w.phase).collect::<Vec<_>>();
    assert_eq!(
        phases(&after),
        vec![SyncPhase::Sync, SyncPhase::Sync, SyncPhase::UnknownHook]
    );
    after.inherit_hook_types(&before);
    assert_eq!(
        phases(&after),
        vec![
            SyncPhase::PreSync,
            SyncPhase::Sync,
            SyncPhase::Sync,
            SyncPhase::PostSync
        ]
    );
}
