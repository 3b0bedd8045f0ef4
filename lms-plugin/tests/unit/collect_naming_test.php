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

use assignfeedback_lablink\local\collect\collect_exception;
use assignfeedback_lablink\local\collect\folder_namer;
use assignfeedback_lablink\local\collect\item;
use assignfeedback_lablink\local\collect\manifest;
use assignfeedback_lablink\local\collect\nbgrader_layout;
use assignfeedback_lablink\local\collect\options;
use assignsubmission_lablink\local\fileserver\workspace_path;

/**
 * folder_namer and nbgrader_layout: safe, readable, unique and stable folder names; nbgrader's
 * paths and timestamp.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignfeedback_lablink\local\collect\folder_namer
 * @covers     \assignfeedback_lablink\local\collect\nbgrader_layout
 */
final class collect_naming_test extends \PHPUnit\Framework\TestCase {
    /**
     * Texts and the names made of them.
     *
     * @return array<string,array{0: string, 1: string}> case => [text, name]
     */
    public static function names(): array {
        return [
            'plain' => ['Anna Smith', 'Anna Smith'],
            'accents kept' => ['Zoë Ångström-Núñez', 'Zoë Ångström-Núñez'],
            'slash' => ['AC/DC', 'AC_DC'],
            'backslash' => ['C:\\Users', 'C:_Users'],
            'NUL and controls' => ["a\0b\x07c\u{9b}d\x7f", 'a_b_c_d_'],
            'tabs, newlines, NEL, no-break spaces are white space' => ["Anna\t\n \u{85}\u{a0}Smith", 'Anna Smith'],
            'outer spaces' => ['  Anna  ', 'Anna'],
            'leading dots' => ['..hidden', 'hidden'],
            'dots and spaces' => ['. . .x', 'x'],
            'dot dot' => ['..', 'user-9'],
            'empty' => ['', 'user-9'],
            'only spaces' => ['   ', 'user-9'],
            'invalid UTF-8' => ["Ann\xffa", 'Ann?a'],
            'a trailing dot stays' => ['Jr.', 'Jr.'],
        ];
    }

    /**
     * @dataProvider names
     * @param string $text the text
     * @param string $name the name expected
     */
    public function test_safe_names(string $text, string $name): void {
        $made = folder_namer::safe_name($text, 'user-9');
        $this->assertSame($name, $made);
        $this->assertTrue(folder_namer::is_safe($made));
        $this->assertTrue(workspace_path::is_name($made), 'the file server takes it as one name');
    }

    public function test_is_safe_refuses_what_the_rules_forbid(): void {
        foreach (['', '.', '..', 'a/b', 'a\\b', "a\0", "a\x1f", "a\u{9f}", '.x', ' x', 'x ', "\xff",
                str_repeat('a', 256)] as $bad) {
            $this->assertFalse(folder_namer::is_safe($bad), json_encode(mb_scrub($bad)));
        }
        $this->assertTrue(folder_namer::is_safe(str_repeat('a', 255)));
        $this->assertTrue(folder_namer::is_safe("eve.o'neil"));
    }

    public function test_a_long_multibyte_name_is_cut_on_a_character_within_255_bytes(): void {
        // 'é' is 2 bytes, '😀' 4: 300 of them in a row would cut inside a character at 255.
        foreach ([str_repeat('é', 200), 'a' . str_repeat('😀', 100), str_repeat('日本', 60)] as $long) {
            $name = folder_namer::safe_name($long, 'x');
            $this->assertLessThanOrEqual(255, strlen($name));
            $this->assertGreaterThan(250, strlen($name));
            $this->assertTrue(mb_check_encoding($name, 'UTF-8'));
            $this->assertStringStartsWith($name, $long);
        }
        // Suffixed duplicates still fit.
        $base = folder_namer::safe_name(str_repeat('😀', 70), 'x');
        $folders = folder_namer::assign([1 => $base, 2 => $base, 3 => $base], null, []);
        foreach ($folders as $folder) {
            $this->assertLessThanOrEqual(255, strlen($folder));
            $this->assertTrue(folder_namer::is_safe($folder));
        }
        $this->assertStringEndsWith('😀-2', $folders[2]);
        $this->assertSame(254, strlen($folders[2]), '63 whole emoji (252 bytes) + "-2": a 64th would not fit');
        $this->assertCount(3, array_unique($folders));
    }

    public function test_duplicates_get_suffixes_in_userid_order(): void {
        $folders = folder_namer::assign([30 => 'Anna', 10 => 'Anna', 20 => 'anna', 40 => 'Ben'], null, []);
        $this->assertSame([10 => 'Anna', 20 => 'anna-2', 30 => 'Anna-3', 40 => 'Ben'], $folders);
    }

    public function test_names_at_the_destination_and_the_manifest_file_are_avoided(): void {
        $folders = folder_namer::assign([1 => 'Anna', 2 => 'lablink-manifest.json', 3 => 'Notes'], null,
            ['anna', 'notes', 'Notes-2']);
        $this->assertSame([1 => 'Anna-2', 2 => 'lablink-manifest.json-2', 3 => 'Notes-3'], $folders);
    }

    public function test_a_student_in_the_manifest_keeps_the_folder(): void {
        $m = manifest::for_options(collect_manifest_test::options());
        $m->set(new item(20, 1, 0, 0, '/z', 'h', 'Anna', 'anna'), 'Anna', manifest::COLLECTED);
        $m->set(new item(50, 1, 0, 0, '/z', 'h', 'Old Name', 'x'), 'Old Name', manifest::PENDING);
        // User 10 is new and named Anna too: the folder Anna is user 20's, whose userid is larger.
        $folders = folder_namer::assign([10 => 'Anna', 20 => 'Anna', 50 => 'New Name', 60 => 'Old Name'], $m, []);
        $this->assertSame([20 => 'Anna', 50 => 'Old Name', 10 => 'Anna-2', 60 => 'Old Name-2'], $folders);
        // The same again: stable.
        $this->assertSame($folders, folder_namer::assign([60 => 'Old Name', 50 => 'x', 20 => 'y', 10 => 'Anna'], $m, []) +
            []);
    }

    public function test_nbgrader_paths(): void {
        $this->assertSame('submitted/eve.o\'neil/ps1', nbgrader_layout::submission_folder("eve.o'neil", 'ps1'));
        $this->assertSame('feedback/s123/ps 1', nbgrader_layout::feedback_folder('s123', 'ps 1'));
        $this->assertSame('feedback/s123/ps1', nbgrader_layout::feedback_of('submitted/s123/ps1'));
        foreach (['submitted/s123', 'other/s123/ps1', 'submitted/a/b/c'] as $bad) {
            try {
                nbgrader_layout::feedback_of($bad);
                $this->fail("accepted $bad");
            } catch (collect_exception $e) {
                $this->assertSame('bad_manifest', $e->errorcode);
            }
        }
    }

    public function test_an_unsafe_student_id_is_refused_not_altered(): void {
        foreach (['', 'a/b', '../x', '.hidden', ' x', "x\n", str_repeat('é', 128)] as $bad) {
            try {
                nbgrader_layout::submission_folder($bad, 'ps1');
                $this->fail('accepted ' . json_encode($bad));
            } catch (collect_exception $e) {
                $this->assertSame('bad_student_id', $e->errorcode);
            }
        }
        $this->expectException(collect_exception::class);
        nbgrader_layout::submission_folder('s1', 'a/b');
    }

    public function test_timestamp_is_what_nbgrader_reads(): void {
        $this->assertSame('2026-10-01 11:00:00.000000 UTC', nbgrader_layout::timestamp(1790852400));
        $this->assertSame('1970-01-01 00:00:00.000000 UTC', nbgrader_layout::timestamp(0));
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} UTC$/',
            nbgrader_layout::timestamp(time()));
    }

    public function test_options_refuse_what_makes_no_sense(): void {
        $cases = [
            ['../x', 'folders', 'fullname', ''],
            ['/c', 'flat', 'fullname', ''],
            ['/c', 'folders', 'email', ''],
            ['/c', 'nbgrader', 'fullname', ''],
            ['/c', 'nbgrader', 'fullname', '.ps1'],
        ];
        foreach ($cases as [$root, $layout, $naming, $nb]) {
            try {
                new options($root, $layout, $naming, $nb, false, 7, 70, 3, 'Lab');
                $this->fail("accepted $root $layout $naming $nb");
            } catch (collect_exception $e) {
                $this->assertSame('bad_option', $e->errorcode);
            }
        }
        $o = new options('course//collect/', 'folders', 'studentid', 'ignored', true, 7, 70, 3, 'Lab');
        $this->assertSame('/course/collect', $o->root);
        $this->assertSame('', $o->nbassignment);
        $this->assertSame('/course/collect/a b', $o->path('a b'));
        $this->assertSame('/x', (new options('/', 'folders', 'fullname', '', false, 7, 70, 3, 'Lab'))->path('x'));
    }
}
