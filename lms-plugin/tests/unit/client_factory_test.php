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

use assignsubmission_lablink\local\fileserver\client_factory;
use assignsubmission_lablink\local\fileserver\client_legacy;
use assignsubmission_lablink\local\fileserver\client_v2;
use assignsubmission_lablink\local\fileserver\config;
use assignsubmission_lablink\local\fileserver\curl_transport;
use assignsubmission_lablink\local\fileserver\fileserver_exception;

/**
 * client_factory builds the client the settings ask for, and refuses incomplete settings.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignsubmission_lablink\local\fileserver\client_factory
 * @covers     \assignsubmission_lablink\local\fileserver\config
 */
final class client_factory_test extends \PHPUnit\Framework\TestCase {
    /**
     * Complete settings for both protocols.
     *
     * @return config the settings
     */
    private static function config(): config {
        $c = new config();
        $c->baseurl = 'https://hub.example.org/course-[courseid]/files';
        $c->kid = 'moodle-2026';
        $c->secret = 'v2 secret';
        $c->issuer = 'https://moodle.example.org';
        $c->legacykey = 'moodle';
        $c->legacysecret = 'legacy secret';
        return $c;
    }

    public function test_builds_the_client_of_each_protocol(): void {
        $c = self::config();
        $this->assertSame('https://hub.example.org/course-42/files', $c->baseurl_for(42));
        $this->assertInstanceOf(client_v2::class, client_factory::create($c, 42, new curl_transport()));
        $c->protocol = 'legacy';
        $c->legacytimezone = 'Europe/Zurich';
        $this->assertInstanceOf(client_legacy::class, client_factory::create($c, 42, new curl_transport()));
    }

    /**
     * Incomplete or wrong settings.
     *
     * @return array<string,array{0:string,1:mixed}>
     */
    public static function refused(): array {
        return [
            'no URL' => ['baseurl', ''],
            'not http' => ['baseurl', 'ftp://hub.example.org/'],
            'unknown protocol' => ['protocol', 'v3'],
            'no v2 secret' => ['secret', ''],
            'no v2 key id' => ['kid', ''],
        ];
    }

    /**
     * @dataProvider refused
     * @param string $field the setting changed
     * @param mixed $value its wrong value
     */
    public function test_refuses_incomplete_settings(string $field, $value): void {
        $c = self::config();
        $c->{$field} = $value;
        try {
            client_factory::create($c, 1, new curl_transport());
            $this->fail('accepted');
        } catch (fileserver_exception $e) {
            $this->assertSame('config', $e->errorcode);
        }
    }

    public function test_refuses_incomplete_legacy_settings(): void {
        foreach (['legacysecret' => '', 'legacykey' => '', 'legacytimezone' => 'Mars/Olympus'] as $field => $value) {
            $c = self::config();
            $c->protocol = 'legacy';
            $c->{$field} = $value;
            try {
                client_factory::create($c, 1, new curl_transport());
                $this->fail("accepted $field");
            } catch (fileserver_exception $e) {
                $this->assertSame('config', $e->errorcode, $field);
            }
        }
    }
}
