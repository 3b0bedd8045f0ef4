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

namespace assignsubmission_lablink\local\fileserver;

/**
 * What the plugin asks of a file server, whichever protocol it speaks ({@see client_v2},
 * {@see client_legacy}). Every `$path` is checked by {@see workspace_path} before any request;
 * every `$home` is the server-computed one ({@see home_name}), never one from the browser.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
interface client {
    /**
     * One page of one folder, folders first.
     *
     * @param string $home the home
     * @param string $path the folder, `/` for the home
     * @param string $cursor '' for the first page, else the previous page's `next_cursor`
     * @param int $limit entries per page (1 to 10,000)
     * @return array the v2 `EntriesPage`: `path` (relative, '' for the home), `entries` (each
     *     `name`, `kind` = folder|file|symlink|other, `size`, `modified` Unix seconds), `total`,
     *     `next_cursor` ('' on the last page)
     * @throws fileserver_exception
     */
    public function list_entries(string $home, string $path, string $cursor = '', int $limit = 500): array;

    /**
     * Makes one folder (its parent must exist; an existing one is a `conflict`).
     *
     * @param string $home the home
     * @param string $path the new folder
     * @return array the v2 `FolderCreated`: `path` (relative), `created`
     * @throws fileserver_exception
     */
    public function create_folder(string $home, string $path): array;

    /**
     * Streams the zip of a folder into a file.
     *
     * @param string $home the home
     * @param string $path the folder
     * @param string $destfile the file to write (created or truncated; removed on failure)
     * @param int $maxbytes most zip bytes accepted, 0 for no limit: the transfer stops with
     *     `too_large` as soon as more arrived
     * @return array `bytes`, `skipped` (names the server left out), `skippedcount`
     * @throws fileserver_exception
     */
    public function archive_to_file(string $home, string $path, string $destfile, int $maxbytes = 0): array;

    /**
     * Streams a zip from a file into a new folder.
     *
     * @param string $home the home
     * @param string $path the folder wanted; when taken, the server picks a free name beside it
     * @param string $zipfile the zip
     * @return array `path`: the folder actually created, as `/a/b`
     * @throws fileserver_exception
     */
    public function extract_from_file(string $home, string $path, string $zipfile): array;

    /**
     * Tells what works, for the Test connection page; changes nothing.
     *
     * @param string $home a home to look for
     * @return array `reachable`, `tls` (https and verified), `keyaccepted`, `homeexists` (bools),
     *     `clockskew` (server clock minus ours, seconds, null when unknown), `errorcode` and
     *     `message` of the first failure ('' when none)
     */
    public function check(string $home): array;
}
