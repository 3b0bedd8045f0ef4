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
use assignsubmission_lablink\local\fileserver\workspace_path;

/**
 * `lablink-manifest.json` at the top of a collect: which folder holds whose submission.
 * Return feedback finds each student's work through it, never by reading folder names.
 *
 * In the nbgrader layout the destination is a course folder that holds many nbgrader
 * assignments (ps1, ps2 …), each collected from its own Moodle assignment: there the manifest
 * is one per nbgrader assignment, `lablink-manifest-<assignment>.json`, so the collects of ps1
 * and ps2 never see (or refuse) each other's.
 *
 * An entry is `pending` from just before its zip is sent until the extract (and, in the
 * nbgrader layout, its `timestamp.txt`) is done, then `collected`; the file is only ever
 * replaced whole (the file server's `PUT file`), so after a kill it never claims a folder that
 * is not there, and the next run replaces what a `pending` entry names.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class manifest {
    /** The file's name at the destination (the folders layout). */
    public const FILENAME = 'lablink-manifest.json';
    /** The nbgrader layout's names: `lablink-manifest-<nbgrader assignment>.json`. */
    public const NBGRADER_PREFIX = 'lablink-manifest-';
    /** The end of the nbgrader layout's names. */
    public const NBGRADER_SUFFIX = '.json';
    /** The `format` it carries. */
    public const FORMAT = 'lablink-manifest';
    /** The version written and read. */
    public const VERSION = 1;
    /** Largest manifest read (a few hundred bytes a student). */
    public const MAX_BYTES = 16 << 20;
    /** An entry whose extract has not (yet) completed. */
    public const PENDING = 'pending';
    /** An entry whose folder holds the submission it records. */
    public const COLLECTED = 'collected';
    /** The entry's mark: the student's zip held a top-level `feedback/` (never returned as feedback). */
    public const OWN_FEEDBACK = 'has_own_feedback_folder';

    /** @var array{id: int, cmid: int, courseid: int, name: string} the assignment */
    private array $assignment;

    /** @var string the layout, `folders` or `nbgrader` */
    private string $layout;

    /** @var string the nbgrader assignment name, '' in the folders layout */
    private string $nbassignment;

    /** @var int when last written, Unix seconds */
    private int $updated;

    /** @var array<int,array> userid => entry */
    private array $entries = [];

    /**
     * A manifest without entries.
     *
     * @param array{id: int, cmid: int, courseid: int, name: string} $assignment the assignment
     * @param string $layout `folders` or `nbgrader`
     * @param string $nbassignment the nbgrader assignment name, '' in the folders layout
     */
    private function __construct(array $assignment, string $layout, string $nbassignment) {
        $this->assignment = $assignment;
        $this->layout = $layout;
        $this->nbassignment = $nbassignment;
        $this->updated = 0;
    }

    /**
     * An empty manifest for a collect.
     *
     * @param options $options the collect's options
     * @return manifest the manifest
     */
    public static function for_options(options $options): manifest {
        return new manifest(['id' => $options->assignmentid, 'cmid' => $options->cmid,
            'courseid' => $options->courseid, 'name' => $options->name], $options->layout, $options->nbassignment);
    }

    /**
     * The manifest's file name at the destination of a collect.
     *
     * @param options $options the options (layout and nbgrader assignment)
     * @return string `lablink-manifest.json`, or `lablink-manifest-<assignment>.json` for nbgrader
     */
    public static function filename(options $options): string {
        if ($options->layout === options::LAYOUT_NBGRADER) {
            return self::NBGRADER_PREFIX . $options->nbassignment . self::NBGRADER_SUFFIX;
        }
        return self::FILENAME;
    }

    /**
     * Whether a name at a destination is the manifest of an nbgrader-layout collect.
     *
     * @param string $name a name at the top of a destination
     * @return bool true for `lablink-manifest-<something>.json`
     */
    public static function is_nbgrader_filename(string $name): bool {
        return strlen($name) > strlen(self::NBGRADER_PREFIX . self::NBGRADER_SUFFIX)
            && strpos($name, self::NBGRADER_PREFIX) === 0
            && substr($name, -strlen(self::NBGRADER_SUFFIX)) === self::NBGRADER_SUFFIX;
    }

    /**
     * Reads a manifest.
     *
     * @param string $json the file's text
     * @param string $filename the file's name, for the messages
     * @return manifest the manifest
     * @throws collect_exception `bad_manifest`, saying what is wrong
     */
    public static function parse(string $json, string $filename = self::FILENAME): manifest {
        try {
            $data = json_decode($json, true, 16, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw self::bad($filename, 'it is not JSON (' . $e->getMessage() . ')');
        }
        if (!is_array($data) || ($data['format'] ?? null) !== self::FORMAT) {
            throw self::bad($filename, 'it is not a lablink manifest');
        }
        if (($data['version'] ?? null) !== self::VERSION) {
            throw self::bad($filename, 'its version is not ' . self::VERSION);
        }
        $a = $data['assignment'] ?? null;
        if (!is_array($a) || !is_int($a['id'] ?? null) || $a['id'] <= 0 || !is_int($a['cmid'] ?? null)
                || !is_int($a['courseid'] ?? null) || !is_string($a['name'] ?? null)) {
            throw self::bad($filename, 'its assignment lacks a valid id, cmid, courseid or name');
        }
        $layout = $data['layout'] ?? null;
        if (!in_array($layout, [options::LAYOUT_FOLDERS, options::LAYOUT_NBGRADER], true)) {
            throw self::bad($filename, 'its layout is neither folders nor nbgrader');
        }
        $nbassignment = $data['nbgrader_assignment'] ?? '';
        if (!is_string($nbassignment) || ($layout === options::LAYOUT_NBGRADER && !folder_namer::is_safe($nbassignment))) {
            throw self::bad($filename, 'its nbgrader assignment is not a safe name');
        }
        $updated = is_string($data['updated'] ?? null) ? strtotime($data['updated']) : false;
        if (!is_array($data['entries'] ?? null) || !array_is_list($data['entries'])) {
            throw self::bad($filename, 'its entries are not a list');
        }
        $m = new manifest(['id' => $a['id'], 'cmid' => $a['cmid'], 'courseid' => $a['courseid'], 'name' => $a['name']],
            $layout, $layout === options::LAYOUT_NBGRADER ? $nbassignment : '');
        $m->updated = $updated === false ? 0 : $updated;
        $folders = [];
        foreach ($data['entries'] as $i => $e) {
            $entry = self::entry($e, $i, $filename);
            if (isset($m->entries[$entry['userid']])) {
                throw self::bad($filename, "entry $i repeats user {$entry['userid']}");
            }
            $key = mb_strtolower($entry['folder'], 'UTF-8');
            if (isset($folders[$key])) {
                throw self::bad($filename, "entry $i repeats a folder");
            }
            $folders[$key] = true;
            $m->entries[$entry['userid']] = $entry;
        }
        return $m;
    }

    /**
     * One entry as read, checked.
     *
     * @param mixed $e the decoded entry
     * @param int $i its index (for the message)
     * @param string $filename the file's name (for the message)
     * @return array the entry
     */
    private static function entry($e, int $i, string $filename): array {
        if (!is_array($e)) {
            throw self::bad($filename, "entry $i is not an object");
        }
        foreach (['userid', 'submissionid', 'attempt', 'timesubmitted'] as $field) {
            // JSON integers only: not `1.0`, not `"1"`.
            if (!is_int($e[$field] ?? null)) {
                throw self::bad($filename, "entry $i has no whole number $field");
            }
        }
        if ($e['userid'] <= 0) {
            throw self::bad($filename, "entry $i has no valid userid");
        }
        $folder = $e['folder'] ?? null;
        if (!is_string($folder) || !self::is_relative_folder($folder)) {
            throw self::bad($filename, "entry $i has no valid folder under the destination");
        }
        if (!is_string($e['contenthash'] ?? null) || !is_string($e['sha256'] ?? null)
                || ($e['sha256'] !== '' && preg_match('/^[0-9a-f]{64}$/', $e['sha256']) !== 1)) {
            throw self::bad($filename, "entry $i has no valid contenthash or sha256");
        }
        $state = $e['state'] ?? null;
        if ($state !== self::PENDING && $state !== self::COLLECTED) {
            throw self::bad($filename, "entry $i is neither pending nor collected");
        }
        $own = $e[self::OWN_FEEDBACK] ?? false;
        if (!is_bool($own)) {
            throw self::bad($filename, "entry $i has a " . self::OWN_FEEDBACK . ' that is not true or false');
        }
        return self::with_own_feedback(['folder' => $folder, 'userid' => $e['userid'],
            'submissionid' => $e['submissionid'], 'attempt' => $e['attempt'], 'timesubmitted' => $e['timesubmitted'],
            'contenthash' => $e['contenthash'], 'sha256' => $e['sha256'], 'state' => $state], $own);
    }

    /**
     * An entry with the mark of a submission that holds its own `feedback/` folder: only when
     * true, so the manifests of other submissions read as they always did.
     *
     * @param array $entry the entry
     * @param bool $own whether the submission holds a top-level `feedback/` folder
     * @return array the entry
     */
    private static function with_own_feedback(array $entry, bool $own): array {
        if ($own) {
            $entry[self::OWN_FEEDBACK] = true;
        }
        return $entry;
    }

    /**
     * Whether a folder of an entry stays under the destination: relative, normal (no `.`, `..`
     * or empty names), each name safe.
     *
     * @param string $folder the folder
     * @return bool true when it does
     */
    private static function is_relative_folder(string $folder): bool {
        if ($folder === '' || $folder[0] === '/') {
            return false;
        }
        foreach (explode('/', $folder) as $name) {
            if (!folder_namer::is_safe($name)) {
                return false;
            }
        }
        try {
            return workspace_path::relative($folder) === $folder;
        } catch (fileserver_exception $e) {
            return false;
        }
    }

    /**
     * The text of the manifest (entries in userid order).
     *
     * @return string JSON
     */
    public function serialise(): string {
        $entries = [];
        ksort($this->entries);
        foreach ($this->entries as $e) {
            $entries[] = self::with_own_feedback(['folder' => $e['folder'], 'userid' => $e['userid'],
                'submissionid' => $e['submissionid'], 'attempt' => $e['attempt'], 'timesubmitted' => $e['timesubmitted'],
                'submitted' => self::iso($e['timesubmitted']), 'contenthash' => $e['contenthash'],
                'sha256' => $e['sha256'], 'state' => $e['state']], !empty($e[self::OWN_FEEDBACK]));
        }
        return json_encode(['format' => self::FORMAT, 'version' => self::VERSION, 'assignment' => $this->assignment,
            'layout' => $this->layout, 'nbgrader_assignment' => $this->nbassignment,
            'updated' => self::iso($this->updated), 'entries' => $entries],
            JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR) . "\n";
    }

    /**
     * Refuses to go on with a manifest made for another assignment or layout.
     *
     * @param options $options the options of this run
     * @throws collect_exception `other_assignment`
     */
    public function check_matches(options $options): void {
        if ($this->assignment['id'] !== $options->assignmentid) {
            // In a course folder: another Moodle assignment already fills this nbgrader assignment.
            $what = $this->layout === options::LAYOUT_NBGRADER
                ? 'nbgrader assignment "' . $this->nbassignment . '" in this folder is already collected from another '
                    . 'assignment ("' . $this->assignment['name'] . '"); choose another nbgrader assignment name or folder'
                : 'the destination already holds the collect of another assignment ("' . $this->assignment['name']
                    . '"); choose another folder';
            throw new collect_exception('other_assignment', $what);
        }
        if ($this->layout !== $options->layout || $this->nbassignment !== $options->nbassignment) {
            throw new collect_exception('other_assignment',
                'the destination was collected with another layout or nbgrader assignment name; choose another folder');
        }
    }

    /**
     * The entry of a student.
     *
     * @param int $userid Moodle user id
     * @return array|null the entry (`folder`, `userid`, `submissionid`, `attempt`, `timesubmitted`,
     *     `contenthash`, `sha256`, `state`, and `has_own_feedback_folder` => true when the student's
     *     zip held a top-level `feedback/` folder), null when the student is not in the manifest
     */
    public function find(int $userid): ?array {
        return $this->entries[$userid] ?? null;
    }

    /**
     * Sets a student's entry.
     *
     * @param item $item the submission
     * @param string $folder its folder, relative to the destination
     * @param string $state `pending` or `collected`
     * @param string $sha256 the zip's SHA-256 as the file server received it
     * @param bool $ownfeedback the zip holds a top-level `feedback/` folder (folders layout)
     */
    public function set(item $item, string $folder, string $state, string $sha256 = '', bool $ownfeedback = false): void {
        $this->entries[$item->userid] = self::with_own_feedback(['folder' => $folder, 'userid' => $item->userid,
            'submissionid' => $item->submissionid, 'attempt' => $item->attempt, 'timesubmitted' => $item->timesubmitted,
            'contenthash' => $item->contenthash, 'sha256' => $sha256, 'state' => $state], $ownfeedback);
    }

    /**
     * Drops a student's entry.
     *
     * @param int $userid Moodle user id
     */
    public function remove(int $userid): void {
        unset($this->entries[$userid]);
    }

    /**
     * All entries, in userid order.
     *
     * @return array[] the entries
     */
    public function entries(): array {
        ksort($this->entries);
        return array_values($this->entries);
    }

    /**
     * The layout it was collected in.
     *
     * @return string `folders` or `nbgrader`
     */
    public function layout(): string {
        return $this->layout;
    }

    /**
     * The nbgrader assignment it was collected for.
     *
     * @return string the name, '' in the folders layout
     */
    public function nbassignment(): string {
        return $this->nbassignment;
    }

    /**
     * When it was last written.
     *
     * @return int Unix seconds, 0 when never
     */
    public function updated(): int {
        return $this->updated;
    }

    /**
     * Reads the manifest of a destination.
     *
     * @param client $client the file server
     * @param string $home the teacher's home
     * @param options $options where
     * @return manifest|null the manifest, null when there is none yet
     * @throws collect_exception when it cannot be read as a manifest
     * @throws fileserver_exception when the file server refuses
     */
    public static function load(client $client, string $home, options $options): ?manifest {
        $filename = self::filename($options);
        try {
            $text = $client->get_file($home, $options->path($filename), self::MAX_BYTES);
        } catch (fileserver_exception $e) {
            if ($e->errorcode === 'not_found') {
                return null;
            }
            throw $e;
        }
        return self::parse($text, $filename);
    }

    /**
     * Writes the manifest whole at the destination.
     *
     * @param client $client the file server
     * @param string $home the teacher's home
     * @param options $options where
     * @param int $now the time it is written, Unix seconds
     * @throws fileserver_exception when the file server refuses
     */
    public function save(client $client, string $home, options $options, int $now): void {
        $this->updated = $now;
        $client->put_file($home, $options->path(self::filename($options)), $this->serialise());
    }

    /**
     * ISO 8601 in UTC.
     *
     * @param int $time Unix seconds
     * @return string `YYYY-MM-DDTHH:MM:SSZ`
     */
    public static function iso(int $time): string {
        return gmdate('Y-m-d\TH:i:s\Z', $time);
    }

    /**
     * The refusal of a manifest.
     *
     * @param string $filename the manifest's file name
     * @param string $why what is wrong
     * @return collect_exception the exception
     */
    private static function bad(string $filename, string $why): collect_exception {
        return new collect_exception('bad_manifest', $filename . ' cannot be used: ' . $why
            . '; it was left as it is');
    }
}
