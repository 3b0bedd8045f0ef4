//! One folder level, read without following symlinks, in the order every client shows:
//! folders first, then by name (case-insensitive, ties broken by exact bytes).

use std::cmp::Ordering;
use std::io;
use std::time::UNIX_EPOCH;

use cap_std::fs::{Dir, Metadata};
use lablink_protocol::files::{Entry, EntryKind};
use lablink_protocol::path::check_name;

/// A name read from a folder, with its kind from the directory entry itself (no `stat`).
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
pub fn read_unsorted(dir: &Dir, hidden: bool) -> io::Result<Vec<Named>> {
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

/// The first `n` of `names` in listing order, sorted: a partial selection, so the first page of
/// a large folder does not pay for sorting all of it.
pub fn first_in_order(mut names: Vec<Named>, n: usize) -> Vec<Named> {
    if names.len() > n {
        if n == 0 {
            return Vec::new();
        }
        names.select_nth_unstable_by(n - 1, Named::order);
        names.truncate(n);
    }
    names.sort_unstable_by(Named::order);
    names
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

    /// The precomputed order, the partial selection and `compare_keys` (used against cursors)
    /// agree on every pair.
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
        let key = |v: Vec<Named>| v.into_iter().map(|n| n.name).collect::<Vec<_>>();
        let remake = || all.iter().map(|n| Named::new(n.name.clone(), n.kind)).collect::<Vec<_>>();
        let sorted = key(first_in_order(remake(), usize::MAX));
        for n in 0..=all.len() {
            assert_eq!(key(first_in_order(remake(), n)), sorted[..n.min(sorted.len())], "n = {n}");
        }
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
