//! One folder level, read without following symlinks, in the order every client shows:
//! folders first, then by name (case-insensitive, ties broken by exact bytes).

use std::cmp::Ordering;
use std::io;
use std::time::UNIX_EPOCH;

use cap_std::fs::{Dir, Metadata};
use lablink_protocol::files::{Entry, EntryKind};
use lablink_protocol::path::check_name;

/// A name read from a folder, with its kind from the directory entry itself (no `stat`).
#[derive(Clone)]
pub struct Named {
    pub name: String,
    pub kind: EntryKind,
    /// The case-folded name, when it differs from `name`: computed once per name, so that sorting
    /// compares plain bytes instead of folding both names at every comparison.
    folded: Option<Box<str>>,
}

impl Named {
    fn new(name: String, kind: EntryKind) -> Self {
        let folded = if name.is_ascii() {
            name.bytes().any(|b| b.is_ascii_uppercase()).then(|| name.to_ascii_lowercase().into())
        } else {
            let folded: String = name.chars().flat_map(char::to_lowercase).collect();
            (folded != name).then(|| folded.into())
        };
        Self { name, kind, folded }
    }

    fn key(&self) -> &[u8] {
        self.folded.as_deref().unwrap_or(&self.name).as_bytes()
    }

    /// The listing order: the same as [`compare_keys`] (byte order of UTF-8 is code point
    /// order), without folding anything.
    fn order(&self, other: &Self) -> Ordering {
        rank(self.kind)
            .cmp(&rank(other.kind))
            .then_with(|| self.key().cmp(other.key()))
            .then_with(|| self.name.cmp(&other.name))
    }
}

/// Reads the names of `dir`, hidden names (leading `.`) only when asked, in listing order.
/// Sorting needs only names and kinds, so nothing is `stat`ed here: a page costs one `stat`
/// per entry shown, not per entry in the folder. Names no path can address (not UTF-8, or
/// refused by `check_name`, such as those holding control characters) are left out here, so
/// that a listing's `total` counts exactly what can be listed.
pub fn read_names(dir: &Dir, hidden: bool) -> io::Result<Vec<Named>> {
    let mut out = read_unsorted(dir, hidden)?;
    out.sort_unstable_by(Named::order);
    Ok(out)
}

/// Like [`read_names`] but in directory order.
fn read_unsorted(dir: &Dir, hidden: bool) -> io::Result<Vec<Named>> {
    // The folder's own descriptor may be shared; reading needs a fresh offset, so open `.` anew.
    let fd = rustix::fs::openat(
        dir,
        c".",
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )?;
    // Large reads: a 10,000-entry folder in a few `getdents64` calls.
    let mut buf = Vec::with_capacity(128 << 10);
    let mut entries = rustix::fs::RawDir::new(&fd, buf.spare_capacity_mut());
    let mut out = Vec::new();
    while let Some(item) = entries.next() {
        let item = item?;
        let bytes = item.file_name().to_bytes();
        let Ok(name) = std::str::from_utf8(bytes) else { continue };
        if name == "." || name == ".." || (!hidden && name.starts_with('.')) || check_name(name).is_err() {
            continue;
        }
        use rustix::fs::FileType as T;
        let ft = match item.file_type() {
            // Some filesystems do not fill in the type: ask the inode.
            T::Unknown => match rustix::fs::statat(dir, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => T::from_raw_mode(st.st_mode),
                Err(rustix::io::Errno::NOENT) => continue,
                Err(err) => return Err(err.into()),
            },
            ft => ft,
        };
        let kind = match ft {
            T::Symlink => EntryKind::Symlink,
            T::Directory => EntryKind::Folder,
            T::RegularFile => EntryKind::File,
            _ => EntryKind::Other,
        };
        out.push(Named::new(name.to_owned(), kind));
    }
    Ok(out)
}

/// Folders at least this large keep their sorted names between requests.
const CACHE_FROM: usize = 1000;
const CACHE_SLOTS: usize = 8;
/// A folder changed more recently than this is read afresh every time: two changes within the
/// granularity of its timestamp could leave the timestamp as it was.
const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

/// The sorted names of a few large folders, reused while the folder is unchanged. Reading a
/// 10,000-entry folder costs more than the page shown from it (ext4 hashes and orders every name
/// on each read of an indexed folder); one `fstat` of the folder tells whether the names are
/// still those cached. Entries are keyed by the folder's inode, which a request only reaches by
/// opening that very folder inside its home.
#[derive(Default)]
pub struct NameCache {
    slots: std::sync::Mutex<Vec<(CacheKey, std::sync::Arc<Vec<Named>>)>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct CacheKey {
    dev: u64,
    ino: u64,
    mtime: (i64, u64),
    ctime: (i64, u64),
    hidden: bool,
}

impl NameCache {
    /// The names of `dir` as [`read_names`] gives them.
    pub fn sorted_names(&self, dir: &Dir, hidden: bool) -> io::Result<std::sync::Arc<Vec<Named>>> {
        let st = rustix::fs::fstat(dir)?;
        let key = CacheKey {
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
            mtime: (st.st_mtime as i64, st.st_mtime_nsec as u64),
            ctime: (st.st_ctime as i64, st.st_ctime_nsec as u64),
            hidden,
        };
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, names)) = slots.iter().find(|(k, _)| *k == key) {
            return Ok(names.clone());
        }
        drop(slots);
        // Read after the `fstat`: a change meanwhile makes the names newer than the key, and the
        // next request reads again.
        let names = std::sync::Arc::new(read_names(dir, hidden)?);
        let now = std::time::SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let changed = std::time::Duration::new(key.mtime.0.max(0) as u64, 0)
            .max(std::time::Duration::new(key.ctime.0.max(0) as u64, 0));
        if names.len() >= CACHE_FROM && now.saturating_sub(changed) > SETTLED {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.retain(|(k, _)| (k.dev, k.ino, k.hidden) != (key.dev, key.ino, key.hidden));
            if slots.len() >= CACHE_SLOTS {
                slots.remove(0);
            }
            slots.push((key, names.clone()));
        }
        Ok(names)
    }
}

/// Pages at least this long are described on two threads.
const PARALLEL_FROM: usize = 2048;

/// Adds size and time to `names` (one `stat` each, never following links). Entries removed
/// since they were read are dropped. Long pages are split over two threads: a 10,000-entry
/// folder is mostly `stat` calls.
pub fn describe(dir: &Dir, mut names: Vec<Named>) -> io::Result<Vec<Entry>> {
    if names.len() < PARALLEL_FROM {
        return describe_part(dir, names);
    }
    let second = names.split_off(names.len() / 2);
    let (first, second) = std::thread::scope(|scope| {
        let other = scope.spawn(|| describe_part(dir, second));
        let first = describe_part(dir, names);
        (first, other.join().unwrap_or_else(|_| Err(io::Error::other("listing thread failed"))))
    });
    let mut entries = first?;
    entries.extend(second?);
    Ok(entries)
}

fn describe_part(dir: &Dir, names: Vec<Named>) -> io::Result<Vec<Entry>> {
    let mut out = Vec::with_capacity(names.len());
    for Named { name, .. } in names {
        // `name` came from this very folder's listing, so it is one component: a plain
        // `fstatat` on the folder's descriptor stays inside it, and NOFOLLOW keeps links as links.
        match rustix::fs::statat(dir, name.as_str(), rustix::fs::AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => {
                let ft = rustix::fs::FileType::from_raw_mode(st.st_mode);
                let kind = match ft {
                    rustix::fs::FileType::Directory => EntryKind::Folder,
                    rustix::fs::FileType::RegularFile => EntryKind::File,
                    rustix::fs::FileType::Symlink => EntryKind::Symlink,
                    _ => EntryKind::Other,
                };
                let size = if kind == EntryKind::File { st.st_size as u64 } else { 0 };
                out.push(Entry { name, kind, size, modified: st.st_mtime });
            }
            Err(rustix::io::Errno::NOENT) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(out)
}

/// Every entry of `dir`, described, in listing order.
pub fn read_folder(dir: &Dir, hidden: bool) -> io::Result<Vec<Entry>> {
    let names = read_names(dir, hidden)?;
    describe(dir, names)
}

/// Modification time as Unix seconds (0 where the filesystem has none).
pub fn modified_secs(meta: &Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.into_std().duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64)
}

/// Folders before everything else; then case-insensitive name; then exact name.
pub fn rank(kind: EntryKind) -> u8 {
    match kind {
        EntryKind::Folder => 0,
        _ => 1,
    }
}

/// The listing order, for comparing against a cursor.
pub fn compare_keys(a_rank: u8, a_name: &str, b_rank: u8, b_name: &str) -> Ordering {
    a_rank
        .cmp(&b_rank)
        .then_with(|| {
            // Allocation-free; the ASCII path is what nearly every name takes.
            if a_name.is_ascii() && b_name.is_ascii() {
                let a = a_name.bytes().map(|c| c.to_ascii_lowercase());
                a.cmp(b_name.bytes().map(|c| c.to_ascii_lowercase()))
            } else {
                let a = a_name.chars().flat_map(char::to_lowercase);
                a.cmp(b_name.chars().flat_map(char::to_lowercase))
            }
        })
        .then_with(|| a_name.cmp(b_name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cap_std::ambient_authority;

    #[test]
    fn order_is_case_insensitive_for_any_script() {
        let mut names = vec!["éa", "Zz", "ab", "Äb", "AB", "zz"];
        names.sort_by(|a, b| compare_keys(1, a, 1, b));
        assert_eq!(names, ["AB", "ab", "Zz", "zz", "Äb", "éa"]);
        assert_eq!(compare_keys(0, "z", 1, "a"), Ordering::Less);
    }

    /// The precomputed order and `compare_keys` (used against cursors) agree on every pair.
    #[test]
    fn precomputed_order_matches_compare_keys() {
        let names =
            ["éa", "Zz", "ab", "Äb", "AB", "zz", "a", "A", "ß", "SS", "ǅ", "dž", "İ", "i̇", "x1", "X1", "_"];
        let all: Vec<Named> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                Named::new((*n).into(), if i % 3 == 0 { EntryKind::Folder } else { EntryKind::File })
            })
            .collect();
        for a in &all {
            for b in &all {
                assert_eq!(
                    a.order(b),
                    compare_keys(rank(a.kind), &a.name, rank(b.kind), &b.name),
                    "{} {}",
                    a.name,
                    b.name
                );
            }
        }
    }

    /// A cached folder's names are served until the folder changes.
    #[test]
    fn cached_names_follow_changes() {
        let tmp = tempfile::tempdir().unwrap();
        for i in 0..CACHE_FROM {
            std::fs::write(tmp.path().join(format!("f{i:04}")), b"").unwrap();
        }
        // Only a folder left alone for a while is cached (its timestamps cannot be set back).
        std::thread::sleep(SETTLED + std::time::Duration::from_millis(1100));
        let cache = NameCache::default();
        let dir = Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        let first = cache.sorted_names(&dir, false).unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &cache.sorted_names(&dir, false).unwrap()), "cached");
        std::fs::write(tmp.path().join("Anew"), b"").unwrap();
        let after = cache.sorted_names(&dir, false).unwrap();
        assert_eq!(after.len(), CACHE_FROM + 1);
        assert_eq!(after[0].name, "Anew");
    }

    #[test]
    fn folders_first_then_names() {
        let tmp = tempfile::tempdir().unwrap();
        for f in ["b.txt", "A.txt", ".hidden", "a.txt"] {
            std::fs::write(tmp.path().join(f), b"x").unwrap();
        }
        std::fs::create_dir(tmp.path().join("zeta")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", tmp.path().join("link")).unwrap();
        let dir = Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        let names: Vec<_> = read_folder(&dir, false).unwrap().into_iter().map(|e| (e.name, e.kind)).collect();
        assert_eq!(
            names,
            vec![
                ("zeta".into(), EntryKind::Folder),
                ("A.txt".into(), EntryKind::File),
                ("a.txt".into(), EntryKind::File),
                ("b.txt".into(), EntryKind::File),
                ("link".into(), EntryKind::Symlink),
            ]
        );
        assert_eq!(read_folder(&dir, true).unwrap().len(), 6);
    }
}
