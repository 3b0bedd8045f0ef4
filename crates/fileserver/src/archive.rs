//! Zips a folder while it is read: the plan is walked first (no symlink is ever followed and
//! each one is recorded as skipped), then entries are written in order to any `Write`. Small
//! files are compressed ahead on helper threads and appended ready-made; large ones stream
//! through the writer. Files that are already compressed (by name or by a sample) are stored.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use cap_fs_ext::DirExt;
use cap_std::fs::{Dir, PermissionsExt};
use zip::write::{PreparedZipFile, SimpleFileOptions};
use zip::{CompressionMethod, DateTime, ZipWriter};

use lablink_protocol::path::{MAX_PATH_BYTES, check_name};

use crate::error::ApiError;
use crate::home::open_file_nofollow;
use crate::listing::modified_secs;

/// Folder names left out unless asked for: caches nobody wants in a submission.
pub const CACHE_FOLDERS: [&str; 2] = [".ipynb_checkpoints", "__pycache__"];
/// Files up to this size are compressed ahead on helper threads.
const SMALL_FILE: u64 = 1 << 20;
/// Bytes of small files claimed ahead of the writer, per archive.
const LOOKAHEAD_BYTES: u64 = 4 << 20;
const LOOKAHEAD_ITEMS: usize = 256;
/// Deflate level. zlib-rs's level 1 uses fixed Huffman codes: nearly three times faster than
/// level 2 but a third larger on CSV and notebooks, and base64 barely shrinks. Level 2 matches
/// Info-ZIP's `zip -1` in size and speed per core; two cores and storing what is already
/// compressed give the speed-up.
const DEFLATE_LEVEL: u32 = 2;
/// Sample size used to tell whether deflate is worth it.
const SAMPLE: usize = 64 << 10;
/// Entries above this size get zip64 headers.
const LARGE_FILE: u64 = 0xF000_0000;
/// Deepest folder nesting walked: an entry `a/b/…/name` has at most as many names as an
/// uploaded entry may have, so whatever is fetched can be submitted back.
const MAX_WALK_DEPTH: usize = lablink_protocol::path::MAX_DEPTH - 1;

/// Extensions of formats that are compressed already: stored, not deflated again.
const STORED_EXTENSIONS: &[&str] = &[
    "7z", "avif", "bz2", "docx", "epub", "gif", "gz", "h5", "heic", "jpeg", "jpg", "jar", "lz4", "mkv",
    "mov", "mp3", "mp4", "npz", "odt", "ogg", "parquet", "pkl.gz", "png", "pptx", "rar", "tgz", "webm",
    "webp", "whl", "xlsx", "xz", "zip", "zst",
];

#[derive(Debug, Clone)]
pub enum PlanItem {
    Folder { name: String, mtime: i64 },
    File { name: String, size: u64, mtime: i64, mode: u32 },
}

/// What will be packed, and what was left out (symlinks, special files, odd names).
#[derive(Debug, Default)]
pub struct Plan {
    pub items: Vec<PlanItem>,
    pub skipped: Vec<String>,
    pub total_bytes: u64,
}

/// Server-wide pool of helper threads, so twenty archives at once do not mean forty threads
/// each holding compressed data.
#[derive(Debug)]
pub struct HelperPool {
    free: AtomicUsize,
}

impl HelperPool {
    pub fn new(size: usize) -> Arc<Self> {
        Arc::new(Self { free: AtomicUsize::new(size) })
    }

    /// Borrows up to `want` helper threads; they return when the lease drops.
    pub fn take_lease(self: &Arc<Self>, want: usize) -> HelperLease {
        let mut got = 0;
        let _ = self.free.fetch_update(Ordering::AcqRel, Ordering::Acquire, |free| {
            got = free.min(want);
            Some(free - got)
        });
        HelperLease { pool: self.clone(), count: got }
    }
}

pub struct HelperLease {
    pool: Arc<HelperPool>,
    count: usize,
}

impl HelperLease {
    pub fn count(&self) -> usize {
        self.count
    }
}

impl Drop for HelperLease {
    fn drop(&mut self) {
        self.pool.free.fetch_add(self.count, Ordering::AcqRel);
    }
}

/// Why a folder cannot be planned.
#[derive(Debug)]
pub enum PlanError {
    /// More entries than the limit allows.
    TooMany(usize),
    Io(io::Error),
}

impl From<io::Error> for PlanError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

impl PlanError {
    /// As the API reports it, naming `what` (a home-relative path).
    pub fn into_api(self, what: &str) -> ApiError {
        match self {
            Self::TooMany(max) => ApiError::limit(format!("the folder has more than {max} entries")),
            Self::Io(err) => ApiError::from_io(&err, what),
        }
    }
}

/// Walks `base` (already opened without following links).
pub fn plan(base: &Dir, include_caches: bool, max_items: usize) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    walk(base, "", include_caches, max_items, 0, &mut plan)?;
    Ok(plan)
}

fn walk(
    dir: &Dir,
    prefix: &str,
    include_caches: bool,
    max_items: usize,
    depth: usize,
    plan: &mut Plan,
) -> Result<(), PlanError> {
    let mut children = Vec::new();
    for item in dir.entries()? {
        let item = item?;
        children.push((item.file_name(), item));
    }
    children.sort_by(|a, b| a.0.cmp(&b.0));
    for (os_name, item) in children {
        let shown = format!("{prefix}{}", os_name.to_string_lossy());
        let Some(name) = os_name.to_str() else {
            plan.skipped.push(shown);
            continue;
        };
        let rel = format!("{prefix}{name}");
        // What extract would refuse or read differently is left out and reported, as links
        // are: control characters, over-long names or paths, and backslashes (which other
        // tools, and extract, take for folder separators).
        if check_name(name).is_err() || name.contains('\\') || rel.len() > MAX_PATH_BYTES {
            plan.skipped.push(shown);
            continue;
        }
        let meta = match item.metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        let ft = meta.file_type();
        if plan.items.len() >= max_items {
            return Err(PlanError::TooMany(max_items));
        }
        if ft.is_dir() {
            if !include_caches && CACHE_FOLDERS.contains(&name) {
                continue;
            }
            if depth >= MAX_WALK_DEPTH {
                plan.skipped.push(rel);
                continue;
            }
            match dir.open_dir_nofollow(name) {
                Ok(sub) => {
                    plan.items.push(PlanItem::Folder { name: rel.clone(), mtime: modified_secs(&meta) });
                    walk(&sub, &format!("{rel}/"), include_caches, max_items, depth + 1, plan)?;
                }
                // Swapped for a link (or removed) since it was listed.
                Err(_) => plan.skipped.push(rel),
            }
        } else if ft.is_file() {
            plan.total_bytes += meta.len();
            plan.items.push(PlanItem::File {
                name: rel,
                size: meta.len(),
                mtime: modified_secs(&meta),
                mode: meta.permissions().mode() & 0o777,
            });
        } else {
            plan.skipped.push(rel);
        }
    }
    Ok(())
}

/// Writes the zip of `plan` to `out`. Returns the writer and the entries skipped while writing
/// (a file replaced by a symlink or removed since the walk).
pub fn write_zip<W: Write + Send>(
    base: &Dir,
    plan: &Plan,
    out: W,
    pool: &Arc<HelperPool>,
    helpers_wanted: usize,
) -> io::Result<(W, Vec<String>)> {
    let small: Vec<usize> = plan
        .items
        .iter()
        .enumerate()
        .filter(|(_, it)| matches!(it, PlanItem::File { size, .. } if *size <= SMALL_FILE))
        .map(|(i, _)| i)
        .collect();
    let ahead = Ahead::new();
    let lease = pool.take_lease(helpers_wanted);
    std::thread::scope(|scope| {
        for _ in 0..lease.count {
            scope.spawn(|| {
                let mut dirs = DirCache::new(base);
                while ahead.claim_and_prepare(plan, &small, &mut dirs, false) {}
            });
        }
        let result = write_in_order(base, plan, &small, &ahead, out);
        ahead.stop();
        result
    })
}

fn write_in_order<W: Write + Send>(
    base: &Dir,
    plan: &Plan,
    small: &[usize],
    ahead: &Ahead,
    out: W,
) -> io::Result<(W, Vec<String>)> {
    let mut zip = ZipWriter::new_stream(out);
    let mut dirs = DirCache::new(base);
    let mut skipped = Vec::new();
    let mut next_small = 0;
    let mut buf = vec![0u8; 256 << 10];
    for item in &plan.items {
        match item {
            PlanItem::Folder { name, mtime } => {
                let options =
                    SimpleFileOptions::default().last_modified_time(zip_time(*mtime)).unix_permissions(0o755);
                zip.add_directory(name.as_str(), options).map_err(zip_error)?;
            }
            PlanItem::File { name, size, .. } if *size <= SMALL_FILE => {
                let prepared = ahead.take(next_small, plan, small, &mut dirs);
                next_small += 1;
                match prepared {
                    Ok(p) => zip.add_prepared_file(p).map_err(zip_error)?,
                    Err(e) if is_skippable(&e) => skipped.push(name.clone()),
                    Err(e) => return Err(e),
                }
            }
            PlanItem::File { name, size, mtime, mode } => {
                let mut file = match dirs.open_file(name) {
                    Ok(f) => f,
                    Err(e) if is_skippable(&e) => {
                        skipped.push(name.clone());
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let first = read_full(&mut file, &mut buf)?;
                let options =
                    file_options(name, &buf[..first], *mtime, *mode).large_file(*size >= LARGE_FILE);
                zip.start_file(name.as_str(), options).map_err(zip_error)?;
                zip.write_all(&buf[..first])?;
                loop {
                    let n = file.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    zip.write_all(&buf[..n])?;
                }
            }
        }
    }
    if !skipped.is_empty() || !plan.skipped.is_empty() {
        zip.set_comment(skipped_comment(plan.skipped.iter().chain(&skipped))).map_err(zip_error)?;
    }
    let out = zip.finish().map_err(zip_error)?.into_inner();
    Ok((out, skipped))
}

/// A name as the comment shows it: control characters escaped, so that it stays one line.
fn printable(name: &str) -> String {
    if name.chars().any(char::is_control) {
        name.chars().flat_map(char::escape_debug).collect()
    } else {
        name.to_owned()
    }
}

/// The archive comment naming what was left out (readers show it; nothing lands on disk).
fn skipped_comment<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let mut text = String::from("lablink: left out (symbolic links and special files are never followed):\n");
    for name in names {
        if text.len() + name.len() > 60_000 {
            text.push_str("…\n");
            break;
        }
        text.push_str(&printable(name));
        text.push('\n');
    }
    text
}

/// Unwraps I/O errors from the zip writer so their kind survives (a client gone is
/// `BrokenPipe`, a full legacy buffer `FileTooLarge`).
fn zip_error(err: zip::result::ZipError) -> io::Error {
    match err {
        zip::result::ZipError::Io(e) => e,
        other => io::Error::other(other),
    }
}

fn is_skippable(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::NotFound
        || err.kind() == io::ErrorKind::NotADirectory
        || crate::error::is_symlink_refusal(err)
}

fn read_full(file: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

fn file_options(name: &str, sample: &[u8], mtime: i64, mode: u32) -> SimpleFileOptions {
    let base =
        SimpleFileOptions::default().last_modified_time(zip_time(mtime)).unix_permissions(mode | 0o600);
    if worth_deflating(name, sample) {
        base.compression_method(CompressionMethod::Deflated).compression_level(Some(DEFLATE_LEVEL as i64))
    } else {
        base.compression_method(CompressionMethod::Stored)
    }
}

/// False for names of compressed formats and for samples deflate cannot shrink by 10 %.
pub fn worth_deflating(name: &str, sample: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    if STORED_EXTENSIONS.iter().any(|ext| {
        lower.len() > ext.len() + 1
            && lower.ends_with(ext)
            && lower.as_bytes()[lower.len() - ext.len() - 1] == b'.'
    }) {
        return false;
    }
    if sample.len() < 4096 {
        return true;
    }
    let sample = &sample[..sample.len().min(SAMPLE)];
    let mut out = Vec::with_capacity(sample.len() + 1024);
    let mut compressor = flate2::Compress::new(flate2::Compression::new(DEFLATE_LEVEL), false);
    if compressor.compress_vec(sample, &mut out, flate2::FlushCompress::Finish).is_err() {
        return true;
    }
    (out.len() as f64) < sample.len() as f64 * 0.9
}

fn zip_time(secs: i64) -> DateTime {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    DateTime::from_date_and_time(
        t.year().clamp(1980, 2107) as u16,
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .unwrap_or_default()
}

fn prepare(dirs: &mut DirCache, item: &PlanItem) -> io::Result<PreparedZipFile> {
    let PlanItem::File { name, size, mtime, mode } = item else {
        unreachable!("only files are prepared");
    };
    let mut file = dirs.open_file(name)?;
    let mut data = Vec::with_capacity(*size as usize);
    // Read at most what the walk saw plus a little: a file growing meanwhile stays bounded.
    (&mut file).take(SMALL_FILE + 1).read_to_end(&mut data)?;
    let options = file_options(name, &data, *mtime, *mode);
    PreparedZipFile::from_data(name.as_str(), options, &data).map_err(zip_error)
}

/// Opens files by their relative name, one folder at a time without following links,
/// remembering the last folder so files of one folder cost one `openat` each.
struct DirCache<'a> {
    base: &'a Dir,
    last: Option<(String, Dir)>,
}

impl<'a> DirCache<'a> {
    fn new(base: &'a Dir) -> Self {
        Self { base, last: None }
    }

    fn open_file(&mut self, rel: &str) -> io::Result<cap_std::fs::File> {
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        if parent.is_empty() {
            return open_file_nofollow(self.base, name);
        }
        if self.last.as_ref().is_none_or(|(p, _)| p != parent) {
            let mut dir = self.base.open_dir_nofollow(parent.split('/').next().unwrap_or(""))?;
            for seg in parent.split('/').skip(1) {
                dir = dir.open_dir_nofollow(seg)?;
            }
            self.last = Some((parent.to_owned(), dir));
        }
        let (_, dir) = self.last.as_ref().expect("set above");
        open_file_nofollow(dir, name)
    }
}

/// Small files compressed ahead of the writer: claimed in order, bounded in bytes.
struct Ahead {
    state: Mutex<AheadState>,
    changed: Condvar,
}

struct AheadState {
    claimed: usize,
    taken: usize,
    inflight_bytes: u64,
    stopped: bool,
    /// Only what is prepared and not yet taken: bounded by the lookahead, not the plan size.
    ready: std::collections::HashMap<usize, io::Result<PreparedZipFile>>,
}

impl Ahead {
    fn new() -> Self {
        Self {
            state: Mutex::new(AheadState {
                claimed: 0,
                taken: 0,
                inflight_bytes: 0,
                stopped: false,
                ready: std::collections::HashMap::new(),
            }),
            changed: Condvar::new(),
        }
    }

    fn size_of(plan: &Plan, small: &[usize], k: usize) -> u64 {
        match &plan.items[small[k]] {
            PlanItem::File { size, .. } => *size,
            PlanItem::Folder { .. } => 0,
        }
    }

    /// Claims the next small file and prepares it. A helper waits while it is too far ahead;
    /// the writer (`urgent`) never waits here. Returns false when nothing is left to claim.
    fn claim_and_prepare(&self, plan: &Plan, small: &[usize], dirs: &mut DirCache<'_>, urgent: bool) -> bool {
        let k = {
            let mut st = self.state.lock().expect("ahead lock");
            loop {
                if st.stopped || st.claimed >= small.len() {
                    return false;
                }
                let size = Self::size_of(plan, small, st.claimed);
                let room = st.claimed < st.taken + LOOKAHEAD_ITEMS
                    && (st.inflight_bytes == 0 || st.inflight_bytes + size <= LOOKAHEAD_BYTES);
                if urgent || room {
                    st.inflight_bytes += size;
                    st.claimed += 1;
                    break st.claimed - 1;
                }
                st = self.changed.wait(st).expect("ahead lock");
            }
        };
        let result = prepare(dirs, &plan.items[small[k]]);
        let mut st = self.state.lock().expect("ahead lock");
        st.ready.insert(k, result);
        self.changed.notify_all();
        true
    }

    /// The writer takes small file `k`, preparing it itself when no helper got there first.
    fn take(
        &self,
        k: usize,
        plan: &Plan,
        small: &[usize],
        dirs: &mut DirCache<'_>,
    ) -> io::Result<PreparedZipFile> {
        loop {
            {
                let mut st = self.state.lock().expect("ahead lock");
                if let Some(result) = st.ready.remove(&k) {
                    st.taken = k + 1;
                    st.inflight_bytes -= Self::size_of(plan, small, k);
                    self.changed.notify_all();
                    return result;
                }
                if st.claimed > k {
                    // A helper is on it: wait for it rather than duplicating the work.
                    let _unused = self.changed.wait(st).expect("ahead lock");
                    continue;
                }
            }
            self.claim_and_prepare(plan, small, dirs, true);
        }
    }

    fn stop(&self) {
        self.state.lock().expect("ahead lock").stopped = true;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cap_std::ambient_authority;
    use std::io::Cursor;

    fn random_bytes(n: usize, mut seed: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    }

    #[test]
    fn deflate_is_skipped_for_random_and_known_formats() {
        assert!(!worth_deflating("x.bin", &random_bytes(100_000, 7)));
        assert!(worth_deflating("x.csv", &b"a,b,c\n".repeat(20_000)));
        assert!(!worth_deflating("photo.PNG", &b"a".repeat(10_000)));
        assert!(worth_deflating("png", b"short"));
    }

    #[test]
    fn zips_a_tree_in_order_and_skips_links() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::create_dir_all(root.join("a/__pycache__")).unwrap();
        std::fs::write(root.join("a/__pycache__/x.pyc"), b"cache").unwrap();
        std::fs::write(root.join("a/b/small.txt"), b"hello ".repeat(100)).unwrap();
        let big = random_bytes(3 << 20, 3);
        std::fs::write(root.join("a/big.bin"), &big).unwrap();
        std::fs::write(root.join("top.csv"), b"1,2\n".repeat(50_000)).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("a/passwd")).unwrap();
        let dir = Dir::open_ambient_dir(root, ambient_authority()).unwrap();
        let plan = plan(&dir, false, 1000).unwrap();
        assert_eq!(plan.skipped, vec!["a/passwd".to_owned()]);
        let pool = HelperPool::new(2);
        let (out, late) = write_zip(&dir, &plan, Vec::new(), &pool, 2).unwrap();
        assert!(late.is_empty());
        let mut zip = zip::ZipArchive::new(Cursor::new(out)).unwrap();
        let names: Vec<_> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        assert_eq!(names, ["a/", "a/b/", "a/b/small.txt", "a/big.bin", "top.csv"]);
        let mut data = Vec::new();
        zip.by_name("a/big.bin").unwrap().read_to_end(&mut data).unwrap();
        assert_eq!(data, big);
        assert_eq!(zip.by_name("a/big.bin").unwrap().compression(), CompressionMethod::Stored);
        assert_eq!(zip.by_name("top.csv").unwrap().compression(), CompressionMethod::Deflated);
        assert!(String::from_utf8_lossy(zip.comment()).contains("a/passwd"));
        // The pool got its helpers back.
        assert_eq!(pool.free.load(Ordering::SeqCst), 2);
    }
}
