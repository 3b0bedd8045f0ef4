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

namespace assignsubmission_lablink\external;

use assignsubmission_lablink\local\fileserver\fileserver_exception;
use assignsubmission_lablink\local\picker_access;
use assignsubmission_lablink\local\workspace;
use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_single_structure;
use core_external\external_value;

/**
 * Creates a folder in the acting user's workspace, for the picker's "New folder".
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class create_folder extends external_api {

    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'contextid' => new external_value(PARAM_INT, 'The assignment (module) or course context the picker is in'),
            'path' => new external_value(PARAM_RAW, 'The new folder, relative to the home'),
            'userid' => new external_value(PARAM_INT, 'The student a teacher submits for; 0 for oneself',
                VALUE_DEFAULT, 0),
        ]);
    }

    /**
     * Creates the folder.
     *
     * @param int $contextid
     * @param string $path
     * @param int $userid
     * @return array the file server's FolderCreated
     */
    public static function execute(int $contextid, string $path, int $userid = 0): array {
        $params = self::validate_parameters(self::execute_parameters(),
            ['contextid' => $contextid, 'path' => $path, 'userid' => $userid]);
        $context = \context::instance_by_id($params['contextid']);
        self::validate_context($context);
        [$user, $courseid] = picker_access::check($context, $params['userid']);
        try {
            $folder = workspace::normalise($params['path']);
            if ($folder === '/') {
                throw new \moodle_exception('bad_path', 'assignsubmission_lablink');
            }
            $created = workspace::client($courseid)->create_folder(workspace::home_for($user), $folder);
        } catch (fileserver_exception $e) {
            throw workspace::to_moodle_exception($e);
        }
        return [
            'path' => workspace::for_picker((string)($created['path'] ?? $folder)),
            'created' => (bool)($created['created'] ?? true),
        ];
    }

    /**
     * The FolderCreated shape.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'path' => new external_value(PARAM_RAW, 'The folder, relative to the home'),
            'created' => new external_value(PARAM_BOOL, 'False when it already existed'),
        ]);
    }
}
