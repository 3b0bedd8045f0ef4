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
 * One student's submission to collect, as the Moodle side found it.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class item {
    /** @var int Moodle user id */
    public int $userid;

    /** @var int submission id (0 when there is none) */
    public int $submissionid;

    /** @var int attempt number */
    public int $attempt;

    /** @var int submission time, Unix seconds */
    public int $timesubmitted;

    /** @var string|null a readable local path of the stored zip; null for "no submission" */
    public ?string $zippath;

    /** @var string Moodle's SHA-1 of the zip: what "changed since the last collect" compares */
    public string $contenthash;

    /** @var string the student's full name (folder names) */
    public string $fullname;

    /** @var string the student's id from the site's username source (the nbgrader student id) */
    public string $studentid;

    /**
     * Makes an item.
     *
     * @param int $userid Moodle user id
     * @param int $submissionid submission id
     * @param int $attempt attempt number
     * @param int $timesubmitted submission time, Unix seconds
     * @param string|null $zippath the stored zip, null when nothing was submitted
     * @param string $contenthash Moodle's SHA-1 of the zip
     * @param string $fullname the student's full name
     * @param string $studentid the student's id
     */
    public function __construct(int $userid, int $submissionid, int $attempt, int $timesubmitted, ?string $zippath,
            string $contenthash, string $fullname, string $studentid) {
        $this->userid = $userid;
        $this->submissionid = $submissionid;
        $this->attempt = $attempt;
        $this->timesubmitted = $timesubmitted;
        $this->zippath = $zippath;
        $this->contenthash = $contenthash;
        $this->fullname = $fullname;
        $this->studentid = $studentid;
    }
}
