//! The v2 routes, under `/v2` (merged with the noto-legacy ones by [`crate::router`]).

mod access;
mod archive;
mod entries;
mod extract;
mod file;
mod folders;
mod health;
mod support;

use axum::Router;
use axum::routing::{get, post};

use crate::state::SharedState;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/v2/health", get(health::health))
        .route("/v2/homes/{home}/entries", get(entries::entries))
        .route("/v2/homes/{home}/archive", get(archive::archive))
        .route("/v2/homes/{home}/extract", post(extract::extract))
        .route("/v2/homes/{home}/file", get(file::get_file).put(file::put_file))
        .route("/v2/homes/{home}/folders", post(folders::create_folder))
}
