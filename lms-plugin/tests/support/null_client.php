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

namespace lablink_tests;

use assignsubmission_lablink\local\fileserver\client;
use assignsubmission_lablink\local\fileserver\fileserver_exception;

/**
 * A client that refuses every call; unit tests override the calls they expect.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class null_client implements client {
    public function list_entries(string $home, string $path, string $cursor = '', int $limit = 500): array {
        throw new fileserver_exception('unexpected', 'list_entries was not expected');
    }

    public function create_folder(string $home, string $path, bool $parents = false): array {
        throw new fileserver_exception('unexpected', 'create_folder was not expected');
    }

    public function archive_to_file(string $home, string $path, string $destfile, int $maxbytes = 0): array {
        throw new fileserver_exception('unexpected', 'archive_to_file was not expected');
    }

    public function extract_from_file(string $home, string $path, string $zipfile, string $onconflict = 'rename'): array {
        throw new fileserver_exception('unexpected', 'extract_from_file was not expected');
    }

    public function put_file(string $home, string $path, string $contents): array {
        throw new fileserver_exception('unexpected', 'put_file was not expected');
    }

    public function get_file(string $home, string $path, int $maxbytes): string {
        throw new fileserver_exception('unexpected', 'get_file was not expected');
    }

    public function check(string $home): array {
        throw new fileserver_exception('unexpected', 'check was not expected');
    }
}
