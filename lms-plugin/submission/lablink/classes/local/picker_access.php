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

namespace assignsubmission_lablink\local;

/**
 * Who may use the picker where, and in whose home.
 *
 * In a course context (a new assignment's settings) the picker needs the right to add
 * assignments; in an assignment it needs the right to submit, grade or manage it. A teacher may
 * browse a student's home only while submitting on their behalf, i.e. when mod_assign lets them
 * edit that student's submission. Otherwise the home is always the logged-in user's.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class picker_access {

    /**
     * Checks the caller's rights in `$context` and returns whose home to use.
     *
     * @param \context $context an assignment's module context or a course context (already validated)
     * @param int $userid the student submitted for, 0 (or oneself) for one's own home
     * @return array [\stdClass $user, int $courseid]
     * @throws \required_capability_exception|\moodle_exception
     */
    public static function check(\context $context, int $userid): array {
        global $CFG, $DB, $USER;
        require_once($CFG->dirroot . '/mod/assign/locallib.php');

        if ($context->contextlevel == CONTEXT_COURSE) {
            require_capability('mod/assign:addinstance', $context);
            if ($userid && $userid != $USER->id) {
                throw new \moodle_exception('nopermissions', 'error', '', get_string('pickerforothers',
                    'assignsubmission_lablink'));
            }
            return [$USER, (int)$context->instanceid];
        }
        if ($context->contextlevel != CONTEXT_MODULE) {
            throw new \moodle_exception('invalidcontext', 'error');
        }
        $cm = get_coursemodule_from_id('assign', $context->instanceid, 0, false, MUST_EXIST);
        if ($userid && $userid != $USER->id) {
            $assign = new \assign($context, $cm, null);
            if (!$assign->can_edit_submission($userid, $USER->id)) {
                throw new \required_capability_exception($context, 'mod/assign:editothersubmission', 'nopermissions', '');
            }
            $user = $DB->get_record('user', ['id' => $userid, 'deleted' => 0], '*', MUST_EXIST);
            return [$user, (int)$cm->course];
        }
        if (!has_any_capability(['mod/assign:submit', 'mod/assign:grade', 'moodle/course:manageactivities'], $context)) {
            throw new \required_capability_exception($context, 'mod/assign:submit', 'nopermissions', '');
        }
        return [$USER, (int)$cm->course];
    }
}
