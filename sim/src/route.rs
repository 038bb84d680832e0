//! Request paths of the Kubernetes API, parsed into what they address.

use super::kinds::{KINDS, KindId, by_plural};

#[derive(Debug, PartialEq)]
pub enum Route {
    Version,
    CoreVersions,
    GroupList,
    Group(String),
    ResourceList {
        group: String,
        version: String,
    },
    Resource(ResourcePath),
    /// `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`
    AccessReview,
    /// `POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews`
    RulesReview,
    /// `POST /apis/authentication.k8s.io/v1/selfsubjectreviews`
    WhoAmI,
    /// `PUT /apis/subresources.kubevirt.io/v1/namespaces/<ns>/virtualmachines/<name>/<action>`
    VmAction {
        namespace: String,
        name: String,
        action: String,
    },
    NotFound,
}

#[derive(Debug, PartialEq, Clone)]
pub struct ResourcePath {
    pub kind: KindId,
    pub version: String,
    /// Empty for cluster scope or an all-namespaces collection.
    pub namespace: String,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

pub fn parse(path: &str) -> Route {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["version"] => Route::Version,
        ["api"] => Route::CoreVersions,
        ["apis"] => Route::GroupList,
        ["api", "v1"] => Route::ResourceList {
            group: String::new(),
            version: "v1".into(),
        },
        ["apis", group] => Route::Group(group.to_string()),
        ["apis", group, version] => Route::ResourceList {
            group: group.to_string(),
            version: version.to_string(),
        },
        [
            "apis",
            "authorization.k8s.io",
            "v1",
            "selfsubjectaccessreviews",
        ] => Route::AccessReview,
        [
            "apis",
            "authorization.k8s.io",
            "v1",
            "selfsubjectrulesreviews",
        ] => Route::RulesReview,
        ["apis", "authentication.k8s.io", "v1", "selfsubjectreviews"] => Route::WhoAmI,
        [
            "apis",
            "subresources.kubevirt.io",
            "v1",
            "namespaces",
            ns,
            "virtualmachines",
            name,
            action,
        ] => Route::VmAction {
            namespace: ns.to_string(),
            name: name.to_string(),
            action: action.to_string(),
        },
        ["api", "v1", rest @ ..] => resource("", "v1", rest),
        ["apis", group, version, rest @ ..] => resource(group, version, rest),
        _ => Route::NotFound,
    }
}

fn resource(group: &str, version: &str, rest: &[&str]) -> Route {
    // `namespaces/<ns>/<plural>...` addresses a namespaced collection, unless what follows the
    // namespace name is not a namespaced kind (then it is the Namespace object's subresource).
    let (namespace, rest) = match rest {
        ["namespaces", ns, plural, tail @ ..]
            if by_plural(group, plural).is_some_and(|k| KINDS[k].namespaced) =>
        {
            (ns.to_string(), {
                let mut v = vec![*plural];
                v.extend_from_slice(tail);
                v
            })
        }
        _ => (String::new(), rest.to_vec()),
    };
    let Some((plural, tail)) = rest.split_first() else {
        return Route::NotFound;
    };
    let Some(kind) = by_plural(group, plural) else {
        return Route::NotFound;
    };
    if !KINDS[kind].versions.contains(&version) {
        return Route::NotFound;
    }
    let (name, subresource) = match tail {
        [] => (None, None),
        [name] => (Some(name.to_string()), None),
        [name, sub] => (Some(name.to_string()), Some(sub.to_string())),
        _ => return Route::NotFound,
    };
    Route::Resource(ResourcePath {
        kind,
        version: version.to_string(),
        namespace,
        name,
        subresource,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::kind_id;

    #[test]
    fn parses_kube_paths() {
        assert_eq!(parse("/version"), Route::Version);
        assert_eq!(
            parse("/apis/cluster.x-k8s.io/v1beta2/namespaces/a/machinedeployments/md/scale"),
            Route::Resource(ResourcePath {
                kind: kind_id("MachineDeployment").expect("kind"),
                version: "v1beta2".into(),
                namespace: "a".into(),
                name: Some("md".into()),
                subresource: Some("scale".into()),
            })
        );
        assert_eq!(
            parse("/api/v1/namespaces/argocd"),
            Route::Resource(ResourcePath {
                kind: kind_id("Namespace").expect("kind"),
                version: "v1".into(),
                namespace: String::new(),
                name: Some("argocd".into()),
                subresource: None,
            })
        );
        assert_eq!(parse("/apis/cluster.x-k8s.io/v9/machines"), Route::NotFound);
        assert_eq!(parse("/apis/nosuch.io/v1/things"), Route::NotFound);
    }
}
