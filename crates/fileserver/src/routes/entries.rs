//! `GET /v2/homes/{home}/entries`: one folder level, folders first, paged by an opaque cursor.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, Uri};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lablink_protocol::files::{EntriesPage, EntriesQuery};

use super::{blocking, query};
use crate::error::{ApiError, ApiResult};
use crate::home::open_folder;
use crate::listing::{compare_keys, rank, read_folder};
use crate::state::SharedState;

const DEFAULT_PAGE: u32 = 500;

pub async fn entries(
    State(state): State<SharedState>,
    Path(home): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult<Json<EntriesPage>> {
    state.tokens.verify(&headers, &method, uri.path(), &home, false)?;
    let q: EntriesQuery = query(&uri)?;
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, state.limits.max_page) as usize;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    blocking(move || {
        let home_dir = state.homes.open_home(&home)?;
        let dir = open_folder(&home_dir, &q.path)?;
        let all = read_folder(&dir, q.hidden).map_err(|e| ApiError::from_io(&e, q.path.as_str()))?;
        let total = all.len() as u64;
        let start = match &after {
            Some((r, name)) => all.partition_point(|e| {
                compare_keys(rank(e.kind), &e.name, *r, name) != std::cmp::Ordering::Greater
            }),
            None => 0,
        };
        let page: Vec<_> = all.into_iter().skip(start).take(limit + 1).collect();
        let (entries, next_cursor) = if page.len() > limit {
            let mut page = page;
            page.truncate(limit);
            let last = page.last().expect("limit ≥ 1");
            let cursor = encode_cursor(rank(last.kind), &last.name);
            (page, Some(cursor))
        } else {
            (page, None)
        };
        Ok(Json(EntriesPage { path: q.path, entries, total, next_cursor }))
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
