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
use assignsubmission_lablink\local\fileserver\home_name;

/**
 * home_name: the acting home from the user record, with noto's escaping.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignsubmission_lablink\local\fileserver\home_name
 */
final class home_name_test extends \PHPUnit\Framework\TestCase {
    /**
     * A user record.
     *
     * @return \stdClass the user
     */
    private static function user(): \stdClass {
        return (object) ['username' => 'a.b', 'idnumber' => '', 'email' => 'Jo_Doe@uni.ch'];
    }

    public function test_plain_takes_the_field_after_the_prefix(): void {
        $this->assertSame('a.b', home_name::for_user(self::user(), 'username', '', 'plain'));
        $this->assertSame('m-a.b', home_name::for_user(self::user(), 'username', 'm-', 'plain'));
        $this->assertSame('Jo_Doe@uni.ch', home_name::for_user(self::user(), 'email', '', 'plain'));
    }

    public function test_noto_escapes_as_the_hub_does(): void {
        $this->assertSame('a-2eb', home_name::for_user(self::user(), 'username', '', 'noto'));
        $this->assertSame('Jo-5fDoe-40uni-2ech', home_name::for_user(self::user(), 'email', '', 'noto'));
        // The escape character itself is escaped, so two ids never share a folder.
        $this->assertSame('a-2d2eb', home_name::noto_escape('a-2eb'));
        $this->assertNotSame(home_name::noto_escape('a.b'), home_name::noto_escape('a-2eb'));
        $this->assertSame('ch-2depfl-2dmoodle-2dusername-2da-2eb',
            home_name::for_user(self::user(), 'username', 'ch-epfl-moodle-username-', 'noto'));
        $this->assertSame('123456', home_name::noto_escape('123456'));
    }

    /**
     * Refusals and their codes.
     *
     * @return array<string,array{0:array,1:string,2:string,3:string}>
     */
    public static function refused(): array {
        return [
            'empty idnumber' => [['idnumber' => ''], 'idnumber', 'plain', 'invalid_home'],
            'blank idnumber' => [['idnumber' => '  '], 'idnumber', 'plain', 'invalid_home'],
            'missing field' => [[], 'email', 'plain', 'invalid_home'],
            'dot dot' => [['username' => '..'], 'username', 'plain', 'invalid_home'],
            'slash' => [['username' => 'a/b'], 'username', 'plain', 'invalid_home'],
            'hidden' => [['username' => '.x'], 'username', 'plain', 'invalid_home'],
            'control' => [['username' => "a\nb"], 'username', 'plain', 'invalid_home'],
            'unknown source' => [['username' => 'a'], 'firstname', 'plain', 'config'],
            'unknown naming' => [['username' => 'a'], 'username', 'hex', 'config'],
        ];
    }

    /**
     * @dataProvider refused
     * @param array $fields user fields
     * @param string $source the source
     * @param string $naming the naming
     * @param string $code the expected code
     */
    public function test_refuses(array $fields, string $source, string $naming, string $code): void {
        try {
            home_name::for_user((object) $fields, $source, '', $naming);
            $this->fail('accepted');
        } catch (fileserver_exception $e) {
            $this->assertSame($code, $e->errorcode);
        }
    }
}
