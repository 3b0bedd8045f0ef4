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

namespace assignfeedback_lablink\local\collect;

/**
 * Names the students' folders of a collect: readable (the full name or the id, as the teacher
 * chose), safe (a single name the file server's `WorkspacePath` accepts, and none a shell or a
 * file manager trips on: no leading `.`, no leading or trailing space), unique among the collect
 * and what is already at the destination (`-2`, `-3` … given in userid order), and stable: a
 * student the manifest knows keeps the folder it records, whatever their name is now.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class folder_namer {
    /** Longest name, in bytes (as the file server and most file systems count). */
    public const MAX_BYTES = 255;

    /**
     * Whether a name is one single safe folder name, as it is (nothing altered).
     *
     * @param string $name the name
     * @return bool true when safe
     */
    public static function is_safe(string $name): bool {
        return $name !== '' && $name !== '.' && $name !== '..' && mb_check_encoding($name, 'UTF-8')
            && strlen($name) <= self::MAX_BYTES && strpbrk($name, "/\\") === false
            && preg_match('/[\x{0}-\x{1F}\x{7F}-\x{9F}]/u', $name) !== 1
            && $name[0] !== '.' && $name[0] !== ' ' && substr($name, -1) !== ' ';
    }

    /**
     * A safe name made from any text: runs of white space become one space, invalid bytes `?`,
     * slashes, backslashes and other control characters `_`; leading dots and outer spaces go,
     * and the result is cut to 255 bytes on a character boundary.
     *
     * @param string $text the text (a full name, an id)
     * @param string $fallback the name when nothing usable is left (must be safe)
     * @return string a name {@see is_safe} accepts
     */
    public static function safe_name(string $text, string $fallback): string {
        $text = mb_scrub($text, 'UTF-8');
        $text = preg_replace('/\s+/u', ' ', $text);
        $text = preg_replace('~[/\\\\\x{0}-\x{1F}\x{7F}-\x{9F}]~u', '_', $text);
        $text = ltrim(trim($text, ' '), '. ');
        $text = rtrim(mb_strcut($text, 0, self::MAX_BYTES, 'UTF-8'), ' ');
        return self::is_safe($text) ? $text : $fallback;
    }

    /**
     * Folders for the students of a collect.
     *
     * @param array<int,string> $bases userid => the wanted (safe) name, for students not in the manifest
     * @param manifest|null $manifest the manifest so far: its students keep their folders
     * @param string[] $taken names already at the destination (compared without case)
     * @return array<int,string> userid => folder name, unique without case
     */
    public static function assign(array $bases, ?manifest $manifest, array $taken): array {
        $used = [];
        foreach ($taken as $name) {
            $used[mb_strtolower($name, 'UTF-8')] = true;
        }
        $used[mb_strtolower(manifest::FILENAME, 'UTF-8')] = true;
        $folders = [];
        if ($manifest !== null) {
            foreach ($manifest->entries() as $entry) {
                $used[mb_strtolower($entry['folder'], 'UTF-8')] = true;
                if (isset($bases[$entry['userid']])) {
                    $folders[$entry['userid']] = $entry['folder'];
                }
            }
        }
        ksort($bases);
        foreach ($bases as $userid => $base) {
            if (isset($folders[$userid])) {
                continue;
            }
            $name = $base;
            for ($n = 2; isset($used[mb_strtolower($name, 'UTF-8')]); $n++) {
                $name = self::suffixed($base, "-$n");
            }
            $used[mb_strtolower($name, 'UTF-8')] = true;
            $folders[$userid] = $name;
        }
        return $folders;
    }

    /**
     * A name with a suffix, the name cut (on a character boundary) so both fit in 255 bytes.
     *
     * @param string $base the safe name
     * @param string $suffix `-2` …
     * @return string the suffixed name
     */
    private static function suffixed(string $base, string $suffix): string {
        $cut = rtrim(mb_strcut($base, 0, self::MAX_BYTES - strlen($suffix), 'UTF-8'), ' ');
        return $cut . $suffix;
    }
}
