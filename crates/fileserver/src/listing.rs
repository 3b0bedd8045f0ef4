//! One folder level, read without following symlinks, in the order every client shows:
//! folders first, then by name (case-insensitive, ties broken by exact bytes).

use std::cmp::Ordering;
use std::io;
use std::time::UNIX_EPOCH;

use cap_std::fs::{Dir, Metadata};
use lablink_protocol::files::{Entry, EntryKind};

/// A name read from a folder, with its kind from the directory entry itself (no `stat`).
pub struct Named {
    pub name: String,
    pub kind: EntryKind,
}

/// Reads the names of `dir`, hidden names (leading `.`) only when asked, in listing order.
/// Sorting needs only names and kinds, so nothing is `stat`ed here: a page costs one `stat`
/// per entry shown, not per entry in the folder.
pub fn read_names(dir: &Dir, hidden: bool) -> io::Result<Vec<Named>> {
    let mut out = Vec::new();
    for item in dir.entries()? {
        let item = item?;
        let name = item.file_name().into_string().unwrap_or_else(|raw| raw.to_string_lossy().into_owned());
        if !hidden && name.starts_with('.') {
            continue;
        }
        let kind = match item.file_type() {
            Ok(ft) if ft.is_symlink() => EntryKind::Symlink,
            Ok(ft) if ft.is_dir() => EntryKind::Folder,
            Ok(ft) if ft.is_file() => EntryKind::File,
            Ok(_) => EntryKind::Other,
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        out.push(Named { name, kind });
    }
    out.sort_unstable_by(|a, b| compare_keys(rank(a.kind), &a.name, rank(b.kind), &b.name));
    Ok(out)
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
