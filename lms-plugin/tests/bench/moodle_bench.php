<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * The PHP side of `cargo xtask bench moodle`: one transfer through the plugin's own client
 * classes (the code path the plugin uses, with the plain ext-curl transport), reported as one
 * JSON line: seconds, bytes, memory_get_peak_usage(true) and the process's peak RSS.
 *
 *   php moodle_bench.php submit  <url> <kid> <secret> <home> <folder> <destzip> [maxbytes]
 *   php moodle_bench.php copy    <url> <kid> <secret> <home> <folder> <srczip>
 *   php moodle_bench.php legacy-submit <url> <key> <secret> <home> <folder> <destzip>
 *   php moodle_bench.php collect <url> <kid> <secret> <home> <destfolder> <zipsdir>
 *
 * `collect` runs the feedback plugin's collector on every `*.zip` of `zipsdir`, one student
 * each, into `destfolder` (folders layout, named by student id), as its adhoc task does.
 *
 * A failure prints `{"ok":false,"errorcode":…}` and exits 1; running out of memory ends PHP with
 * its fatal error (and exit 255), which the bench reads as "does not fit".
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use assignfeedback_lablink\local\collect\collector;
use assignfeedback_lablink\local\collect\item;
use assignfeedback_lablink\local\collect\options;
use assignsubmission_lablink\local\fileserver\client_legacy;
use assignsubmission_lablink\local\fileserver\client_v2;
use assignsubmission_lablink\local\fileserver\curl_transport;
use assignsubmission_lablink\local\fileserver\fileserver_exception;
use assignsubmission_lablink\local\fileserver\legacy_signer;
use assignsubmission_lablink\local\fileserver\token_signer;

require(__DIR__ . '/../bootstrap.php');

if ($argc < 8) {
    fwrite(STDERR, "usage: php moodle_bench.php submit|copy|legacy-submit url kid secret home folder file\n");
    exit(2);
}
[, $mode, $url, $kid, $secret, $home, $folder, $file] = $argv;
$transport = new curl_transport();
$started = microtime(true);
try {
    if ($mode === 'legacy-submit') {
        $client = new client_legacy($url, new legacy_signer($kid, $secret), $transport, 10, 600);
        $result = $client->archive_to_file($home, $folder, $file, (int) ($argv[8] ?? 0));
    } else {
        $client = new client_v2($url, new token_signer($kid, $secret, 'lablink-bench'), $transport, 10, 600);
        if ($mode === 'submit') {
            $result = $client->archive_to_file($home, $folder, $file, (int) ($argv[8] ?? 0));
        } else if ($mode === 'copy') {
            $result = $client->extract_from_file($home, $folder, $file);
        } else if ($mode === 'collect') {
            $items = [];
            foreach (glob($file . '/*.zip') as $i => $zip) {
                $id = basename($zip, '.zip');
                // Moodle keeps each stored file's SHA-1; a stand-in here, as it costs nothing there.
                $items[] = new item($i + 1, $i + 1, 0, 1764000000 + $i, $zip, sha1($zip), "Student $id", $id);
            }
            $o = new options($folder, options::LAYOUT_FOLDERS, options::NAMING_STUDENTID, '', false, 1, 1, 1,
                'bench');
            $results = (new collector($client, $home))->run($items, $o, function() {
            });
            $counts = array_count_values(array_map(fn($r) => $r->status, $results));
            $result = ['collected' => $counts['collected'] ?? 0, 'results' => $counts];
        } else {
            fwrite(STDERR, "unknown mode $mode\n");
            exit(2);
        }
    }
} catch (fileserver_exception $e) {
    echo json_encode(['ok' => false, 'errorcode' => $e->errorcode, 'message' => $e->getMessage()]), "\n";
    exit(1);
}
$seconds = microtime(true) - $started;
echo json_encode([
    'ok' => true,
    'seconds' => $seconds,
    'bytes' => $result['bytes'] ?? 0,
    'path' => $result['path'] ?? '',
    'collected' => $result['collected'] ?? 0,
    'results' => $result['results'] ?? [],
    'peak_bytes' => memory_get_peak_usage(true),
    'maxrss_kib' => getrusage()['ru_maxrss'],
]), "\n";
