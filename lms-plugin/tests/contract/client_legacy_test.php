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
use assignsubmission_lablink\local\fileserver\client_legacy;
use assignsubmission_lablink\local\fileserver\curl_transport;
use assignsubmission_lablink\local\fileserver\legacy_signer;

/**
 * The client contract over the noto-legacy protocol, against a real `lablink files`.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignsubmission_lablink\local\fileserver\client_legacy
 * @covers     \assignsubmission_lablink\local\fileserver\curl_transport
 * @covers     \assignsubmission_lablink\local\fileserver\body_receiver
 */
final class client_legacy_test extends contract_testcase {
    protected function client(array $o = []): client {
        $signer = new legacy_signer(lablink_server::LEGACY_USER, $o['secret'] ?? lablink_server::LEGACY_SECRET);
        $url = $o['url'] ?? self::$server->url();
        $transport = $o['transport'] ?? new curl_transport();
        $args = [$url, $signer, $transport, 10, 60, 'UTC', 'lablink', $o['clock'] ?? null];
        if (!empty($o['rawpaths'])) {
            return new class(...$args) extends client_legacy {
                protected function path_param(string $path): string {
                    return $path;
                }
            };
        }
        return new client_legacy(...$args);
    }

    protected function renamed(string $name): string {
        return "$name-V2";
    }

    protected function refusal_status(): int {
        // The protocol answers every handled request with 200 and a code in the envelope.
        return 0;
    }

    protected function server_dotdot_code(): string {
        return 'bad_path';
    }

    protected function upload_limit_code(): string {
        return 'failed';
    }

    public function test_another_users_home_is_out_of_reach(): void {
        // The legacy key may act for any user id (the protocol trusts the site); what must hold
        // is that no path reaches from one home into another, checked by the server as well.
        $dest = $this->temp();
        $client = $this->client(['rawpaths' => true]);
        $this->refused('bad_path', fn() => $client->archive_to_file('alice', '../bob/private', $dest));
        $this->refused('bad_path', fn() => $client->list_entries('alice', '/../bob'));
        $this->assertFileDoesNotExist($dest);
    }

    public function test_the_shapes_of_the_original_server_are_read(): void {
        $this->put('course/lab.ipynb', '{}', 1600000000);
        $page = $this->client()->list_entries('alice', '/course');
        $this->assertSame([['name' => 'lab.ipynb', 'kind' => 'file', 'size' => 0, 'modified' => 1600000000]],
            $page['entries']);
        // Local times: the same wall-clock text read in another zone is another instant.
        $zurich = new client_legacy(self::$server->url(),
            new legacy_signer(lablink_server::LEGACY_USER, lablink_server::LEGACY_SECRET), new curl_transport(),
            10, 60, 'Europe/Zurich');
        $this->assertSame(1600000000 - 7200, $zurich->list_entries('alice', '/course')['entries'][0]['modified']);
    }
    protected function expected_sha256(string $zip): string {
        // The protocol reports only where the zip landed.
        return '';
    }

    public function test_what_needs_v2_is_unsupported_and_nothing_is_sent(): void {
        $transport = new recording_transport(new curl_transport());
        $client = $this->client(['transport' => $transport]);
        $this->put('copy/a.txt', 'student work');
        $zip = $this->zip(['a.txt' => 'new']);
        foreach (['fail', 'replace', 'merge'] as $mode) {
            $this->refused('unsupported', fn() => $client->extract_from_file('alice', '/copy', $zip, $mode));
        }
        $this->refused('unsupported', fn() => $client->put_file('alice', '/copy/m.json', '{}'));
        $this->refused('unsupported', fn() => $client->get_file('alice', '/copy/a.txt', 100));
        $this->assertSame([], $transport->sent);
        $home = self::$server->home('alice');
        $this->assertSame('student work', file_get_contents("$home/copy/a.txt"));
        $this->assertSame(['a.txt'], array_values(array_diff(scandir("$home/copy"), ['.', '..'])));
    }

    public function test_create_folder_with_parents_refuses_a_file_on_the_way(): void {
        $this->put('course', 'a file');
        $this->refused('conflict', fn() => $this->client()->create_folder('alice', '/course/collect', true));
        $this->assertSame('a file', file_get_contents(self::$server->home('alice') . '/course'));
        $this->assertSame(['course'], array_values(array_diff(scandir(self::$server->home('alice')), ['.', '..'])));
    }
}
