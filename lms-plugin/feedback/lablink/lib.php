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
 * Moodle hooks of the lablink workspace feedback plugin.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Serves a returned feedback zip to those who may see that grade's submission: its student
 * (once released, with marking workflow) and the assignment's graders.
 *
 * @param stdClass $course
 * @param stdClass $cm
 * @param context $context
 * @param string $filearea 'feedback'
 * @param array $args the grade id, then the file's path
 * @param bool $forcedownload
 * @param array $options
 * @return bool false when not found or not allowed; sends the file otherwise
 */
function assignfeedback_lablink_pluginfile($course, $cm, context $context, $filearea, $args, $forcedownload,
        array $options = []) {
    global $CFG, $DB, $USER;

    if ($context->contextlevel != CONTEXT_MODULE || $filearea !== 'feedback') {
        return false;
    }
    require_login($course, false, $cm);
    require_once($CFG->dirroot . '/mod/assign/locallib.php');
    $itemid = (int)array_shift($args);
    $record = $DB->get_record('assign_grades', ['id' => $itemid], 'userid, assignment');
    if (!$record) {
        return false;
    }
    $assign = new assign($context, $cm, $course);
    if ($assign->get_instance()->id != $record->assignment || !$assign->can_view_submission($record->userid)) {
        return false;
    }
    if ($record->userid == $USER->id && !has_any_capability(['mod/assign:grade', 'mod/assign:viewgrades'], $context)) {
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        if (!$plugin || !$plugin->feedback_released((int)$USER->id)) {
            return false;
        }
    }

    $fullpath = "/{$context->id}/assignfeedback_lablink/{$filearea}/{$itemid}/" . implode('/', $args);
    $file = get_file_storage()->get_file_by_hash(sha1($fullpath));
    if (!$file || $file->is_directory()) {
        return false;
    }
    // Zips from a workspace: always a download, never shown inline.
    send_stored_file($file, 0, 0, true, $options);
}
