//! External Secrets: an ExternalSecret refreshes when its interval has passed or its labels or
//! annotations changed (the force-sync mechanism).

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::Controllers;
use crate::db::{Db, ObjKey, meta_str, now_rfc3339};
use crate::eso_objects;
use crate::json_at::At;
use crate::kinds::kind_id;

impl Controllers {
    pub fn with_workload_clusters(mut self, clusters: Vec<(String, Arc<Mutex<Db>>)>) -> Self {
        self.workload_clusters = clusters;
        self
    }

    /// ESO's refresh: an ExternalSecret syncs when its interval has passed or its labels or
    /// annotations changed (the force-sync mechanism); stuck and failing ones do not.
    pub(super) fn refresh_external_secrets(&mut self) {
        let kind = kind_id("ExternalSecret").unwrap_or_default();
        let now = jiff::Timestamp::now();
        for (cluster, db) in &self.workload_clusters {
            let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
            let due: Vec<ObjKey> =
                db.list(kind, None, None)
                    .filter(|es| {
                        let name = meta_str(es, "name");
                        let ns = meta_str(es, "namespace");
                        let spec =
                            self.scenario.external_secrets.iter().find(|e| {
                                &e.cluster == cluster && e.name == name && e.namespace == ns
                            });
                        if spec.is_some_and(|e| e.stuck || e.error.is_some()) {
                            return false;
                        }
                        let changed = es
                            .at("/status/syncedResourceVersion")
                            .and_then(Value::as_str)
                            != Some(eso_objects::synced_version(es).as_str());
                        let interval = es
                            .at("/spec/refreshInterval")
                            .and_then(Value::as_str)
                            .and_then(crate::versions::go_duration)
                            .unwrap_or(3600.0);
                        let last = es
                            .at("/status/refreshTime")
                            .and_then(Value::as_str)
                            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
                        let elapsed =
                            last.map_or(f64::MAX, |t| (now.as_second() - t.as_second()) as f64);
                        changed || (interval > 0.0 && elapsed >= interval)
                    })
                    .map(|es| Db::key_of(kind, es))
                    .collect();
            for key in due {
                let _ = db.modify(&key, |es| {
                    es["status"]["refreshTime"] = json!(now_rfc3339());
                    es["status"]["syncedResourceVersion"] = json!(eso_objects::synced_version(es));
                });
            }
        }
    }
}
