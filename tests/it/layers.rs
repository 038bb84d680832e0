//! The architecture, checked on the source: layers only point down, no module imports one that
//! imports it back, and the cockpit and the simulator share no code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `root` as (module path, text without its test module).
fn modules(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path: PathBuf = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).expect("read");
            let code = match text.find("#[cfg(test)]\nmod tests") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
            out.insert(parts.join("::"), code);
        }
    }
    out
}

/// `crate::a::b`, `super::b`, `self::b` paths in the code, resolved to the longest module.
fn edges(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in mods {
        let own: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
        for start in ["crate::", "super::", "self::"] {
            for (at, _) in code.match_indices(start) {
                let before = code[..at].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let path: String = code[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
                let mut base: Vec<&str> = match segs.first() {
                    Some(&"crate") => Vec::new(),
                    Some(&"self") => own.clone(),
                    _ => own[..own.len().saturating_sub(1)].to_vec(),
                };
                segs.remove(0);
                while segs.first() == Some(&"super") {
                    base.pop();
                    segs.remove(0);
                }
                let target = (1..=segs.len())
                    .rev()
                    .map(|n| [base.clone(), segs[..n].to_vec()].concat().join("::"))
                    .find(|c| mods.contains_key(c));
                if let Some(t) = target
                    && t != *module
                    && !module.starts_with(&format!("{t}::"))
                    && !t.starts_with(&format!("{module}::"))
                {
                    graph.entry(module.clone()).or_default().insert(t);
                }
            }
        }
    }
    graph
}

/// A cycle through `from`, if any.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![(from.to_string(), vec![from.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == from {
                return Some([path.clone(), vec![next.clone()]].concat());
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), [path.clone(), vec![next.clone()]].concat()));
            }
        }
    }
    None
}

fn check_no_cycles(root: &str) {
    let mods = modules(&Path::new(env!("CARGO_MANIFEST_DIR")).join(root));
    assert!(mods.len() > 10, "{root} read");
    let graph = edges(&mods);
    for module in mods.keys() {
        if let Some(cycle) = cycle_from(&graph, module) {
            panic!("import cycle in {root}: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    check_no_cycles("src");
    check_no_cycles("sim/src");
}

#[test]
fn layers_point_down_and_the_simulator_stands_alone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cockpit = modules(&root.join("src"));
    for (module, code) in &cockpit {
        let layer = module.split("::").next().unwrap_or("");
        if matches!(layer, "clients" | "model") {
            assert!(!code.contains("crate::app"), "{module} imports the app");
            assert!(!code.contains("crate::views"), "{module} imports the views");
        }
        if layer == "model" {
            assert!(
                !code.contains("crate::clients"),
                "{module} imports a client"
            );
        }
        if layer == "views" {
            assert!(!code.contains("app::update"), "{module} imports update");
        }
        // The demo and the simulator's own binary start it; nothing else may.
        if !matches!(module.as_str(), "demo" | "bin::opsdeck-sim") {
            assert!(!code.contains("opsdeck_sim"), "{module} uses the simulator");
        }
    }
    for (module, code) in modules(&root.join("sim/src")) {
        assert!(!code.contains("opsdeck::"), "sim {module} uses the cockpit");
    }
}
