//! Unpacking an uploaded zip: the upload lands in a private staging folder next to the target
//! (same filesystem), every entry is checked against the limits before a byte is written, the
//! content is unpacked beneath the staging folder only, and the result is renamed into place
//! once complete: with RENAME_NOREPLACE, or with RENAME_EXCHANGE in place of an existing folder
//! (`replace`). Any failure removes the staging folder: nothing half-done is ever visible at the
//! target. The same staging carries a single file (`commit_file`) to its place by rename.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use cap_fs_ext::DirExt;
use cap_std::fs::{Dir, OpenOptions, Permissions, PermissionsExt};
use hmac::{Hmac, Mac};
use lablink_protocol::files::ErrorCode;
use lablink_protocol::path::check_name;
use lablink_protocol::{PathError, WorkspacePath};
use rustix::fs::{Gid, Mode, RenameFlags, Uid};
use sha2::{Digest, Sha256};
use zip::CompressionMethod;
use zip::ZipArchive;

use crate::archive::HelperPool;
use crate::error::{ApiError, ApiResult};

const UPLOAD: &str = "upload.zip";
/// The file in a staging folder that tells the sweep it is the server's (see `mark_for`).
const MARK: &str = "mark";
const STAGING_PREFIX: &str = ".lablink-staging-";
/// A staging folder untouched this long was left by a server that died mid-extract.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(6 * 3600);
const CONTENT: &str = "content";
/// Most attempts at a free name when the target exists.
const MAX_RENAMES: u32 = 100;

#[derive(Debug, Clone)]
pub struct ExtractLimits {
    pub max_entries: u64,
    pub max_uncompressed_bytes: u64,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub files: u64,
    pub folders: u64,
    pub bytes: u64,
    pub skipped: Vec<String>,
}

/// How a taken name is varied: `name-2` (v2) or `name-V2` (noto-legacy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suffix {
    Dash,
    DashV,
}

/// A private folder in the target's parent, removed on drop unless committed.
pub struct Staging {
    parent: Dir,
    name: String,
    dir: Dir,
    done: bool,
}

impl Staging {
    pub fn create(parent: Dir) -> ApiResult<Self> {
        sweep_stale(&parent);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "{STAGING_PREFIX}{}-{:x}-{}",
            std::process::id(),
            nanos,
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        parent.create_dir(&name).map_err(|e| ApiError::from_io(&e, "the target's folder"))?;
        let dir = parent.open_dir_nofollow(&name).map_err(|e| ApiError::from_io(&e, ""))?;
        let staging = Self { parent, name, dir, done: false };
        let mark = mark_for(&staging.dir, &staging.name)
            .map_err(|e| ApiError::from_io(&e, ""))?
            .finalize()
            .into_bytes();
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        staging
            .dir
            .open_with(MARK, &options)
            .and_then(|mut f| f.write_all(&mark))
            .map_err(|e| ApiError::from_io(&e, ""))?;
        Ok(staging)
    }

    /// The file the upload is streamed into.
    pub fn upload_file(&self) -> ApiResult<std::fs::File> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        let file = self.dir.open_with(UPLOAD, &options).map_err(|e| ApiError::from_io(&e, ""))?;
        Ok(file.into_std())
    }

    /// Checks the uploaded zip against `limits` and unpacks it into the staging content folder.
    pub fn extract(
        &self,
        limits: &ExtractLimits,
        pool: &Arc<HelperPool>,
        owner: Option<(Uid, Gid)>,
    ) -> ApiResult<Extracted> {
        let file = self.dir.open(UPLOAD).map_err(|e| ApiError::from_io(&e, ""))?;
        let mut archive = ZipArchive::new(file.into_std())
            .map_err(|_| ApiError::bad_archive("the upload is not a readable zip archive"))?;
        let plan = check(&mut archive, limits)?;
        self.dir.create_dir(CONTENT).map_err(|e| ApiError::from_io(&e, ""))?;
        let content = self.dir.open_dir_nofollow(CONTENT).map_err(|e| ApiError::from_io(&e, ""))?;
        for folder in &plan.folders {
            content.create_dir_all(folder.as_str()).map_err(|e| unpack_error(&e, folder.as_str()))?;
        }
        let written = AtomicU64::new(0);
        let lease = pool.take_lease(1);
        let threads = 1 + lease.count();
        let results: Vec<ApiResult<u64>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (content, plan, written) = (&content, &plan, &written);
                    scope.spawn(move || -> ApiResult<u64> {
                        let file = self.dir.open(UPLOAD).map_err(|e| ApiError::from_io(&e, ""))?;
                        let mut archive = ZipArchive::new(file.into_std())
                            .map_err(|_| ApiError::bad_archive("the upload is not a readable zip"))?;
                        let mut files = 0;
                        for entry in plan.files.iter().skip(t).step_by(threads) {
                            unpack_file(&mut archive, entry, content, limits, written, owner)?;
                            files += 1;
                        }
                        Ok(files)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(ApiError::internal()))).collect()
        });
        let mut files = 0;
        for r in results {
            files += r?;
        }
        if let Some((uid, gid)) = owner {
            chown_dir(&content, uid, gid)?;
            for folder in &plan.folders {
                let dir = content.open_dir(folder.as_str()).map_err(|e| unpack_error(&e, folder.as_str()))?;
                chown_dir(&dir, uid, gid)?;
            }
        }
        Ok(Extracted {
            files,
            folders: plan.folders.len() as u64,
            bytes: written.load(Ordering::Relaxed),
            skipped: plan.skipped,
        })
    }

    /// Moves the unpacked content to `name` in the parent, never over anything that exists.
    /// With `rename`, a free variant of the name is chosen; returns the name used.
    pub fn commit(mut self, name: &str, rename: Option<Suffix>) -> ApiResult<String> {
        let mut candidate = name.to_owned();
        for attempt in 1..=MAX_RENAMES {
            if attempt > 1 {
                let Some(suffix) = rename else { break };
                candidate = match suffix {
                    Suffix::Dash => format!("{name}-{attempt}"),
                    Suffix::DashV => format!("{name}-V{attempt}"),
                };
                check_name(&candidate)?;
            }
            match rustix::fs::renameat_with(
                &self.dir,
                CONTENT,
                &self.parent,
                candidate.as_str(),
                RenameFlags::NOREPLACE,
            ) {
                Ok(()) => {
                    self.done = true;
                    let _ = self.parent.remove_dir_all(&self.name);
                    return Ok(candidate);
                }
                Err(rustix::io::Errno::EXIST) => continue,
                Err(e) => return Err(ApiError::from_io(&e.into(), name)),
            }
        }
        Err(ApiError::new(ErrorCode::Conflict, format!("`{name}` already exists")))
    }
    /// Puts the unpacked content at `name` in the parent: created when nothing is there, or
    /// swapped atomically (RENAME_EXCHANGE) with the folder there, so a reader sees the old
    /// folder or the new one, never a mix or nothing. The old folder, now inside the staging
    /// folder, is removed with it. A file or a symlink at `name` is refused and left as it is.
    pub fn replace(mut self, name: &str) -> ApiResult<String> {
        let refused =
            || ApiError::new(ErrorCode::Conflict, format!("`{name}` is not a folder, so it is not replaced"));
        let is_folder = |dir: &Dir, name: &str| dir.symlink_metadata(name).is_ok_and(|m| m.is_dir());
        let rename = |flags| rustix::fs::renameat_with(&self.dir, CONTENT, &self.parent, name, flags);
        let io_err = |e: rustix::io::Errno| ApiError::from_io(&e.into(), name);
        let mut attempts = 0;
        loop {
            attempts += 1;
            if attempts > MAX_RENAMES {
                return Err(ApiError::new(ErrorCode::Conflict, format!("`{name}` kept changing; try again")));
            }
            match rename(RenameFlags::NOREPLACE) {
                Ok(()) => break,
                Err(rustix::io::Errno::EXIST) => {}
                Err(e) => return Err(io_err(e)),
            }
            if !is_folder(&self.parent, name) {
                return Err(refused());
            }
            match rename(RenameFlags::EXCHANGE) {
                Ok(()) => {}
                // Removed since it was looked at: create it instead.
                Err(rustix::io::Errno::NOENT) => continue,
                Err(e) => return Err(io_err(e)),
            }
            // What was swapped out is checked too: a link planted after the look above goes
            // back, untouched.
            if !is_folder(&self.dir, CONTENT) {
                rename(RenameFlags::EXCHANGE).map_err(io_err)?;
                return Err(refused());
            }
            break;
        }
        self.done = true;
        if let Err(err) = self.parent.remove_dir_all(&self.name) {
            // Still marked, so the sweep removes it later.
            tracing::warn!(error = %err, "could not remove a replaced folder");
        }
        Ok(name.to_owned())
    }

    /// Renames the received upload file to `name` in the parent, over a file already there
    /// (rename(2) is atomic: a reader sees the old file or the new one, never half). It takes
    /// the old file's permissions and, when the server runs as root, the home owner's
    /// ownership, and is flushed to disk before the rename. A folder at `name` stays.
    pub fn commit_file(mut self, name: &str, shown: &str, owner: Option<(Uid, Gid)>) -> ApiResult<()> {
        let io_err = |e: io::Error| ApiError::from_io(&e, shown);
        let file = self.dir.open(UPLOAD).map_err(io_err)?;
        if let Ok(old) = self.parent.symlink_metadata(name)
            && old.is_file()
        {
            rustix::fs::fchmod(&file, Mode::from_raw_mode(old.permissions().mode() & 0o7777))
                .map_err(|e| io_err(e.into()))?;
        }
        if let Some((uid, gid)) = owner {
            rustix::fs::fchown(&file, Some(uid), Some(gid)).map_err(|e| io_err(e.into()))?;
        }
        file.sync_all().map_err(io_err)?;
        match rustix::fs::renameat(&self.dir, UPLOAD, &self.parent, name) {
            Ok(()) => {}
            Err(rustix::io::Errno::ISDIR) => {
                return Err(ApiError::new(ErrorCode::NotAFile, format!("`{shown}` is a folder")));
            }
            Err(e) => return Err(io_err(e.into())),
        }
        self.done = true;
        let _ = self.parent.remove_dir_all(&self.name);
        Ok(())
    }
}

/// Sets the key that marks staging folders as the server's own, derived from the configured
/// secrets. Users never see those, so no folder of theirs can carry a valid mark; the same
/// configuration gives the same key after a restart, so a killed server's leftovers are still
/// recognised. (After a key rotation older leftovers are only left in place, never mistaken.)
/// The first call in a process wins; without one, a random key serves this process only.
pub fn init_staging_key<'a>(secrets: impl IntoIterator<Item = &'a [u8]>) {
    let mut mac = StagingMac::new_from_slice(b"lablink staging mark v1").expect("any key length");
    let mut any = false;
    for secret in secrets {
        mac.update(&(secret.len() as u64).to_le_bytes());
        mac.update(secret);
        any = true;
    }
    if any {
        let _ = STAGING_KEY.set(mac.finalize().into_bytes().into());
    }
}

type StagingMac = Hmac<Sha256>;
static STAGING_KEY: OnceLock<[u8; 32]> = OnceLock::new();

fn staging_key() -> &'static [u8; 32] {
    STAGING_KEY.get_or_init(|| {
        let mut key = [0u8; 32];
        if std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key)).is_err() {
            let seed = format!("{:?}{}", SystemTime::now(), std::process::id());
            key = Sha256::digest(seed.as_bytes()).into();
        }
        key
    })
}

/// The mark of the staging folder `dir` called `name`: an HMAC of its name and inode, so a mark
/// copied into another folder (another inode) does not count either.
fn mark_for(dir: &Dir, name: &str) -> io::Result<StagingMac> {
    let ino = rustix::fs::fstat(dir)?.st_ino;
    let mut mac = StagingMac::new_from_slice(staging_key()).expect("any key length");
    mac.update(name.as_bytes());
    mac.update(&ino.to_le_bytes());
    Ok(mac)
}

/// Tells whether `name` in `parent` is a staging folder this server (or an earlier run of it
/// with the same keys) made.
fn is_ours(parent: &Dir, name: &str) -> bool {
    let Ok(dir) = parent.open_dir_nofollow(name) else { return false };
    let Ok(expected) = mark_for(&dir, name) else { return false };
    let Ok(file) = crate::home::open_file_nofollow(&dir, MARK) else { return false };
    let mut found = Vec::with_capacity(33);
    file.take(33).read_to_end(&mut found).is_ok() && expected.verify_slice(&found).is_ok()
}

/// Removes staging folders in `parent` that a killed server left behind: old, and carrying this
/// server's mark (a user's own folder with a look-alike name is left alone). Best effort: an
/// extract must not fail because an old leftover could not be removed.
fn sweep_stale(parent: &Dir) {
    let Ok(entries) = parent.entries() else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str().filter(|n| n.starts_with(STAGING_PREFIX)) else { continue };
        let Ok(meta) = parent.symlink_metadata(name) else { continue };
        let age = meta.modified().ok().and_then(|m| m.into_std().elapsed().ok());
        if meta.is_dir() && age.is_some_and(|a| a > STALE_AFTER) {
            if !is_ours(parent, name) {
                tracing::debug!("an old folder named like a staging folder has no mark: left alone");
                continue;
            }
            match parent.remove_dir_all(name) {
                Ok(()) => tracing::info!("removed a staging folder left by an interrupted extract"),
                Err(err) => tracing::warn!(error = %err, "could not remove an old staging folder"),
            }
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done
            && let Err(err) = self.parent.remove_dir_all(&self.name)
        {
            tracing::warn!(error = %err, "could not remove a staging folder");
        }
    }
}

struct FileEntry {
    index: usize,
    path: WorkspacePath,
    size: u64,
    executable: bool,
}

struct CheckedPlan {
    folders: Vec<WorkspacePath>,
    files: Vec<FileEntry>,
    skipped: Vec<String>,
}

/// Reads only the central directory: every name, size and method is judged before unpacking.
fn check(archive: &mut ZipArchive<std::fs::File>, limits: &ExtractLimits) -> ApiResult<CheckedPlan> {
    if archive.len() as u64 > limits.max_entries {
        return Err(ApiError::limit(format!(
            "the archive has {} entries; at most {} are accepted",
            archive.len(),
            limits.max_entries
        )));
    }
    let mut plan = CheckedPlan { folders: Vec::new(), files: Vec::new(), skipped: Vec::new() };
    let mut folders = std::collections::BTreeSet::new();
    let mut names = std::collections::HashSet::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|_| ApiError::bad_archive("an entry of the archive cannot be read"))?;
        let raw_name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(entry.name_raw()).into_owned());
        // Archives made on Windows separate folders with backslashes.
        let name = raw_name.replace('\\', "/");
        let path = WorkspacePath::parse(&name).map_err(|err| match err {
            PathError::Absolute | PathError::EscapesRoot => ApiError::bad_archive(format!(
                "entry `{}` would land outside the target folder",
                printable(&raw_name)
            )),
            other => ApiError::bad_archive(format!(
                "entry `{}` has an unusable name: {other}",
                printable(&raw_name)
            )),
        })?;
        if entry.encrypted() {
            return Err(ApiError::bad_archive("encrypted archives are not accepted"));
        }
        if entry.is_symlink() {
            plan.skipped.push(path.to_string());
            continue;
        }
        if path.is_root() {
            continue;
        }
        if entry.is_dir() {
            folders.insert(path);
            continue;
        }
        if !matches!(entry.compression(), CompressionMethod::Stored | CompressionMethod::Deflated) {
            return Err(ApiError::bad_archive(format!(
                "entry `{}` uses a compression method other than deflate or store",
                printable(&raw_name)
            )));
        }
        let size = entry.size();
        total = total.saturating_add(size);
        if total > limits.max_uncompressed_bytes {
            return Err(ApiError::limit(format!(
                "the archive expands to more than {} bytes",
                limits.max_uncompressed_bytes
            )));
        }
        if !names.insert(path.clone()) {
            return Err(ApiError::bad_archive(format!("entry `{}` appears twice", printable(&raw_name))));
        }
        let mut parent = path.parent();
        while let Some(p) = parent.filter(|p| !p.is_root()) {
            parent = p.parent();
            folders.insert(p);
        }
        let executable = entry.unix_mode().is_some_and(|m| m & 0o111 != 0);
        plan.files.push(FileEntry { index, path, size, executable });
    }
    if let Some(clash) = plan.files.iter().find(|f| folders.contains(&f.path)) {
        return Err(ApiError::bad_archive(format!(
            "`{}` is both a file and a folder in the archive",
            clash.path
        )));
    }
    plan.folders = folders.into_iter().collect();
    Ok(plan)
}

fn unpack_file(
    archive: &mut ZipArchive<std::fs::File>,
    entry: &FileEntry,
    content: &Dir,
    limits: &ExtractLimits,
    written: &AtomicU64,
    owner: Option<(Uid, Gid)>,
) -> ApiResult<()> {
    let shown = entry.path.as_str();
    let mut reader = archive
        .by_index(entry.index)
        .map_err(|_| ApiError::bad_archive(format!("entry `{shown}` cannot be read")))?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    let mut file = content.open_with(shown, &options).map_err(|e| unpack_error(&e, shown))?;
    let mut buf = vec![0u8; 128 << 10];
    let mut copied: u64 = 0;
    loop {
        let n = reader.read(&mut buf).map_err(|_| {
            ApiError::bad_archive(format!("entry `{shown}` is damaged (bad data or checksum)"))
        })?;
        if n == 0 {
            break;
        }
        copied += n as u64;
        // Never trust the sizes an archive declares: count what really comes out.
        if copied > entry.size {
            return Err(ApiError::bad_archive(format!(
                "entry `{shown}` holds more data than it declares, which looks like a zip bomb"
            )));
        }
        if written.fetch_add(n as u64, Ordering::Relaxed) + n as u64 > limits.max_uncompressed_bytes {
            return Err(ApiError::limit("the archive expands past the size limit"));
        }
        file.write_all(&buf[..n]).map_err(|e| unpack_error(&e, shown))?;
    }
    if entry.executable {
        file.set_permissions(Permissions::from_mode(0o755)).map_err(|e| unpack_error(&e, shown))?;
    }
    if let Some((uid, gid)) = owner {
        rustix::fs::fchown(&file, Some(uid), Some(gid)).map_err(|e| unpack_error(&e.into(), shown))?;
    }
    Ok(())
}

fn chown_dir(dir: &Dir, uid: Uid, gid: Gid) -> ApiResult<()> {
    rustix::fs::fchown(dir, Some(uid), Some(gid)).map_err(|e| ApiError::from_io(&e.into(), ""))
}

fn unpack_error(err: &io::Error, what: &str) -> ApiError {
    match err.kind() {
        io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => {
            ApiError::bad_archive(format!("entry `{what}` clashes with another entry"))
        }
        _ => ApiError::from_io(err, what),
    }
}

/// Names from archives may hold anything; show control characters escaped.
fn printable(name: &str) -> String {
    name.chars().flat_map(char::escape_debug).take(200).collect()
}

/// When the server runs as root, what it unpacks must belong to the home's owner, or the
/// user's own Jupyter server could not edit it.
pub fn owner_for(home: &Dir) -> Option<(Uid, Gid)> {
    if !rustix::process::geteuid().is_root() {
        return None;
    }
    let stat = rustix::fs::fstat(home).ok()?;
    let (uid, gid) = (Uid::from_raw(stat.st_uid), Gid::from_raw(stat.st_gid));
    if uid.is_root() { None } else { Some((uid, gid)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cap_std::ambient_authority;

    fn age(path: &std::path::Path) {
        let old = SystemTime::now() - STALE_AFTER - std::time::Duration::from_secs(60);
        std::fs::File::open(path).unwrap().set_modified(old).unwrap();
    }

    /// Only old folders carrying this server's mark are swept: a user's own folder with a
    /// staging-like name survives, even holding a mark copied from a real staging folder.
    #[test]
    fn the_sweep_removes_only_the_servers_own_stale_staging() {
        let tmp = tempfile::tempdir().unwrap();
        let open = || Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        // A staging folder a killed server left: made by the server, never dropped.
        let leftover = Staging::create(open()).unwrap();
        let stale = tmp.path().join(&leftover.name);
        std::fs::create_dir_all(stale.join("content/deep")).unwrap();
        std::mem::forget(leftover);
        age(&stale);
        let user = tmp.path().join(".lablink-staging-x");
        std::fs::create_dir_all(user.join("notes")).unwrap();
        std::fs::write(user.join("notes/thesis.tex"), b"mine").unwrap();
        age(&user);
        let copied = tmp.path().join(".lablink-staging-copied-mark");
        std::fs::create_dir(&copied).unwrap();
        std::fs::copy(stale.join(MARK), copied.join(MARK)).unwrap();
        age(&copied);
        let user_file = tmp.path().join(".lablink-staging-but-a-file");
        std::fs::write(&user_file, b"not ours to remove: a file").unwrap();
        age(&user_file);
        let fresh = Staging::create(open()).unwrap();
        let fresh_path = tmp.path().join(&fresh.name);
        std::mem::forget(fresh);

        let staging = Staging::create(open()).unwrap();
        assert!(!stale.exists(), "the stale staging folder should be gone");
        assert!(user.join("notes/thesis.tex").exists(), "the user's folder must survive");
        assert!(copied.exists() && user_file.exists() && fresh_path.exists());
        drop(staging);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 4);
    }
}
