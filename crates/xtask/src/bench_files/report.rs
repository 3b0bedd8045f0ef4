//! The report: targets, `files.md` (a table with target and met?) and `files.json`.

use std::fs;

use serde_json::{Map, Value};

use super::workspace::MANY_FILES;
use super::{MIB, RUNS, shell_line};

struct Target {
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    /// `Some((bound, higher_is_better))`.
    bound: Option<(f64, bool)>,
}

const TARGETS: [Target; 10] = [
    Target {
        key: "archive_ratio_vs_zip",
        label: "archive speed vs `zip -r -1 -q` (zip s ÷ our s)",
        unit: "×",
        bound: Some((1.5, true)),
    },
    Target {
        key: "extract_ratio_vs_unzip",
        label: "extract speed vs `unzip -q` (unzip s ÷ our s)",
        unit: "×",
        bound: Some((1.0, true)),
    },
    Target {
        key: "archive_peak_rss_mib",
        label: "server peak RSS, one archive",
        unit: "MiB",
        bound: Some((64.0, false)),
    },
    Target {
        key: "extract_peak_rss_mib",
        label: "server peak RSS, one extract",
        unit: "MiB",
        bound: Some((64.0, false)),
    },
    Target {
        key: "concurrent20_peak_rss_mib",
        label: "server peak RSS, 20 concurrent archives",
        unit: "MiB",
        bound: Some((128.0, false)),
    },
    Target {
        key: "list10k_p50_ms",
        label: "list 10,000 entries, p50",
        unit: "ms",
        bound: Some((20.0, false)),
    },
    Target {
        key: "legacy_zfs_ratio_vs_zip",
        label: "legacy `/zfs` speed vs `zip -r -1 -q` (zip s ÷ our s)",
        unit: "×",
        bound: Some((1.5, true)),
    },
    Target {
        key: "legacy_zfs_peak_rss_mib",
        label: "server peak RSS, one legacy `/zfs`",
        unit: "MiB",
        bound: Some((64.0, false)),
    },
    Target { key: "list10k_p99_ms", label: "list 10,000 entries, p99", unit: "ms", bound: None },
    Target {
        key: "list10k_first_page500_p50_ms",
        label: "first page (500) of the 10,000-entry folder, p50",
        unit: "ms",
        bound: None,
    },
];

/// `legacy_refusal`: what the server answered when it refused the legacy `/zfs` (then its rows
/// have no value).
pub fn markdown(
    r: &Map<String, Value>,
    excluded_files: u64,
    revision: &str,
    legacy_refusal: Option<&str>,
) -> String {
    let n = |k: &str| r.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let date = shell_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let kernel = shell_line("uname", &["-sr"]);
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mut md = format!(
        "Measured {date} (server built from `{revision}`) on {kernel}, {cpu}, `nproc` = {}; speed figures are ratios against Debian's \
         `zip`/`unzip` measured in the same run on the same files (median of {RUNS} runs, warm page cache; \
         1-minute load average {:.1} at the start: the machine may be shared).\n\n",
        n("nproc"),
        n("loadavg_1m_start"),
    );
    md.push_str("| metric | value | target | met? |\n|---|---:|---:|:---:|\n");
    for t in &TARGETS {
        let v = n(t.key);
        let (target, met) = match t.bound {
            Some((b, true)) => {
                (format!("≥ {} {}", fmt_num(b), t.unit), if v >= b { "yes" } else { "**no**" })
            }
            Some((b, false)) => {
                (format!("≤ {} {}", fmt_num(b), t.unit), if v <= b { "yes" } else { "**no**" })
            }
            None => ("—".to_owned(), "—"),
        };
        md.push_str(&format!("| {} | {} {} | {target} | {met} |\n", t.label, fmt_num(v), t.unit));
    }
    md.push_str(&format!(
        "\nWorkspace: {files} files, {gib:.2} GiB ({inc:.0} % incompressible by bytes, {unnamed:.0} % of \
         that under names that do not say so: `.npy`, `.bin`), incl. a {many}-file folder. Raw: zip {zip_s:.2} s \
         ({zip_mb:.0} MB/s) vs our archive {ar_s:.2} s ({ar_mb:.0} MB/s), {zb:.0} vs {ab:.0} MiB; unzip \
         {uz_s:.2} s vs our extract {ex_s:.2} s ({ex_mb:.0} MB/s, upload included); 20 concurrent \
         archives {c_s:.1} s ({c_mb:.0} MB/s in all); listing mean {lm:.2} ms, max {lx:.2} ms over \
         {lr} requests.\n\n\
         Like with like: the server leaves `.ipynb_checkpoints` and `__pycache__` out by default, so zip \
         ran with `-x '*/.ipynb_checkpoints/*' '*/__pycache__/*'` (those folders are also small: \
         {excluded_files} files). Our extract uploads the zip -1 archive itself. Checked in the run: our \
         archive passes `unzip -tq` and holds every file; each extract and unzip yields the same file \
         count. Reference and server runs alternate, each after `sync`. Every timed request (one fresh \
         token each) goes through reqwest's blocking client on a fresh connection (the upload handed over \
         as one body from memory, the reply read 1 MiB at a time) and is timed client-side, connection \
         included. Full figures: `files.json`.\n\n",
        files = n("workspace_files"),
        gib = n("workspace_bytes") / MIB / 1024.0,
        inc = 100.0 * n("workspace_incompressible_share"),
        unnamed = 100.0 * n("workspace_incompressible_unnamed_share"),
        many = MANY_FILES,
        zip_s = n("zip_s"),
        zip_mb = n("zip_mb_s"),
        ar_s = n("archive_s"),
        ar_mb = n("archive_mb_s"),
        zb = n("zip_bytes") / MIB,
        ab = n("archive_bytes") / MIB,
        uz_s = n("unzip_s"),
        ex_s = n("extract_s"),
        ex_mb = n("extract_mb_s"),
        c_s = n("concurrent20_s"),
        c_mb = n("concurrent20_mb_s"),
        lm = n("list10k_mean_ms"),
        lx = n("list10k_max_ms"),
        lr = n("list_requests"),
    ));
    match legacy_refusal {
        Some(why) => md.push_str(&format!("Legacy `/zfs` of the workspace was refused: {why}\n")),
        None => md.push_str(&format!(
            "Legacy `/zfs` (a signed request, as noto's clients send it) of the same folder: {lz_s:.2} s \
             (median) for a reply of {lz_mib:.0} MiB (the zip, base64 inside JSON) holding every file, vs \
             the same run's zip {zip_s:.2} s.\n",
            lz_s = n("legacy_zfs_s"),
            lz_mib = n("legacy_zfs_reply_bytes") / MIB,
            zip_s = n("zip_s"),
        )),
    }
    md
}

fn fmt_num(v: f64) -> String {
    if (v.fract() == 0.0 && v.abs() < 1e9) || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}
