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
 * Restore of the lablink workspace submission plugin.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Restores each submission's row and zip, and the copy records.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class restore_assignsubmission_lablink_subplugin extends restore_subplugin {

    /**
     * The paths handled at submission level.
     *
     * @return array
     */
    protected function define_submission_subplugin_structure() {
        return [
            new restore_path_element($this->get_namefor('submission'), $this->get_pathfor('/submission_lablink')),
            new restore_path_element($this->get_namefor('copy'), $this->get_pathfor('/lablink_copies/lablink_copy')),
        ];
    }

    /**
     * One submission row, and its zip.
     *
     * @param array $data
     */
    public function process_assignsubmission_lablink_submission($data) {
        global $DB;
        $data = (object)$data;
        $data->assignment = $this->get_new_parentid('assign');
        $oldsubmissionid = $data->submission;
        $data->submission = $this->get_mappingid('submission', $data->submission);
        $DB->insert_record('assignsubmission_lablink', $data);
        $this->add_related_files('assignsubmission_lablink', 'submissions', 'submission', null, $oldsubmissionid);
    }

    /**
     * One copy record.
     *
     * @param array $data
     */
    public function process_assignsubmission_lablink_copy($data) {
        global $DB;
        $data = (object)$data;
        $data->assignment = $this->get_new_parentid('assign');
        $data->userid = $this->get_mappingid('user', $data->userid);
        if (!$data->userid || $DB->record_exists('assignsubmission_lablink_copy',
                ['assignment' => $data->assignment, 'userid' => $data->userid])) {
            return;
        }
        $DB->insert_record('assignsubmission_lablink_copy', $data);
    }
}
