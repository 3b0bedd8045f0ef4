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

use assignsubmission_lablink\local\fileserver\client;
use assignsubmission_lablink\local\fileserver\client_v2;
use assignsubmission_lablink\local\fileserver\curl_transport;
use assignsubmission_lablink\local\fileserver\token_signer;

/**
 * The client contract over v2, against a real `lablink files`.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignsubmission_lablink\local\fileserver\client_v2
 * @covers     \assignsubmission_lablink\local\fileserver\curl_transport
 * @covers     \assignsubmission_lablink\local\fileserver\body_receiver
 */
final class client_v2_test extends contract_testcase {
    protected function client(array $o = []): client {
        $signer = new token_signer(lablink_server::KID, $o['secret'] ?? lablink_server::SECRET,
            'https://moodle.test', 60, $o['clock'] ?? null);
        $url = $o['url'] ?? self::$server->url();
        $transport = $o['transport'] ?? new curl_transport();
        if (!empty($o['rawpaths'])) {
            return new class($url, $signer, $transport) extends client_v2 {
                protected function path_param(string $path): string {
                    return $path;
                }
            };
        }
        return new client_v2($url, $signer, $transport);
    }

    protected function renamed(string $name): string {
        return "$name-2";
    }

    protected function refusal_status(): int {
        return 401;
    }

    protected function server_dotdot_code(): string {
        return 'bad_path';
    }

    protected function upload_limit_code(): string {
        return 'payload_too_large';
    }

    public function test_another_users_home_is_forbidden(): void {
        // A token for Alice's home, sent to Bob's: the server compares `sub` with the home.
        $signer = new token_signer(lablink_server::KID, lablink_server::SECRET, 'https://moodle.test');
        $client = new class(self::$server->url(), $signer, new curl_transport()) extends client_v2 {
            protected function token(string $method, string $apipath, string $home, string $scope): string {
                return parent::token($method, $apipath, 'alice', $scope);
            }
        };
        $dest = $this->temp();
        $e = $this->refused('forbidden', fn() => $client->archive_to_file('bob', '/private', $dest));
        $this->assertSame(403, $e->httpstatus);
        $this->assertFileDoesNotExist($dest);
        $this->refused('forbidden', fn() => $client->list_entries('bob', '/'));
    }

    public function test_a_token_is_bound_to_its_path(): void {
        // A valid token for `entries` used on `archive` of the same home.
        $signer = new token_signer(lablink_server::KID, lablink_server::SECRET, 'https://moodle.test');
        $client = new class(self::$server->url(), $signer, new curl_transport()) extends client_v2 {
            protected function token(string $method, string $apipath, string $home, string $scope): string {
                return parent::token($method, str_replace('/archive', '/entries', $apipath), $home, $scope);
            }
        };
        $this->refused('unauthorized', fn() => $client->archive_to_file('alice', '/', $this->temp()));
    }

    public function test_skipped_entries_are_reported(): void {
        $this->put('work/a.txt', 'a');
        symlink(self::$server->home('bob') . '/private', self::$server->home('alice') . '/work/bobs');
        $dest = $this->temp();
        $result = $this->client()->archive_to_file('alice', '/work', $dest);
        $this->assertSame(['bobs'], $result['skipped']);
        $this->assertStringNotContainsString(lablink_server::BOB_SECRET, file_get_contents($dest));
    }
}
