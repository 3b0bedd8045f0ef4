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
 * What the pages of both lablink plugins share inside an assignment: their URL, the assignment's
 * header, and the Wasm picker's mount point with the AMD call that boots it.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class plugin_page {

    /**
     * URL of one of a lablink plugin's pages inside the assignment.
     *
     * @param \assign $assign the assignment
     * @param string $subtype `assignsubmission` or `assignfeedback`
     * @param string $action the page (letters only: mod_assign reads it as PARAM_ALPHA)
     * @param array $params more parameters
     * @return \moodle_url
     */
    public static function url(\assign $assign, string $subtype, string $action, array $params = []): \moodle_url {
        return new \moodle_url('/mod/assign/view.php', [
            'id' => $assign->get_course_module()->id,
            'action' => 'viewpluginpage',
            'plugin' => 'lablink',
            'pluginsubtype' => $subtype,
            'pluginaction' => $action,
        ] + $params);
    }

    /**
     * The assignment's header for one of the pages.
     *
     * @param \assign $assign the assignment
     * @param string $title the page's title
     * @return string HTML
     */
    public static function header(\assign $assign, string $title): string {
        $header = new \mod_assign\output\assign_header($assign->get_instance(), $assign->get_context(), false,
            $assign->get_course_module()->id, $title);
        return $assign->get_renderer()->render($header);
    }

    /**
     * The picker's mount point, and the AMD call that boots the Wasm picker in it.
     *
     * @param string $mode folder|destination
     * @param string $field the form field the chosen path is written to
     * @param \context $context where the picker's calls are checked (course or assignment)
     * @param string $initialpath the folder to open first (an invalid one opens the home)
     * @param int $userid the student a teacher is submitting for, 0 for oneself
     * @return string HTML
     */
    public static function picker(string $mode, string $field, \context $context, string $initialpath,
            int $userid = 0): string {
        global $OUTPUT, $PAGE, $USER;
        $id = \html_writer::random_id('assignsubmission_lablink_picker');
        $args = ['contextid' => (int)$context->id];
        if ($userid && $userid != $USER->id) {
            $args['userid'] = $userid;
        }
        $PAGE->requires->js_call_amd('assignsubmission_lablink/picker', 'init', [[
            'elementid' => $id,
            'mode' => $mode,
            'field' => $field,
            'initialPath' => workspace::is_valid_path($initialpath) ? workspace::for_picker($initialpath) : '',
            'args' => $args,
        ]]);
        return $OUTPUT->render_from_template('assignsubmission_lablink/picker', ['id' => $id]);
    }
}
