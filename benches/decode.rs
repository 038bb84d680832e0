//! Benchmark: what reading one object costs the cockpit, per kind — time, and heap allocations
//! counted exactly by a counting global allocator — over pages the simulator serves
//! (`scale-1k`, fetched once over its API):
//!
//! - a pod's Table row (`includeObject=Metadata`, managed fields and all) read and made a
//!   browse row, as `:pods` reads every page;
//! - the same page skipped whole by serde_json (`IgnoredAny`): the floor a parser of these
//!   bytes starts from;
//! - a Machine and an Application as the typed watches read and project them (a page read
//!   strictly, `clients::kube::typed`), and as kube-runtime's watcher read them before;
//! - a provider machine's Table row with its object, judged by its health rule.
//!
//! Allocations say what the allocator is asked for whatever the machine; the times move with
//! it. Run: `cargo bench --bench decode`.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use kube::core::ObjectList;
use opsdeck::clients::kube::{pages, typed};
use opsdeck::model::argo::{AppSummaryW, app_row};
use opsdeck::model::browse::{BrowseRow, TableW, browse_row};
use opsdeck::model::capi::{MachineW, machine_row};
use opsdeck::model::{health, managed_fields};

use support::{connect_sim, start_simulator};

/// The system allocator, counting each allocation and reallocation.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is handed to the system allocator unchanged; the counter is all it adds.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: the caller's layout, as GlobalAlloc requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc`/`realloc` above, with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: as for `dealloc`, and the caller's new size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ROUNDS: u32 = 40;
const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// Time and allocations per object of `read`, which reads a page of `objects`.
fn measure(name: &str, objects: usize, mut read: impl FnMut() -> usize) {
    let before = ALLOCATIONS.load(Relaxed);
    let read_objects = read();
    let allocations = ALLOCATIONS.load(Relaxed) - before;
    assert_eq!(
        read_objects, objects,
        "{name}: every object of the page read"
    );
    let start = Instant::now();
    for _ in 0..ROUNDS {
        std::hint::black_box(read());
    }
    let each = start.elapsed() / ROUNDS;
    let per_object = each.as_secs_f64() * 1e6 / objects as f64;
    println!(
        "{name:<34} {per_object:6.2} µs and {:5.1} allocations an object ({objects} a page, {:.1} ms)",
        allocations as f64 / objects as f64,
        each.as_secs_f64() * 1e3,
    );
}

/// A Table page's rows as the kind browser reads them (`clients::kube::browse`).
fn table_rows(page: &str, rule: Option<health::Rule>) -> Vec<BrowseRow> {
    table_rows_of(page.as_bytes(), rule)
}

fn table_rows_of(page: &[u8], rule: Option<health::Rule>) -> Vec<BrowseRow> {
    let table: TableW = pages::read_json(page).expect("a Table");
    table
        .rows
        .into_iter()
        .map(|r| browse_row(r, rule, jiff::Timestamp::now()))
        .collect()
}

async fn page(client: &kube::Client, path: &str, accept: Option<&str>) -> String {
    let mut request = http::Request::get(path);
    if let Some(accept) = accept {
        request = request.header(http::header::ACCEPT, accept);
    }
    let request = request.body(Vec::new()).expect("a request");
    client.request_text(request).await.expect("a page")
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (_sim, path) = start_simulator("scale-1k");
    let yaml = std::fs::read_to_string(&path).expect("kubeconfig");
    let (client, _) = connect_sim(&yaml).await;
    let pods = page(
        &client,
        "/api/v1/pods?includeObject=Metadata&limit=500",
        Some(TABLE),
    )
    .await;
    let machines = page(
        &client,
        "/apis/cluster.x-k8s.io/v1beta2/machines?limit=500",
        None,
    )
    .await;
    let apps = page(
        &client,
        "/apis/argoproj.io/v1alpha1/applications?limit=500",
        None,
    )
    .await;
    let infra = page(
        &client,
        "/apis/infrastructure.cluster.x-k8s.io/v1beta1/harvestermachines?includeObject=Object&limit=500",
        Some(TABLE),
    )
    .await;
    let rule = health::rule("infrastructure.cluster.x-k8s.io", "HarvesterMachine");

    println!("scale-1k pages, {ROUNDS} rounds each:");
    let mut kept = pods.as_bytes().to_vec();
    managed_fields::strip(&mut kept);
    println!(
        "  a page of 500 pods as a Table: {:.2} MB on the wire, {:.2} MB once managed fields are cut",
        pods.len() as f64 / 1e6,
        kept.len() as f64 / 1e6
    );
    measure("pod Table row → browse row", 500, || {
        table_rows(&pods, None).len()
    });
    measure("pod Table row, managed fields cut", 500, || {
        // As the cockpit's page comes out of the response body: in parts, into a buffer of
        // the size the page before had once cut.
        let mut page = Vec::with_capacity(kept.len());
        let mut stripper = managed_fields::Stripper::default();
        for part in pods.as_bytes().chunks(16 * 1024) {
            stripper.push(&mut page, part);
        }
        stripper.finish(&mut page);
        table_rows_of(&page, None).len()
    });
    measure("pod Table page skipped whole", 500, || {
        let skipped: serde::de::IgnoredAny = serde_json::from_str(&pods).expect("JSON");
        std::hint::black_box(skipped);
        500
    });
    let machine = |m: &MachineW| (machine_row(m), None);
    measure("Machine → row", 200, || {
        let mut page = typed::Projected::new(&machine);
        typed::read_page(machines.as_bytes(), &mut page).expect("Machines");
        page.rows.len()
    });
    measure("Machine → row, as the watcher did", 200, || {
        let list: ObjectList<MachineW> = serde_json::from_str(&machines).expect("Machines");
        list.items.iter().map(machine_row).count()
    });
    let app = |a: &AppSummaryW| (app_row(a), None);
    measure("Application → row", 200, || {
        let mut page = typed::Projected::new(&app);
        typed::read_page(apps.as_bytes(), &mut page).expect("apps");
        page.rows.len()
    });
    measure("Application → row, as the watcher did", 200, || {
        let list: ObjectList<AppSummaryW> = serde_json::from_str(&apps).expect("apps");
        list.items.iter().map(app_row).count()
    });
    measure("provider machine Table row, judged", 200, || {
        let rows = table_rows(&infra, rule);
        assert!(rows.iter().all(|r| r.health.is_some()), "every row judged");
        rows.len()
    });
}
