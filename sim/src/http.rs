//! HTTP response helpers the simulated API servers share: JSON bodies with the headers a real
//! kube-apiserver sends, and Status errors.

use std::collections::HashMap;
use std::convert::Infallible;

use bytes::Bytes;
use futures::StreamExt;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::Frame;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use super::pieces::Pieces;
use super::status::StatusError;

/// A response body: chunks of pieces (`Pieces`), so a list can send stored encodings as they are.
pub type Body = BoxBody<Pieces, Infallible>;

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(Pieces::from(bytes.into())).boxed()
}

pub fn json_response(code: u16, body: &Value, warning: Option<&str>) -> Response<Body> {
    let mut text = serde_json::to_vec(body).unwrap_or_default();
    text.push(b'\n');
    let mut resp = Response::new(full(text));
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    if let Some(w) = warning.and_then(|w| HeaderValue::from_str(&format!("299 - \"{w}\"")).ok()) {
        headers.insert(header::WARNING, w);
    }
    resp
}

/// A 200 whose JSON body arrives in chunks: `head`, then whatever `rest` brings until it
/// closes (sent chunked, as a real server streams a list).
pub fn streamed_response(
    head: Pieces,
    rest: mpsc::UnboundedReceiver<Pieces>,
    warning: Option<&str>,
) -> Response<Body> {
    let chunks = futures::stream::once(async move { head })
        .chain(UnboundedReceiverStream::new(rest))
        .map(|chunk| Ok::<_, Infallible>(Frame::data(chunk)));
    let mut resp = json_response(200, &Value::Null, warning);
    *resp.body_mut() = BodyExt::boxed(StreamBody::new(chunks));
    resp
}

/// A body of what `rx` brings, each a chunk as it comes (watch events, log lines, stream
/// messages).
pub fn channel_body<T: Into<Bytes> + Send + 'static>(rx: mpsc::Receiver<T>) -> Body {
    let chunks = tokio_stream::wrappers::ReceiverStream::new(rx)
        .map(|item| Ok::<_, Infallible>(Frame::data(Pieces::from(item.into()))));
    BodyExt::boxed(StreamBody::new(chunks))
}

pub fn error_response(e: StatusError) -> Response<Body> {
    json_response(e.code, &e.body, None)
}

/// A request's query string as a map.
pub fn parse_query(query: Option<&str>) -> HashMap<String, String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}
