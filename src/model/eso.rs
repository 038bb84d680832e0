//! External Secrets: ExternalSecret rows, store rows, and the rules on them (overdue, store
//! health), projected from external-secrets.io/v1.

use jiff::Timestamp;
use serde::Deserialize;

use super::conditions::{Ready, Shown};
use super::store::{Keyed, ObjRef};
use super::wire::{CondSummary, Slim, text, timestamp};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StoreRefW {
    pub kind: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TargetW {
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExternalSecretSpecW {
    pub secret_store_ref: StoreRefW,
    /// A Go duration string (the CRD also allows it to be absent: default 1h).
    pub refresh_interval: Option<String>,
    pub target: TargetW,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExternalSecretStatusW {
    pub conditions: Shown<Ready>,
    #[serde(deserialize_with = "crate::model::wire::stamp")]
    pub refresh_time: Option<Time>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StoreStatusW {
    pub conditions: Shown<Ready>,
    pub capabilities: Option<String>,
}

pub type ExternalSecretW = Slim<ExternalSecretSpecW, ExternalSecretStatusW>;
pub type StoreW = Slim<serde::de::IgnoredAny, StoreStatusW>;

#[derive(Debug, Clone, PartialEq)]
pub struct ExternalSecretRow {
    pub key: ObjRef,
    pub ready: CondSummary,
    pub store_kind: String,
    pub store_name: String,
    /// Seconds; 0 means "fetch once"; None when the string could not be read.
    pub refresh_secs: Option<f64>,
    pub refresh_text: String,
    pub refreshed: Option<Timestamp>,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoreRow {
    pub key: ObjRef,
    pub cluster_scoped: bool,
    pub ready: CondSummary,
}

macro_rules! keyed {
    ($($t:ty),*) => {$(impl Keyed for $t {
        fn key(&self) -> &ObjRef { &self.key }
        fn key_mut(&mut self) -> &mut ObjRef { &mut self.key }
    })*};
}
keyed!(ExternalSecretRow, StoreRow);

/// A Go duration (`1h0m0s`, `15m`, `90s`, `500ms`, `0`) in seconds.
pub fn go_duration_secs(s: &str) -> Option<f64> {
    let s = s.trim();
    if s == "0" {
        return Some(0.0);
    }
    let mut total = 0.0;
    let mut number = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let unit = if c == 'm' && chars.peek() == Some(&'s') {
            chars.next();
            "ms"
        } else {
            match c {
                'h' => "h",
                'm' => "m",
                's' => "s",
                _ => return None,
            }
        };
        let n: f64 = number.parse().ok()?;
        number.clear();
        total += n * match unit {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            _ => 0.001,
        };
    }
    (number.is_empty() && !s.is_empty()).then_some(total)
}

pub fn external_secret_row(o: &ExternalSecretW) -> ExternalSecretRow {
    let interval = o
        .spec
        .refresh_interval
        .clone()
        .unwrap_or_else(|| "1h".into());
    ExternalSecretRow {
        key: o.obj_ref(),
        ready: o.status.conditions.summary().clone(),
        store_kind: {
            let k = text(&o.spec.secret_store_ref.kind);
            if k.is_empty() {
                "SecretStore".into()
            } else {
                k
            }
        },
        store_name: text(&o.spec.secret_store_ref.name),
        refresh_secs: go_duration_secs(&interval),
        refresh_text: text(&Some(interval)),
        refreshed: timestamp(&o.status.refresh_time),
        target: {
            let t = text(&o.spec.target.name);
            if t.is_empty() {
                o.obj_ref().name.to_string()
            } else {
                t
            }
        },
    }
}

pub fn store_row(o: &StoreW, cluster_scoped: bool) -> StoreRow {
    StoreRow {
        key: o.obj_ref(),
        cluster_scoped,
        ready: o.status.conditions.summary().clone(),
    }
}

impl ExternalSecretRow {
    /// Overdue: the last successful refresh is older than twice the interval (a periodic
    /// secret that stopped refreshing). `0` intervals never are.
    pub fn overdue(&self, now: Timestamp) -> bool {
        match (self.refresh_secs, self.refreshed) {
            (Some(i), Some(t)) if i > 0.0 => (now.as_second() - t.as_second()) as f64 > 2.0 * i,
            (Some(i), None) => i > 0.0,
            _ => false,
        }
    }

    /// The store this secret reads from, among `stores` (same cluster; same namespace for a
    /// SecretStore).
    pub fn store<'a>(&self, stores: impl Iterator<Item = &'a StoreRow>) -> Option<&'a StoreRow> {
        let cluster_scoped = self.store_kind == "ClusterSecretStore";
        stores.into_iter().find(|s| {
            s.cluster_scoped == cluster_scoped
                && s.key.cluster == self.key.cluster
                && s.key.name == self.store_name
                && (cluster_scoped || s.key.namespace == self.key.namespace)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_durations() {
        assert_eq!(go_duration_secs("1h0m0s"), Some(3600.0));
        assert_eq!(go_duration_secs("15m"), Some(900.0));
        assert_eq!(go_duration_secs("1h30m"), Some(5400.0));
        assert_eq!(go_duration_secs("500ms"), Some(0.5));
        assert_eq!(go_duration_secs("0"), Some(0.0));
        assert_eq!(go_duration_secs("10"), None);
        assert_eq!(go_duration_secs("5x"), None);
    }

    #[test]
    fn overdue_is_twice_the_interval() {
        let now = Timestamp::from_second(100_000).expect("ts");
        let row = |interval: &str, ago: i64| {
            let w: ExternalSecretW = serde_json::from_value(json!({
                "metadata": {"name": "s", "namespace": "n"},
                "spec": {"refreshInterval": interval, "secretStoreRef": {"name": "x"}},
                "status": {"refreshTime": Timestamp::from_second(100_000 - ago).expect("ts").to_string()}
            }))
            .expect("parses");
            external_secret_row(&w)
        };
        assert!(!row("15m", 1700).overdue(now));
        assert!(row("15m", 1900).overdue(now));
        assert!(!row("0", 99_000).overdue(now), "fetch-once never is");
        assert_eq!(
            row("15m", 0).store_kind,
            "SecretStore",
            "the default store kind"
        );
    }
}
