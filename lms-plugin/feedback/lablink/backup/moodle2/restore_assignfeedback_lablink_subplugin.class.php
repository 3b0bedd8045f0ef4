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
 * Restore of the lablink workspace feedback plugin.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Restores each grade's returned feedback: its row and zip.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class restore_assignfeedback_lablink_subplugin extends restore_subplugin {

    /**
     * The paths handled at grade level.
     *
     * @return array
     */
    protected function define_grade_subplugin_structure() {
        return [new restore_path_element($this->get_namefor('grade'), $this->get_pathfor('/feedback_lablink'))];
    }

    /**
     * One grade's row, and its zip.
     *
     * @param array $data
     */
    public function process_assignfeedback_lablink_grade($data) {
        global $DB;
        $data = (object)$data;
        $data->assignment = $this->get_new_parentid('assign');
        $oldgradeid = $data->grade;
        // mod_assign's restore maps each grade as it processes it.
        $data->grade = $this->get_mappingid('grade', $data->grade);
        if (!$data->grade) {
            return;
        }
        $DB->insert_record('assignfeedback_lablink', $data);
        $this->add_related_files('assignfeedback_lablink', 'feedback', 'grade', null, $oldgradeid);
    }
}
