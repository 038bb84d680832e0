//! Server-side printing: `meta.k8s.io/v1` Table responses, as `kubectl get` asks for them
//! (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`). Custom resources print their CRD's
//! printer columns (after Name; Name and Age when the CRD has none), the built-in kinds theirs,
//! and each row carries the object as `includeObject` asks (Metadata by default).

use std::sync::LazyLock;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::builtin_printers;
use super::jsonpath;
use super::kinds::KindDef;
use super::pieces::RowSink;
use super::printers::{human_duration, name_age_cells, name_of};
use super::stored::Encoded;
use super::table_columns::{ColumnDef, age_column, name_column};
use crate::json_at::At;

const PRINTER_COLUMNS: &str = include_str!("../data/printer-columns.yaml");

#[derive(Debug, Clone, Deserialize)]
pub struct PrinterColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "jsonPath")]
    pub json_path: String,
    #[serde(default)]
    pub priority: i64,
}

#[derive(Debug, Deserialize)]
struct KindColumns {
    group: String,
    kind: String,
    version: String,
    columns: Vec<PrinterColumn>,
}

static CRD_COLUMNS: LazyLock<Vec<KindColumns>> =
    LazyLock::new(|| serde_saphyr::from_str(PRINTER_COLUMNS).unwrap_or_default());

/// The printer columns a CRD declares for one served version, if the kind is known.
pub fn crd_columns(group: &str, kind: &str, version: &str) -> Option<&'static [PrinterColumn]> {
    CRD_COLUMNS
        .iter()
        .find(|k| k.group == group && k.kind == kind && k.version == version)
        .map(|k| k.columns.as_slice())
}

/// What rows[].object carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    Metadata,
    Object,
}

impl IncludeObject {
    pub fn from_query(value: Option<&String>) -> IncludeObject {
        match value.map(String::as_str) {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

/// A Table asked for: its meta.k8s.io version and what each row carries.
#[derive(Debug, Clone, Copy)]
pub struct TableAsk {
    pub version: &'static str,
    pub include: IncludeObject,
}

impl TableAsk {
    /// One object as a Table of one row (`kubectl get KIND NAME`).
    pub fn one_row(&self, def: &KindDef, version: &str, obj: &Value) -> Value {
        let printer = Printer::for_kind(def, version);
        let rv = obj
            .at("/metadata/resourceVersion")
            .cloned()
            .unwrap_or(Value::Null);
        let row = printer.row(obj, &[], self.include, jiff::Timestamp::now());
        printer.table(
            self.version,
            json!({"resourceVersion": rv}),
            vec![row],
            true,
        )
    }
}

/// How the client wants its answer, from the Accept header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Json,
    /// A Table of this meta.k8s.io version (`v1` or `v1beta1`).
    Table(&'static str),
    /// Only Table versions this server does not have, and no JSON fallback: 406.
    NotAcceptable,
}

pub fn wanted(accept: &str) -> Wanted {
    let mut json_ok = accept.trim().is_empty();
    for range in accept.split(',') {
        let params: Vec<&str> = range.split(';').map(str::trim).collect();
        let base = params.first().copied().unwrap_or("");
        let table = params.contains(&"as=Table");
        if table && params.contains(&"g=meta.k8s.io") {
            for version in ["v1", "v1beta1"] {
                if params.contains(&format!("v={version}").as_str()) {
                    return Wanted::Table(version);
                }
            }
        } else if !table && matches!(base, "application/json" | "*/*" | "application/*") {
            json_ok = true;
        }
    }
    if json_ok {
        Wanted::Json
    } else {
        Wanted::NotAcceptable
    }
}

/// The printer for one kind at one version.
pub struct Printer {
    columns: Vec<ColumnDef>,
    cells: Cells,
}

/// How a row's cells are made: a built-in kind's printer, or a CRD's printer columns.
enum Cells {
    Builtin(fn(&Value, Timestamp) -> Vec<Value>),
    Crd(&'static [PrinterColumn]),
}

impl Printer {
    pub fn for_kind(def: &KindDef, version: &str) -> Printer {
        if let Some((columns, cells)) = builtin_printers::builtin(def.group, def.kind) {
            return Printer::builtin(columns, cells);
        }
        match crd_columns(def.group, def.kind, version).filter(|c| !c.is_empty()) {
            Some(cols) => Printer {
                columns: std::iter::once(name_column())
                    .chain(cols.iter().map(|c| ColumnDef {
                        name: c.name.clone(),
                        kind: column_type(&c.kind),
                        format: "",
                        description: c.name.clone(),
                        priority: c.priority,
                    }))
                    .collect(),
                cells: Cells::Crd(cols),
            },
            // No printer columns: Name and Age, as the server does.
            None => Printer::builtin(vec![name_column(), age_column()], name_age_cells),
        }
    }

    fn builtin(columns: Vec<ColumnDef>, cells: fn(&Value, Timestamp) -> Vec<Value>) -> Printer {
        Printer {
            columns,
            cells: Cells::Builtin(cells),
        }
    }

    pub fn column_definitions(&self) -> Value {
        self.columns
            .iter()
            .map(|c| {
                json!({"name": c.name, "type": c.kind, "format": c.format,
                       "description": c.description, "priority": c.priority})
            })
            .collect()
    }

    /// One row: the cells and the object as asked (`managed` as for `row_bytes`).
    pub fn row(
        &self,
        obj: &Value,
        managed: &[u8],
        include: IncludeObject,
        now: Timestamp,
    ) -> Value {
        serde_json::from_slice(&self.row_bytes(obj, managed, include, now)).unwrap_or(Value::Null)
    }

    /// One row, encoded: the object's metadata is written from where it is stored, not copied
    /// (a list of thousands of pods would otherwise copy every managedFields entry), and its
    /// managed fields (`managed`, kept encoded by the database) are spliced in as they are.
    pub fn row_bytes(
        &self,
        obj: &Value,
        managed: &[u8],
        include: IncludeObject,
        now: Timestamp,
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(512 + managed.len());
        self.push_row(&mut out, obj, managed, None, include, now);
        out
    }

    /// One row written onto `out` (a page's rows go into one buffer: a buffer per row, then
    /// one to join them, had the simulator in malloc for most of a page), with the object
    /// (managed fields in) already encoded as the database keeps it when there is one:
    /// copying the object, parsing its managed fields and writing all of it again made a page
    /// of 500 pods take 100–250 ms.
    pub fn push_row(
        &self,
        sink: &mut impl RowSink,
        obj: &Value,
        managed: &[u8],
        encoded: Option<&Encoded>,
        include: IncludeObject,
        now: Timestamp,
    ) {
        let out = sink.bytes();
        out.extend_from_slice(b"{\"cells\":");
        match (encoded.and_then(|e| e.facts), &self.cells) {
            (Some(facts), _) => facts.write_cells(out, now),
            (None, Cells::Builtin(cells)) => {
                let _ = serde_json::to_writer(&mut *out, &cells(obj, now));
            }
            (None, Cells::Crd(columns)) => {
                let _ = serde_json::to_writer(&mut *out, &crd_cells(columns, obj, now));
            }
        }
        match (include, encoded) {
            (IncludeObject::None, _) => {}
            (IncludeObject::Metadata, _) => {
                out.extend_from_slice(
                    b",\"object\":{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":",
                );
                match encoded.and_then(|e| e.metadata.map(|m| (e.whole, m))) {
                    Some((whole, metadata)) => sink.splice_stored(whole, metadata),
                    None => {
                        let empty = Value::Object(Map::new());
                        push_with_managed(out, obj.get("metadata").unwrap_or(&empty), managed);
                    }
                }
                sink.bytes().push(b'}');
            }
            (IncludeObject::Object, Some(encoded)) => {
                out.extend_from_slice(b",\"object\":");
                sink.splice_stored(encoded.whole, encoded.whole);
            }
            (IncludeObject::Object, None) if managed.is_empty() => {
                out.extend_from_slice(b",\"object\":");
                out.extend(serde_json::to_vec(obj).unwrap_or_default());
            }
            (IncludeObject::Object, None) => {
                out.extend_from_slice(b",\"object\":");
                let whole = super::db::with_managed_fields(obj.clone(), managed);
                out.extend(serde_json::to_vec(&whole).unwrap_or_default());
            }
        }
        sink.bytes().push(b'}');
    }

    /// A Table up to its first row: kind, apiVersion, the list metadata and
    /// `columnDefinitions` (or `null`, as later watch events have); rows follow, comma-joined
    /// as `push_row` writes them, then `TABLE_TAIL` — spliced as a real server streams them.
    pub fn table_head(&self, version: &str, metadata: &Value, definitions: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(4096);
        out.extend_from_slice(b"{\"kind\":\"Table\",\"apiVersion\":");
        out.extend(serde_json::to_vec(&format!("meta.k8s.io/{version}")).unwrap_or_default());
        out.extend_from_slice(b",\"metadata\":");
        out.extend(serde_json::to_vec(metadata).unwrap_or_default());
        out.extend_from_slice(b",\"columnDefinitions\":");
        let definitions = if definitions {
            self.column_definitions()
        } else {
            Value::Null
        };
        out.extend(serde_json::to_vec(&definitions).unwrap_or_default());
        out.extend_from_slice(b",\"rows\":[");
        out
    }

    /// A whole Table: `columnDefinitions` (or `null`, as later watch events have), rows, and
    /// the list metadata.
    pub fn table(
        &self,
        version: &str,
        metadata: Value,
        rows: Vec<Value>,
        definitions: bool,
    ) -> Value {
        let mut table = Map::new();
        table.insert("kind".into(), json!("Table"));
        table.insert("apiVersion".into(), json!(format!("meta.k8s.io/{version}")));
        table.insert("metadata".into(), metadata);
        table.insert(
            "columnDefinitions".into(),
            if definitions {
                self.column_definitions()
            } else {
                Value::Null
            },
        );
        table.insert("rows".into(), Value::Array(rows));
        Value::Object(table)
    }
}

/// `metadata` encoded, with `managed` (an encoded managedFields array, or nothing) as its last
/// key.
fn push_with_managed(out: &mut Vec<u8>, metadata: &Value, managed: &[u8]) {
    let encoded = serde_json::to_vec(metadata).unwrap_or_default();
    match encoded.strip_suffix(b"}") {
        Some(open) if !managed.is_empty() => {
            out.extend_from_slice(open);
            if open.len() > 1 {
                out.push(b',');
            }
            out.extend_from_slice(b"\"managedFields\":");
            out.extend_from_slice(managed);
            out.push(b'}');
        }
        _ => out.extend(encoded),
    }
}

/// What closes a Table begun with `table_head` once its rows are written.
pub const TABLE_TAIL: &[u8] = b"]}\n";

/// CRD column types as the Table reports them (`number` stays `number`).
fn column_type(kind: &str) -> &'static str {
    match kind {
        "integer" => "integer",
        "number" => "number",
        "boolean" => "boolean",
        "date" => "date",
        _ => "string",
    }
}

fn crd_cells(columns: &[PrinterColumn], obj: &Value, now: Timestamp) -> Vec<Value> {
    let mut cells = vec![name_of(obj)];
    for col in columns {
        let found = jsonpath::select(obj, &col.json_path);
        cells.push(match (col.kind.as_str(), found.as_slice()) {
            (_, []) => Value::Null,
            ("date", [first, ..]) => first
                .as_str()
                .and_then(|t| t.parse::<Timestamp>().ok())
                .map_or(Value::Null, |t| {
                    json!(human_duration(now.as_second() - t.as_second()))
                }),
            (_, [one]) => (*one).clone(),
            // Several values print joined, as kubectl shows them.
            (_, many) => json!(
                many.iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        });
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metadata_row_carries_the_managed_fields_spliced_in() {
        let mut meta = Map::new();
        meta.insert("name".into(), json!("p"));
        let managed = br#"[{"manager":"kubelet"}]"#;
        for (metadata, expected) in [
            (
                Value::Object(meta),
                json!({"name": "p", "managedFields": [{"manager": "kubelet"}]}),
            ),
            (
                json!({}),
                json!({"managedFields": [{"manager": "kubelet"}]}),
            ),
        ] {
            let mut out = Vec::new();
            push_with_managed(&mut out, &metadata, managed);
            assert_eq!(serde_json::from_slice::<Value>(&out).ok(), Some(expected));
        }
        let mut out = Vec::new();
        push_with_managed(&mut out, &json!({"name": "p"}), b"");
        assert_eq!(out, br#"{"name":"p"}"#);
    }

    #[test]
    fn durations_as_kubernetes_prints_them() {
        for (secs, text) in [
            (45, "45s"),
            (220, "3m40s"),
            (2640, "44m"),
            (18180, "5h3m"),
            (72000, "20h"),
            (273600, "3d4h"),
            (120 * 86400, "120d"),
            (740 * 86400, "2y10d"),
        ] {
            assert_eq!(human_duration(secs), text, "{secs}");
        }
    }

    #[test]
    fn pods_print_their_status_readiness_and_restarts() {
        use crate::pod_objects::{PodState, pod};
        let hours = jiff::SignedDuration::from_hours(3);
        let printer = Printer::for_kind(
            &crate::kinds::KINDS[crate::kinds::kind_id("Pod").expect("pod")],
            "v1",
        );
        let cells = |state| {
            let p = pod("media", "immich", 0, "node-a", state, hours);
            printer.row(&p, &[], IncludeObject::None, Timestamp::now())["cells"].clone()
        };
        let running = cells(PodState::Running);
        assert_eq!(
            (
                running[1].as_str(),
                running[2].as_str(),
                running[3].as_str()
            ),
            (Some("1/1"), Some("Running"), Some("0"))
        );
        let crash = cells(PodState::CrashLoop);
        assert_eq!(crash[2], "CrashLoopBackOff");
        assert!(
            crash[3]
                .as_str()
                .is_some_and(|r| r.starts_with("7 (") && r.ends_with(" ago)")),
            "{}",
            crash[3]
        );
        assert_eq!(cells(PodState::Initializing)[2], "Init:0/1");
        assert_eq!(cells(PodState::Pending)[2], "Pending");
        assert_eq!(cells(PodState::Pending)[6], "<none>");
        assert_eq!(cells(PodState::Completed)[2], "Completed");
        let mut deleting = pod("media", "immich", 0, "node-a", PodState::Running, hours);
        deleting["metadata"]["deletionTimestamp"] = json!("2026-11-30T10:00:00Z");
        assert_eq!(
            printer.row(&deleting, &[], IncludeObject::None, Timestamp::now())["cells"][2],
            "Terminating"
        );
    }

    #[test]
    fn accept_headers_as_kubectl_and_others_send_them() {
        let kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(wanted(kubectl), Wanted::Table("v1"));
        assert_eq!(
            wanted("application/json;as=Table;v=v1beta1;g=meta.k8s.io"),
            Wanted::Table("v1beta1")
        );
        assert_eq!(
            wanted("application/json;as=Table;v=v2;g=meta.k8s.io"),
            Wanted::NotAcceptable
        );
        assert_eq!(wanted("application/json"), Wanted::Json);
        assert_eq!(wanted(""), Wanted::Json);
    }

    #[test]
    fn every_simulated_crd_kind_has_its_columns() {
        for def in super::super::kinds::KINDS
            .iter()
            .filter(|k| !k.is_builtin())
        {
            for version in def.versions {
                assert!(
                    crd_columns(def.group, def.kind, version).is_some(),
                    "no printer columns for {}/{version} {}",
                    def.group,
                    def.kind
                );
            }
        }
    }
}
