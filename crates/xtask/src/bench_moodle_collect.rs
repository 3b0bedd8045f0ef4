//! The collect part of `cargo xtask bench moodle`: the feedback plugin's Moodle-free collect
//! (`assignfeedback_lablink\local\collect\collector`, run by `moodle_bench.php collect`)
//! fetching 200 submissions of ≈5 MiB each into the teacher's home of a real `lablink files`,
//! against `unzip` of the same 200 zips into one folder each, in the same run.
//!
//! The zips are generated once (deterministic, kept in `bench/work/collect-zips/`): a notebook
//! of text, a script and an incompressible data file, as a student's folder often is. Each
//! timed side is its own process (the PHP script, or one shell running the 200 `unzip`s),
//! alternating which goes first, each after a `sync`; the ratio is the median of each run's
//! PHP time over the unzip time beside it.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, ensure};
use serde_json::{Value, json};
use zip::write::SimpleFileOptions;

use crate::bench_files::{median, remove_dir, settle};
use crate::util::step;

/// Students in the class.
pub const STUDENTS: usize = 200;
/// Paired runs (each side moves 1 GiB).
const RUNS: usize = 3;
/// The incompressible part of a submission, bytes.
const DATA_BYTES: usize = 5_100_000;
/// Bump when the generated zips change, so an old set is rebuilt.
const GENERATION: &str = "collect-zips v1";
/// The teacher's destination folder in the bench home.
pub const ROOT: &str = "moodle-collect";

/// Measures and `put`s `collect200_*`.
pub fn measure(
    base: &str,
    creds: [&str; 3],
    script: &Path,
    work: &Path,
    home: &Path,
    put: &mut impl FnMut(&str, f64),
) -> anyhow::Result<()> {
    step(&format!("collect: {STUDENTS} submissions of ≈5 MiB (generated once)"));
    let zips = work.join("collect-zips");
    let zip_bytes = ensure_zips(&zips)?;
    put("collect200_zip_bytes", zip_bytes as f64);
    let unzipped = work.join("collect-unzip");
    let dest = home.join(ROOT);
    let [kid, secret, home_name] = creds;

    step(&format!("collect: PHP collector vs unzip of the same {STUDENTS} zips, {RUNS} runs each"));
    let (mut php_s, mut unzip_s, mut php_inner_s) = (Vec::new(), Vec::new(), Vec::new());
    let (mut peak, mut rss): (f64, f64) = (0.0, 0.0);
    for i in 0..RUNS {
        for ours in [i % 2 == 0, i % 2 == 1] {
            remove_dir(&dest)?;
            remove_dir(&unzipped)?;
            if ours {
                // The teacher picks an existing folder of their workspace.
                fs::create_dir_all(&dest)?;
            } else {
                fs::create_dir_all(&unzipped)?;
            }
            settle()?;
            if ours {
                let t = Instant::now();
                let output = Command::new("php")
                    .args(["-d", "memory_limit=128M"])
                    .arg(script)
                    .args(["collect", base, kid, secret, home_name, &format!("/{ROOT}")])
                    .arg(&zips)
                    .stderr(Stdio::inherit())
                    .output()?;
                php_s.push(t.elapsed().as_secs_f64());
                let text = String::from_utf8_lossy(&output.stdout);
                let reply: Value =
                    serde_json::from_str(text.lines().last().unwrap_or("")).unwrap_or(Value::Null);
                ensure!(reply["ok"] == json!(true), "the PHP collect failed: {reply}");
                ensure!(
                    reply["collected"].as_u64() == Some(STUDENTS as u64),
                    "the PHP collect collected {} of {STUDENTS}: {reply}",
                    reply["collected"]
                );
                check_collected(&dest)?;
                php_inner_s.push(reply["seconds"].as_f64().unwrap_or(0.0));
                peak = peak.max(reply["peak_bytes"].as_f64().unwrap_or(0.0));
                rss = rss.max(reply["maxrss_kib"].as_f64().unwrap_or(0.0) * 1024.0);
            } else {
                let t = Instant::now();
                crate::util::run(Command::new("sh").arg("-c").arg(
                    "set -e; for z in \"$1\"/*.zip; do n=${z##*/}; unzip -q \"$z\" -d \"$2/${n%.zip}\"; done",
                ).args(["unzip-all"]).arg(&zips).arg(&unzipped))?;
                unzip_s.push(t.elapsed().as_secs_f64());
                let folders = fs::read_dir(&unzipped)?.count();
                ensure!(folders == STUDENTS, "unzip made {folders} folders");
            }
        }
        eprintln!("run {}: PHP {:.2} s, unzip {:.2} s", i + 1, php_s[i], unzip_s[i]);
    }
    remove_dir(&dest)?;
    remove_dir(&unzipped)?;
    let ratios: Vec<f64> = php_s.iter().zip(&unzip_s).map(|(p, u)| p / u).collect();
    put("collect200_php_s", median(&php_s));
    put("collect200_php_inner_s", median(&php_inner_s));
    put("collect200_unzip_s", median(&unzip_s));
    put("collect200_vs_unzip_ratio", median(&ratios));
    put("collect200_php_peak_mib", peak / (1024.0 * 1024.0));
    put("collect200_php_rss_mib", rss / (1024.0 * 1024.0));
    Ok(())
}

/// One folder per student with the submission's files in it, and the manifest naming them all.
fn check_collected(dest: &Path) -> anyhow::Result<()> {
    let manifest: Value = serde_json::from_slice(
        &fs::read(dest.join("lablink-manifest.json")).context("the collect wrote no manifest")?,
    )?;
    let entries = manifest["entries"].as_array().context("the manifest has no entries")?;
    ensure!(entries.len() == STUDENTS, "the manifest lists {} students", entries.len());
    for entry in entries {
        ensure!(entry["state"] == json!("collected"), "a manifest entry is not collected: {entry}");
        let folder = dest.join(entry["folder"].as_str().unwrap_or(""));
        ensure!(folder.join("data/sample.bin").is_file(), "{} lacks its files", folder.display());
    }
    Ok(())
}

/// The 200 zips in `dir` (made unless a complete set of this generation is there); their total size.
fn ensure_zips(dir: &Path) -> anyhow::Result<u64> {
    let marker = dir.join("GENERATION");
    if fs::read_to_string(&marker).ok().as_deref() != Some(GENERATION) {
        remove_dir(dir)?;
        fs::create_dir_all(dir)?;
        let t = Instant::now();
        for student in 0..STUDENTS {
            write_submission(&zip_path(dir, student), student as u64)?;
        }
        fs::write(&marker, GENERATION)?;
        eprintln!("generated {STUDENTS} zips in {:.1} s", t.elapsed().as_secs_f64());
    }
    let mut total = 0;
    for student in 0..STUDENTS {
        total += fs::metadata(zip_path(dir, student))?.len();
    }
    Ok(total)
}

fn zip_path(dir: &Path, student: usize) -> PathBuf {
    dir.join(format!("student-{student:03}.zip"))
}

/// One student's submission: a notebook (text that deflates), a script and an incompressible
/// data file, ≈5 MiB zipped.
fn write_submission(path: &Path, seed: u64) -> anyhow::Result<()> {
    let mut rng = XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut zip = zip::ZipWriter::new(File::create(path)?);
    let deflated = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("lab.ipynb", deflated)?;
    let mut cells = String::from("{\"cells\": [\n");
    for cell in 0..400 {
        let value = rng.next() % 1000;
        cells.push_str(&format!(
            "  {{\"cell_type\": \"code\", \"id\": \"c{cell}\", \"source\": [\"x_{cell} = {value}\\n\", \
             \"print(x_{cell} * {value})\"], \"outputs\": [{{\"text\": \"{}\"}}]}},\n",
            value * value
        ));
    }
    cells.push_str("  {}\n], \"nbformat\": 4, \"nbformat_minor\": 5}\n");
    zip.write_all(cells.as_bytes())?;
    zip.start_file("answers.py", deflated)?;
    zip.write_all(format!("# student {seed}\ndef answer():\n    return {}\n", rng.next() % 97).as_bytes())?;
    zip.add_directory("data/", SimpleFileOptions::default())?;
    zip.start_file(
        "data/sample.bin",
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
    )?;
    let mut block = vec![0u8; 64 * 1024];
    let mut left = DATA_BYTES;
    while left > 0 {
        for chunk in block.chunks_mut(8) {
            let word = rng.next().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        let n = left.min(block.len());
        zip.write_all(&block[..n])?;
        left -= n;
    }
    zip.finish()?.flush()?;
    Ok(())
}

/// A small fast generator: the data only has to be incompressible and the same each time.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
