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
     * Makes one folder: without `$parents` its parent must exist and an existing one is a
     * `conflict`; with it, missing parents are made too and an existing folder is accepted.
     *
     * @param string $home the home
     * @param string $path the new folder
     * @param bool $parents make missing parents, accept an existing folder
     * @return array the v2 `FolderCreated`: `path` (relative), `created` (false when it was there)
     * @throws fileserver_exception
     */
    public function create_folder(string $home, string $path, bool $parents = false): array;

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
     * Streams a zip from a file into a folder.
     *
     * @param string $home the home
     * @param string $path the folder wanted
     * @param string $zipfile the zip
     * @param string $onconflict when `$path` is taken: `rename` (the server picks a free name
     *     beside it), `fail` (a `conflict`) or `replace` (the fully extracted zip takes the place
     *     of the existing folder at once; a file or symlink there is a `conflict`). The legacy
     *     protocol knows only `rename`: anything else is `unsupported`, refused before sending.
     * @return array `path` (the folder actually written, as `/a/b`), `files`, `folders`, `bytes`
     *     (extracted), `skipped` (names left out), `sha256` (lowercase hex of the zip as the
     *     server received it; '' over legacy, which reports only the path)
     * @throws fileserver_exception
     */
    public function extract_from_file(string $home, string $path, string $zipfile,
            string $onconflict = 'rename'): array;

    /**
     * Writes a small file whole (a reader sees the old or the new content, never half). Its
     * folder must exist; a folder or symlink at the path is refused. Needs v2.
     *
     * @param string $home the home
     * @param string $path the file
     * @param string $contents its new bytes (at most the server's `max_file_bytes`)
     * @return array the v2 `FileWritten`: `path` (as `/a/b`), `bytes`, `sha256`
     * @throws fileserver_exception `unsupported` over legacy
     */
    public function put_file(string $home, string $path, string $contents): array;

    /**
     * Reads a small file whole into memory (manifests, not submissions). Needs v2.
     *
     * @param string $home the home
     * @param string $path the file
     * @param int $maxbytes most bytes accepted (at least 1): a larger file is `too_large`, the
     *     transfer stopped as soon as more arrived
     * @return string its bytes
     * @throws fileserver_exception `not_a_file` for a folder, `not_found`, `unsupported` over legacy
     */
    public function get_file(string $home, string $path, int $maxbytes): string;

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
