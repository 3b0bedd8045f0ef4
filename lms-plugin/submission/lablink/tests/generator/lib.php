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

defined('MOODLE_INTERNAL') || die();

require_once("{$CFG->dirroot}/mod/assign/tests/generator/assignsubmission_subplugin_generator.php");

/**
 * Data generator of the lablink workspace submission plugin (used by mod_assign's
 * "submissions" generator, e.g. in Behat).
 *
 * @package    assignsubmission_lablink
 * @category   test
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class assignsubmission_lablink_generator extends assignsubmission_subplugin_generator {

    /**
     * Adds the folder to submit: column "lablink_path" (a path in the submitting user's home).
     *
     * @param stdClass $submission
     * @param assign $assign
     * @param array $data
     */
    public function add_submission_data(stdClass $submission, assign $assign, array $data): void {
        if (array_key_exists('lablink_path', $data)) {
            $submission->lablink_path = $data['lablink_path'];
        }
    }
}
