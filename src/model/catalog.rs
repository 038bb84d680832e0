//! Every kind the connected clusters serve, from their discovery documents, and how a name typed
//! after `:` finds one: plural, singular, short name, kind, or `plural.group` — built-in kinds
//! before custom ones, as kubectl resolves them.

use std::collections::BTreeSet;

/// One resource kind at the version its group prefers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKind {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub short_names: Vec<String>,
    pub namespaced: bool,
}

impl ApiKind {
    /// `machines.cluster.x-k8s.io`, or `pods` for the core group.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The API path of its collection, in a namespace or across all.
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace.filter(|_| self.namespaced) {
            Some(ns) => format!("{base}/namespaces/{ns}/{}", self.plural),
            None => format!("{base}/{}", self.plural),
        }
    }

    /// Whether `:name` means this kind (plural, singular, Kind, a short name, or qualified).
    pub fn answers_to(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        name == self.plural
            || name == self.singular
            || name == self.kind.to_lowercase()
            || self.short_names.contains(&name)
            || name == self.qualified()
    }
}

/// The kinds of every cluster, each with the clusters that serve it.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    kinds: Vec<(ApiKind, BTreeSet<String>)>,
    /// Clusters whose discovery has finished (served or failed).
    answered: BTreeSet<String>,
}

impl Catalog {
    /// A cluster's discovery has finished, whatever it found.
    pub fn answered(&mut self, cluster: &str) {
        self.answered.insert(cluster.to_string());
    }

    /// The clusters whose discovery has finished.
    pub fn answered_clusters(&self) -> impl Iterator<Item = &String> {
        self.answered.iter()
    }

    pub fn answered_count(&self) -> usize {
        self.answered.len()
    }

    /// Add what one cluster serves (replacing what it served before).
    pub fn add_cluster(&mut self, cluster: &str, kinds: Vec<ApiKind>) {
        for (_, clusters) in &mut self.kinds {
            clusters.remove(cluster);
        }
        for kind in kinds {
            match self
                .kinds
                .iter_mut()
                .find(|(k, _)| k.group == kind.group && k.plural == kind.plural)
            {
                Some((_, clusters)) => {
                    clusters.insert(cluster.to_string());
                }
                None => self.kinds.push((kind, [cluster.to_string()].into())),
            }
        }
        self.kinds.retain(|(_, clusters)| !clusters.is_empty());
        // Built-ins first, then groups alphabetically: the order kubectl resolves names in.
        self.kinds.sort_by(|(a, _), (b, _)| {
            (!a.group.is_empty(), &a.group, &a.plural).cmp(&(
                !b.group.is_empty(),
                &b.group,
                &b.plural,
            ))
        });
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// The kind a typed name means, and the clusters that serve it.
    pub fn resolve(&self, name: &str) -> Option<(&ApiKind, &BTreeSet<String>)> {
        self.kinds
            .iter()
            .find(|(k, _)| k.answers_to(name.trim()))
            .map(|(k, c)| (k, c))
    }

    /// The kind an owner reference names (`apps/v1` `ReplicaSet`), as discovery found it.
    pub fn by_kind(&self, group: &str, kind: &str) -> Option<&ApiKind> {
        self.kinds
            .iter()
            .map(|(k, _)| k)
            .find(|k| k.group == group && k.kind == kind)
    }

    /// Completion for a partly typed name: the first plural that starts with it.
    pub fn complete(&self, input: &str) -> Option<&str> {
        let input = input.trim().to_lowercase();
        if input.is_empty() {
            return None;
        }
        self.kinds
            .iter()
            .map(|(k, _)| k.plural.as_str())
            .find(|p| p.starts_with(&input) && *p != input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(group: &str, kind: &str, plural: &str, short: &[&str]) -> ApiKind {
        ApiKind {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_lowercase(),
            short_names: short.iter().map(|s| s.to_string()).collect(),
            namespaced: true,
        }
    }

    #[test]
    fn names_resolve_as_kubectl_resolves_them() {
        let mut c = Catalog::default();
        c.add_cluster(
            "mgmt",
            vec![
                kind("cluster.x-k8s.io", "Machine", "machines", &["ma"]),
                kind("bmc.tinkerbell.org", "Machine", "machines", &[]),
                kind("", "Pod", "pods", &["po"]),
            ],
        );
        c.add_cluster("media", vec![kind("", "Pod", "pods", &["po"])]);
        let (pods, clusters) = c.resolve("po").expect("short name");
        assert_eq!(pods.plural, "pods");
        assert_eq!(clusters.len(), 2);
        assert_eq!(c.resolve("Pod").map(|(k, _)| k.kind.as_str()), Some("Pod"));
        // Ambiguous: groups alphabetically, so bmc.tinkerbell.org first (as kubectl does).
        assert_eq!(
            c.resolve("machine").map(|(k, _)| k.group.as_str()),
            Some("bmc.tinkerbell.org")
        );
        assert_eq!(
            c.resolve("machines.cluster.x-k8s.io")
                .map(|(k, _)| k.group.as_str()),
            Some("cluster.x-k8s.io")
        );
        assert!(c.resolve("podz").is_none());
        assert_eq!(c.complete("mach"), Some("machines"));
        assert_eq!(
            pods.collection_path(Some("media")),
            "/api/v1/namespaces/media/pods"
        );
    }
}
