//! Benchmark: the cockpit at 1k, 10k and 100k objects. Each size is the `scale-<n>` scenario
//! (60 % pods of ~10 KB with managed fields, 20 % CAPI Machines, 20 % Applications with 8
//! resources) served by `opsdeck-sim` (the simulator alone) in a child process, and measured in a
//! process of its own (so peak RSS is that size's alone), running the cockpit's real path:
//! discovery, `opsdeck -c pods` (the Table list and watch of every pod), the Machine and
//! Application watches, `update`, frames drawn to a TestBackend. Per size it reports:
//!
//! - start to the first frame with pods on it (the first list's pages are shown as they
//!   arrive), and to the first complete frame (every pod, Machine and Application loaded), the
//!   CPU that took, and peak RSS;
//! - a frame of the pod table and a filter keystroke (the key through `update`, then the frame
//!   that shows the filtered rows);
//! - event-to-screen latency while the pods change at 500 watch events per second (another
//!   thread creates and deletes pods through the API; a change counts as on screen when the
//!   first frame drawn after it shows it, frames at most every 16 ms as the cockpit draws),
//!   counted from the write's request (the server's own delay included) and from its answer
//!   (the change committed: what is left is the cockpit's);
//! - at the largest size, CPU while idle for 30 s.
//!
//! Run: `cargo bench --bench scale` (`-- --sizes 1k,10k` for fewer; the 100k simulator
//! needs about 10 GB of memory and half a minute to start). `-- --loads N` loads each size
//! N times against its one simulator, each load after the first in a process of its own, and
//! reports the spread of the complete frame: on a shared machine one run says little. Before
//! the loads that count, the simulator serves one (`-- --warm-ups N`, 0 for none), as a real
//! API server has served lists before; each load follows a fixed piece of reference work,
//! timed, which says how fast the machine was just then.

#[path = "scale/load.rs"]
mod load;
mod support;

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use opsdeck::app::msg::Msg;
use opsdeck::app::run::{Executor, handle};
use opsdeck::app::state::State;
use opsdeck::clients::kube::browse::BrowseUpdate;
use opsdeck::model::store::{ObjRef, WatchUpdate};

use load::{LoadTook, Loaded, counts, in_cockpit_process, load, load_once, more_loads};
use support::{connect_sim, cpu_seconds, drive, key, proc_status, render, start_simulator};

const DEFAULT_SIZES: &str = "1k,10k,100k";
const EVENTS_PER_SECOND: u64 = 500;
const CHURN_FOR: Duration = Duration::from_secs(10);
const IDLE_FOR: Duration = Duration::from_secs(30);
const CHURN_NAMESPACE: &str = "team-0";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let loads: usize = value_of("--loads").map_or(1, |n| n.parse().expect("--loads N"));
    let warm_ups: usize = value_of("--warm-ups").map_or(1, |n| n.parse().expect("--warm-ups N"));
    if args.iter().any(|a| a == "--reference-only") {
        load::reference_work();
        return;
    }
    if let Some(size) = value_of("--load-only") {
        let path = value_of("--kubeconfig").expect("--kubeconfig PATH");
        in_cockpit_process(load_once(&size, &path));
        return;
    }
    if let Some(size) = value_of("--size") {
        let idle = args.iter().any(|a| a == "--idle");
        in_cockpit_process(measure(&size, idle, loads, warm_ups));
        return;
    }
    let sizes = value_of("--sizes").unwrap_or_else(|| DEFAULT_SIZES.to_string());
    let sizes: Vec<&str> = sizes.split(',').collect();
    let mut report = Vec::new();
    for (i, size) in sizes.iter().enumerate() {
        let mut command = std::process::Command::new(std::env::current_exe().expect("exe"));
        command.args(["--size", size, "--loads", &loads.to_string()]);
        command.args(["--warm-ups", &warm_ups.to_string()]);
        if i + 1 == sizes.len() {
            command.arg("--idle");
        }
        let out = command.output().expect("run one size");
        let text = String::from_utf8_lossy(&out.stdout);
        print!("{text}");
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        match text.lines().find_map(|l| l.strip_prefix("ROW ")) {
            Some(row) => report.push(row.to_string()),
            None => report.push(format!("| {size} | failed: {} |", out.status)),
        }
    }
    println!();
    println!(
        "| objects | first rows on screen | first complete frame | CPU to it | peak RSS | frame after a change | cursor key + frame | filter key + frame | event-to-screen p50 / p99 / max | from the server's answer p50 / p99 | idle 30 s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for row in report {
        println!("{row}");
    }
}

async fn measure(size: &str, idle: bool, loads: usize, warm_ups: usize) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (pods, machines, apps) = counts(size);
    let (sim, path) = start_simulator(&format!("scale-{size}"));
    let yaml = std::fs::read_to_string(&path).expect("kubeconfig");

    tokio::task::block_in_place(|| load::warm_up(size, &path, warm_ups, || sim.cpu_seconds()));
    let reference = tokio::task::block_in_place(load::reference_ms);
    let sim_cpu_start = sim.cpu_seconds();
    let Loaded {
        _watches,
        mut state,
        mut executor,
        mut rx,
        context,
        first_rows,
        kinds_at: loaded,
        complete_frame,
        first_frame,
        cpu_to_frame,
        peak_at_frame,
    } = load(size, (pods, machines, apps), &yaml).await;
    let sim_cpu_to_frame = sim.cpu_seconds() - sim_cpu_start;
    // The other loads run while this process waits (its cockpit idle, its watches open).
    let first = LoadTook {
        first_rows_ms: first_rows.as_secs_f64() * 1000.0,
        complete_ms: first_frame.as_secs_f64() * 1000.0,
        cpu: cpu_to_frame,
        peak_kib: peak_at_frame,
        sim_cpu: sim_cpu_to_frame,
        reference_ms: reference,
    };
    let spread =
        tokio::task::block_in_place(|| more_loads(size, &path, loads, first, || sim.cpu_seconds()));
    let frame = complete_frame;
    assert!(frame.contains(&format!("pods ({pods}) [live]")), "{frame}");

    // A frame after a change (as each frame under watch events is): a pod's STATUS changed by
    // a watch event, then the frame.
    let mut round = 0;
    let frame_time = mean_of(10, || {
        round += 1;
        change_a_pod(&mut state, &mut executor, round);
        render(&mut state);
    });
    // Of which: the table's rows brought up to date (cells, filter, sort), without drawing them.
    let pods_table = opsdeck::app::tables::on_screen(&state).expect("the pods table");
    let build_time = mean_of(10, || {
        round += 1;
        change_a_pod(&mut state, &mut executor, round);
        let _ = opsdeck::app::tables::shown(&state, pods_table);
    });
    // A cursor key and the frame after it (the rows built for the frame before are reused).
    let cursor_time = mean_of(10, || {
        handle(&mut state, &mut executor, key("j"));
        render(&mut state);
    });
    // A filter: `/` opens it; each character narrows the rows and is drawn.
    handle(&mut state, &mut executor, key("/"));
    let mut typed = Duration::ZERO;
    let query = "svc-12";
    for c in query.chars() {
        let t = Instant::now();
        handle(&mut state, &mut executor, key(&c.to_string()));
        render(&mut state);
        typed += t.elapsed();
    }
    let filter_time = typed / query.len() as u32;
    let filtered = render(&mut state);
    assert!(filtered.contains("svc-12"), "{filtered}");
    handle(&mut state, &mut executor, key("<Esc>"));

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("scale-{size}: {pods} pods, {machines} Machines, {apps} Applications");
    println!(
        "  first rows on screen: {:.0} ms; first complete frame: {:.0} ms, {cpu_to_frame:.2} CPU-s, peak RSS {:.1} MiB",
        ms(first_rows),
        ms(first_frame),
        peak_at_frame as f64 / 1024.0
    );
    println!(
        "  loaded: pods at {:.0} ms, Machines at {:.0} ms, Applications at {:.0} ms; the simulator's CPU meanwhile: {sim_cpu_to_frame:.2} s",
        ms(loaded[0]),
        ms(loaded[1]),
        ms(loaded[2])
    );
    println!(
        "  a frame after a change: {:.1} ms ({:.1} ms of it building the rows); a cursor key and its frame: {:.1} ms; a filter key and its frame: {:.1} ms",
        ms(frame_time),
        ms(build_time),
        ms(cursor_time),
        ms(filter_time)
    );
    let latencies = churn(&mut state, &mut executor, &mut rx, &yaml, &context).await;

    let idle_cpu = if idle {
        // Let the last churn events settle, then nothing happens for 30 s.
        drive(
            &mut state,
            &mut executor,
            &mut rx,
            Duration::from_secs(3),
            |_, _| ControlFlow::Continue(()),
        )
        .await;
        let cpu = cpu_seconds();
        drive(&mut state, &mut executor, &mut rx, IDLE_FOR, |_, _| {
            ControlFlow::Continue(())
        })
        .await;
        Some(cpu_seconds() - cpu)
    } else {
        None
    };
    let peak = proc_status("VmHWM:").unwrap_or(0);
    drop(executor);
    drop(sim);

    let percentile = |list: &[Duration], p: f64| {
        list.get(((list.len() as f64 * p) as usize).min(list.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let all = &latencies.from_request;
    let (p50, p99, max) = (
        percentile(all, 0.50),
        percentile(all, 0.99),
        percentile(all, 1.0),
    );
    let answered = &latencies.from_answer;
    let (a50, a99) = (percentile(answered, 0.50), percentile(answered, 0.99));
    let unseen = all.iter().filter(|l| **l == Duration::MAX).count();
    let shown = |d: Duration| {
        if d == Duration::MAX {
            "never".to_string()
        } else {
            format!("{:.1} ms", ms(d))
        }
    };
    println!("  peak RSS at the end: {:.1} MiB", peak as f64 / 1024.0);
    println!(
        "  event-to-screen over {} changes at {EVENTS_PER_SECOND}/s: p50 {}, p99 {}, max {} ({unseen} not shown 2 s after the churn ended); from the server's answer: p50 {}, p99 {}",
        all.len(),
        shown(p50),
        shown(p99),
        shown(max),
        shown(a50),
        shown(a99)
    );
    let idle_text = match idle_cpu {
        Some(cpu) => {
            println!(
                "  idle {} s: {cpu:.2} CPU-s ({:.2} %)",
                IDLE_FOR.as_secs(),
                cpu / IDLE_FOR.as_secs_f64() * 100.0
            );
            format!("{:.2} %", cpu / IDLE_FOR.as_secs_f64() * 100.0)
        }
        None => "—".to_string(),
    };
    println!(
        "ROW | {size} ({pods} pods, {machines} Machines, {apps} apps) | {:.0} ms | {:.0} ms{spread} | {cpu_to_frame:.2} s | {:.0} MiB | {:.1} ms | {:.1} ms | {:.1} ms | {} / {} / {} | {} / {} | {idle_text} |",
        ms(first_rows),
        ms(first_frame),
        peak as f64 / 1024.0,
        ms(frame_time),
        ms(cursor_time),
        ms(filter_time),
        shown(p50),
        shown(p99),
        shown(max),
        shown(a50),
        shown(a99)
    );
}

/// A watch event as the cockpit gets one: the `round`th pod's STATUS changed.
fn change_a_pod(state: &mut State, executor: &mut Executor, round: usize) {
    let id = state.browse.target.as_ref().expect("browsing").id;
    let status = state
        .browse
        .columns
        .iter()
        .position(|c| c.name == "Status")
        .expect("a Status column");
    let mut row = state
        .browse
        .rows
        .iter()
        .nth(round * 97 % state.browse.rows.len())
        .expect("a pod")
        .clone();
    row.cells[status] = if row.cells[status] == "Running" {
        "Succeeded".into()
    } else {
        "Running".into()
    };
    let update = BrowseUpdate::Rows(WatchUpdate::Upsert(row));
    handle(state, executor, Msg::Browse { id, update });
}

fn mean_of(rounds: u32, mut f: impl FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..rounds {
        f();
    }
    t.elapsed() / rounds
}

/// What the churn thread did: each pod it created or deleted, when it asked, and when the
/// server answered (by then the change is committed and its watch event sent).
#[derive(Default)]
struct Sent {
    created: HashMap<String, Instant>,
    deleted: HashMap<String, Instant>,
    /// By pod name and whether it was the delete.
    answered: HashMap<(String, bool), Instant>,
}

/// Pods created and deleted at `EVENTS_PER_SECOND` for `CHURN_FOR`, from a thread of its own;
/// returns each change's latency from its request to the first frame that shows it, sorted.
async fn churn(
    state: &mut State,
    executor: &mut Executor,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    kubeconfig: &str,
    context: &str,
) -> Latencies {
    let sent = Arc::new(Mutex::new(Sent::default()));
    let writer = {
        let sent = sent.clone();
        let kubeconfig = kubeconfig.to_string();
        std::thread::spawn(move || write_changes(&kubeconfig, &sent))
    };
    let mut latencies = Latencies::default();
    let began = Instant::now();
    // When the slowest change was sent (seconds into the churn), to tell a stall from a trend.
    let mut slowest = (Duration::ZERO, Duration::ZERO);
    let key = |name: &str| ObjRef::in_cluster(context, CHURN_NAMESPACE, name);
    drive(
        state,
        executor,
        rx,
        CHURN_FOR + Duration::from_secs(2),
        |state, _| {
            let now = Instant::now();
            let mut sent = sent.lock().expect("sent");
            let listed = |name: &String| state.browse.rows.get(&key(name)).is_some();
            let shown: Vec<(String, bool)> = (sent.created.keys().filter(|n| listed(n)))
                .map(|n| (n.clone(), false))
                .chain(
                    sent.deleted
                        .keys()
                        .filter(|n| !listed(n))
                        .map(|n| (n.clone(), true)),
                )
                .collect();
            for (name, delete) in shown {
                let asked = if delete {
                    sent.deleted.remove(&name)
                } else {
                    sent.created.remove(&name)
                };
                let Some(at) = asked else { continue };
                latencies.from_request.push(now - at);
                // Shown before the answer came back: nothing of it was the cockpit's.
                let answered = sent.answered.get(&(name, delete)).copied().unwrap_or(now);
                latencies
                    .from_answer
                    .push(now.saturating_duration_since(answered));
                if now - at > slowest.0 {
                    slowest = (now - at, at.saturating_duration_since(began));
                }
            }
            ControlFlow::Continue(())
        },
    )
    .await;
    let _ = writer.join();
    // A change not on screen 2 s after the last request counts as the slowest there is.
    let unseen = {
        let sent = sent.lock().expect("sent");
        sent.created.len() + sent.deleted.len()
    };
    println!(
        "  the slowest change on screen ({:.0} ms) was sent {:.1} s into the churn",
        slowest.0.as_secs_f64() * 1000.0,
        slowest.1.as_secs_f64()
    );
    for list in [&mut latencies.from_request, &mut latencies.from_answer] {
        list.sort();
        list.extend(std::iter::repeat_n(Duration::MAX, unseen));
    }
    latencies
}

/// Each change's time to the first frame that showed it, sorted: from the write's request
/// (the server's own delay included), and from the server's answer (the change committed).
#[derive(Default)]
struct Latencies {
    from_request: Vec<Duration>,
    from_answer: Vec<Duration>,
}

/// Every 2 ms, a pod created or (from the second second on) the oldest churn pod deleted:
/// 500 watch events a second. Requests go out on their own tasks, so a slow answer never
/// slows the rate.
fn write_changes(kubeconfig: &str, sent: &Arc<Mutex<Sent>>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (client, _) = connect_sim(kubeconfig).await;
        let every = Duration::from_micros(1_000_000 / EVENTS_PER_SECOND);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let end = tokio::time::Instant::now() + CHURN_FOR;
        let collection = format!("/api/v1/namespaces/{CHURN_NAMESPACE}/pods");
        let (mut created, mut deleted) = (0usize, 0usize);
        // Finished requests are collected as they go: a finished task kept until the end
        // held its memory (7 MB of the cockpit process's peak at 5,000 writes).
        let mut requests = tokio::task::JoinSet::new();
        let mut answered = Vec::new();
        let mut failures: Vec<String> = Vec::new();
        type Done = Result<(Duration, Option<String>), tokio::task::JoinError>;
        let collect = |done: Done, answered: &mut Vec<Duration>, failures: &mut Vec<String>| {
            match done {
                Ok((took, None)) => answered.push(took),
                Ok((_, Some(e))) => failures.push(e),
                Err(e) => failures.push(e.to_string()),
            }
        };
        while tokio::time::Instant::now() < end {
            tick.tick().await;
            let delete = created > EVENTS_PER_SECOND as usize / 2 && deleted < created && (created + deleted) % 2 == 1;
            let request = if delete {
                let name = format!("churn-{deleted:06}");
                deleted += 1;
                sent.lock().expect("sent").deleted.insert(name.clone(), Instant::now());
                http::Request::delete(format!("{collection}/{name}")).body(Vec::new())
            } else {
                let name = format!("churn-{created:06}");
                created += 1;
                let body = serde_json::json!({
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": name, "namespace": CHURN_NAMESPACE,
                                 "labels": {"app.kubernetes.io/name": "churn"}},
                    "spec": {"containers": [{"name": "main", "image": "docker.io/library/busybox:1.36"}]}
                });
                sent.lock().expect("sent").created.insert(name, Instant::now());
                http::Request::post(collection.clone())
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(serde_json::to_vec(&body).expect("json"))
            };
            let client = client.clone();
            let request = request.expect("request");
            let name = format!("churn-{:06}", if delete { deleted - 1 } else { created - 1 });
            let sent = sent.clone();
            while let Some(done) = requests.try_join_next() {
                collect(done, &mut answered, &mut failures);
            }
            requests.spawn(async move {
                let asked = Instant::now();
                let failed = client.request_text(request).await.err().map(|e| e.to_string());
                sent.lock()
                    .expect("sent")
                    .answered
                    .insert((name, delete), Instant::now());
                (asked.elapsed(), failed)
            });
        }
        let give_up = tokio::time::Instant::now() + Duration::from_secs(10);
        while !requests.is_empty() {
            match tokio::time::timeout_at(give_up, requests.join_next()).await {
                Ok(Some(done)) => collect(done, &mut answered, &mut failures),
                Ok(None) => break,
                Err(_) => {
                    let left = requests.len();
                    failures.extend((0..left).map(|_| "no answer within 10 s".to_string()));
                    requests.abort_all();
                    break;
                }
            }
        }
        if let Some(first) = failures.first() {
            println!("  {} writes failed, the first: {first}", failures.len());
        }
        answered.sort();
        let at = |p: f64| {
            answered
                .get((answered.len() as f64 * p) as usize)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "  the simulator answered the {} writes in p50 {:.1} ms, p99 {:.1} ms",
            answered.len(),
            at(0.5),
            at(0.99)
        );
    });
}
