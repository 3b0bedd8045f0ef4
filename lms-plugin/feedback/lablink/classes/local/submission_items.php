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

namespace assignfeedback_lablink\local;

use assignfeedback_lablink\local\collect\item;
use assignsubmission_lablink\local\workspace;

/**
 * What a collect takes from an assignment: one engine item per participant, with the stored zip
 * of the attempt wanted (the latest submitted one unless the teacher picked an attempt), or no
 * zip when there is nothing to collect.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class submission_items {

    /** The attempt choice meaning "each student's latest submitted attempt". */
    public const LATEST = -1;

    /**
     * The items of a collect.
     *
     * @param \assign $assign
     * @param int[] $userids only these participants (others are ignored), [] for all of them
     * @param int $attempt LATEST, or an attempt number counted from 0 as mod_assign stores it
     * @return item[] in userid order
     */
    public static function for_collect(\assign $assign, array $userids, int $attempt): array {
        $participants = $assign->list_participants(0, false);
        if ($userids) {
            $participants = array_intersect_key($participants, array_flip(array_map('intval', $userids)));
        }
        ksort($participants);
        $items = [];
        foreach ($participants as $user) {
            $items[] = self::item_for($assign, $user, $attempt);
        }
        return $items;
    }

    /**
     * The participants' user ids among some ids (the browser's selection is checked here).
     *
     * @param \assign $assign
     * @param int[] $userids
     * @return int[]
     */
    public static function participants_among(\assign $assign, array $userids): array {
        $participants = $assign->list_participants(0, true);
        return array_values(array_intersect(array_map('intval', $userids), array_map('intval', array_keys($participants))));
    }

    /**
     * The attempts a teacher can choose from: every attempt number used in the assignment.
     *
     * @param \assign $assign
     * @return int[] attempt numbers counted from 0, ascending
     */
    public static function attempt_numbers(\assign $assign): array {
        global $DB;
        $numbers = $DB->get_fieldset_sql('SELECT DISTINCT attemptnumber FROM {assign_submission}
            WHERE assignment = ? ORDER BY attemptnumber', [$assign->get_instance()->id]);
        return array_map('intval', $numbers);
    }

    /**
     * One participant's item.
     *
     * @param \assign $assign
     * @param \stdClass $user a user record
     * @param int $attempt LATEST or an attempt number
     * @return item
     */
    public static function item_for(\assign $assign, \stdClass $user, int $attempt): item {
        $fullname = $assign->fullname($user);
        // The nbgrader student id is the one JupyterHub knows the student by.
        $studentid = workspace::hub_id($user);
        $submission = self::submission_for($assign, (int)$user->id, $attempt);
        $file = $submission ? self::zip_of($assign, (int)$submission->id) : null;
        if (!$submission || !$file) {
            return new item((int)$user->id, $submission ? (int)$submission->id : 0,
                $submission ? (int)$submission->attemptnumber : 0, 0, null, '', $fullname, $studentid);
        }
        // The engine streams the zip from the file system's own copy: no temporary copy of each one.
        $path = get_file_storage()->get_file_system()->get_local_path_from_storedfile($file, true);
        return new item((int)$user->id, (int)$submission->id, (int)$submission->attemptnumber,
            (int)$submission->timemodified, $path, $file->get_contenthash(), $fullname, $studentid);
    }

    /**
     * The submitted attempt to collect for a user (with team submissions, their group's).
     *
     * @param \assign $assign
     * @param int $userid
     * @param int $attempt LATEST or an attempt number
     * @return \stdClass|null the assign_submission row
     */
    public static function submission_for(\assign $assign, int $userid, int $attempt): ?\stdClass {
        global $DB;
        $params = ['assignment' => $assign->get_instance()->id, 'status' => ASSIGN_SUBMISSION_STATUS_SUBMITTED];
        if ($assign->get_instance()->teamsubmission) {
            $group = $assign->get_submission_group($userid);
            $params['groupid'] = $group ? (int)$group->id : 0;
            $params['userid'] = 0;
        } else {
            $params['groupid'] = 0;
            $params['userid'] = $userid;
        }
        if ($attempt !== self::LATEST) {
            $params['attemptnumber'] = $attempt;
        }
        // A reopened attempt not yet submitted does not hide the last submitted one.
        $rows = $DB->get_records('assign_submission', $params, 'attemptnumber DESC', '*', 0, 1);
        return $rows ? reset($rows) : null;
    }

    /**
     * The zip the submission plugin stored for a submission.
     *
     * @param \assign $assign
     * @param int $submissionid
     * @return \stored_file|null
     */
    public static function zip_of(\assign $assign, int $submissionid): ?\stored_file {
        $files = get_file_storage()->get_area_files($assign->get_context()->id, 'assignsubmission_lablink',
            'submissions', $submissionid, 'id', false);
        return $files ? reset($files) : null;
    }
}
