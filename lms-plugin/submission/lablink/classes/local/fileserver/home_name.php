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
 * The home a Moodle user acts in, computed on the server in this one place: the admin's
 * chosen user field (username, idnumber or email) after a prefix, and optionally noto's
 * escaping (`-` → `-2d`, `.` → `-2e`, `_` → `-5f`, `@` → `-40`), the folder names a noto hub
 * gives its users, so that two ids never share a home.
 *
 * With a v2 server whose `home_naming` is `noto`, or with the legacy protocol, the server
 * escapes the id itself: use `plain` here then, or the id is escaped twice.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class home_name {
    /** The user fields a home may be taken from. */
    public const SOURCES = ['username', 'idnumber', 'email'];

    /**
     * The home of a user.
     *
     * @param \stdClass $user the user record
     * @param string $source `username`, `idnumber` or `email`
     * @param string $prefix put before the field's value
     * @param string $naming `plain` or `noto`
     * @return string the home name
     * @throws fileserver_exception `config` for an unknown source or naming, `invalid_home`
     *     when the field is empty or the result cannot name a folder
     */
    public static function for_user(\stdClass $user, string $source, string $prefix, string $naming): string {
        if (!in_array($source, self::SOURCES, true)) {
            throw new fileserver_exception('config', 'the username source must be username, idnumber or email');
        }
        if ($naming !== 'plain' && $naming !== 'noto') {
            throw new fileserver_exception('config', 'the home naming must be plain or noto');
        }
        $value = isset($user->{$source}) ? (string) $user->{$source} : '';
        if (trim($value) === '') {
            throw new fileserver_exception('invalid_home', "this user has no $source to name a home by");
        }
        $id = $prefix . $value;
        $home = $naming === 'noto' ? self::noto_escape($id) : $id;
        if (!workspace_path::is_name($home) || $home[0] === '.') {
            throw new fileserver_exception('invalid_home', "this user's $source cannot name a home folder");
        }
        return $home;
    }

    /**
     * noto's escaping, the escape character itself included (one pass, so `-2e` in an id
     * becomes `-2d2e` and never reads as an escaped `.`).
     *
     * @param string $id the user id
     * @return string the folder name
     */
    public static function noto_escape(string $id): string {
        return strtr($id, ['-' => '-2d', '.' => '-2e', '_' => '-5f', '@' => '-40']);
    }
}
