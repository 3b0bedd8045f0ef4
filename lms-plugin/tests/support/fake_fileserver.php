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

use assignsubmission_lablink\local\fileserver\fileserver_exception;

/**
 * An in-memory stand-in for the file server, for unit tests of the collect engine's order of
 * calls: it keeps files as strings and folders as a set, records each call (a manifest written
 * is recorded as its folder => state map), and refuses an extract to a path when told to.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class fake_fileserver extends null_client {
    /** @var array<string,string> path => content */
    public array $files = [];

    /** @var string[] folders that exist */
    public array $folders = [];

    /** @var array<string,fileserver_exception> extract path => its refusal */
    public array $refuse = [];

    /** @var array[] calls: [name, path, detail] */
    public array $calls = [];

    public function list_entries(string $home, string $path, string $cursor = '', int $limit = 500): array {
        $this->calls[] = ['list_entries', $path];
        if (!in_array($path, $this->folders, true)) {
            throw new fileserver_exception('not_found', 'no such folder', 404);
        }
        $entries = [];
        $kinds = array_merge(array_fill_keys($this->folders, 'folder'), array_fill_keys(array_keys($this->files), 'file'));
        foreach ($kinds as $p => $kind) {
            if (dirname($p) === $path) {
                $entries[] = ['name' => basename($p), 'kind' => $kind, 'size' => 0, 'modified' => 0];
            }
        }
        return ['path' => ltrim($path, '/'), 'entries' => $entries, 'total' => count($entries), 'next_cursor' => ''];
    }

    public function create_folder(string $home, string $path, bool $parents = false): array {
        $this->calls[] = ['create_folder', $path, $parents];
        $created = !in_array($path, $this->folders, true);
        for ($p = $path; $parents && $p !== '/' && !in_array($p, $this->folders, true); $p = dirname($p)) {
            $this->folders[] = $p;
        }
        $this->folders[] = $path;
        return ['path' => ltrim($path, '/'), 'created' => $created];
    }

    public function extract_from_file(string $home, string $path, string $zipfile, string $onconflict = 'rename'): array {
        $this->calls[] = ['extract_from_file', $path, $onconflict];
        if (isset($this->refuse[$path])) {
            throw $this->refuse[$path];
        }
        $this->folders[] = $path;
        return ['path' => $path, 'files' => 1, 'folders' => 0, 'bytes' => 1, 'skipped' => [],
            'sha256' => hash_file('sha256', $zipfile)];
    }

    public function put_file(string $home, string $path, string $contents): array {
        $detail = $contents;
        if (basename($path) === 'lablink-manifest.json') {
            $detail = [];
            foreach (json_decode($contents, true)['entries'] as $e) {
                $detail[$e['folder']] = $e['state'];
            }
        }
        $this->calls[] = ['put_file', $path, $detail];
        $this->files[$path] = $contents;
        return ['path' => $path, 'bytes' => strlen($contents), 'sha256' => hash('sha256', $contents)];
    }

    public function get_file(string $home, string $path, int $maxbytes): string {
        $this->calls[] = ['get_file', $path];
        if (!isset($this->files[$path])) {
            throw new fileserver_exception('not_found', 'no such file', 404);
        }
        return $this->files[$path];
    }
}
