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
use assignsubmission_lablink\local\fileserver\workspace_path;

/**
 * workspace_path follows the file server's WorkspacePath rules (crates/protocol/src/path.rs).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignsubmission_lablink\local\fileserver\workspace_path
 */
final class workspace_path_test extends \PHPUnit\Framework\TestCase {
    /**
     * Accepted paths and their normal form.
     *
     * @return array<string,array{0:string,1:string}>
     */
    public static function accepted(): array {
        return [
            'empty is the home' => ['', '/'],
            'dot is the home' => ['.', '/'],
            'slash is the home' => ['/', '/'],
            'dot slash is the home' => ['./', '/'],
            'empty and dot segments' => ['a//b/./c/', '/a/b/c'],
            'dot dot inside' => ['a/b/../c', '/a/c'],
            'leading slash means the home' => ['/a/b', '/a/b'],
            'encoded dots are names' => ['%2e%2e', '/%2e%2e'],
            'unicode' => ['…/ü/日本', '/…/ü/日本'],
            'legacy start point' => ['.///dir1/x', '/dir1/x'],
            'longest name' => [str_repeat('x', 255), '/' . str_repeat('x', 255)],
            'deepest' => [rtrim(str_repeat('a/', 64), '/'), '/' . rtrim(str_repeat('a/', 64), '/')],
        ];
    }

    /**
     * @dataProvider accepted
     * @param string $input the path
     * @param string $expected its normal form
     */
    public function test_normalises(string $input, string $expected): void {
        $this->assertSame($expected, workspace_path::normalise($input));
        $this->assertSame(ltrim($expected, '/'), workspace_path::relative($input));
    }

    /**
     * Refused paths.
     *
     * @return array<string,array{0:string}>
     */
    public static function refused(): array {
        return [
            'parent of the home' => ['..'],
            'climbs out' => ['a/../../b'],
            'climbs out from the root' => ['/../x'],
            'another home' => ['../bob/private'],
            'NUL' => ["a\0b"],
            'newline' => ["a\nb"],
            'DEL' => ["a\x7fb"],
            'C1 control' => ["a\u{85}b"],
            'name too long' => [str_repeat('x', 256)],
            'path too long' => [str_repeat('ab/', 1100)],
            'too deep' => [str_repeat('a/', 65)],
            'not UTF-8' => ["caf\xe9"],
        ];
    }

    /**
     * @dataProvider refused
     * @param string $input the path
     */
    public function test_refuses(string $input): void {
        try {
            workspace_path::normalise($input);
            $this->fail('accepted ' . json_encode($input));
        } catch (fileserver_exception $e) {
            $this->assertSame('invalid_path', $e->errorcode);
            $this->assertSame(0, $e->httpstatus);
            if (strlen($input) > 3) {
                $this->assertStringNotContainsString($input, $e->getMessage(), 'the message never echoes the path');
            }
        }
    }

    public function test_single_names(): void {
        $this->assertTrue(workspace_path::is_name('notes.ipynb'));
        foreach (['', '.', '..', 'a/b', "a\tb", str_repeat('x', 256), "\xff"] as $bad) {
            $this->assertFalse(workspace_path::is_name($bad), json_encode($bad));
        }
    }
}
