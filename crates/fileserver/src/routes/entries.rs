//! `GET /v2/homes/{home}/entries`: one folder level, folders first, paged by an opaque cursor.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lablink_protocol::files::{EntriesPage, EntriesQuery};

use super::access::Read;
use super::support::blocking;
use crate::error::{ApiError, ApiResult};
use crate::home::open_folder;
use crate::listing::{compare_keys, describe, rank};
use crate::state::SharedState;

const DEFAULT_PAGE: u32 = 500;

pub async fn entries(
    State(state): State<SharedState>,
    Read { home, query: q }: Read<EntriesQuery>,
) -> ApiResult<impl IntoResponse> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, state.limits.max_page) as usize;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    blocking(move || {
        let home_dir = state.homes.open_home(&home)?;
        let dir = open_folder(&home_dir, &q.path)?;
        let io_err = |e: std::io::Error| ApiError::from_io(&e, q.path.as_str());
        let all = state.names.sorted_names(&dir, q.hidden).map_err(io_err)?;
        let mut total = all.len() as u64;
        let start = match &after {
            Some((r, name)) => all.partition_point(|e| {
                compare_keys(rank(e.kind), &e.name, *r, name) != std::cmp::Ordering::Greater
            }),
            None => 0,
        };
        let mut page: Vec<_> = all[start..].iter().take(limit + 1).cloned().collect();
        let next_cursor = (page.len() > limit).then(|| {
            page.truncate(limit);
            let last = page.last().expect("limit ≥ 1");
            encode_cursor(rank(last.kind), &last.name)
        });
        let asked = page.len();
        let entries = describe(&dir, page).map_err(io_err)?;
        // Entries removed since the folder was read are not shown, so not counted either.
        total -= (asked - entries.len()) as u64;
        // Serialised here, off the async threads, into a buffer sized for the page at once: a
        // 10,000-entry page is most of a megabyte.
        let page = EntriesPage { path: q.path, entries, total, next_cursor };
        let mut body = Vec::with_capacity(128 + page.entries.len() * 96);
        serde_json::to_writer(&mut body, &page).map_err(|_| ApiError::internal())?;
        Ok(([(header::CONTENT_TYPE, "application/json")], body))
    })
    .await
}

fn encode_cursor(rank: u8, name: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{rank}{name}"))
}

fn decode_cursor(cursor: &str) -> ApiResult<(u8, String)> {
    let bad = || ApiError::bad_request("the cursor is not one this server gave out");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut chars = text.chars();
    let rank = chars.next().and_then(|c| c.to_digit(10)).ok_or_else(bad)? as u8;
    Ok((rank, chars.as_str().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let c = encode_cursor(1, "naïve name.txt");
        assert_eq!(decode_cursor(&c).unwrap(), (1, "naïve name.txt".to_owned()));
        assert!(decode_cursor("%%%").is_err());
    }
}
