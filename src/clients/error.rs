//! One error type for every client: what went wrong, in the words the footer, `:ops` and the
//! audit log use, with the server's own message kept (sanitized) where there is one.

use std::error::Error as StdError;

use crate::model::text::sanitize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// 403, or a gRPC PermissionDenied: the RBAC message says who may not do what.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 401 or Unauthenticated: the credentials were refused or have expired.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// 409: another writer, or a state that does not allow it (virt-api says why).
    #[error("conflict: {0}")]
    Conflict(String),
    /// 400/422 or InvalidArgument: the server refused the request's content.
    #[error("invalid: {0}")]
    Invalid(String),
    /// 429: not now (an eviction a PodDisruptionBudget does not allow, a rate limit).
    #[error("refused: {0}")]
    Refused(String),
    #[error("timed out: {0}")]
    Timeout(String),
    /// Nothing answered: connection refused, name not found, network down.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The TLS handshake failed: unknown CA, wrong name, expired certificate.
    #[error("TLS: {0}")]
    Tls(String),
    /// 5xx or Internal/Unavailable from the server itself.
    #[error("server error: {0}")]
    Server(String),
    /// The request went out and the connection ended before its answer came.
    #[error("no answer: {0}")]
    Unanswered(String),
    /// A change was sent and no answer says whether it was made (the connection dropped or
    /// the call timed out after sending): never reported as success, nor as nothing done.
    #[error("outcome unknown — check the object ({0})")]
    OutcomeUnknown(String),
    #[error("{0}")]
    Other(String),
}

impl ClientError {
    /// The kind as one word, for the audit log.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientError::Forbidden(_) => "forbidden",
            ClientError::Unauthorized(_) => "unauthorized",
            ClientError::NotFound(_) => "not-found",
            ClientError::Conflict(_) => "conflict",
            ClientError::Invalid(_) => "invalid",
            ClientError::Refused(_) => "refused",
            ClientError::Timeout(_) => "timeout",
            ClientError::Unreachable(_) => "unreachable",
            ClientError::Tls(_) => "tls",
            ClientError::Server(_) => "server-error",
            ClientError::Unanswered(_) => "unanswered",
            ClientError::OutcomeUnknown(_) => "outcome-unknown",
            ClientError::Other(_) => "error",
        }
    }

    /// The message without the kind.
    pub fn message(&self) -> &str {
        match self {
            ClientError::Forbidden(m)
            | ClientError::Unauthorized(m)
            | ClientError::NotFound(m)
            | ClientError::Conflict(m)
            | ClientError::Invalid(m)
            | ClientError::Refused(m)
            | ClientError::Timeout(m)
            | ClientError::Unreachable(m)
            | ClientError::Tls(m)
            | ClientError::Server(m)
            | ClientError::Unanswered(m)
            | ClientError::OutcomeUnknown(m)
            | ClientError::Other(m) => m,
        }
    }

    /// The same error with a note after its message.
    pub fn noted(self, note: &str) -> ClientError {
        let with = |m: String| format!("{m}{note}");
        match self {
            ClientError::Forbidden(m) => ClientError::Forbidden(with(m)),
            ClientError::Unauthorized(m) => ClientError::Unauthorized(with(m)),
            ClientError::NotFound(m) => ClientError::NotFound(with(m)),
            ClientError::Conflict(m) => ClientError::Conflict(with(m)),
            ClientError::Invalid(m) => ClientError::Invalid(with(m)),
            ClientError::Refused(m) => ClientError::Refused(with(m)),
            ClientError::Timeout(m) => ClientError::Timeout(with(m)),
            ClientError::Unreachable(m) => ClientError::Unreachable(with(m)),
            ClientError::Tls(m) => ClientError::Tls(with(m)),
            ClientError::Server(m) => ClientError::Server(with(m)),
            ClientError::Unanswered(m) => ClientError::Unanswered(with(m)),
            ClientError::OutcomeUnknown(m) => ClientError::OutcomeUnknown(with(m)),
            ClientError::Other(m) => ClientError::Other(with(m)),
        }
    }

    /// The error of a change that was sent: where the answer was lost or late, whether the
    /// change was made is not known.
    pub fn of_change(self) -> ClientError {
        match self {
            ClientError::Unanswered(m) => {
                ClientError::OutcomeUnknown(format!("the connection ended before the answer: {m}"))
            }
            ClientError::Timeout(m) => {
                ClientError::OutcomeUnknown(format!("no answer in time: {m}"))
            }
            other => other,
        }
    }

    /// An HTTP status with the server's message.
    pub fn from_status(code: u16, message: &str) -> ClientError {
        let m = sanitize(message);
        match code {
            401 => ClientError::Unauthorized(m),
            403 => ClientError::Forbidden(m),
            404 => ClientError::NotFound(m),
            409 => ClientError::Conflict(m),
            400 | 422 => ClientError::Invalid(m),
            429 => ClientError::Refused(m),
            408 | 504 => ClientError::Timeout(m),
            500..=599 => ClientError::Server(m),
            _ => ClientError::Other(format!("{code}: {m}")),
        }
    }

    pub fn from_kube(e: &kube::Error) -> ClientError {
        match e {
            kube::Error::Api(s) => {
                // The causes say what the message does not (which budget, which field).
                let causes: Vec<&str> = s
                    .details
                    .iter()
                    .flat_map(|d| &d.causes)
                    .map(|c| c.message.as_str())
                    .filter(|m| !m.is_empty() && !s.message.contains(*m))
                    .collect();
                let message = match causes.as_slice() {
                    [] => s.message.clone(),
                    causes => format!("{} ({})", s.message, causes.join("; ")),
                };
                ClientError::from_status(s.code, &message)
            }
            kube::Error::RustlsTls(_) | kube::Error::TlsRequired => {
                ClientError::Tls(sanitize(&e.to_string()))
            }
            other => from_chain(other),
        }
    }

    pub fn from_reqwest(e: &reqwest::Error) -> ClientError {
        if e.is_timeout() {
            return ClientError::Timeout(sanitize(&e.to_string()));
        }
        if let Some(status) = e.status() {
            return ClientError::from_status(status.as_u16(), &e.to_string());
        }
        from_chain(e)
    }

    pub fn from_grpc(status: &tonic::Status) -> ClientError {
        use tonic::Code;
        let m = sanitize(status.message());
        match status.code() {
            Code::PermissionDenied => ClientError::Forbidden(m),
            Code::Unauthenticated => ClientError::Unauthorized(m),
            Code::NotFound => ClientError::NotFound(m),
            Code::AlreadyExists | Code::Aborted | Code::FailedPrecondition => {
                ClientError::Conflict(m)
            }
            Code::InvalidArgument | Code::OutOfRange => ClientError::Invalid(m),
            Code::DeadlineExceeded => ClientError::Timeout(m),
            Code::Unavailable => unavailable(m),
            Code::Internal | Code::DataLoss | Code::Unknown => ClientError::Server(m),
            _ => ClientError::Other(format!("{}: {m}", status.code())),
        }
    }
}

/// gRPC's Unavailable covers a refused connection and a failed handshake alike; the message
/// tells which.
fn unavailable(message: String) -> ClientError {
    let lower = message.to_lowercase();
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        ClientError::Tls(message)
    } else {
        ClientError::Unreachable(message)
    }
}

/// Every cause's words, outermost first, without repeats (`client error (Connect): tcp connect
/// error: Connection refused (os error 111)`): the outer ones alone say little.
fn chain_text(e: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(c) = cause {
        let words = c.to_string();
        if !parts.iter().any(|p| p.contains(&words)) {
            parts.push(words);
        }
        cause = c.source();
    }
    sanitize(&parts.join(": "))
}

/// Transport errors come as a chain of causes: the innermost known one decides.
fn from_chain(e: &(dyn StdError + 'static)) -> ClientError {
    let text = chain_text(e);
    let mut cause: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.downcast_ref::<rustls::Error>().is_some() {
            return ClientError::Tls(text);
        }
        // Past connecting, the request was on its way: the connection ending now (the server
        // died or closed it mid-answer) leaves its outcome open.
        if let Some(sent) = c.downcast_ref::<hyper_util::client::legacy::Error>()
            && !sent.is_connect()
        {
            return ClientError::Unanswered(text);
        }
        if let Some(h) = c.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_canceled() || h.is_closed())
        {
            return ClientError::Unanswered(text);
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind;
            match io.kind() {
                ErrorKind::TimedOut => return ClientError::Timeout(text),
                ErrorKind::ConnectionRefused
                | ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::NotConnected
                | ErrorKind::AddrNotAvailable
                | ErrorKind::HostUnreachable
                | ErrorKind::NetworkUnreachable => return ClientError::Unreachable(text),
                _ => {}
            }
        }
        cause = c.source();
    }
    // Without a typed cause, the words are all there is.
    let lower = text.to_lowercase();
    if lower.contains("certificate") || lower.contains("tls") {
        ClientError::Tls(text)
    } else if lower.contains("timed out") || lower.contains("elapsed") {
        ClientError::Timeout(text)
    } else if lower.contains("connect") || lower.contains("dns") || lower.contains("resolve") {
        ClientError::Unreachable(text)
    } else {
        ClientError::Other(text)
    }
}

impl From<&kube::Error> for ClientError {
    fn from(e: &kube::Error) -> Self {
        ClientError::from_kube(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_grpc_codes_become_kinds() {
        let e = ClientError::from_status(403, "user \"viewer\" cannot patch\u{1b}[31m");
        assert_eq!(e.kind(), "forbidden");
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
        assert_eq!(ClientError::from_status(409, "x").kind(), "conflict");
        assert_eq!(ClientError::from_status(422, "x").kind(), "invalid");
        assert_eq!(ClientError::from_status(503, "x").kind(), "server-error");
        let g = ClientError::from_grpc(&tonic::Status::unavailable("connection refused"));
        assert_eq!(g, ClientError::Unreachable("connection refused".into()));
        let t = ClientError::from_grpc(&tonic::Status::unavailable(
            "invalid peer certificate: UnknownIssuer",
        ));
        assert_eq!(t.kind(), "tls");
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(from_chain(&io).kind(), "unreachable");
        assert_eq!(
            ClientError::Conflict("VM is not running".into()).to_string(),
            "conflict: VM is not running"
        );
    }
}
