//! Digital Post transports: the file outbox (default, demo) and the HTTP call in the style of
//! SF1601 KombiPostAfsend.
//!
//! Both are idempotent on the message UUID: the outbox refuses to write a message twice (an
//! existing `<uuid>.xml` *is* the earlier send), and the HTTP receiver answers `409` for a
//! UUID it already has, which counts as sent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use uuid::Uuid;

/// What a transport answered for a message it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Where it went or what the receiver said (file path; HTTP status and body).
    pub detail: String,
    /// Whether the receiver already had it (sent by an earlier attempt).
    pub duplicate: bool,
}

/// Why a transport did not accept a message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later (a timeout, a 5xx, a full disk).
    #[error("{0}")]
    Transient(String),
    /// Another attempt will not help (the receiver refused the message).
    #[error("{0}")]
    Permanent(String),
}

/// A way to hand a MeMo message to Digital Post. Object-safe: the services hold an
/// `Arc<dyn DigitalPost>`.
#[async_trait::async_trait]
pub trait DigitalPost: Send + Sync {
    /// The transport's name as recorded on the delivery (`outbox`, `http`).
    fn name(&self) -> &'static str;

    /// Send message `uuid` (its MeMo XML). Sending a UUID that was sent before succeeds with
    /// [`Receipt::duplicate`] and delivers nothing new.
    async fn send(&self, uuid: Uuid, xml: &[u8]) -> Result<Receipt, SendError>;
}

/// A folder of `<message uuid>.xml` files: the default transport and the demo's.
#[derive(Clone, Debug)]
pub struct FileOutbox {
    dir: PathBuf,
}

impl FileOutbox {
    /// An outbox in `dir` (created on first send).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn send_blocking(&self, uuid: Uuid, xml: &[u8]) -> std::io::Result<Receipt> {
        use std::io::Write;
        let path = self.dir.join(format!("{uuid}.xml"));
        if path.exists() {
            return Ok(Receipt {
                detail: path.display().to_string(),
                duplicate: true,
            });
        }
        std::fs::create_dir_all(&self.dir)?;
        let tmp = self
            .dir
            .join(format!(".{uuid}.{}.tmp", Uuid::new_v4().simple()));
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(xml)?;
        file.sync_all()?;
        drop(file);
        // `hard_link` fails if the target exists, so two concurrent senders write one file.
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(Receipt {
                detail: path.display().to_string(),
                duplicate: false,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Receipt {
                detail: path.display().to_string(),
                duplicate: true,
            }),
            Err(e) => Err(e),
        }
    }
}

#[async_trait::async_trait]
impl DigitalPost for FileOutbox {
    fn name(&self) -> &'static str {
        "outbox"
    }

    async fn send(&self, uuid: Uuid, xml: &[u8]) -> Result<Receipt, SendError> {
        let outbox = self.clone();
        let xml = xml.to_vec();
        tokio::task::spawn_blocking(move || outbox.send_blocking(uuid, &xml))
            .await
            .map_err(|e| SendError::Transient(format!("outbox: {e}")))?
            .map_err(|e| SendError::Transient(format!("writing to the outbox failed: {e}")))
    }
}

/// The header carrying the message UUID, so a receiver can refuse a second copy.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// POSTs the MeMo XML to a Digital Post endpoint (SF1601 KombiPostAfsend style): bearer token,
/// `Content-Type: application/xml`, the message UUID as [`IDEMPOTENCY_HEADER`]. `2xx` is sent,
/// `409` is "already received" and also sent, `408`/`429`/`5xx` and network errors are
/// retried, any other status is a permanent refusal.
#[derive(Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl HttpTransport {
    /// A transport posting to `url` with `token`, each call limited to `timeout`.
    pub fn new(url: String, token: Option<String>, timeout: Duration) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        Ok(Self { client, url, token })
    }
}

#[async_trait::async_trait]
impl DigitalPost for HttpTransport {
    fn name(&self) -> &'static str {
        "http"
    }

    async fn send(&self, uuid: Uuid, xml: &[u8]) -> Result<Receipt, SendError> {
        let mut request = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/xml")
            .header(IDEMPOTENCY_HEADER, uuid.to_string())
            .body(xml.to_vec());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("Digital Post did not answer: {e}")))?;
        let status = response.status();
        let body: String = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(500)
            .collect();
        let detail = format!("HTTP {}: {}", status.as_u16(), body.trim());
        if status.is_success() {
            Ok(Receipt {
                detail,
                duplicate: false,
            })
        } else if status == reqwest::StatusCode::CONFLICT {
            Ok(Receipt {
                detail,
                duplicate: true,
            })
        } else if status.is_server_error()
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        {
            Err(SendError::Transient(format!(
                "Digital Post answered {detail}"
            )))
        } else {
            Err(SendError::Permanent(format!(
                "Digital Post refused the message: {detail}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_outbox_writes_a_message_once() {
        let dir = std::env::temp_dir().join(format!("sagshub-outbox-{}", Uuid::new_v4()));
        let outbox = FileOutbox::new(&dir);
        let id = Uuid::new_v4();
        let first = outbox.send(id, b"<a/>").await.unwrap();
        assert!(!first.duplicate);
        let second = outbox.send(id, b"<b/>").await.unwrap();
        assert!(second.duplicate);
        assert_eq!(
            std::fs::read(dir.join(format!("{id}.xml"))).unwrap(),
            b"<a/>"
        );
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
