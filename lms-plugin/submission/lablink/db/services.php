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
 * External functions the folder picker calls through Moodle's AJAX endpoint.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$functions = [
    'assignsubmission_lablink_list_entries' => [
        'classname' => \assignsubmission_lablink\external\list_entries::class,
        'description' => 'Lists one page of a folder in the acting user\'s workspace home.',
        'type' => 'read',
        'ajax' => true,
        'loginrequired' => true,
    ],
    'assignsubmission_lablink_create_folder' => [
        'classname' => \assignsubmission_lablink\external\create_folder::class,
        'description' => 'Creates a folder in the acting user\'s workspace home.',
        'type' => 'write',
        'ajax' => true,
        'loginrequired' => true,
    ],
];
