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
 * Site settings of the lablink workspace feedback plugin: the defaults of new assignments. The
 * file server connection is the submission plugin's (Site administration > Plugins > Submission
 * plugins > Workspace folder submissions).
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$component = 'assignfeedback_lablink';

$settings->add(new admin_setting_configcheckbox("{$component}/default",
    new lang_string('default', $component), new lang_string('default_help', $component), 1));

$settings->add(new admin_setting_configselect("{$component}/layout",
    new lang_string('defaultlayout', $component), new lang_string('defaultlayout_desc', $component), 'folders', [
        'folders' => new lang_string('layout_folders', $component),
        'nbgrader' => new lang_string('layout_nbgrader', $component),
    ]));

$settings->add(new admin_setting_configselect("{$component}/naming",
    new lang_string('defaultnaming', $component), new lang_string('defaultnaming_desc', $component), 'fullname', [
        'fullname' => new lang_string('naming_fullname', $component),
        'studentid' => new lang_string('naming_studentid', $component),
    ]));

$settings->add(new admin_setting_description("{$component}/connectionnote", '',
    get_string('connectionnote', $component,
        (new moodle_url('/admin/settings.php', ['section' => 'assignsubmission_lablink']))->out())));
