//! `POST /v2/homes/{home}/folders?path=`: make a folder (and its parents when asked).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use cap_fs_ext::DirExt;
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{FolderCreated, FolderQuery};

use super::access::Write;
use super::support::blocking;
use crate::error::{ApiError, ApiResult};
use crate::home::{folder_error, open_parent};
use crate::state::SharedState;

pub async fn create_folder(
    State(state): State<SharedState>,
    Write { home, query: q }: Write<FolderQuery>,
) -> ApiResult<(StatusCode, Json<FolderCreated>)> {
    blocking(move || {
        let home_dir = state.homes.open_home(&home)?;
        let owner = crate::extract::owner_for(&home_dir);
        let created = if q.parents {
            let mut dir = home_dir;
            let mut walked = WorkspacePath::root();
            let mut created = false;
            for name in q.path.segments() {
                walked = walked.join(name)?;
                match dir.create_dir(name) {
                    Ok(()) => created = true,
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(ApiError::from_io(&e, walked.as_str())),
                }
                dir =
                    dir.open_dir_nofollow(name).map_err(|e| folder_error(&dir, name, &e, walked.as_str()))?;
                if created {
                    adopt(&dir, owner)?;
                }
            }
            created
        } else {
            let (parent, name) = open_parent(&home_dir, &q.path)?;
            parent.create_dir(name).map_err(|e| ApiError::from_io(&e, q.path.as_str()))?;
            let dir = parent.open_dir_nofollow(name).map_err(|e| ApiError::from_io(&e, q.path.as_str()))?;
            adopt(&dir, owner)?;
            true
        };
        let status = if created { StatusCode::CREATED } else { StatusCode::OK };
        Ok((status, Json(FolderCreated { path: q.path, created })))
    })
    .await
}

fn adopt(dir: &cap_std::fs::Dir, owner: Option<(rustix::fs::Uid, rustix::fs::Gid)>) -> ApiResult<()> {
    if let Some((uid, gid)) = owner {
        rustix::fs::fchown(dir, Some(uid), Some(gid)).map_err(|e| ApiError::from_io(&e.into(), ""))?;
    }
    Ok(())
}
