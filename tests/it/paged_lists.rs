//! A list of more than one page (500 rows): the cockpit asks for the next page as soon as the
//! head of the one before names it, shows the pages as they come, and ends with every object
//! once.

use serde_json::json;

use crate::common::{self, Cockpit};
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::model::source::SourceState;
use opsdeck_sim::kinds::kind_id;

const EXTRA: usize = 1_234;

#[tokio::test]
async fn a_list_of_three_pages_arrives_whole_with_every_pod_once() {
    let sim = common::frozen_sim().await;
    let pod = kind_id("Pod").expect("pods");
    let expected: Vec<String> = {
        let mut db = sim.cluster_db("media").expect("media");
        let template = db.list(pod, None, None).next().cloned().expect("a pod");
        for i in 0..EXTRA {
            let mut copy = template.clone();
            let meta = copy["metadata"].as_object_mut().expect("metadata");
            // Names past 23 bytes, spread over the pages in key order.
            meta.insert("name".into(), json!(format!("paged-copy-of-a-pod-{i:05}")));
            meta.remove("uid");
            meta.remove("creationTimestamp");
            db.create(pod, copy).expect("create");
        }
        db.list(pod, None, None)
            .map(|p| {
                let m = &p["metadata"];
                format!(
                    "{}/{}",
                    m["namespace"].as_str().unwrap_or(""),
                    m["name"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert!(expected.len() > 1_000, "three pages at least");

    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.wait_for("discovery", |s| s.catalog.resolve("pods").is_some())
        .await;
    c.command("pods");
    c.wait_for("every page, live", |s| {
        s.browse.rows.state() == SourceState::Live
            && s.browse
                .rows
                .iter()
                .filter(|r| r.key.cluster.ends_with("media"))
                .count()
                >= expected.len()
    })
    .await;
    let mut listed: Vec<String> = c
        .state
        .browse
        .rows
        .iter()
        .filter(|r| r.key.cluster.ends_with("media"))
        .map(|r| r.key.namespaced_name())
        .collect();
    listed.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(listed, expected, "each pod once, none missing");
    let frame = c.frame_sized(200, 40);
    assert!(frame.contains("[live]"), "{frame}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_resource_list_asks_for_its_next_page_before_the_reader_does() {
    use opsdeck::clients::kube::pages::{JSON_ACCEPT, Pages};
    use opsdeck::clients::kube::typed;
    use opsdeck::model::capi::MachineW;
    let sim = common::frozen_sim().await;
    let management = opsdeck_sim::MANAGEMENT;
    let machine = kind_id("cluster.x-k8s.io/Machine").expect("machines");
    let mut expected: Vec<String> = {
        let mut db = sim.cluster_db(management).expect("management");
        let template = db
            .list(machine, None, None)
            .next()
            .cloned()
            .expect("a Machine");
        for i in 0..EXTRA {
            let mut copy = template.clone();
            let meta = copy["metadata"].as_object_mut().expect("metadata");
            meta.insert("name".into(), json!(format!("paged-machine-{i:05}")));
            meta.remove("uid");
            meta.remove("creationTimestamp");
            db.create(machine, copy).expect("create");
        }
        db.list(machine, None, None)
            .map(|m| m["metadata"]["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let client = common::admin(&sim).await;
    let base = "/apis/cluster.x-k8s.io/v1beta2/machines";

    // The server writes a custom resource list's keys sorted: its metadata comes last, after
    // every item. Once the first page is whole its tail names the second, which is asked for
    // while the reader still holds the first.
    let before = sim.list_count(management);
    let mut pages = Pages::start(&client, base, JSON_ACCEPT);
    let first = pages.next(None).await.expect("the first page");
    let text = String::from_utf8_lossy(&first.text);
    let list_meta = text.rfind(r#""metadata""#).expect("metadata");
    assert!(
        text.find(r#""items""#)
            .is_some_and(|items| items < list_meta),
        "the list's metadata after its items"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sim.list_count(management) - before < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the second page was not asked for ahead"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    drop((first, pages));

    // Listed whole through the typed path: every Machine once, and where to watch from.
    let project = |m: &MachineW| (m.metadata.name.clone().unwrap_or_default(), None);
    let listed = typed::list(&client, base, &project).await.expect("listed");
    assert!(!listed.rv.is_empty(), "a resourceVersion to watch from");
    let mut names = listed.rows;
    names.sort();
    expected.sort();
    assert!(expected.len() > 1_000, "three pages at least");
    assert_eq!(names, expected, "each Machine once, none missing");
}

/// A server of two Table pages that holds the first page's rows back until the second page is
/// asked for: a reader that waited for the first page's end before asking would wait forever.
/// A page asked with another token is answered too, naming the token it was asked with.
async fn holding_server() -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let second_asked = std::sync::Arc::new(tokio::sync::Notify::new());
    let server = tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let second_asked = second_asked.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let Some(end) = memchr::memmem::find(&seen, b"\r\n\r\n") else {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&seen[..end]).to_string();
                    seen.drain(..end + 4);
                    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                    let token = path.split("continue=").nth(1).map(|t| t.to_string());
                    let row = |name: &str| {
                        format!(
                            r#"{{"cells":["{name}"],"object":{{"kind":"PartialObjectMetadata","metadata":{{"name":"{name}","namespace":"ns","managedFields":[{{"manager":"kubelet","fieldsV1":{{"f:status":{{"k:{{\"type\":\"Ready\"}}":{{}}}}}}}}]}}}}}}"#
                        )
                    };
                    let columns = r#""columnDefinitions":[{"name":"Name","type":"string","format":"name","description":"","priority":0}]"#;
                    let (first, rest) = match token.as_deref() {
                        None => (
                            format!(
                                r#"{{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{{"resourceVersion":"7","continue":"p2"}},{columns},"rows":["#
                            ),
                            format!("{},{}]}}", row("a"), row("b")),
                        ),
                        Some(t) => (
                            format!(
                                r#"{{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{{"resourceVersion":"7"}},{columns},"rows":["#
                            ),
                            format!("{}]}}", row(&format!("after-{t}"))),
                        ),
                    };
                    let chunk = |text: &str| format!("{:x}\r\n{text}\r\n", text.len());
                    let start = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{}",
                        chunk(&first)
                    );
                    if token.as_deref() == Some("p2") {
                        second_asked.notify_one();
                    }
                    if socket.write_all(start.as_bytes()).await.is_err() {
                        return;
                    }
                    if token.is_none() {
                        second_asked.notified().await;
                    }
                    let end = format!("{}0\r\n\r\n", chunk(&rest));
                    if socket.write_all(end.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, server)
}

#[tokio::test]
async fn the_next_page_is_asked_for_from_the_head_of_the_one_before() {
    use opsdeck::clients::kube::pages::{Pages, TABLE_ACCEPT};
    use opsdeck::model::browse::TableW;
    let (url, server) = holding_server().await;
    let config = kube::Config::new(url.parse().expect("url"));
    let client = kube::Client::try_from(config).expect("client");
    let names = |text: &[u8]| -> Vec<String> {
        let table: TableW = serde_json::from_slice(text).expect("a Table");
        table
            .rows
            .into_iter()
            .filter_map(|r| r.object.map(|o| o.metadata.name.to_string()))
            .collect()
    };
    let within = std::time::Duration::from_secs(10);

    let mut pages = Pages::start(&client, "/api/v1/pods?includeObject=Metadata", TABLE_ACCEPT);
    let first = tokio::time::timeout(within, pages.next(None))
        .await
        .expect("the first page ended: the second was asked for before it")
        .expect("the first page");
    assert_eq!(names(&first.text), ["a", "b"]);
    let text = String::from_utf8_lossy(&first.text);
    assert!(!text.contains("managedFields"), "cut out: {text}");
    let second = pages.next(Some("p2")).await.expect("the second page");
    assert_eq!(names(&second.text), ["after-p2"]);

    // A reader that found another token than the head named: the chain starts again there.
    let mut pages = Pages::start(&client, "/api/v1/pods?includeObject=Metadata", TABLE_ACCEPT);
    drop(tokio::time::timeout(within, pages.next(None)).await);
    let other = pages.next(Some("elsewhere")).await.expect("that page");
    assert_eq!(names(&other.text), ["after-elsewhere"]);
    server.abort();
}
