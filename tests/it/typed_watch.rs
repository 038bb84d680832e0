//! The typed watch's ends, against a server on a real socket that answers each watch the way
//! servers do: events then a 410 in the stream (kube-apiserver), a 410 as the answer itself
//! (other servers), a 403, and a watch that ends quietly at its timeout and is renewed from the
//! last resourceVersion it saw.

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opsdeck::clients::error::ClientError;
use opsdeck::clients::kube::pages;
use opsdeck::clients::kube::typed::{self, Change, Ended};
use opsdeck::model::capi::MachineW;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server on 127.0.0.1 that answers the n-th request with `answers[n]` (the last one again
/// after that) and records each request's path. Ends with the test's runtime.
async fn server(answers: Vec<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let paths = Arc::new(Mutex::new(Vec::new()));
    let seen = paths.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (answers, seen) = (answers.clone(), seen.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while memchr::memmem::find(&head, b"\r\n\r\n").is_none() {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&head).to_string();
                let path = text.split_whitespace().nth(1).unwrap_or("").to_string();
                let n = {
                    let mut seen = seen.lock().expect("paths");
                    seen.push(path);
                    seen.len() - 1
                };
                let answer = &answers[n.min(answers.len() - 1)];
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, paths)
}

/// A 200 whose body is these watch events, one per line, then the end of the stream.
fn events(lines: &[String]) -> String {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn status(code: u16, reason: &str, message: &str) -> String {
    format!(
        r#"{{"kind":"Status","apiVersion":"v1","status":"Failure","message":"{message}","reason":"{reason}","code":{code}}}"#
    )
}

fn refused(code: u16, reason: &str, message: &str) -> String {
    let body = status(code, reason, message);
    format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn machine_event(kind: &str, name: &str, rv: &str) -> String {
    format!(
        r#"{{"type":"{kind}","object":{{"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Machine","metadata":{{"name":"{name}","namespace":"ns","resourceVersion":"{rv}"}},"status":{{"phase":"Running"}}}}}}"#
    )
}

fn client(url: &str) -> kube::Client {
    kube::Client::try_from(kube::Config::new(url.parse().expect("url"))).expect("client")
}

/// Follow until it ends (within 10 s), with the changes it handed on as `applied name` or
/// `deleted name`; the follower stops wanting them after `wanted` changes.
async fn follow_for(url: &str, rv: &str, wanted: usize) -> (Ended, Vec<String>) {
    let mut changes = Vec::new();
    let ended = tokio::time::timeout(
        Duration::from_secs(10),
        typed::follow::<MachineW>(
            &client(url),
            "/apis/cluster.x-k8s.io/v1beta2/machines",
            pages::JSON_ACCEPT,
            rv.to_string(),
            |m| m.metadata.resource_version.as_deref(),
            |c| {
                changes.push(match c {
                    Change::Applied(m) => {
                        format!("applied {}", m.metadata.name.unwrap_or_default())
                    }
                    Change::Deleted(m) => {
                        format!("deleted {}", m.metadata.name.unwrap_or_default())
                    }
                });
                if changes.len() < wanted {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            },
        ),
    )
    .await
    .expect("the watch ended");
    (ended, changes)
}

async fn follow(url: &str, rv: &str) -> (Ended, Vec<String>) {
    follow_for(url, rv, usize::MAX).await
}

#[tokio::test]
async fn a_watch_goes_on_from_the_last_version_seen_until_the_server_says_expired() {
    let first = events(&[
        machine_event("ADDED", "a", "11"),
        machine_event("MODIFIED", "a", "12"),
        r#"{"type":"BOOKMARK","object":{"kind":"Machine","apiVersion":"cluster.x-k8s.io/v1beta2","metadata":{"resourceVersion":"15"}}}"#.to_string(),
    ]);
    let second = events(&[
        machine_event("DELETED", "a", "16"),
        format!(
            r#"{{"type":"ERROR","object":{}}}"#,
            status(410, "Expired", "too old resource version: 16 (20)")
        ),
    ]);
    let (url, paths) = server(vec![first, second]).await;
    let (ended, changes) = follow(&url, "10").await;
    assert!(matches!(ended, Ended::Expired), "{ended:?}");
    assert_eq!(changes, ["applied a", "applied a", "deleted a"]);
    let paths = paths.lock().expect("paths").clone();
    assert_eq!(paths.len(), 2, "{paths:?}");
    // The first from the list's version, the renewal from the bookmark's.
    assert!(
        paths[0].contains("watch=true") && paths[0].contains("resourceVersion=10&"),
        "{paths:?}"
    );
    assert!(paths[0].contains("allowWatchBookmarks=true"), "{paths:?}");
    assert!(paths[1].contains("resourceVersion=15&"), "{paths:?}");
}

#[tokio::test]
async fn a_410_as_the_answer_itself_is_an_expiry_and_a_403_a_refusal() {
    let (url, _) = server(vec![refused(410, "Gone", "too old resource version")]).await;
    let (ended, changes) = follow(&url, "3").await;
    assert!(matches!(ended, Ended::Expired), "{ended:?}");
    assert!(changes.is_empty());

    let (url, _) = server(vec![refused(
        403,
        "Forbidden",
        "machines is forbidden: User \\\"viewer\\\" cannot watch",
    )])
    .await;
    let (ended, _) = follow(&url, "3").await;
    assert!(
        matches!(&ended, Ended::Failed(ClientError::Forbidden(m)) if m.contains("cannot watch")),
        "{ended:?}"
    );
}

#[tokio::test]
async fn a_follower_that_wants_no_more_ends_the_watch_there() {
    let stream = events(&[
        machine_event("ADDED", "a", "11"),
        machine_event("ADDED", "b", "12"),
        machine_event("ADDED", "c", "13"),
    ]);
    let (url, paths) = server(vec![stream]).await;
    let (ended, changes) = follow_for(&url, "10", 2).await;
    assert!(matches!(ended, Ended::Unwanted), "{ended:?}");
    assert_eq!(changes, ["applied a", "applied b"]);
    assert_eq!(paths.lock().expect("paths").len(), 1, "not renewed");
}
