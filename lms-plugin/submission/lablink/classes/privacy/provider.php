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

namespace assignsubmission_lablink\privacy;

defined('MOODLE_INTERNAL') || die();

require_once($CFG->dirroot . '/mod/assign/locallib.php');

use core_privacy\local\metadata\collection;
use core_privacy\local\request\contextlist;
use core_privacy\local\request\transform;
use core_privacy\local\request\userlist;
use core_privacy\local\request\writer;
use mod_assign\privacy\assign_plugin_request_data;
use mod_assign\privacy\useridlist;

/**
 * Privacy provider: the plugin's rows and zips in Moodle, and what goes to the external file server
 * (the workspace home name and the contents of the folders listed, submitted or copied into).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class provider implements
        \core_privacy\local\metadata\provider,
        \mod_assign\privacy\assignsubmission_provider,
        \mod_assign\privacy\assignsubmission_user_provider {

    /** The submission zips' file area. */
    private const FILEAREA = 'submissions';

    /**
     * What the plugin stores and sends.
     *
     * @param collection $collection
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_database_table('assignsubmission_lablink', [
            'assignment' => 'privacy:metadata:submission:assignment',
            'submission' => 'privacy:metadata:submission:submission',
            'path' => 'privacy:metadata:submission:path',
            'home' => 'privacy:metadata:submission:home',
            'bytes' => 'privacy:metadata:submission:bytes',
            'numfiles' => 'privacy:metadata:submission:numfiles',
            'filelist' => 'privacy:metadata:submission:filelist',
            'timesubmitted' => 'privacy:metadata:submission:timesubmitted',
        ], 'privacy:metadata:submission');
        $collection->add_database_table('assignsubmission_lablink_copy', [
            'userid' => 'privacy:metadata:copy:userid',
            'version' => 'privacy:metadata:copy:version',
            'path' => 'privacy:metadata:copy:path',
            'timecopied' => 'privacy:metadata:copy:timecopied',
        ], 'privacy:metadata:copy');
        $collection->link_subsystem('core_files', 'privacy:metadata:filepurpose');
        $collection->add_external_location_link('lablink_fileserver', [
            'home' => 'privacy:metadata:fileserver:home',
            'foldercontents' => 'privacy:metadata:fileserver:foldercontents',
        ], 'privacy:metadata:fileserver');
        return $collection;
    }

    /**
     * Contexts where the user fetched a copy (their submissions are found by mod_assign).
     *
     * @param int $userid
     * @param contextlist $contextlist
     */
    public static function get_context_for_userid_within_submission(int $userid, contextlist $contextlist) {
        $sql = "SELECT ctx.id
                  FROM {assignsubmission_lablink_copy} c
                  JOIN {course_modules} cm ON cm.instance = c.assignment
                  JOIN {modules} m ON m.id = cm.module AND m.name = :modname
                  JOIN {context} ctx ON ctx.instanceid = cm.id AND ctx.contextlevel = :contextlevel
                 WHERE c.userid = :userid";
        $contextlist->add_from_sql($sql, ['modname' => 'assign', 'contextlevel' => CONTEXT_MODULE, 'userid' => $userid]);
    }

    /**
     * Students of a teacher's assignment: covered by mod_assign.
     *
     * @param useridlist $useridlist
     */
    public static function get_student_user_ids(useridlist $useridlist) {
        // The submission rows are found through assign_submission by mod_assign.
    }

    /**
     * Users with a copy row in the context (submitters are found by mod_assign).
     *
     * @param userlist $userlist
     */
    public static function get_userids_from_context(userlist $userlist) {
        $context = $userlist->get_context();
        if ($context->contextlevel != CONTEXT_MODULE) {
            return;
        }
        $sql = "SELECT c.userid
                  FROM {assignsubmission_lablink_copy} c
                  JOIN {course_modules} cm ON cm.instance = c.assignment
                  JOIN {modules} m ON m.id = cm.module AND m.name = :modname
                 WHERE cm.id = :cmid";
        $userlist->add_from_sql('userid', $sql, ['modname' => 'assign', 'cmid' => $context->instanceid]);
    }

    /**
     * Exports a submission's zip and its row, and the submitter's copy of the source.
     *
     * @param assign_plugin_request_data $exportdata
     */
    public static function export_submission_user_data(assign_plugin_request_data $exportdata) {
        global $DB;
        // As for core's file submissions: a teacher's export does not include students' work.
        if ($exportdata->get_user() != null) {
            return null;
        }
        $submission = $exportdata->get_pluginobject();
        $context = $exportdata->get_context();
        $subcontext = $exportdata->get_subcontext();
        $writer = writer::with_context($context);

        $row = $DB->get_record('assignsubmission_lablink', ['submission' => $submission->id]);
        if ($row) {
            $writer->export_data($subcontext, (object)[
                'path' => $row->path,
                'home' => $row->home,
                'bytes' => $row->bytes,
                'numfiles' => $row->numfiles,
                'files' => json_decode((string)$row->filelist, true) ?: [],
                'timesubmitted' => transform::datetime($row->timesubmitted),
            ]);
        }
        $plugin = $exportdata->get_assign()->get_plugin_by_type('assignsubmission', 'lablink');
        foreach ($plugin->get_files($submission, new \stdClass()) as $file) {
            $writer->export_file($subcontext, $file);
        }

        if (!empty($submission->userid)) {
            $copy = $DB->get_record('assignsubmission_lablink_copy',
                ['assignment' => $exportdata->get_assignid(), 'userid' => $submission->userid]);
            if ($copy) {
                $writer->export_data(array_merge($subcontext, [get_string('privacy:copypath', 'assignsubmission_lablink')]),
                    (object)[
                        'version' => $copy->version,
                        'path' => $copy->path,
                        'timecopied' => transform::datetime($copy->timecopied),
                    ]);
            }
        }
    }

    /**
     * Deletes everything of the plugin's users in an assignment.
     *
     * @param assign_plugin_request_data $requestdata
     */
    public static function delete_submission_for_context(assign_plugin_request_data $requestdata) {
        global $DB;
        get_file_storage()->delete_area_files($requestdata->get_context()->id, 'assignsubmission_lablink', self::FILEAREA);
        $assignid = $requestdata->get_assign()->get_instance()->id;
        $DB->delete_records('assignsubmission_lablink', ['assignment' => $assignid]);
        $DB->delete_records('assignsubmission_lablink_copy', ['assignment' => $assignid]);
    }

    /**
     * Deletes one user's submission data in an assignment.
     *
     * @param assign_plugin_request_data $deletedata
     */
    public static function delete_submission_for_userid(assign_plugin_request_data $deletedata) {
        global $DB;
        $submissionid = $deletedata->get_pluginobject()->id;
        get_file_storage()->delete_area_files($deletedata->get_context()->id, 'assignsubmission_lablink', self::FILEAREA,
            $submissionid);
        $DB->delete_records('assignsubmission_lablink', ['assignment' => $deletedata->get_assignid(),
            'submission' => $submissionid]);
        $DB->delete_records('assignsubmission_lablink_copy', ['assignment' => $deletedata->get_assignid(),
            'userid' => $deletedata->get_user()->id]);
    }

    /**
     * Deletes the data of several users in an assignment.
     *
     * @param assign_plugin_request_data $deletedata
     */
    public static function delete_submissions(assign_plugin_request_data $deletedata) {
        global $DB;
        $assignid = $deletedata->get_assignid();
        if ($deletedata->get_userids()) {
            [$usersql, $userparams] = $DB->get_in_or_equal($deletedata->get_userids(), SQL_PARAMS_NAMED);
            $DB->delete_records_select('assignsubmission_lablink_copy', "assignment = :assignid AND userid $usersql",
                ['assignid' => $assignid] + $userparams);
        }
        if (empty($deletedata->get_submissionids())) {
            return;
        }
        [$sql, $params] = $DB->get_in_or_equal($deletedata->get_submissionids(), SQL_PARAMS_NAMED);
        get_file_storage()->delete_area_files_select($deletedata->get_context()->id, 'assignsubmission_lablink',
            self::FILEAREA, $sql, $params);
        $DB->delete_records_select('assignsubmission_lablink', "assignment = :assignid AND submission $sql",
            ['assignid' => $assignid] + $params);
    }
}
