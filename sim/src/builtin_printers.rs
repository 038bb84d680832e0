//! The built-in kinds' columns, as the API server's Go printers define them (the cells are
//! filled by `printers`): pods, nodes, events, namespaces, secrets, services, config maps,
//! deployments, replica sets, disruption budgets.

use jiff::Timestamp;
use serde_json::Value;

use super::printers::{
    budget_cells, config_map_cells, deployment_cells, event_cells, namespace_cells, node_cells,
    pod_cells, replica_set_cells, secret_cells, service_cells,
};
use super::table_columns::{ColumnDef, age_column, age_column_string, column, name_column};

/// A built-in kind's printer: its columns and how a row's cells are made.
type Builtin = (Vec<ColumnDef>, fn(&Value, Timestamp) -> Vec<Value>);

/// The wide columns of the workload kinds.
fn template_columns() -> Vec<ColumnDef> {
    vec![
        column(
            "Containers",
            "string",
            "Names of each container in the template.",
            1,
        ),
        column(
            "Images",
            "string",
            "Images of each container in the template.",
            1,
        ),
        column("Selector", "string", "The label selector for the pods.", 1),
    ]
}

/// The printer of a built-in kind, if it is one with a printer of its own.
pub(crate) fn builtin(group: &str, kind: &str) -> Option<Builtin> {
    Some(match (group, kind) {
        ("", "Node") => (
            vec![
                name_column(),
                column("Status", "string", "Node readiness and scheduling.", 0),
                column("Roles", "string", "Roles from node-role labels.", 0),
                age_column(),
                column("Version", "string", "Kubelet version.", 0),
                column("Internal-IP", "string", "Internal address.", 1),
                column("External-IP", "string", "External address.", 1),
                column("OS-Image", "string", "OS image reported by the node.", 1),
            ],
            node_cells,
        ),
        ("", "Pod") => (
            vec![
                name_column(),
                column("Ready", "string", "Ready containers of all containers.", 0),
                column(
                    "Status",
                    "string",
                    "The pod's status as kubectl words it.",
                    0,
                ),
                column(
                    "Restarts",
                    "string",
                    "Container restarts, and when the last was.",
                    0,
                ),
                age_column_string(),
                column("IP", "string", "The pod's IP.", 1),
                column("Node", "string", "The node it runs on.", 1),
                column(
                    "Nominated Node",
                    "string",
                    "The node preemption nominated.",
                    1,
                ),
                column(
                    "Readiness Gates",
                    "string",
                    "Readiness gates met of all.",
                    1,
                ),
            ],
            pod_cells,
        ),
        ("", "Event") => (
            vec![
                column("Last Seen", "string", "When it was last seen.", 0),
                column("Type", "string", "Normal or Warning.", 0),
                column("Reason", "string", "Why it happened, in one word.", 0),
                column("Object", "string", "The object it is about.", 0),
                column("Subobject", "string", "The part of the object.", 1),
                column("Source", "string", "Who reported it.", 1),
                column("Message", "string", "What happened.", 0),
                column("First Seen", "string", "When it was first seen.", 1),
                column("Count", "string", "How often it happened.", 1),
                ColumnDef {
                    priority: 1,
                    ..name_column()
                },
            ],
            event_cells,
        ),
        ("apps", "Deployment") => (
            [
                vec![
                    name_column(),
                    column("Ready", "string", "Pods ready of those wanted.", 0),
                    column("Up-to-date", "string", "Pods of the current template.", 0),
                    column("Available", "string", "Pods available.", 0),
                    age_column_string(),
                ],
                template_columns(),
            ]
            .concat(),
            deployment_cells,
        ),
        ("apps", "ReplicaSet") => (
            [
                vec![
                    name_column(),
                    column("Desired", "integer", "Pods wanted.", 0),
                    column("Current", "integer", "Pods created.", 0),
                    column("Ready", "integer", "Pods ready.", 0),
                    age_column_string(),
                ],
                template_columns(),
            ]
            .concat(),
            replica_set_cells,
        ),
        ("policy", "PodDisruptionBudget") => (
            vec![
                name_column(),
                column(
                    "Min Available",
                    "string",
                    "Pods that must stay available.",
                    0,
                ),
                column(
                    "Max Unavailable",
                    "string",
                    "Pods that may be unavailable.",
                    0,
                ),
                column(
                    "Allowed Disruptions",
                    "integer",
                    "Evictions allowed now.",
                    0,
                ),
                age_column_string(),
            ],
            budget_cells,
        ),
        ("", "Service") => (
            vec![
                name_column(),
                column("Type", "string", "How the service is exposed.", 0),
                column("Cluster-IP", "string", "The address inside the cluster.", 0),
                column("External-IP", "string", "Addresses outside the cluster.", 0),
                column("Port(s)", "string", "The ports it serves.", 0),
                age_column_string(),
                column("Selector", "string", "The pods it sends to.", 1),
            ],
            service_cells,
        ),
        ("", "ConfigMap") => (
            vec![
                name_column(),
                column("Data", "integer", "How many keys it holds.", 0),
                age_column_string(),
            ],
            config_map_cells,
        ),
        ("", "Namespace") => (
            vec![
                name_column(),
                column("Status", "string", "The namespace's phase.", 0),
                age_column(),
            ],
            namespace_cells,
        ),
        ("", "Secret") => (
            vec![
                name_column(),
                column("Type", "string", "The secret's type.", 0),
                column("Data", "string", "How many keys it holds.", 0),
                age_column(),
            ],
            secret_cells,
        ),
        _ => return None,
    })
}
