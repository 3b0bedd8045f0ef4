//! The Moodle plugins' installable zips, `target/dist/moodle-assignsubmission_lablink.zip` and
//! `moodle-assignfeedback_lablink.zip`: each plugin folder under one top folder `lablink/` (the
//! shape Moodle's plugin installer expects), dotfiles left out. The submission plugin carries the
//! picker's no-modules build in `lablink/picker/`: the build is first copied into the plugin
//! folder's own `picker/` (git-ignored), so a Moodle pointed at this checkout runs the same files.
//! The feedback plugin boots the submission plugin's picker and ships none of its own.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use zip::write::SimpleFileOptions;

/// The plugin's folder in the repository.
pub const PLUGIN_DIR: &str = "lms-plugin/submission/lablink";
/// The zip's name in `target/dist/`.
pub const ZIP_NAME: &str = "moodle-assignsubmission_lablink.zip";
/// The feedback plugin's folder in the repository.
pub const FEEDBACK_DIR: &str = "lms-plugin/feedback/lablink";
/// The feedback plugin's zip in `target/dist/`.
pub const FEEDBACK_ZIP_NAME: &str = "moodle-assignfeedback_lablink.zip";
/// The one top folder: the plugin's name, as Moodle installs it (`mod/assign/submission/lablink`).
const TOP: &str = "lablink";
/// The picker's files the plugin needs, in its `picker/` folder.
pub const PICKER_FILES: [&str; 2] = ["lablink_picker.js", "lablink_picker_bg.wasm"];

/// Puts the picker build from `picker` into `plugin/picker/` and zips `plugin` to `zip_path`
/// (written beside it first, so a failure leaves any earlier zip as it was). Returns how many
/// files the zip holds.
pub fn build_zip(plugin: &Path, picker: &Path, zip_path: &Path) -> anyhow::Result<usize> {
    ensure!(
        plugin.join("version.php").is_file(),
        "{} holds no Moodle plugin (no version.php): nothing to zip",
        plugin.display()
    );
    for name in PICKER_FILES {
        ensure!(picker.join(name).is_file(), "the picker build has no {name} in {}", picker.display());
    }
    let into = plugin.join("picker");
    if into.exists() {
        std::fs::remove_dir_all(&into).with_context(|| format!("emptying {}", into.display()))?;
    }
    std::fs::create_dir_all(&into)?;
    for name in PICKER_FILES {
        std::fs::copy(picker.join(name), into.join(name))
            .with_context(|| format!("copying {name} into {}", into.display()))?;
    }
    write_zip(plugin, zip_path)
}

/// What under `dir` ships, by path inside the plugin with `/` separators: folders (ending in `/`,
/// no path on disk) and files (their path on disk); dotfiles and dot-folders left out. A symbolic
/// link is refused: the zip could only carry a copy of what it points to, rarely what was meant.
fn plugin_entries(dir: &Path) -> anyhow::Result<BTreeMap<String, Option<PathBuf>>> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Option<PathBuf>>) -> anyhow::Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                bail!("{} holds a name that is not UTF-8: {:?}", dir.display(), entry.file_name());
            };
            if name.starts_with('.') {
                continue;
            }
            let inside = format!("{prefix}{name}");
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                bail!("{} is a symbolic link: put the file itself in the plugin", entry.path().display());
            } else if kind.is_dir() {
                let inside = format!("{inside}/");
                walk(&entry.path(), &inside, out)?;
                out.insert(inside, None);
            } else if kind.is_file() {
                out.insert(inside, Some(entry.path()));
            } else {
                bail!("{} is neither a file nor a folder", entry.path().display());
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out)?;
    Ok(out)
}

/// Zips `plugin` under `lablink/` to `zip_path`: entries in name order (a folder just before
/// what it holds), files deflated, all with zip's fixed default time, so that the same folder
/// gives the same bytes. Returns the number of files.
pub fn write_zip(plugin: &Path, zip_path: &Path) -> anyhow::Result<usize> {
    let entries = plugin_entries(plugin)?;
    let files = entries.values().filter(|path| path.is_some()).count();
    ensure!(files > 0, "{} holds no files", plugin.display());
    if let Some(parent) = zip_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let partial = zip_path.with_extension("zip.partial");
    let written = (|| -> anyhow::Result<()> {
        let mut zip = zip::ZipWriter::new(File::create(&partial)?);
        let folder = SimpleFileOptions::default().unix_permissions(0o755);
        let file = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o644);
        zip.add_directory(format!("{TOP}/"), folder)?;
        for (inside, path) in &entries {
            let name = format!("{TOP}/{inside}");
            let Some(path) = path else {
                zip.add_directory(name, folder)?;
                continue;
            };
            zip.start_file(name, file)?;
            let mut source = File::open(path).with_context(|| format!("reading {}", path.display()))?;
            std::io::copy(&mut source, &mut zip)?;
        }
        zip.finish()?.flush()?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e.context(format!("writing {}", zip_path.display())));
    }
    std::fs::rename(&partial, zip_path)?;
    Ok(files)
}

/// Zips a plugin that ships no picker (the feedback plugin) to `zip_path`; returns how many files
/// the zip holds.
pub fn build_plain_zip(plugin: &Path, zip_path: &Path) -> anyhow::Result<usize> {
    ensure!(
        plugin.join("version.php").is_file(),
        "{} holds no Moodle plugin (no version.php): nothing to zip",
        plugin.display()
    );
    write_zip(plugin, zip_path)
}

/// Checks a built zip against the folder it was made from: one top folder `lablink/`, exactly
/// the folder's files (dotfiles aside) with the same bytes, the picker among them when
/// `with_picker`, no entry that climbs out or hides.
pub fn check_zip(zip_path: &Path, plugin: &Path, with_picker: bool) -> anyhow::Result<()> {
    let mut zip = zip::ZipArchive::new(
        File::open(zip_path).with_context(|| format!("opening {}", zip_path.display()))?,
    )
    .with_context(|| format!("reading {}", zip_path.display()))?;
    let mut want = plugin_entries(plugin)?;
    let picker = PICKER_FILES.map(|f| format!("picker/{f}"));
    let picker = if with_picker { &picker[..] } else { &[] };
    for required in std::iter::once(&"version.php".to_owned()).chain(picker) {
        ensure!(want.contains_key(required.as_str()), "{} has no {required}", plugin.display());
    }
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name()?.into_owned();
        let Some(inside) = name.strip_prefix(&format!("{TOP}/")) else {
            bail!("{name} is outside the one top folder {TOP}/");
        };
        ensure!(
            !inside.split('/').any(|part| part.starts_with('.')),
            "{name}: a dotfile or a climbing path in the zip"
        );
        if inside.is_empty() {
            continue;
        }
        let Some(path) = want.remove(inside) else { bail!("{name} is in the zip but not in the folder") };
        ensure!(entry.is_dir() == path.is_none(), "{name}: a folder on one side, a file on the other");
        if let Some(path) = path {
            let mut zipped = Vec::new();
            entry.read_to_end(&mut zipped)?;
            ensure!(zipped == std::fs::read(&path)?, "{name} differs from {}", path.display());
        }
    }
    ensure!(want.is_empty(), "missing from the zip: {:?}", want.keys().collect::<Vec<_>>());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(dir: &Path, inside: &str, text: &str) {
        let path = dir.join(inside);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A plugin folder (with the clutter a checkout has) and a picker build beside it.
    fn fixture() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let plugin = tmp.path().join("lablink");
        put(&plugin, "version.php", "<?php // version");
        put(&plugin, "lang/en/assignsubmission_lablink.php", "<?php // strings");
        put(&plugin, "amd/build/picker.min.js", "define([], {});");
        std::fs::create_dir_all(plugin.join("backup/moodle2")).unwrap();
        put(&plugin, ".eslintrc", "{}");
        put(&plugin, "amd/src/.hidden", "x");
        put(&plugin, ".git/HEAD", "ref");
        put(&plugin, "picker/stale-from-an-old-build.js", "old");
        let picker = tmp.path().join("build");
        put(&picker, "lablink_picker.js", "let lablink_picker;");
        put(&picker, "lablink_picker_bg.wasm", "\0asm");
        (tmp, plugin, picker)
    }

    fn names(zip_path: &Path) -> Vec<String> {
        let zip = zip::ZipArchive::new(File::open(zip_path).unwrap()).unwrap();
        zip.file_names().map(|n| n.unwrap().into_owned()).collect()
    }

    #[test]
    fn the_zip_is_the_folder_under_one_top_folder_with_the_picker() {
        let (tmp, plugin, picker) = fixture();
        let zip_path = tmp.path().join("dist/plugin.zip");
        assert_eq!(build_zip(&plugin, &picker, &zip_path).unwrap(), 5);
        let mut got = names(&zip_path);
        got.sort();
        assert_eq!(
            got,
            [
                "lablink/",
                "lablink/amd/",
                "lablink/amd/build/",
                "lablink/amd/build/picker.min.js",
                // Its only file is a dotfile: the folder stays, as it is in the plugin.
                "lablink/amd/src/",
                "lablink/backup/",
                "lablink/backup/moodle2/",
                "lablink/lang/",
                "lablink/lang/en/",
                "lablink/lang/en/assignsubmission_lablink.php",
                "lablink/picker/",
                "lablink/picker/lablink_picker.js",
                "lablink/picker/lablink_picker_bg.wasm",
                "lablink/version.php",
            ]
        );
        check_zip(&zip_path, &plugin, true).unwrap();
        // The build replaced what an older one left in the plugin's picker folder.
        assert!(!plugin.join("picker/stale-from-an-old-build.js").exists());
        assert_eq!(std::fs::read(plugin.join("picker/lablink_picker_bg.wasm")).unwrap(), b"\0asm");
        // Same folder, same bytes.
        let first = std::fs::read(&zip_path).unwrap();
        build_zip(&plugin, &picker, &zip_path).unwrap();
        assert_eq!(std::fs::read(&zip_path).unwrap(), first);
    }

    #[test]
    fn check_zip_notices_a_file_missing_changed_or_added() {
        let (tmp, plugin, picker) = fixture();
        let zip_path = tmp.path().join("plugin.zip");
        build_zip(&plugin, &picker, &zip_path).unwrap();
        put(&plugin, "lib.php", "<?php");
        assert!(check_zip(&zip_path, &plugin, true).unwrap_err().to_string().contains("lib.php"));
        std::fs::remove_file(plugin.join("lib.php")).unwrap();
        put(&plugin, "version.php", "<?php // changed");
        assert!(check_zip(&zip_path, &plugin, true).unwrap_err().to_string().contains("differs"));
        std::fs::remove_file(plugin.join("lang/en/assignsubmission_lablink.php")).unwrap();
        put(&plugin, "version.php", "<?php // version");
        assert!(check_zip(&zip_path, &plugin, true).unwrap_err().to_string().contains("not in the folder"));
    }

    #[test]
    fn a_plugin_without_a_picker_zips_as_it_is_and_is_not_asked_for_one() {
        let (tmp, plugin, _picker) = fixture();
        std::fs::remove_dir_all(plugin.join("picker")).unwrap();
        let zip_path = tmp.path().join("feedback.zip");
        assert_eq!(build_plain_zip(&plugin, &zip_path).unwrap(), 3);
        check_zip(&zip_path, &plugin, false).unwrap();
        assert!(!names(&zip_path).iter().any(|n| n.starts_with("lablink/picker")));
        // The submission plugin's check still wants its picker.
        assert!(check_zip(&zip_path, &plugin, true).unwrap_err().to_string().contains("picker/"));
    }

    #[test]
    fn a_folder_without_version_php_is_refused_and_the_old_zip_stays() {
        let (tmp, plugin, picker) = fixture();
        let zip_path = tmp.path().join("plugin.zip");
        build_zip(&plugin, &picker, &zip_path).unwrap();
        let before = std::fs::read(&zip_path).unwrap();
        std::fs::remove_file(plugin.join("version.php")).unwrap();
        let error = build_zip(&plugin, &picker, &zip_path).unwrap_err().to_string();
        assert!(error.contains("no version.php"), "{error}");
        assert_eq!(std::fs::read(&zip_path).unwrap(), before);
    }

    #[test]
    fn a_picker_build_without_its_wasm_is_refused() {
        let (tmp, plugin, picker) = fixture();
        std::fs::remove_file(picker.join("lablink_picker_bg.wasm")).unwrap();
        let error = build_zip(&plugin, &picker, &tmp.path().join("p.zip")).unwrap_err().to_string();
        assert!(error.contains("lablink_picker_bg.wasm"), "{error}");
        // Refused before touching the plugin's own picker folder.
        assert!(plugin.join("picker/stale-from-an-old-build.js").exists());
    }

    #[test]
    fn a_symbolic_link_is_refused_and_no_partial_zip_is_left() {
        let (tmp, plugin, picker) = fixture();
        std::os::unix::fs::symlink("/etc/hostname", plugin.join("lang/link.php")).unwrap();
        let zip_path = tmp.path().join("plugin.zip");
        let error = build_zip(&plugin, &picker, &zip_path).unwrap_err().to_string();
        assert!(error.contains("symbolic link"), "{error}");
        assert!(!zip_path.exists());
        assert!(!zip_path.with_extension("zip.partial").exists());
    }
}
