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

namespace assignfeedback_lablink\privacy;

defined('MOODLE_INTERNAL') || die();

require_once($CFG->dirroot . '/mod/assign/locallib.php');

use core_privacy\local\metadata\collection;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\contextlist;
use core_privacy\local\request\transform;
use core_privacy\local\request\userlist;
use core_privacy\local\request\writer;
use mod_assign\privacy\assign_plugin_request_data;
use mod_assign\privacy\useridlist;

/**
 * Privacy provider: the returned feedback of each grade (its row and zip, through mod_assign),
 * the runs a teacher started (directly: they are the teacher's, not tied to a grade), and what
 * goes to the external file server.
 *
 * A student's data deleted from an assignment is also taken out of the results and selections of
 * its runs, which list students by user id.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class provider implements
        \core_privacy\local\metadata\provider,
        \core_privacy\local\request\plugin\provider,
        \core_privacy\local\request\core_userlist_provider,
        \mod_assign\privacy\assignfeedback_provider,
        \mod_assign\privacy\assignfeedback_user_provider {

    /** The feedback zips' file area. */
    private const FILEAREA = 'feedback';

    /** The per-grade table. */
    private const FEEDBACK = 'assignfeedback_lablink';

    /** The runs table. */
    private const RUNS = 'assignfeedback_lablink_run';

    /**
     * What the plugin stores and sends.
     *
     * @param collection $collection
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_database_table(self::FEEDBACK, [
            'assignment' => 'privacy:metadata:feedback:assignment',
            'grade' => 'privacy:metadata:feedback:grade',
            'path' => 'privacy:metadata:feedback:path',
            'bytes' => 'privacy:metadata:feedback:bytes',
            'numfiles' => 'privacy:metadata:feedback:numfiles',
            'filelist' => 'privacy:metadata:feedback:filelist',
            'timereturned' => 'privacy:metadata:feedback:timereturned',
        ], 'privacy:metadata:feedback');
        $collection->add_database_table(self::RUNS, [
            'assignment' => 'privacy:metadata:run:assignment',
            'userid' => 'privacy:metadata:run:userid',
            'root' => 'privacy:metadata:run:root',
            'options' => 'privacy:metadata:run:options',
            'results' => 'privacy:metadata:run:results',
            'timecreated' => 'privacy:metadata:run:timecreated',
        ], 'privacy:metadata:run');
        $collection->link_subsystem('core_files', 'privacy:metadata:filepurpose');
        $collection->add_external_location_link('lablink_fileserver', [
            'home' => 'privacy:metadata:fileserver:home',
            'submission' => 'privacy:metadata:fileserver:submission',
            'foldername' => 'privacy:metadata:fileserver:foldername',
            'userid' => 'privacy:metadata:fileserver:userid',
            'feedback' => 'privacy:metadata:fileserver:feedback',
        ], 'privacy:metadata:fileserver');
        return $collection;
    }

    // The runs: the teacher's own data.

    /**
     * Assignments where the user started a run.
     *
     * @param int $userid
     * @return contextlist
     */
    public static function get_contexts_for_userid(int $userid): contextlist {
        $contextlist = new contextlist();
        $sql = "SELECT ctx.id
                  FROM {" . self::RUNS . "} r
                  JOIN {course_modules} cm ON cm.instance = r.assignment
                  JOIN {modules} m ON m.id = cm.module AND m.name = :modname
                  JOIN {context} ctx ON ctx.instanceid = cm.id AND ctx.contextlevel = :contextlevel
                 WHERE r.userid = :userid";
        $contextlist->add_from_sql($sql, ['modname' => 'assign', 'contextlevel' => CONTEXT_MODULE, 'userid' => $userid]);
        return $contextlist;
    }

    /**
     * Users who started a run in an assignment.
     *
     * @param userlist $userlist
     */
    public static function get_users_in_context(userlist $userlist) {
        $context = $userlist->get_context();
        if ($context->contextlevel != CONTEXT_MODULE) {
            return;
        }
        $sql = "SELECT r.userid
                  FROM {" . self::RUNS . "} r
                  JOIN {course_modules} cm ON cm.instance = r.assignment
                  JOIN {modules} m ON m.id = cm.module AND m.name = :modname
                 WHERE cm.id = :cmid";
        $userlist->add_from_sql('userid', $sql, ['modname' => 'assign', 'cmid' => $context->instanceid]);
    }

    /**
     * Exports the runs the user started.
     *
     * @param approved_contextlist $contextlist
     */
    public static function export_user_data(approved_contextlist $contextlist) {
        global $DB;
        $userid = (int)$contextlist->get_user()->id;
        foreach ($contextlist->get_contexts() as $context) {
            $assignid = self::assignid($context);
            if (!$assignid) {
                continue;
            }
            $runs = $DB->get_records(self::RUNS, ['assignment' => $assignid, 'userid' => $userid], 'id');
            if (!$runs) {
                continue;
            }
            $data = [];
            foreach ($runs as $run) {
                $results = json_decode((string)$run->results, true) ?: [];
                $data[] = [
                    'kind' => $run->kind,
                    'root' => $run->root,
                    'options' => json_decode((string)$run->options, true) ?: [],
                    'status' => $run->status,
                    'results' => array_count_values(array_column($results, 'status')),
                    'timecreated' => transform::datetime($run->timecreated),
                    'timefinished' => $run->timefinished ? transform::datetime($run->timefinished) : '',
                ];
            }
            writer::with_context($context)->export_data([get_string('privacy:runspath', 'assignfeedback_lablink')],
                (object)['runs' => $data]);
        }
    }

    /**
     * Deletes every run of an assignment.
     *
     * @param \context $context
     */
    public static function delete_data_for_all_users_in_context(\context $context) {
        global $DB;
        if ($assignid = self::assignid($context)) {
            $DB->delete_records(self::RUNS, ['assignment' => $assignid]);
        }
    }

    /**
     * Deletes the runs the user started.
     *
     * @param approved_contextlist $contextlist
     */
    public static function delete_data_for_user(approved_contextlist $contextlist) {
        global $DB;
        $userid = (int)$contextlist->get_user()->id;
        foreach ($contextlist->get_contexts() as $context) {
            if ($assignid = self::assignid($context)) {
                $DB->delete_records(self::RUNS, ['assignment' => $assignid, 'userid' => $userid]);
            }
        }
    }

    /**
     * Deletes the runs some users started in an assignment.
     *
     * @param approved_userlist $userlist
     */
    public static function delete_data_for_users(approved_userlist $userlist) {
        global $DB;
        $assignid = self::assignid($userlist->get_context());
        if (!$assignid || !$userlist->get_userids()) {
            return;
        }
        [$sql, $params] = $DB->get_in_or_equal($userlist->get_userids(), SQL_PARAMS_NAMED);
        $DB->delete_records_select(self::RUNS, "assignment = :assignid AND userid $sql", ['assignid' => $assignid] + $params);
    }

    // The returned feedback, per grade, through mod_assign.

    /**
     * Grades are found by mod_assign.
     *
     * @param int $userid
     * @param contextlist $contextlist
     */
    public static function get_context_for_userid_within_feedback(int $userid, contextlist $contextlist) {
        // The feedback rows hang off assign_grades, which mod_assign searches.
    }

    /**
     * Students graded by a teacher: found by mod_assign.
     *
     * @param useridlist $useridlist
     */
    public static function get_student_user_ids(useridlist $useridlist) {
        // Not required: no feedback row exists without its assign_grades row.
    }

    /**
     * Students with feedback: found by mod_assign through their grades.
     *
     * @param userlist $userlist
     */
    public static function get_userids_from_context(userlist $userlist) {
        // Not required: no feedback row exists without its assign_grades row.
    }

    /**
     * Exports a grade's returned feedback: its row and zip.
     *
     * @param assign_plugin_request_data $exportdata
     */
    public static function export_feedback_user_data(assign_plugin_request_data $exportdata) {
        global $DB;
        $grade = $exportdata->get_pluginobject();
        $row = $DB->get_record(self::FEEDBACK, ['grade' => $grade->id]);
        if (!$row) {
            return;
        }
        $path = array_merge($exportdata->get_subcontext(), [get_string('privacy:path', 'assignfeedback_lablink')]);
        $writer = writer::with_context($exportdata->get_context());
        $writer->export_data($path, (object)[
            'path' => $row->path,
            'bytes' => $row->bytes,
            'numfiles' => $row->numfiles,
            'files' => json_decode((string)$row->filelist, true) ?: [],
            'timereturned' => transform::datetime($row->timereturned),
        ]);
        $writer->export_area_files($path, 'assignfeedback_lablink', self::FILEAREA, $grade->id);
    }

    /**
     * Deletes all returned feedback of an assignment.
     *
     * @param assign_plugin_request_data $requestdata
     */
    public static function delete_feedback_for_context(assign_plugin_request_data $requestdata) {
        global $DB;
        get_file_storage()->delete_area_files($requestdata->get_context()->id, 'assignfeedback_lablink', self::FILEAREA);
        $DB->delete_records(self::FEEDBACK, ['assignment' => $requestdata->get_assignid()]);
    }

    /**
     * Deletes one grade's feedback, and the student from the assignment's runs.
     *
     * @param assign_plugin_request_data $requestdata
     */
    public static function delete_feedback_for_grade(assign_plugin_request_data $requestdata) {
        global $DB;
        $grade = $requestdata->get_pluginobject();
        get_file_storage()->delete_area_files($requestdata->get_context()->id, 'assignfeedback_lablink', self::FILEAREA,
            $grade->id);
        $DB->delete_records(self::FEEDBACK, ['assignment' => $requestdata->get_assignid(), 'grade' => $grade->id]);
        self::forget_students((int)$requestdata->get_assignid(), [(int)$grade->userid]);
    }

    /**
     * Deletes the feedback of several grades, and their students from the assignment's runs.
     *
     * @param assign_plugin_request_data $deletedata
     */
    public static function delete_feedback_for_grades(assign_plugin_request_data $deletedata) {
        global $DB;
        $assignid = (int)$deletedata->get_assignid();
        if ($deletedata->get_userids()) {
            self::forget_students($assignid, array_map('intval', $deletedata->get_userids()));
        }
        if (empty($deletedata->get_gradeids())) {
            return;
        }
        [$sql, $params] = $DB->get_in_or_equal($deletedata->get_gradeids(), SQL_PARAMS_NAMED);
        get_file_storage()->delete_area_files_select($deletedata->get_context()->id, 'assignfeedback_lablink',
            self::FILEAREA, $sql, $params);
        $DB->delete_records_select(self::FEEDBACK, "assignment = :assignid AND grade $sql", ['assignid' => $assignid] + $params);
    }

    /**
     * Takes students out of the results and selections of an assignment's runs.
     *
     * @param int $assignid
     * @param int[] $userids
     */
    private static function forget_students(int $assignid, array $userids): void {
        global $DB;
        $rs = $DB->get_recordset(self::RUNS, ['assignment' => $assignid], '', 'id, options, results');
        foreach ($rs as $run) {
            $results = json_decode((string)$run->results, true) ?: [];
            $options = json_decode((string)$run->options, true) ?: [];
            $keptresults = array_values(array_filter($results, fn($r) => !in_array((int)($r['userid'] ?? 0), $userids, true)));
            $selected = array_map('intval', $options['userids'] ?? []);
            $keptselected = array_values(array_diff($selected, $userids));
            if (count($keptresults) === count($results) && count($keptselected) === count($selected)) {
                continue;
            }
            $options['userids'] = $keptselected;
            $DB->update_record(self::RUNS, (object)['id' => $run->id, 'results' => json_encode($keptresults),
                'options' => json_encode($options)]);
        }
        $rs->close();
    }

    /**
     * The assignment of a module context.
     *
     * @param \context $context
     * @return int 0 when the context is not an assignment's
     */
    private static function assignid(\context $context): int {
        if ($context->contextlevel != CONTEXT_MODULE) {
            return 0;
        }
        $cm = get_coursemodule_from_id('assign', $context->instanceid);
        return $cm ? (int)$cm->instance : 0;
    }
}
