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

/**
 * Reads the list of files in a zip (its central directory only, never the content).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class zip_contents {

    /** Most file names kept for display; the count and total size always cover every file. */
    public const MAX_LISTED = 1000;

    /**
     * The files (not folders) in a zip file.
     *
     * @param string $zipfile path of a zip on disk
     * @return array ['files' => [['name' => string, 'size' => int], ...] (at most MAX_LISTED),
     *               'count' => int, 'size' => int (uncompressed bytes of all files)]
     * @throws \moodle_exception when the file is not a readable zip
     */
    public static function read(string $zipfile): array {
        $zip = new \ZipArchive();
        if ($zip->open($zipfile, \ZipArchive::RDONLY) !== true) {
            throw new \moodle_exception('badzip', 'assignsubmission_lablink');
        }
        $files = [];
        $count = 0;
        $size = 0;
        for ($i = 0; $i < $zip->numFiles; $i++) {
            $stat = $zip->statIndex($i);
            if ($stat === false || substr($stat['name'], -1) === '/') {
                continue;
            }
            $count++;
            $size += (int)$stat['size'];
            if (count($files) < self::MAX_LISTED) {
                $files[] = ['name' => (string)$stat['name'], 'size' => (int)$stat['size']];
            }
        }
        $zip->close();
        return ['files' => $files, 'count' => $count, 'size' => $size];
    }
}
