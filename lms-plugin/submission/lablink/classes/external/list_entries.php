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
use core_external\external_multiple_structure;
use core_external\external_single_structure;
use core_external\external_value;

/**
 * One page of a folder of the acting user's workspace, for the folder picker.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class list_entries extends external_api {

    /** Largest page the file server is asked for. */
    private const MAX_LIMIT = 1000;

    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'contextid' => new external_value(PARAM_INT, 'The assignment (module) or course context the picker is in'),
            'path' => new external_value(PARAM_RAW, 'Folder relative to the home, "" for the home', VALUE_DEFAULT, ''),
            'cursor' => new external_value(PARAM_RAW, 'next_cursor of the previous page, "" for the first',
                VALUE_DEFAULT, ''),
            'limit' => new external_value(PARAM_INT, 'Entries per page', VALUE_DEFAULT, 500),
            'userid' => new external_value(PARAM_INT, 'The student a teacher submits for; 0 for oneself',
                VALUE_DEFAULT, 0),
        ]);
    }

    /**
     * Lists the folder.
     *
     * @param int $contextid
     * @param string $path
     * @param string $cursor
     * @param int $limit
     * @param int $userid
     * @return array the file server's EntriesPage, next_cursor "" when there is no next page
     */
    public static function execute(int $contextid, string $path = '', string $cursor = '', int $limit = 500,
            int $userid = 0): array {
        $params = self::validate_parameters(self::execute_parameters(), [
            'contextid' => $contextid, 'path' => $path, 'cursor' => $cursor, 'limit' => $limit, 'userid' => $userid,
        ]);
        $context = \context::instance_by_id($params['contextid']);
        self::validate_context($context);
        [$user, $courseid] = picker_access::check($context, $params['userid']);
        $limit = max(1, min(self::MAX_LIMIT, $params['limit']));
        try {
            $folder = workspace::normalise($params['path']);
            $page = workspace::client($courseid)->list_entries(workspace::home_for($user), $folder,
                $params['cursor'], $limit);
        } catch (fileserver_exception $e) {
            throw workspace::to_moodle_exception($e);
        }
        $entries = [];
        foreach ($page['entries'] ?? [] as $entry) {
            $entries[] = [
                'name' => (string)$entry['name'],
                'kind' => (string)($entry['kind'] ?? 'other'),
                'size' => (int)($entry['size'] ?? 0),
                'modified' => (int)($entry['modified'] ?? 0),
            ];
        }
        return [
            'path' => workspace::for_picker((string)($page['path'] ?? $folder)),
            'entries' => $entries,
            'total' => (int)($page['total'] ?? count($entries)),
            'next_cursor' => (string)($page['next_cursor'] ?? ''),
        ];
    }

    /**
     * The EntriesPage shape.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'path' => new external_value(PARAM_RAW, 'The folder listed, relative to the home ("" is the home)'),
            'entries' => new external_multiple_structure(new external_single_structure([
                'name' => new external_value(PARAM_RAW, 'Name, to be shown as text'),
                'kind' => new external_value(PARAM_ALPHA, 'folder, file, symlink or other'),
                'size' => new external_value(PARAM_INT, 'Bytes for files, 0 otherwise'),
                'modified' => new external_value(PARAM_INT, 'Last modification, Unix seconds'),
            ])),
            'total' => new external_value(PARAM_INT, 'Entries in the whole folder'),
            'next_cursor' => new external_value(PARAM_RAW, 'Cursor of the next page, "" when this is the last'),
        ]);
    }
}
