//! `GET /v2/homes/{home}/archive?path=`: the folder as a zip, streamed while it is written.

use std::io::{self, Write};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use lablink_protocol::files::{ArchiveQuery, SKIPPED_COUNT_HEADER, SKIPPED_HEADER};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tokio::sync::mpsc;

use super::access::Read;
use super::support::blocking;
use crate::archive::{plan, write_zip};
use crate::error::{ApiError, ApiResult};
use crate::home::open_folder;
use crate::state::SharedState;

/// Bytes handed to the HTTP body at a time.
const CHUNK: usize = 256 << 10;
/// Most skipped names put in the header (the archive comment has them all).
const HEADER_NAMES: usize = 50;

pub async fn archive(
    State(state): State<SharedState>,
    Read { home, query: q }: Read<ArchiveQuery>,
) -> ApiResult<Response> {
    // Wait for a turn before walking, so a queued request holds no plan and no buffers.
    let turn = state.archives.clone().acquire_owned().await.map_err(|_| ApiError::internal())?;
    let walk_state = state.clone();
    let path = q.path.clone();
    let (dir, plan) = blocking(move || {
        let home_dir = walk_state.homes.open_home(&home)?;
        let dir = open_folder(&home_dir, &path)?;
        let max = walk_state.limits.max_entries as usize;
        let plan = plan(&dir, q.include_caches, max).map_err(|e| e.into_api(path.as_str()))?;
        Ok((dir, plan))
    })
    .await?;

    let skipped_header = skipped_header(&plan.skipped);
    let skipped_count = plan.skipped.len();
    let (tx, mut rx) = mpsc::channel::<io::Result<Bytes>>(4);
    let pool = state.pool.clone();
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let sink = io::BufWriter::with_capacity(CHUNK, ChannelWriter { tx: tx.clone() });
        let result = write_zip(&dir, &plan, sink, &pool, usize::MAX)
            .and_then(|(mut sink, late)| sink.flush().map(|_| late));
        match result {
            Ok(late) if !late.is_empty() => {
                tracing::info!(
                    count = late.len(),
                    "entries changed into links while archiving were left out"
                );
            }
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                tracing::info!("client went away during an archive");
            }
            Err(err) => {
                tracing::error!(error = %err, "archive failed midway");
                // The client sees a broken transfer rather than a zip missing its end.
                let _ = tx.blocking_send(Err(err));
            }
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let name = q.path.file_name().unwrap_or("home").to_owned();
    let mut response = Body::from_stream(stream).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(SKIPPED_COUNT_HEADER, HeaderValue::from(skipped_count));
    if let Ok(v) = HeaderValue::from_str(&skipped_header) {
        h.insert(SKIPPED_HEADER, v);
    }
    Ok(response)
}

/// Sends what the zip writer produces to the response body; fails once the client is gone.
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tx
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// JSON array of skipped names, percent-encoded to fit a header.
fn skipped_header(skipped: &[String]) -> String {
    let list: Vec<&String> = skipped.iter().take(HEADER_NAMES).collect();
    let json = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
    percent_encode(&json)
}

/// What header values here leave as they are: letters, digits and the JSON punctuation of a
/// list of names; the rest is percent-encoded.
const HEADER_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'[')
    .remove(b']')
    .remove(b',')
    .remove(b'"');

fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, HEADER_SAFE).to_string()
}

fn content_disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_. ".contains(c) { c } else { '_' }).collect();
    format!("attachment; filename=\"{ascii}.zip\"; filename*=UTF-8''{}.zip", percent_encode(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_encoding() {
        assert_eq!(skipped_header(&["a b".into()]), "[\"a%20b\"]");
        assert_eq!(percent_encode("é-_.~[],\"%\n"), "%C3%A9-_.~[],\"%25%0A");
        assert!(content_disposition("é\"x").starts_with("attachment; filename=\"__x.zip\""));
    }
}
