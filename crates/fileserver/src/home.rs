//! Homes and confinement. Every file operation starts from the homes root `Dir` (cap-std) and
//! descends one name at a time without following symlinks, so neither `..` nor a link planted
//! in a home can reach outside it, whatever a string check might have missed.

use std::io;
use std::path::Path;

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt};
use cap_std::ambient_authority;
use cap_std::fs::{Dir, File, OpenOptions};
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::ErrorCode;
use lablink_protocol::path::check_name;

use crate::config::HomeNaming;
use crate::error::{ApiError, ApiResult};

/// The folder holding every user's home.
pub struct Homes {
    root: Dir,
    naming: HomeNaming,
}

impl Homes {
    pub fn open(path: &Path, naming: HomeNaming) -> io::Result<Self> {
        let root = Dir::open_ambient_dir(path, ambient_authority())?;
        Ok(Self { root, naming })
    }

    /// The folder name of the home of `user_id`, by the configured naming rule.
    pub fn folder_name(&self, user_id: &str) -> ApiResult<String> {
        let name = match self.naming {
            HomeNaming::Plain => user_id.to_owned(),
            HomeNaming::Noto => noto_escape(user_id),
        };
        if check_name(&name).is_err() || name.starts_with('.') {
            return Err(ApiError::new(ErrorCode::BadRequest, "this user id cannot name a home"));
        }
        Ok(name)
    }

    /// Opens the home of `user_id` (never through a symlink).
    pub fn open_home(&self, user_id: &str) -> ApiResult<Dir> {
        let name = self.folder_name(user_id)?;
        self.root.open_dir_nofollow(&name).map_err(|err| match err.kind() {
            io::ErrorKind::NotFound => ApiError::not_found("this user has no home folder yet"),
            _ => ApiError::from_io(&err, ""),
        })
    }
}

/// noto's home naming: `.`, `_` and `@` as its hub escapes them, and the escape character `-`
/// itself as `-2d` (as JupyterHub's escaping does), so that two ids never share a home: `a.b`
/// is `a-2eb` and `a-2eb` is `a-2d2eb`. Ids without a `-` keep the folder noto gave them.
pub fn noto_escape(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 8);
    for c in id.chars() {
        match c {
            '-' => out.push_str("-2d"),
            '.' => out.push_str("-2e"),
            '_' => out.push_str("-5f"),
            '@' => out.push_str("-40"),
            c => out.push(c),
        }
    }
    out
}

/// Opens `path` below `home` as a folder, one name at a time, refusing symlinks.
pub fn open_folder(home: &Dir, path: &WorkspacePath) -> ApiResult<Dir> {
    let mut dir = home.try_clone().map_err(|e| ApiError::from_io(&e, ""))?;
    let mut walked = WorkspacePath::root();
    for name in path.segments() {
        walked = walked.join(name)?;
        dir = match dir.open_dir_nofollow(name) {
            Ok(sub) => sub,
            Err(e) => return Err(folder_error(&dir, name, &e, walked.as_str())),
        };
    }
    Ok(dir)
}

/// Opens the folder that contains `path` and returns it with the last name.
pub fn open_parent<'p>(home: &Dir, path: &'p WorkspacePath) -> ApiResult<(Dir, &'p str)> {
    let name = path
        .file_name()
        .ok_or_else(|| ApiError::new(ErrorCode::BadPath, "the home folder itself cannot be used here"))?;
    let parent = path.parent().unwrap_or_default();
    Ok((open_folder(home, &parent)?, name))
}

/// Opens a file for reading without following a symlink at its name.
pub fn open_file_nofollow(dir: &Dir, name: &str) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).follow(FollowSymlinks::No);
    dir.open_with(name, &options)
}

/// The error for failing to open `name` in `dir` as a folder (`what` is its home-relative path).
pub fn folder_error(dir: &Dir, name: &str, err: &io::Error, what: &str) -> ApiError {
    // O_DIRECTORY|O_NOFOLLOW on a symlink gives ELOOP or ENOTDIR: look at the name itself.
    if crate::error::is_symlink_refusal(err) || is_symlink(dir, name) {
        return ApiError::forbidden(format!("`{what}` is a symbolic link; links are never followed"));
    }
    ApiError::from_io(err, what)
}

/// Tells whether `name` in `dir` is a symlink (without following it).
pub fn is_symlink(dir: &Dir, name: &str) -> bool {
    dir.symlink_metadata(name).map(|m| m.file_type().is_symlink()).unwrap_or(false)
}

/// Tells whether anything (even a dangling link) has `name` in `dir`.
pub fn exists(dir: &Dir, name: &str) -> bool {
    dir.symlink_metadata(name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noto_escaping() {
        assert_eq!(noto_escape("first.last_x@epfl.ch"), "first-2elast-5fx-40epfl-2ech");
        assert_eq!(noto_escape(".."), "-2e-2e");
        assert_eq!(noto_escape("ch-epfl-moodle-username-x.y"), "ch-2depfl-2dmoodle-2dusername-2dx-2ey");
        // One to one: the escape of an id never equals the escape of another.
        assert_ne!(noto_escape("a.b"), noto_escape("a-2eb"));
        assert_ne!(noto_escape("a_b"), noto_escape("a-5fb"));
    }

    #[test]
    fn symlinks_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("alice/work")).unwrap();
        std::fs::create_dir_all(tmp.path().join("bob/secret")).unwrap();
        std::os::unix::fs::symlink("../../bob/secret", tmp.path().join("alice/work/link")).unwrap();
        std::os::unix::fs::symlink("/etc", tmp.path().join("alice/etc")).unwrap();
        let homes = Homes::open(tmp.path(), HomeNaming::Plain).unwrap();
        let alice = homes.open_home("alice").unwrap();
        let err = open_folder(&alice, &WorkspacePath::parse("work/link").unwrap()).unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden, "{err}");
        let err = open_folder(&alice, &WorkspacePath::parse("etc").unwrap()).unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden, "{err}");
        assert!(open_folder(&alice, &WorkspacePath::parse("work").unwrap()).is_ok());
        assert!(homes.open_home("../bob").is_err());
        assert!(homes.open_home(".hidden").is_err());
    }
}
