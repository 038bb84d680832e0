//! The seed systems move as theirs would: Velero's daily schedule runs a backup now and then
//! (one of every three fails, as the volume snapshotter is missing), and cert-manager renews a
//! certificate that is close to expiry.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::Controllers;
use crate::db::{Db, ObjKey, meta_str};
use crate::json_at::At;
use crate::kinds::kind_id;

/// Ticks between two scheduled backups (a day in the platform's time; a minute in the demo's).
const BACKUP_EVERY: u64 = 60;
/// Ticks before cert-manager renews a certificate that expires within its renewal window.
const RENEW_AFTER: u64 = 30;

fn rfc3339(t: Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

impl Controllers {
    pub(super) fn run_seed_systems(&mut self) {
        let ticks = self.ticks;
        for (_, db) in &self.workload_clusters {
            let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
            finish_backups(&mut db, ticks);
            if ticks.is_multiple_of(BACKUP_EVERY) {
                start_backup(&mut db, ticks);
            }
            if ticks == RENEW_AFTER {
                renew_certificates(&mut db);
            }
        }
    }
}

/// The schedules start a backup from their template.
fn start_backup(db: &mut Db, ticks: u64) {
    let (Some(schedule), Some(backup)) = (kind_id("Schedule"), kind_id("Backup")) else {
        return;
    };
    let schedules: Vec<Value> = db.list(schedule, None, None).cloned().collect();
    let now = Timestamp::now();
    for s in schedules {
        let name = format!("{}-{}", meta_str(&s, "name"), now.strftime("%Y%m%d%H%M%S"));
        let object = json!({
            "metadata": {"name": name, "namespace": meta_str(&s, "namespace"),
                         "labels": {"velero.io/schedule-name": meta_str(&s, "name"),
                                    "velero.io/storage-location": "default"},
                         "annotations": {"opsdeck.sim/run": ticks.to_string()}},
            "spec": s["spec"]["template"].clone(),
            "status": {"phase": "InProgress", "startTimestamp": rfc3339(now), "version": 1,
                       "formatVersion": "1.1.0", "progress": {"totalItems": 412, "itemsBackedUp": 17}},
        });
        let _ = db.create(backup, object);
    }
}

/// A backup that ran for a tick ends: Completed, or Failed one time in three; its schedule
/// records the last successful one.
fn finish_backups(db: &mut Db, ticks: u64) {
    let (Some(schedule), Some(backup)) = (kind_id("Schedule"), kind_id("Backup")) else {
        return;
    };
    let running: Vec<(ObjKey, u64, String, String)> = db
        .list(backup, None, None)
        .filter(|b| b.at("/status/phase").and_then(Value::as_str) == Some("InProgress"))
        .filter_map(|b| {
            let run: u64 = b
                .at("/metadata/annotations/opsdeck.sim~1run")?
                .as_str()?
                .parse()
                .ok()?;
            let from = b
                .at("/metadata/labels/velero.io~1schedule-name")?
                .as_str()?
                .to_string();
            Some((
                Db::key_of(backup, b),
                run,
                from,
                meta_str(b, "namespace").to_string(),
            ))
        })
        .filter(|(_, run, _, _)| *run < ticks)
        .collect();
    let now = rfc3339(Timestamp::now());
    for (key, run, from, namespace) in running {
        let failed = (run / BACKUP_EVERY).is_multiple_of(3);
        let _ = db.modify(&key, |b| {
            let status = &mut b["status"];
            status["completionTimestamp"] = json!(now);
            status["progress"]["itemsBackedUp"] = json!(if failed { 211 } else { 412 });
            if failed {
                status["phase"] = json!("Failed");
                status["errors"] = json!(1);
                status["failureReason"] = json!(
                    "rpc error: code = Unknown desc = error getting volume snapshotter: volume snapshot location default not found"
                );
            } else {
                status["phase"] = json!("Completed");
            }
        });
        if !failed {
            let _ = db.modify(&(schedule, namespace, from), |s| {
                s["status"]["lastBackup"] = json!(now);
            });
        }
    }
}

/// Certificates inside their renewal window are issued again for 90 days.
fn renew_certificates(db: &mut Db) {
    let Some(certificate) = kind_id("Certificate") else {
        return;
    };
    let now = Timestamp::now();
    let due: Vec<ObjKey> = db
        .list(certificate, None, None)
        .filter(|c| {
            c.at("/status/renewalTime")
                .and_then(Value::as_str)
                .and_then(|t| t.parse::<Timestamp>().ok())
                .is_some_and(|t| t <= now)
        })
        .map(|c| Db::key_of(certificate, c))
        .collect();
    for key in due {
        let _ = db.modify(&key, |c| {
            let status = &mut c["status"];
            status["notBefore"] = json!(rfc3339(now));
            status["notAfter"] = json!(rfc3339(now + SignedDuration::from_hours(24 * 90)));
            status["renewalTime"] = json!(rfc3339(now + SignedDuration::from_hours(24 * 60)));
            status["revision"] = json!(status["revision"].as_u64().unwrap_or(0) + 1);
            status["conditions"] = json!([{"type": "Ready", "status": "True", "reason": "Ready",
                "message": "Certificate is up to date and has not expired",
                "lastTransitionTime": rfc3339(now), "observedGeneration": 1}]);
        });
    }
}
