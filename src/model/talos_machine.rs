//! A Talos node's own view of itself, from its COSI resources (what `talosctl get` shows): the
//! machine's stage and readiness with the conditions it still waits for, its addresses, the
//! cluster members it knows, and its machine config with every secret taken out. Each is read
//! from the resource's `yaml_spec`, as talosctl reads it. Pure.

use serde::Deserialize;
use serde_json::Value;

use super::text::sanitize;

/// `MachineStatuses.runtime.talos.dev/machine`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MachineStatus {
    /// `running`, `booting`, `rebooting`, `upgrading` …
    pub stage: String,
    pub ready: bool,
    /// (condition, reason) the machine is not ready for.
    pub unmet: Vec<(String, String)>,
}

impl MachineStatus {
    /// `running, ready`, or `running, not ready: services, time` (the conditions it waits
    /// for, named; the inspector has their reasons).
    pub fn short(&self) -> String {
        if self.ready {
            return format!("{}, ready", self.stage);
        }
        if self.unmet.is_empty() {
            return format!("{}, not ready", self.stage);
        }
        let names: Vec<&str> = self.unmet.iter().map(|(n, _)| n.as_str()).collect();
        format!("{}, not ready: {}", self.stage, names.join(", "))
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct StatusSpec {
    stage: Value,
    status: StatusInner,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct StatusInner {
    ready: bool,
    unmet_conditions: Vec<Condition>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Condition {
    name: String,
    reason: String,
}

/// A spec's text from YAML, whatever scalar it is.
fn word(v: &Value) -> String {
    match v {
        Value::String(s) => sanitize(s),
        Value::Null => String::new(),
        other => sanitize(&other.to_string()),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(what: &str, yaml: &str) -> Result<T, String> {
    serde_saphyr::from_str(yaml).map_err(|e| sanitize(&format!("{what}: unreadable spec: {e}")))
}

pub fn machine_status(yaml: &str) -> Result<MachineStatus, String> {
    let spec: StatusSpec = parse("MachineStatus", yaml)?;
    Ok(MachineStatus {
        stage: word(&spec.stage),
        ready: spec.status.ready,
        unmet: spec
            .status
            .unmet_conditions
            .into_iter()
            .map(|c| (sanitize(&c.name), sanitize(&c.reason)))
            .collect(),
    })
}

/// One cluster member as this node knows it (`Members.cluster.talos.dev`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Member {
    pub hostname: String,
    pub addresses: Vec<String>,
    pub machine_type: String,
    pub operating_system: String,
}

pub fn member(yaml: &str) -> Result<Member, String> {
    let m: Member = parse("Member", yaml)?;
    Ok(Member {
        hostname: sanitize(&m.hostname),
        addresses: m.addresses.iter().map(|a| sanitize(a)).collect(),
        machine_type: sanitize(&m.machine_type),
        operating_system: sanitize(&m.operating_system),
    })
}

/// The addresses of one `NodeAddresses.net.talos.dev` set (`10.0.0.2/24` …).
pub fn node_addresses(yaml: &str) -> Result<Vec<String>, String> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Spec {
        addresses: Vec<String>,
    }
    let s: Spec = parse("NodeAddress", yaml)?;
    Ok(s.addresses.iter().map(|a| sanitize(a)).collect())
}

/// What the Machine tab shows besides the status: the members this node knows and its
/// address sets (`default`, `current`, `routed`, `accumulative` …), as watched.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MachineDetails {
    pub members: std::collections::BTreeMap<String, Member>,
    pub addresses: std::collections::BTreeMap<String, Vec<String>>,
    /// Both watches have listed what there is.
    pub complete: bool,
}

/// What following a node brings: its machine status as it changes, its new events, or why
/// either stream stopped (it is opened again by itself).
#[derive(Debug, Clone, PartialEq)]
pub enum NodeFeed {
    Status(Result<MachineStatus, String>),
    Events(Vec<super::talos_events::NodeEvent>),
    EventsStopped(String),
}

/// What stands where a secret was.
pub const REDACTED: &str = "<redacted>";

/// Whether a config key holds a secret: tokens, keys, passwords, anything named secret.
fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    (k.ends_with("key") && k != "publickey")
        || k.ends_with("token")
        || k.contains("secret")
        || k.contains("password")
        || k == "auth"
}

/// Whether a value is a private key, as PEM or as base64 of PEM.
fn private_key_value(s: &str) -> bool {
    use base64::Engine;
    if s.contains("PRIVATE KEY") {
        return true;
    }
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .is_ok_and(|b| String::from_utf8_lossy(&b).contains("PRIVATE KEY"))
}

/// A YAML document that keeps its keys in their order (a config reads as it was written).
#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(untagged)]
enum Node {
    Null(()),
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Node>),
    Map(indexmap::IndexMap<String, Node>),
}

fn redact(v: &mut Node) {
    match v {
        Node::Map(map) => {
            for (k, child) in map.iter_mut() {
                if secret_key(k) && !matches!(child, Node::Null(())) {
                    *child = Node::Text(REDACTED.into());
                } else {
                    redact(child);
                }
            }
        }
        Node::List(items) => items.iter_mut().for_each(redact),
        Node::Text(s) if private_key_value(s) => *s = REDACTED.into(),
        _ => {}
    }
}

/// The machine config from a `MachineConfigs.config.talos.dev` resource's `yaml_spec` (a YAML
/// string whose value is the config, several documents), every secret replaced by
/// `<redacted>`, as lines to show. The config's own text never leaves this function.
pub fn redacted_config(yaml_spec: &str) -> Result<Vec<String>, String> {
    let text: String = parse("MachineConfig", yaml_spec)?;
    let docs: Vec<Node> = serde_saphyr::from_multiple(&text)
        .map_err(|e| sanitize(&format!("MachineConfig: unreadable config: {e}")))?;
    let mut out = String::new();
    for mut doc in docs.into_iter().filter(|d| !matches!(d, Node::Null(()))) {
        redact(&mut doc);
        if !out.is_empty() {
            out.push_str("---\n");
        }
        out.push_str(&serde_saphyr::to_string(&doc).map_err(|e| e.to_string())?);
    }
    Ok(out.lines().map(sanitize).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_status_says_what_it_waits_for() {
        let s = machine_status(
            "stage: running\nstatus:\n  ready: false\n  unmetConditions:\n    - name: services\n      reason: \"unhealthy services: kubelet\"\n",
        )
        .expect("parses");
        assert_eq!(
            s.unmet,
            [(
                "services".to_string(),
                "unhealthy services: kubelet".to_string()
            )]
        );
        assert_eq!(s.short(), "running, not ready: services");
        let ok = machine_status("stage: running\nstatus:\n  ready: true\n").expect("parses");
        assert_eq!(ok.short(), "running, ready");
        // Fields missing or of another type are not fatal.
        assert_eq!(machine_status("stage: 4\n").expect("parses").stage, "4");
        assert!(machine_status("[").is_err());
    }

    #[test]
    fn every_secret_of_a_config_is_redacted_and_the_rest_kept() {
        use base64::Engine;
        let pem = base64::engine::general_purpose::STANDARD
            .encode("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n");
        let config = format!(
            "version: v1alpha1\nmachine:\n  type: worker\n  token: abc.defghijk\n  ca:\n    crt: LS0tCRT\n    key: TOPSECRET1\n\
             cluster:\n  secret: TOPSECRET2\n  secretboxEncryptionSecret: TOPSECRET3\n  extra:\n    - {pem}\n\
             ---\napiVersion: v1alpha1\nkind: WatchdogTimerConfig\ntimeout: 2m0s\n"
        );
        let spec = serde_saphyr::to_string(&Value::String(config)).expect("yaml");
        let out = redacted_config(&spec).expect("redacts").join("\n");
        for secret in [
            "abc.defghijk",
            "TOPSECRET1",
            "TOPSECRET2",
            "TOPSECRET3",
            &pem,
        ] {
            assert!(!out.contains(secret), "{secret} leaked:\n{out}");
        }
        assert!(
            out.contains("LS0tCRT"),
            "a certificate is not a secret:\n{out}"
        );
        assert!(out.contains("type: worker"));
        assert!(
            out.contains("WatchdogTimerConfig"),
            "both documents:\n{out}"
        );
        assert!(
            out.starts_with("version: v1alpha1\nmachine:"),
            "in its order:\n{out}"
        );
        assert_eq!(out.matches(REDACTED).count(), 5, "{out}");
    }
}
