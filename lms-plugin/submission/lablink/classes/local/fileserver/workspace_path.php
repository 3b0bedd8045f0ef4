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
 * A path inside a home, checked by the same rules as the file server's `WorkspacePath`
 * (crates/protocol/src/path.rs), so that what the browser sends is refused here before any
 * request: valid UTF-8, no control character, at most 3072 bytes, `.` and empty segments
 * dropped, `..` never above the home, names of at most 255 bytes, at most 64 levels.
 *
 * The normal form is `/a/b`, `/` for the home itself; a leading `/` (or none) means the home.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class workspace_path {
    /** Longest single name, in bytes. */
    public const MAX_NAME_BYTES = 255;
    /** Longest whole path, in bytes. */
    public const MAX_PATH_BYTES = 3072;
    /** Deepest nesting. */
    public const MAX_DEPTH = 64;

    /**
     * Normalises a path, refusing any the file server would refuse.
     *
     * @param string $path as given, `a/b`, `/a/b/`, `./a`, `a/../b` …
     * @return string `/a/b`, or `/` for the home
     * @throws fileserver_exception `invalid_path`, with a message that never repeats the path
     */
    public static function normalise(string $path): string {
        $segments = self::segments($path);
        return '/' . implode('/', $segments);
    }

    /**
     * The same path without its leading `/`, as the v2 API's `path` parameter takes it.
     *
     * @param string $path any accepted form
     * @return string `a/b`, or '' for the home
     */
    public static function relative(string $path): string {
        return implode('/', self::segments($path));
    }

    /**
     * Checks one name (a single segment) as it may appear on disk.
     *
     * @param string $name the name
     * @return bool whether it is a valid single name
     */
    public static function is_name(string $name): bool {
        return $name !== '' && $name !== '.' && $name !== '..' && strpos($name, '/') === false
            && mb_check_encoding($name, 'UTF-8') && !self::has_control($name)
            && strlen($name) <= self::MAX_NAME_BYTES;
    }

    /**
     * The names of a path from the home down.
     *
     * @param string $path the path
     * @return string[] the names
     */
    private static function segments(string $path): array {
        if (!mb_check_encoding($path, 'UTF-8')) {
            throw self::refuse('the path is not valid UTF-8');
        }
        if (self::has_control($path)) {
            throw self::refuse('the path contains a NUL or control character');
        }
        if (strlen($path) > self::MAX_PATH_BYTES) {
            throw self::refuse('the path is longer than ' . self::MAX_PATH_BYTES . ' bytes');
        }
        $segments = [];
        foreach (explode('/', $path) as $segment) {
            if ($segment === '' || $segment === '.') {
                continue;
            }
            if ($segment === '..') {
                if (array_pop($segments) === null) {
                    throw self::refuse('the path leaves the home folder');
                }
                continue;
            }
            if (strlen($segment) > self::MAX_NAME_BYTES) {
                throw self::refuse('a name in the path is longer than ' . self::MAX_NAME_BYTES . ' bytes');
            }
            $segments[] = $segment;
        }
        if (count($segments) > self::MAX_DEPTH) {
            throw self::refuse('the path is nested deeper than ' . self::MAX_DEPTH . ' folders');
        }
        return $segments;
    }

    /**
     * Whether text holds a Unicode control character (category Cc: C0, DEL and C1), as Rust's
     * `char::is_control`.
     *
     * @param string $text valid UTF-8
     * @return bool true when it does
     */
    private static function has_control(string $text): bool {
        return preg_match('/[\x{0}-\x{1F}\x{7F}-\x{9F}]/u', $text) === 1;
    }

    /**
     * The refusal.
     *
     * @param string $why the reason
     * @return fileserver_exception the exception
     */
    private static function refuse(string $why): fileserver_exception {
        return new fileserver_exception('invalid_path', $why);
    }
}
