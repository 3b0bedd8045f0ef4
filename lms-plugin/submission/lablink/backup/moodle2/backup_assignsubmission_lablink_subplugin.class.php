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
 * Backup of the lablink workspace submission plugin.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Backs up each submission's row and zip, and the submitter's copy record. The settings and the
 * source snapshot travel with mod_assign's plugin config (see get_config_file_areas()).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class backup_assignsubmission_lablink_subplugin extends backup_subplugin {

    /**
     * The structure attached to each submission.
     *
     * @return backup_subplugin_element
     */
    protected function define_submission_subplugin_structure() {
        $subplugin = $this->get_subplugin_element();
        $wrapper = new backup_nested_element($this->get_recommended_name());
        $row = new backup_nested_element('submission_lablink', null,
            ['submission', 'path', 'home', 'bytes', 'numfiles', 'filelist', 'skipped', 'timesubmitted']);
        $copies = new backup_nested_element('lablink_copies');
        $copy = new backup_nested_element('lablink_copy', null, ['userid', 'version', 'path', 'timecopied']);

        $subplugin->add_child($wrapper);
        $wrapper->add_child($row);
        $wrapper->add_child($copies);
        $copies->add_child($copy);

        $row->set_source_table('assignsubmission_lablink', ['submission' => backup::VAR_PARENTID]);
        // One copy record per user: attached to that user's latest submission only.
        $copy->set_source_sql('
            SELECT c.userid, c.version, c.path, c.timecopied
              FROM {assignsubmission_lablink_copy} c
              JOIN {assign_submission} s ON s.assignment = c.assignment AND s.userid = c.userid
             WHERE s.id = ? AND s.latest = 1', [backup::VAR_PARENTID]);
        $copy->annotate_ids('user', 'userid');

        $row->annotate_files('assignsubmission_lablink', 'submissions', 'submission');
        return $subplugin;
    }
}
