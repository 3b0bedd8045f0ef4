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
 * Moodle hooks of the lablink workspace submission plugin.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Serves the plugin's files: a submission's zip (to those who may see that submission) and the
 * assignment's source snapshot (to those who may take part in or manage the assignment).
 *
 * @param stdClass $course
 * @param stdClass $cm
 * @param context $context
 * @param string $filearea 'submissions' or 'source'
 * @param array $args itemid, then the file's path
 * @param bool $forcedownload
 * @param array $options
 * @return bool false when not found or not allowed; sends the file otherwise
 */
function assignsubmission_lablink_pluginfile($course, $cm, context $context, $filearea, $args, $forcedownload,
        array $options = []) {
    global $CFG, $DB;

    if ($context->contextlevel != CONTEXT_MODULE) {
        return false;
    }
    require_login($course, false, $cm);
    require_once($CFG->dirroot . '/mod/assign/locallib.php');
    $assign = new assign($context, $cm, $course);
    $itemid = (int)array_shift($args);

    if ($filearea === 'submissions') {
        $record = $DB->get_record('assign_submission', ['id' => $itemid], 'userid, assignment, groupid');
        if (!$record || $assign->get_instance()->id != $record->assignment) {
            return false;
        }
        if ($assign->get_instance()->teamsubmission) {
            if (!$assign->can_view_group_submission($record->groupid)) {
                return false;
            }
        } else if (!$assign->can_view_submission($record->userid)) {
            return false;
        }
    } else if ($filearea === 'source') {
        if ($itemid !== 0 || !has_any_capability(['mod/assign:submit', 'mod/assign:grade',
                'moodle/course:manageactivities'], $context)) {
            return false;
        }
    } else {
        return false;
    }

    $fullpath = "/{$context->id}/assignsubmission_lablink/{$filearea}/{$itemid}/" . implode('/', $args);
    $file = get_file_storage()->get_file_by_hash(sha1($fullpath));
    if (!$file || $file->is_directory()) {
        return false;
    }
    // Zips from a workspace: always a download, never shown inline.
    send_stored_file($file, 0, 0, true, $options);
}
