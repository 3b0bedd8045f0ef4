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
 * Returns feedback: for each student of a collect's manifest, finds the feedback folder (the
 * `feedback/` subfolder of their folder, or nbgrader's `feedback/<student id>/<assignment>/`),
 * has the file server zip it into a temporary file and hands that to the caller to store.
 * Students are found through the manifest only, never by reading folder names. A student
 * whose own zip held a top-level `feedback/` folder (the manifest marks it) is refused in the
 * folders layout: that folder would hold the student's files next to the teacher's.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class returner {
    /** The feedback subfolder of a student's folder in the folders layout. */
    public const FEEDBACK_FOLDER = 'feedback';
    /** The name the zip is handed over with. */
    public const ZIP_NAME = 'feedback.zip';

    /** @var client the file server */
    private client $client;

    /** @var string the teacher's home */
    private string $home;

    /** @var string where the zips are written for a moment */
    private string $tempdir;

    /**
     * Makes a returner.
     *
     * @param client $client the file server
     * @param string $home the teacher's home, computed by the server side
     * @param string $tempdir a local folder for the zips ('' for the system's)
     */
    public function __construct(client $client, string $home, string $tempdir = '') {
        $this->client = $client;
        $this->home = $home;
        $this->tempdir = $tempdir !== '' ? $tempdir : sys_get_temp_dir();
    }

    /**
     * The feedback folder of an entry, relative to the destination.
     *
     * @param array $entry a manifest entry
     * @param string $layout `folders` or `nbgrader`
     * @return string the folder
     * @throws collect_exception when an nbgrader entry is not where the layout puts submissions
     */
    public static function feedback_folder(array $entry, string $layout): string {
        if ($layout === options::LAYOUT_NBGRADER) {
            return nbgrader_layout::feedback_of($entry['folder']);
        }
        return $entry['folder'] . '/' . self::FEEDBACK_FOLDER;
    }

    /**
     * Returns the feedback.
     *
     * @param array[] $entries manifest entries ({@see manifest::entries()}), of the students to return to
     * @param options $o the destination, layout and size limit
     * @param callable $store `(int $userid, string $zipfile, string $zipname)`: keeps the zip
     *     (the file is removed afterwards); an exception it throws fails that student only
     * @param callable $progress `(int $done, int $total, string $message)`, at the start and
     *     after each student; the message is the student's folder
     * @return result[] one per entry: returned, no_feedback or failed
     */
    public function run(array $entries, options $o, callable $store, callable $progress): array {
        $total = count($entries);
        $progress(0, $total, '');
        $results = [];
        $done = 0;
        foreach ($entries as $entry) {
            $results[] = $this->one($entry, $o, $store);
            $progress(++$done, $total, (string) ($entry['folder'] ?? ''));
        }
        return $results;
    }

    /**
     * Returns one student's feedback.
     *
     * @param array $entry the manifest entry
     * @param options $o the options
     * @param callable $store keeps the zip
     * @return result the result
     */
    private function one(array $entry, options $o, callable $store): result {
        $userid = (int) ($entry['userid'] ?? 0);
        $folder = (string) ($entry['folder'] ?? '');
        if ($userid <= 0 || $folder === '') {
            return new result($userid, result::FAILED, $folder, 'bad_manifest', 'the entry names no student or folder');
        }
        if (($entry['state'] ?? '') !== manifest::COLLECTED) {
            return new result($userid, result::FAILED, $folder, 'not_collected',
                'the collect of this submission did not finish; collect again first');
        }
        // What is in `feedback/` may be the student's own files, not the teacher's: never sent back.
        if ($o->layout === options::LAYOUT_FOLDERS && !empty($entry[manifest::OWN_FEEDBACK])) {
            return new result($userid, result::FAILED, $folder, 'own_feedback_folder',
                'the student\'s submission has its own top-level feedback folder, so what is in ' . $folder
                . '/feedback cannot be told apart from your feedback and is not returned; move the student\'s folder '
                . 'aside and give this student feedback another way (or ask for a submission without a feedback folder)');
        }
        // Results name the folder the feedback was read from, the one the teacher wrote into.
        $shown = self::feedback_folder($entry, $o->layout);
        $zip = null;
        try {
            $feedback = $o->path($shown);
            try {
                $page = $this->client->list_entries($this->home, $feedback, '', 1);
            } catch (fileserver_exception $e) {
                if ($e->errorcode === 'not_found' || $e->errorcode === 'not_a_folder') {
                    return new result($userid, result::NO_FEEDBACK, $shown);
                }
                throw $e;
            }
            if ($page['total'] === 0) {
                return new result($userid, result::NO_FEEDBACK, $shown);
            }
            $zip = tempnam($this->tempdir, 'lablink-feedback-');
            if ($zip === false) {
                throw new fileserver_exception('sink_failed', 'no temporary file can be made for the zip');
            }
            $this->client->archive_to_file($this->home, $feedback, $zip, $o->maxbytes);
            $store($userid, $zip, self::ZIP_NAME);
            return new result($userid, result::RETURNED, $shown);
        } catch (\Exception $e) {
            return result::failed($userid, $shown, $e);
        } finally {
            if ($zip !== null && $zip !== false) {
                @unlink($zip);
            }
        }
    }
}
