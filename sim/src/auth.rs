//! Bearer tokens and RBAC-style rules for the simulated API server.

use super::kinds::KindDef;

/// One RBAC rule: verbs on resources of API groups. `*` matches anything.
#[derive(Debug, Clone)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub groups: Vec<String>,
    /// Plural resource names, optionally with `/subresource`.
    pub resources: Vec<String>,
}

impl Rule {
    pub fn new(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Self {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Rule {
            verbs: own(verbs),
            groups: own(groups),
            resources: own(resources),
        }
    }

    fn allows(&self, verb: &str, group: &str, resource: &str) -> bool {
        let any = |list: &[String], value: &str| list.iter().any(|x| x == "*" || x == value);
        any(&self.verbs, verb) && any(&self.groups, group) && any(&self.resources, resource)
    }
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub token: String,
    pub user: String,
    pub rules: Vec<Rule>,
}

impl Identity {
    pub fn admin(token: &str) -> Self {
        Identity {
            token: token.to_string(),
            user: "opsdeck-admin".to_string(),
            rules: vec![Rule::new(&["*"], &["*"], &["*"])],
        }
    }

    /// Reads everything the cockpit shows except `nodes`; writes nothing.
    pub fn viewer(token: &str) -> Self {
        Identity {
            token: token.to_string(),
            user: "opsdeck-viewer".to_string(),
            rules: vec![Rule::new(
                &["get", "list", "watch"],
                &[
                    "",
                    "cluster.x-k8s.io",
                    "controlplane.cluster.x-k8s.io",
                    "argoproj.io",
                ],
                &[
                    "namespaces",
                    "clusters",
                    "machinedeployments",
                    "machinesets",
                    "machines",
                    "taloscontrolplanes",
                    "applications",
                    "appprojects",
                ],
            )],
        }
    }

    pub fn can(&self, verb: &str, def: &KindDef, subresource: Option<&str>) -> bool {
        self.can_raw(verb, def.group, def.plural, subresource)
    }

    /// The same check on names as a SelfSubjectAccessReview gives them.
    pub fn can_raw(
        &self,
        verb: &str,
        group: &str,
        plural: &str,
        subresource: Option<&str>,
    ) -> bool {
        let resource = match subresource.filter(|s| !s.is_empty()) {
            Some(sub) => format!("{plural}/{sub}"),
            None => plural.to_string(),
        };
        self.rules.iter().any(|r| r.allows(verb, group, &resource))
    }
}
