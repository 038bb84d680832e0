//! Every object the simulator serves must be shaped like the real project's object: validated
//! against the upstream CRD schemas (read from `$OPSDECK_UPSTREAM_CRDS`, never copied here),
//! in every served version, before and after the controllers have moved things.

use crate::common;

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::Value;

use opsdeck_sim::convert;
use opsdeck_sim::kinds::KINDS;

fn load_crds() -> Option<HashMap<(String, String), Value>> {
    let Some(dir) = std::env::var_os("OPSDECK_UPSTREAM_CRDS") else {
        eprintln!("skipped: OPSDECK_UPSTREAM_CRDS is not set (CI sets it to ../shared/crds)");
        return None;
    };
    let dir = PathBuf::from(dir);
    let mut crds = HashMap::new();
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read CRD");
        let doc: Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if doc["kind"] == "CustomResourceDefinition" {
            let group = doc["spec"]["group"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let kind = doc["spec"]["names"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            crds.insert((group, kind), doc);
        }
    }
    Some(crds)
}

fn check_all(sim: &opsdeck_sim::Simulator, crds: &HashMap<(String, String), Value>) -> usize {
    let mut checked = 0;
    let mut errors = Vec::new();
    for cluster in sim.cluster_names() {
        let db = sim.cluster_db(&cluster).expect("cluster db");
        checked += check_cluster(&db, crds, &mut errors);
    }
    assert!(
        errors.is_empty(),
        "{} schema violations:\n{}",
        errors.len(),
        errors.join("\n")
    );
    checked
}

fn check_cluster(
    db: &opsdeck_sim::db::Db,
    crds: &HashMap<(String, String), Value>,
    errors: &mut Vec<String>,
) -> usize {
    let mut checked = 0;
    for (kind_id, def) in KINDS.iter().enumerate() {
        if def.is_core() {
            continue;
        }
        // KubeVirt generates its CRDs at install time; no upstream file exists to check against.
        if def.group == "kubevirt.io" {
            continue;
        }
        let crd = crds
            .get(&(def.group.to_string(), def.kind.to_string()))
            .unwrap_or_else(|| panic!("no upstream CRD for {}", def.qualified_kind()));
        for version in def.versions {
            let schema = common::schema::version_schema(crd, version)
                .unwrap_or_else(|| panic!("{} has no schema for {version}", def.qualified_kind()));
            for obj in db.list(kind_id, None, None) {
                let mut served = convert::to_version(def, obj.clone(), version);
                // metadata is validated by the API server itself, not the CRD schema.
                served["metadata"] = serde_json::json!({});
                let name = obj["metadata"]["name"].as_str().unwrap_or("?");
                common::schema::validate(
                    &schema,
                    &served,
                    &format!("{}/{version} {name}", def.kind),
                    errors,
                );
                checked += 1;
            }
        }
    }
    assert!(
        errors.is_empty(),
        "{} schema violations:\n{}",
        errors.len(),
        errors.join("\n")
    );
    checked
}

#[tokio::test]
async fn scenario_objects_match_upstream_crds() {
    let Some(crds) = load_crds() else { return };
    let sim = common::frozen_sim().await;
    let checked = check_all(&sim, &crds);
    assert!(checked >= 60, "only {checked} objects checked");

    // After syncs, drifts, provisioning and replacements the objects must still validate.
    {
        let mut ctl = sim.controllers();
        ctl.start();
        assert!(ctl.drift("cert-manager"));
        assert!(ctl.request_sync("paperless", false));
        for _ in 0..60 {
            ctl.tick();
        }
    }
    check_all(&sim, &crds);
}
