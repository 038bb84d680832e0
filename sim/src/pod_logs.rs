//! `GET …/pods/<name>/log`: a container's log as the API server relays it from the kubelet —
//! plain text; `container`, `tailLines`, `timestamps`, `previous` (the last terminated
//! instance) and `follow` (the connection stays open and a running container keeps writing);
//! and the 400s a real server answers, in its words. Which instance's log is served follows the
//! kubelet: a crash-looping container (waiting, with a terminated last state) serves its last
//! run.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Response, header};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tokio::sync::mpsc;

use super::db::fnv;
use super::http::{Body, channel_body, full};
use super::status::{self, StatusError};

/// How often a followed running container writes a line.
const FOLLOW_EVERY: Duration = Duration::from_millis(700);
/// The most lines a container's log holds (the kubelet rotates older ones away).
const HISTORY: usize = 400;
/// One line per this much time in a container's history.
const HISTORY_EVERY: SignedDuration = SignedDuration::from_secs(20);

/// What the query asks for.
#[derive(Debug, Default)]
pub struct LogAsk {
    pub container: Option<String>,
    pub follow: bool,
    pub tail: Option<usize>,
    pub timestamps: bool,
    pub previous: bool,
}

impl LogAsk {
    pub fn from_query(query: &HashMap<String, String>) -> Self {
        let flag = |k: &str| query.get(k).is_some_and(|v| v == "true" || v == "1");
        LogAsk {
            container: query.get("container").filter(|c| !c.is_empty()).cloned(),
            follow: flag("follow"),
            tail: query.get("tailLines").and_then(|v| v.parse().ok()),
            timestamps: flag("timestamps"),
            previous: flag("previous"),
        }
    }
}

/// Which run of the container is served, and whether it is still writing.
struct Instance {
    started: Timestamp,
    ended: Option<Timestamp>,
    crashed: bool,
}

pub fn serve(pod: &Value, ask: LogAsk) -> Result<Response<Body>, StatusError> {
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or("");
    // A pod not yet scheduled has no kubelet to ask: the server answers with nothing.
    if pod["spec"]["nodeName"].as_str().unwrap_or("").is_empty() {
        return Ok(text_response(full(Bytes::new())));
    }
    let container = container_name(pod, pod_name, ask.container.as_deref())?;
    let instance = instance(pod, pod_name, &container, ask.previous)?;
    let mut lines = history(pod_name, &container, &instance);
    if let Some(tail) = ask.tail {
        lines.drain(..lines.len().saturating_sub(tail));
    }
    let render = move |(at, text): &(Timestamp, String)| match ask.timestamps {
        // RFC 3339 with the fraction trimmed, as Go's RFC3339Nano prints it.
        true => format!("{at} {text}\n"),
        false => format!("{text}\n"),
    };
    let past: String = lines.iter().map(&render).collect();
    if !ask.follow || instance.ended.is_some() {
        return Ok(text_response(full(past)));
    }
    // Following a running container: what it wrote so far, then a line now and then until the
    // client goes away.
    let (tx, rx) = mpsc::channel::<String>(16);
    let (pod_name, seq_start) = (pod_name.to_string(), lines.len());
    tokio::spawn(async move {
        if tx.send(past).await.is_err() {
            return;
        }
        let mut tick = tokio::time::interval(FOLLOW_EVERY);
        tick.tick().await;
        for seq in seq_start.. {
            tick.tick().await;
            let line = (Timestamp::now(), app_line(&pod_name, &container, seq));
            if tx.send(render(&line)).await.is_err() {
                return;
            }
        }
    });
    Ok(text_response(channel_body(rx)))
}

fn text_response(body: Body) -> Response<Body> {
    let mut resp = Response::new(body);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    resp
}

/// The container asked for, or the only one; the server picks no default among several.
fn container_name(pod: &Value, pod_name: &str, asked: Option<&str>) -> Result<String, StatusError> {
    let names = |list: &str| -> Vec<String> {
        pod["spec"][list]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str().map(str::to_string))
            .collect()
    };
    let containers = names("containers");
    let init = names("initContainers");
    match asked {
        Some(name) if containers.iter().chain(&init).any(|c| c == name) => Ok(name.to_string()),
        Some(name) => Err(status::bad_request(format!(
            "container {name} is not valid for pod {pod_name}"
        ))),
        None if containers.len() == 1 => Ok(containers[0].clone()),
        None => Err(status::bad_request(format!(
            "a container name must be specified for pod {pod_name}, choose one of: [{}] or one of the init containers: [{}]",
            containers.join(" "),
            init.join(" ")
        ))),
    }
}

/// The kubelet's choice of which run to read, from the container's status.
fn instance(
    pod: &Value,
    pod_name: &str,
    container: &str,
    previous: bool,
) -> Result<Instance, StatusError> {
    let status = ["containerStatuses", "initContainerStatuses"]
        .iter()
        .flat_map(|list| pod["status"][*list].as_array().into_iter().flatten())
        .find(|s| s["name"] == container);
    let time = |v: &Value| {
        v.as_str()
            .and_then(|t| t.parse::<Timestamp>().ok())
            .unwrap_or_else(Timestamp::now)
    };
    let waiting = |reason: &str| {
        status::bad_request(format!(
            "container \"{container}\" in pod \"{pod_name}\" is waiting to start: {reason}"
        ))
    };
    let Some(status) = status else {
        return Err(waiting("ContainerCreating"));
    };
    let (state, last) = (&status["state"], &status["lastState"]["terminated"]);
    let run = |t: &Value| Instance {
        started: time(&t["startedAt"]),
        ended: Some(time(&t["finishedAt"])),
        crashed: t["exitCode"].as_i64().unwrap_or(0) != 0,
    };
    if previous {
        return match last.is_object() {
            true => Ok(run(last)),
            false => Err(status::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{pod_name}\" not found"
            ))),
        };
    }
    if let Some(running) = state.get("running") {
        return Ok(Instance {
            started: time(&running["startedAt"]),
            ended: None,
            crashed: false,
        });
    }
    if let Some(done) = state.get("terminated") {
        return Ok(run(done));
    }
    if last.is_object() {
        return Ok(run(last));
    }
    let reason = state["waiting"]["reason"]
        .as_str()
        .unwrap_or("ContainerCreating");
    Err(waiting(reason))
}

/// What one run of the container wrote, oldest first: start-up, then steady lines, then (for a
/// crashed run) the failure.
fn history(pod: &str, container: &str, run: &Instance) -> Vec<(Timestamp, String)> {
    let end = run.ended.unwrap_or_else(Timestamp::now);
    let span = end.duration_since(run.started).max(SignedDuration::ZERO);
    let steady = (span.as_secs() / HISTORY_EVERY.as_secs().max(1)).max(0) as usize;
    let mut out: Vec<(Timestamp, String)> = startup(pod, container)
        .into_iter()
        .enumerate()
        .map(|(i, l)| (run.started + SignedDuration::from_millis(40 * i as i64), l))
        .collect();
    let first = steady.saturating_sub(HISTORY);
    for seq in first..steady {
        let at = run.started + HISTORY_EVERY * (seq as i32 + 1);
        out.push((at.min(end), app_line(pod, container, seq)));
    }
    if run.crashed {
        for line in crash(container) {
            out.push((end, line));
        }
    }
    out
}

fn startup(pod: &str, container: &str) -> Vec<String> {
    vec![
        format!("level=info msg=\"starting {container}\" pod={pod} version=1.4.2"),
        "level=info msg=\"loaded configuration\" file=/etc/app/config.yaml".into(),
        "level=info msg=\"listening\" addr=:8080".into(),
    ]
}

fn crash(container: &str) -> Vec<String> {
    vec![
        // Colour codes, as many loggers write them to a terminal; the cockpit must not pass
        // them through.
        "\u{1b}[31mERROR\u{1b}[0m database not reachable after 5 attempts".into(),
        "panic: connecting to database: dial tcp 10.96.0.15:5432: connect: connection refused"
            .into(),
        String::new(),
        "goroutine 1 [running]:".into(),
        format!("main.main()\n\t/src/cmd/{container}/main.go:42 +0x1c5"),
    ]
}

/// One steady-state line: requests, health checks, now and then a warning.
fn app_line(pod: &str, container: &str, seq: usize) -> String {
    let h = fnv(format!("{pod}{container}{seq}").as_bytes());
    let ms = 1 + h % 250;
    match seq % 9 {
        0 => format!("level=info msg=\"GET /healthz\" status=200 duration={ms}ms"),
        3 => format!(
            "level=info msg=\"GET /api/v1/items\" status=200 duration={ms}ms items={}",
            h % 90
        ),
        5 => format!(
            "level=debug msg=\"cache refreshed\" entries={}",
            100 + h % 900
        ),
        7 if h.is_multiple_of(3) => format!(
            "level=warn msg=\"slow query\" duration={}ms table=items",
            500 + h % 1500
        ),
        _ => format!("level=info msg=\"GET /\" status=200 duration={ms}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pod_objects::{PodState, pod};
    use bytes::Buf;
    use http_body_util::BodyExt;

    fn ask(pairs: &[(&str, &str)]) -> LogAsk {
        LogAsk::from_query(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    async fn body(resp: Response<Body>) -> String {
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    /// One replica of `workload` in `media`, created `hours` ago.
    fn media_pod(workload: &str, state: PodState, hours: i64) -> Value {
        pod(
            "media",
            workload,
            0,
            "w1",
            state,
            SignedDuration::from_hours(hours),
        )
    }

    fn message(e: StatusError) -> String {
        e.body["message"].as_str().unwrap_or("").to_string()
    }

    #[tokio::test]
    async fn a_crash_looping_container_serves_its_last_run_and_a_running_one_has_no_previous() {
        let crashing = media_pod("radarr", PodState::CrashLoop, 3);
        let text = body(serve(&crashing, ask(&[("tailLines", "4")])).expect("log")).await;
        assert_eq!(text.lines().count(), 5, "{text}");
        assert!(text.contains("panic: connecting to database"), "{text}");
        let previous = body(serve(&crashing, ask(&[("previous", "true")])).expect("log")).await;
        assert!(
            previous.starts_with("level=info msg=\"starting radarr\""),
            "{previous}"
        );

        let running = media_pod("immich", PodState::Running, 3);
        let e = serve(&running, ask(&[("previous", "true")])).expect_err("no previous");
        assert_eq!(e.code, 400);
        assert!(message(e).starts_with("previous terminated container \"immich\""));
        let stamped =
            body(serve(&running, ask(&[("tailLines", "2"), ("timestamps", "true")])).expect("log"))
                .await;
        assert_eq!(stamped.lines().count(), 2, "{stamped}");
        for line in stamped.lines() {
            let (stamp, text) = line.split_once(' ').expect("stamp and text");
            assert!(stamp.parse::<Timestamp>().is_ok(), "{line}");
            assert!(text.starts_with("level="), "{line}");
        }
    }

    #[tokio::test]
    async fn the_server_names_the_containers_when_it_cannot_choose() {
        let waiting = media_pod("nextcloud", PodState::Initializing, 1);
        let e = serve(&waiting, ask(&[])).expect_err("waiting");
        assert_eq!(
            message(e),
            format!(
                "container \"nextcloud\" in pod \"{}\" is waiting to start: PodInitializing",
                waiting["metadata"]["name"].as_str().expect("name")
            )
        );
        let init =
            body(serve(&waiting, ask(&[("container", "wait-for-db")])).expect("init log")).await;
        assert!(!init.is_empty());
        let e = serve(&waiting, ask(&[("container", "nope")])).expect_err("unknown");
        assert!(message(e).starts_with("container nope is not valid for pod"));
        let mut two = waiting.clone();
        two["spec"]["containers"]
            .as_array_mut()
            .expect("containers")
            .push(serde_json::json!({"name": "log-shipper"}));
        let e = message(serve(&two, ask(&[])).expect_err("ambiguous"));
        assert!(e.contains("choose one of: [nextcloud log-shipper]"), "{e}");
    }

    #[tokio::test]
    async fn following_a_running_container_keeps_writing_until_the_client_leaves() {
        let running = media_pod("immich", PodState::Running, 1);
        let resp = serve(&running, ask(&[("follow", "true"), ("tailLines", "1")])).expect("log");
        let mut body = resp.into_body();
        let mut text = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while text.lines().count() < 3 {
            let frame = tokio::time::timeout_at(deadline, body.frame())
                .await
                .expect("lines keep coming")
                .expect("open")
                .expect("frame");
            if let Ok(data) = frame.into_data() {
                text.push_str(std::str::from_utf8(data.chunk()).expect("utf-8"));
            }
        }
        assert!(text.lines().all(|l| l.starts_with("level=")), "{text}");
    }
}
