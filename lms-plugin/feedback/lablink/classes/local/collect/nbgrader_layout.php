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

/**
 * Where nbgrader looks, under its course folder: a student's submission at
 * `submitted/<student id>/<assignment>/` with a `timestamp.txt`, the feedback nbgrader
 * generates at `feedback/<student id>/<assignment>/`. Student ids are used as they are or
 * refused: nbgrader must see the real id, so an unsafe one is never altered into another.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class nbgrader_layout {
    /** The file nbgrader reads the submission time from. */
    public const TIMESTAMP_FILE = 'timestamp.txt';

    /**
     * The folder of a student's submission, relative to the course folder.
     *
     * @param string $studentid the nbgrader student id
     * @param string $assignment the nbgrader assignment name
     * @return string `submitted/<studentid>/<assignment>`
     * @throws collect_exception `bad_student_id` when the id is not a safe folder name
     */
    public static function submission_folder(string $studentid, string $assignment): string {
        return 'submitted/' . self::checked($studentid) . '/' . self::checked_assignment($assignment);
    }

    /**
     * The folder of a student's feedback, relative to the course folder.
     *
     * @param string $studentid the nbgrader student id
     * @param string $assignment the nbgrader assignment name
     * @return string `feedback/<studentid>/<assignment>`
     */
    public static function feedback_folder(string $studentid, string $assignment): string {
        return 'feedback/' . self::checked($studentid) . '/' . self::checked_assignment($assignment);
    }

    /**
     * The feedback folder that goes with a submission folder the manifest records (the same
     * student and assignment, which the collect wrote into that path).
     *
     * @param string $folder `submitted/<studentid>/<assignment>`
     * @return string `feedback/<studentid>/<assignment>`
     * @throws collect_exception `bad_manifest` for any other shape
     */
    public static function feedback_of(string $folder): string {
        $parts = explode('/', $folder);
        if (count($parts) !== 3 || $parts[0] !== 'submitted') {
            throw new collect_exception('bad_manifest', 'an nbgrader entry is not under submitted/<student>/<assignment>');
        }
        return self::feedback_folder($parts[1], $parts[2]);
    }

    /**
     * The text of `timestamp.txt`: the submission time in UTC, in the form nbgrader writes and
     * parses (`2026-10-01 11:00:00.000000 UTC`).
     *
     * @param int $time Unix seconds
     * @return string the text
     */
    public static function timestamp(int $time): string {
        return gmdate('Y-m-d H:i:s', $time) . '.000000 UTC';
    }

    /**
     * A student id, refused when unsafe.
     *
     * @param string $studentid the id
     * @return string the same id
     */
    private static function checked(string $studentid): string {
        if (!folder_namer::is_safe($studentid)) {
            throw new collect_exception('bad_student_id',
                'the student id cannot be a folder name as it is (empty, a slash, a control character, '
                . 'a leading dot or space, or over 255 bytes); nbgrader needs it unaltered');
        }
        return $studentid;
    }

    /**
     * The assignment name, refused when unsafe.
     *
     * @param string $assignment the name
     * @return string the same name
     */
    private static function checked_assignment(string $assignment): string {
        if (!folder_namer::is_safe($assignment)) {
            throw new collect_exception('bad_option', 'the nbgrader assignment name is not a safe folder name');
        }
        return $assignment;
    }
}
