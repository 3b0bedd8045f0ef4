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

namespace assignfeedback_lablink\local\collect;

use assignsubmission_lablink\local\fileserver\client;
use assignsubmission_lablink\local\fileserver\fileserver_exception;

/**
 * Collects submissions into the teacher's workspace: one folder per student (or nbgrader's
 * layout) and the manifest that maps them. Moodle-free: the caller (an adhoc task) hands over
 * the items it built from Moodle's data.
 *
 * Only what is new, changed (with overwrite on), left `pending` by an interrupted run or
 * recorded in a folder the teacher has deleted since is fetched; the rest is reported and left
 * alone. Kill-safety: every entry to fetch is written
 * `pending` before any zip is sent, each extract writes its folder whole (a new one refused if
 * the name is taken, a `pending` or changed one swapped in atomically by the file server's
 * `replace`) and only then is the entry written `collected`.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class collector {
    /** Plan: not in the manifest, fetched into a new folder. */
    public const PLAN_NEW = 'new';
    /** Plan: left pending by an interrupted run, fetched again over whatever is there. */
    public const PLAN_PENDING = 'pending';
    /** Plan: changed since collected, overwrite on: fetched over the old folder. */
    public const PLAN_CHANGED = 'changed';
    /** Plan: changed since collected, overwrite off: left alone. */
    public const PLAN_CHANGED_KEPT = 'changed_kept';
    /** Plan: collected already, the same content. */
    public const PLAN_UNCHANGED = 'unchanged';
    /** Plan: nothing submitted. */
    public const PLAN_NO_SUBMISSION = 'no_submission';
    /** Plan: cannot be collected (see its error code). */
    public const PLAN_FAILED = 'failed';

    /** Entries per listing page. */
    private const PAGE = 10000;

    /** @var client the file server */
    private client $client;

    /** @var string the teacher's home */
    private string $home;

    /** @var \Closure|null clock returning Unix seconds (tests); null for time() */
    private ?\Closure $clock;

    /**
     * Makes a collector.
     *
     * @param client $client the file server (v2: it needs put_file, get_file and replace)
     * @param string $home the teacher's home, computed by the server side
     * @param \Closure|null $clock returns the current Unix time; null for time()
     */
    public function __construct(client $client, string $home, ?\Closure $clock = null) {
        $this->client = $client;
        $this->home = $home;
        $this->clock = $clock;
    }

    /**
     * Collects.
     *
     * @param item[] $items the students, one item each
     * @param options $o where and how
     * @param callable $progress `(int $done, int $total, string $message)`, called at the start
     *     and after each student; the message is the student's full name ('' at the start)
     * @return result[] one per item, in userid order
     * @throws collect_exception when the destination holds a manifest that cannot be used, or
     *     the items are not one per student; nothing was changed
     * @throws fileserver_exception when the destination cannot be read or made, or the manifest
     *     cannot be written before the first extract
     */
    public function run(array $items, options $o, callable $progress): array {
        $items = self::by_user($items);
        $total = count($items);
        $progress(0, $total, '');
        $loaded = manifest::load($this->client, $this->home, $o);
        if ($loaded !== null) {
            $loaded->check_matches($o);
        }
        $top = $this->entries_of($o->root);
        self::check_alone($top, $o);
        $plan = self::plan($items, $loaded, $o, $this->taken($items, $loaded, array_column($top, 'name'), $o));
        foreach ($plan as $userid => $row) {
            if (!self::fetches($row['action'])) {
                continue;
            }
            $zippath = (string) $items[$userid]->zippath;
            if (!is_readable($zippath)) {
                $plan[$userid] = self::row(self::PLAN_FAILED, $row['folder'], null, 'no_file',
                    'the stored submission cannot be read');
            } else if ($o->layout === options::LAYOUT_FOLDERS) {
                // Return zips `<folder>/feedback/`: a student's own one would go back as the teacher's.
                $plan[$userid]['ownfeedback'] = self::has_own_feedback_folder($zippath);
            }
        }
        $manifest = $loaded ?? manifest::for_options($o);
        $fetch = array_filter($plan, fn($row) => self::fetches($row['action']));
        if ($fetch) {
            if ($o->root !== '/') {
                $this->client->create_folder($this->home, $o->root, true);
            }
            foreach ($fetch as $userid => $row) {
                $manifest->set($items[$userid], $row['folder'], manifest::PENDING, '', $row['ownfeedback'] ?? false);
            }
            $manifest->save($this->client, $this->home, $o, $this->now());
        }
        $results = [];
        $done = 0;
        foreach ($items as $userid => $item) {
            $row = $plan[$userid];
            if (self::fetches($row['action'])) {
                $result = $this->fetch($item, $row, $manifest, $o);
            } else if ($row['action'] === self::PLAN_FAILED) {
                $result = new result($userid, result::FAILED, $row['folder'], $row['errorcode'], $row['message']);
            } else {
                $result = new result($userid, $row['action'], $row['folder']);
            }
            $results[] = $result;
            $progress(++$done, $total, $item->fullname);
        }
        return $results;
    }

    /**
     * What to do for each student, from the items, the manifest and what is at the destination.
     *
     * @param array<int,item> $items userid => item
     * @param manifest|null $manifest the manifest so far
     * @param options $o the options
     * @param string[] $taken what is already at the destination, relative to it: in the folders
     *     layout the names at its top, in both layouts the folders of the manifest's entries that
     *     are there and, in the nbgrader layout, the submission folders (`submitted/<id>/<assignment>`)
     *     of the students not in the manifest that are there
     * @return array<int,array> userid => `action` (a PLAN_ constant), `folder` (relative to the
     *     destination), `onconflict` (`fail` or `replace` for the fetched, else null), `errorcode`,
     *     `message` (for PLAN_FAILED)
     */
    public static function plan(array $items, ?manifest $manifest, options $o, array $taken): array {
        ksort($items);
        $plan = [];
        $bases = [];
        $present = array_fill_keys($taken, true);
        foreach ($items as $userid => $item) {
            $entry = $manifest !== null ? $manifest->find($userid) : null;
            if ($item->zippath === null) {
                $plan[$userid] = self::row(self::PLAN_NO_SUBMISSION, $entry['folder'] ?? '');
            } else if ($entry !== null && $entry['state'] === manifest::PENDING) {
                $plan[$userid] = self::row(self::PLAN_PENDING, $entry['folder'], 'replace');
            } else if ($entry !== null && !isset($present[$entry['folder']])) {
                // Collected, but the teacher deleted the folder since: fetched again as new, into
                // the same name (refused, not replaced, should something else appear there meanwhile).
                $plan[$userid] = self::row(self::PLAN_NEW, $entry['folder'], 'fail');
            } else if ($entry !== null && $entry['contenthash'] === $item->contenthash) {
                $plan[$userid] = self::row(self::PLAN_UNCHANGED, $entry['folder']);
            } else if ($entry !== null) {
                $plan[$userid] = $o->overwrite ? self::row(self::PLAN_CHANGED, $entry['folder'], 'replace')
                    : self::row(self::PLAN_CHANGED_KEPT, $entry['folder']);
            } else if ($o->layout === options::LAYOUT_FOLDERS) {
                $text = $o->naming === options::NAMING_STUDENTID ? $item->studentid : $item->fullname;
                $bases[$userid] = folder_namer::safe_name($text, "user-$userid");
                $plan[$userid] = null;
            } else {
                $plan[$userid] = self::row(self::PLAN_NEW, '', 'fail');
            }
        }
        if ($o->layout === options::LAYOUT_FOLDERS) {
            foreach (folder_namer::assign($bases, $manifest, $taken) as $userid => $folder) {
                $plan[$userid] = self::row(self::PLAN_NEW, $folder, 'fail');
            }
            return $plan;
        }
        // The nbgrader layout: the folder is the student id's, refused rather than renamed.
        $used = array_fill_keys($taken, 'taken');
        foreach ($manifest !== null ? $manifest->entries() : [] as $entry) {
            $used[$entry['folder']] = 'manifest';
        }
        foreach ($plan as $userid => $row) {
            // Students the manifest knows keep its folder (fetched again when deleted).
            if ($row['action'] !== self::PLAN_NEW || ($manifest !== null && $manifest->find($userid) !== null)) {
                continue;
            }
            try {
                $folder = nbgrader_layout::submission_folder($items[$userid]->studentid, $o->nbassignment);
            } catch (collect_exception $e) {
                $plan[$userid] = self::row(self::PLAN_FAILED, '', null, $e->errorcode, $e->getMessage());
                continue;
            }
            if (isset($used[$folder])) {
                $plan[$userid] = $used[$folder] === 'taken'
                    ? self::row(self::PLAN_FAILED, $folder, null, 'conflict',
                        'the nbgrader folder of this student id is already there and not from this collect')
                    : self::row(self::PLAN_FAILED, $folder, null, 'duplicate_student_id',
                        'another student of this collect has the same student id');
                continue;
            }
            $used[$folder] = 'manifest';
            $plan[$userid] = self::row(self::PLAN_NEW, $folder, 'fail');
        }
        return $plan;
    }

    /**
     * Fetches one submission into its folder and records it. A failed fetch leaves its entry
     * `pending` (fetched again next time), except when a new folder's name was taken meanwhile:
     * that folder is not from this collect, so the entry goes.
     *
     * @param item $item the submission
     * @param array $row its plan
     * @param manifest $manifest the manifest (its entry is `pending` on disk already)
     * @param options $o the options
     * @return result the result
     */
    private function fetch(item $item, array $row, manifest $manifest, options $o): result {
        $folder = $row['folder'];
        try {
            if ($o->layout === options::LAYOUT_NBGRADER) {
                $this->client->create_folder($this->home, $o->path(dirname($folder)), true);
            }
            $made = $this->client->extract_from_file($this->home, $o->path($folder), (string) $item->zippath,
                $row['onconflict']);
            if ($made['path'] !== $o->path($folder)) {
                throw new fileserver_exception('bad_reply', 'the file server put the submission somewhere else');
            }
            if ($o->layout === options::LAYOUT_NBGRADER) {
                $this->client->put_file($this->home, $o->path($folder . '/' . nbgrader_layout::TIMESTAMP_FILE),
                    nbgrader_layout::timestamp($item->timesubmitted));
            }
        } catch (fileserver_exception $e) {
            if ($row['action'] !== self::PLAN_NEW || $e->errorcode !== 'conflict') {
                return result::failed($item->userid, $folder, $e);
            }
            $manifest->remove($item->userid);
            $failed = $e;
        }
        if (!isset($failed)) {
            $manifest->set($item, $folder, manifest::COLLECTED, $made['sha256'], $row['ownfeedback'] ?? false);
        }
        try {
            $manifest->save($this->client, $this->home, $o, $this->now());
        } catch (fileserver_exception $e) {
            // On disk the entry stays `pending`: fetched again next time.
            return new result($item->userid, result::FAILED, $folder, $e->errorcode,
                'the manifest could not be written: ' . $e->getMessage());
        }
        return isset($failed) ? result::failed($item->userid, $folder, $failed)
            : new result($item->userid, result::COLLECTED, $folder);
    }

    /**
     * What is already at the destination, as {@see plan} takes it. Every folder the manifest
     * records is looked up (one listing per parent folder), so a deleted one is seen.
     *
     * @param array<int,item> $items the items
     * @param manifest|null $manifest the manifest so far
     * @param string[] $top the names at the top of the destination
     * @param options $o the options
     * @return string[] relative to the destination
     */
    private function taken(array $items, ?manifest $manifest, array $top, options $o): array {
        $wanted = [];
        foreach ($items as $userid => $item) {
            $entry = $manifest !== null ? $manifest->find($userid) : null;
            if ($item->zippath === null || ($entry !== null && $entry['state'] === manifest::PENDING)) {
                continue;
            }
            if ($entry !== null) {
                $wanted[] = $entry['folder'];
            } else if ($o->layout === options::LAYOUT_NBGRADER && folder_namer::is_safe($item->studentid)) {
                $wanted[] = "submitted/{$item->studentid}/{$o->nbassignment}";
            }
        }
        $listed = ['.' => array_fill_keys($top, true)];
        $taken = $o->layout === options::LAYOUT_FOLDERS ? $top : [];
        foreach ($wanted as $folder) {
            if ($this->exists($folder, $listed, $o)) {
                $taken[] = $folder;
            }
        }
        return array_values(array_unique($taken));
    }

    /**
     * Whether a folder under the destination is there, listing each parent once (and none below
     * a parent that is not there).
     *
     * @param string $folder relative to the destination
     * @param array<string,array<string,bool>> $listed parent ('.' for the top) => its names, filled in
     * @param options $o the options
     * @return bool true when a name is there
     */
    private function exists(string $folder, array &$listed, options $o): bool {
        $parent = dirname($folder);
        if (!isset($listed[$parent])) {
            $listed[$parent] = $this->exists($parent, $listed, $o)
                ? array_fill_keys($this->names($o->path($parent)), true) : [];
        }
        return isset($listed[$parent][basename($folder)]);
    }

    /**
     * Refuses a destination that holds a collect of the other layout: their folders would mix
     * (a student's folder next to nbgrader's `submitted/`), and the manifests are different files
     * so neither would refuse the other.
     *
     * @param array[] $top the entries at the top of the destination
     * @param options $o the options
     * @throws collect_exception `other_assignment`
     */
    private static function check_alone(array $top, options $o): void {
        foreach ($top as $entry) {
            if ($entry['kind'] !== 'file') {
                continue;
            }
            if ($o->layout === options::LAYOUT_NBGRADER && $entry['name'] === manifest::FILENAME) {
                throw new collect_exception('other_assignment', 'the destination holds a collect in the folders '
                    . 'layout (' . manifest::FILENAME . '); choose another folder for the nbgrader layout');
            }
            if ($o->layout === options::LAYOUT_FOLDERS && manifest::is_nbgrader_filename($entry['name'])) {
                throw new collect_exception('other_assignment', 'the destination is an nbgrader course folder (it holds '
                    . $entry['name'] . '); choose another folder for the folders layout');
            }
        }
    }

    /**
     * Whether a zip holds a top-level `feedback/` folder, read from its central directory only
     * (names, no content). Names are taken as the file server takes them (backslashes as `/`,
     * `.` and `..` resolved); a zip that cannot be opened says no (the file server refuses it).
     *
     * @param string $zippath the zip
     * @return bool true when something would land in `feedback/`
     */
    public static function has_own_feedback_folder(string $zippath): bool {
        $zip = new \ZipArchive();
        if ($zip->open($zippath, \ZipArchive::RDONLY) !== true) {
            return false;
        }
        try {
            for ($i = 0; $i < $zip->numFiles; $i++) {
                $name = $zip->getNameIndex($i);
                if ($name === false) {
                    continue;
                }
                $name = str_replace('\\', '/', $name);
                $segments = [];
                foreach (explode('/', $name) as $segment) {
                    if ($segment === '..') {
                        array_pop($segments);
                    } else if ($segment !== '' && $segment !== '.') {
                        $segments[] = $segment;
                    }
                }
                // `feedback` itself is a folder when something is inside or the name ends in `/`.
                if (($segments[0] ?? '') === returner::FEEDBACK_FOLDER
                        && (count($segments) > 1 || substr($name, -1) === '/')) {
                    return true;
                }
            }
            return false;
        } finally {
            $zip->close();
        }
    }

    /**
     * The names in a folder, all pages; none when it does not exist.
     *
     * @param string $path the folder
     * @return string[] the names
     */
    private function names(string $path): array {
        return array_column($this->entries_of($path), 'name');
    }

    /**
     * The entries of a folder, all pages; none when it does not exist.
     *
     * @param string $path the folder
     * @return array[] each `name`, `kind`
     */
    private function entries_of(string $path): array {
        $entries = [];
        $cursor = '';
        try {
            do {
                $page = $this->client->list_entries($this->home, $path, $cursor, self::PAGE);
                foreach ($page['entries'] as $entry) {
                    $entries[] = ['name' => (string) $entry['name'], 'kind' => (string) $entry['kind']];
                }
                $cursor = $page['next_cursor'];
            } while ($cursor !== '');
        } catch (fileserver_exception $e) {
            if ($e->errorcode !== 'not_found') {
                throw $e;
            }
        }
        return $entries;
    }

    /**
     * The items keyed by user, in userid order, checked to be one per student.
     *
     * @param array $items the items
     * @return array<int,item> userid => item
     */
    private static function by_user(array $items): array {
        $by = [];
        foreach ($items as $item) {
            if (!$item instanceof item) {
                throw new collect_exception('bad_items', 'every item must be a collect item');
            }
            if (isset($by[$item->userid])) {
                throw new collect_exception('bad_items', "user {$item->userid} has more than one item");
            }
            $by[$item->userid] = $item;
        }
        ksort($by);
        return $by;
    }

    /**
     * One plan row.
     *
     * @param string $action a PLAN_ constant
     * @param string $folder the folder relative to the destination
     * @param string|null $onconflict `fail` or `replace` when fetched
     * @param string $errorcode for PLAN_FAILED
     * @param string $message for PLAN_FAILED
     * @return array the row
     */
    private static function row(string $action, string $folder, ?string $onconflict = null, string $errorcode = '',
            string $message = ''): array {
        return ['action' => $action, 'folder' => $folder, 'onconflict' => $onconflict, 'errorcode' => $errorcode,
            'message' => $message];
    }

    /**
     * Whether a planned action fetches the zip.
     *
     * @param string $action a PLAN_ constant
     * @return bool true for new, pending and changed
     */
    private static function fetches(string $action): bool {
        return in_array($action, [self::PLAN_NEW, self::PLAN_PENDING, self::PLAN_CHANGED], true);
    }

    /**
     * The current time.
     *
     * @return int Unix seconds
     */
    private function now(): int {
        return $this->clock !== null ? (int) ($this->clock)() : time();
    }
}
