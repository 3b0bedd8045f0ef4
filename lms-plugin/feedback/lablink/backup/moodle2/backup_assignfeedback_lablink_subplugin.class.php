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
 * Backup of the lablink workspace feedback plugin.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Backs up each grade's returned feedback: its row and zip. The settings travel with mod_assign's
 * plugin config; the runs are a log of work done in a teacher's workspace and stay behind.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class backup_assignfeedback_lablink_subplugin extends backup_subplugin {

    /**
     * The structure attached to each grade.
     *
     * @return backup_subplugin_element
     */
    protected function define_grade_subplugin_structure() {
        $subplugin = $this->get_subplugin_element();
        $wrapper = new backup_nested_element($this->get_recommended_name());
        $row = new backup_nested_element('feedback_lablink', null,
            ['grade', 'path', 'bytes', 'numfiles', 'filelist', 'timereturned']);

        $subplugin->add_child($wrapper);
        $wrapper->add_child($row);

        $row->set_source_table('assignfeedback_lablink', ['grade' => backup::VAR_PARENTID]);
        $row->annotate_files('assignfeedback_lablink', 'feedback', 'grade');
        return $subplugin;
    }
}
