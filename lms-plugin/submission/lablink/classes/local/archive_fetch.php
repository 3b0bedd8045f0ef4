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

use assignsubmission_lablink\local\fileserver\fileserver_exception;

/**
 * Streams a workspace folder's zip from the file server into a Moodle file area.
 *
 * The zip goes to a temporary file as it arrives (never a PHP string), the size cap is enforced by
 * the client while streaming, and the area is replaced only once the whole zip is here, so a
 * failed fetch leaves what was stored before untouched.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class archive_fetch {

    /**
     * Fetches `$path` of `$home` and stores it as the only file of the given area item.
     *
     * @param int $courseid the course (for the file server's base URL)
     * @param string $home the home, from {@see workspace::home_for()}
     * @param string $path a checked path, from {@see workspace::normalise()}
     * @param int $maxbytes the largest zip accepted, 0 for no limit
     * @param \stdClass|array $filerecord contextid, component, filearea, itemid, filepath, filename
     * @return array ['file' => \stored_file, 'bytes' => int,
     *               'skipped' => string[], 'contents' => array from {@see zip_contents::read()}]
     * @throws fileserver_exception when the file server refuses or the zip is over the limit
     */
    public static function into_area(int $courseid, string $home, string $path, int $maxbytes,
            $filerecord): array {
        $filerecord = (object)$filerecord;
        $dir = make_request_directory();
        $tmp = $dir . '/workspace.zip';
        try {
            $result = workspace::client($courseid)->archive_to_file($home, $path, $tmp, $maxbytes);
            $contents = zip_contents::read($tmp);
            $fs = get_file_storage();
            $fs->delete_area_files($filerecord->contextid, $filerecord->component, $filerecord->filearea,
                $filerecord->itemid);
            $file = $fs->create_file_from_pathname($filerecord, $tmp);
        } finally {
            if (file_exists($tmp)) {
                @unlink($tmp);
            }
        }
        return [
            'file' => $file,
            'bytes' => (int)($result['bytes'] ?? $file->get_filesize()),
            'skipped' => array_values((array)($result['skipped'] ?? [])),
            'contents' => $contents,
        ];
    }

    /**
     * A zip name from a folder path: its last name, or "home" for the home itself.
     *
     * @param string $path a checked path (`/a/b`)
     * @return string
     */
    public static function zip_name(string $path): string {
        $name = basename(trim($path, '/'));
        $name = clean_filename($name === '' ? 'home' : $name);
        return ($name === '' ? 'workspace' : $name) . '.zip';
    }
}
