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
    protected function expected_sha256(string $zip): string {
        return hash_file('sha256', $zip);
    }

    /**
     * A client whose tokens are tampered with.
     *
     * @param \Closure $tamper (method, apipath, home, scope) => [method, apipath, home, scope]
     * @return client_v2 the client
     */
    private function tampered(\Closure $tamper): client_v2 {
        $signer = new token_signer(lablink_server::KID, lablink_server::SECRET, 'https://moodle.test');
        return new class(self::$server->url(), $signer, new curl_transport(), $tamper) extends client_v2 {
            /** @var \Closure the tampering */
            private \Closure $tamper;

            public function __construct(string $url, token_signer $signer, curl_transport $t, \Closure $tamper) {
                parent::__construct($url, $signer, $t);
                $this->tamper = $tamper;
            }

            protected function token(string $method, string $apipath, string $home, string $scope): string {
                return parent::token(...($this->tamper)($method, $apipath, $home, $scope));
            }
        };
    }

    /**
     * The names in a folder of Alice's home, staging leftovers included.
     *
     * @param string $folder relative folder, '' for the home
     * @return string[] the names, sorted
     */
    private function names(string $folder = ''): array {
        $names = array_values(array_diff(scandir(self::$server->home('alice') . '/' . $folder), ['.', '..']));
        sort($names);
        return $names;
    }

    public function test_extract_on_conflict_fail_leaves_the_folder_alone(): void {
        $this->put('copy/a.txt', 'student work');
        $zip = $this->zip(['a.txt' => 'new']);
        $e = $this->refused('conflict', fn() => $this->client()->extract_from_file('alice', '/copy', $zip, 'fail'));
        $this->assertSame(409, $e->httpstatus);
        $this->assertSame('student work', file_get_contents(self::$server->home('alice') . '/copy/a.txt'));
        $this->assertSame(['copy'], $this->names());
    }

    public function test_extract_on_conflict_replace_swaps_the_whole_folder(): void {
        $this->put('collect/anna/old.txt', 'old only');
        $this->put('collect/anna/a.txt', 'old');
        $zip = $this->zip(['a.txt' => 'new', 'sub/b.txt' => 'b']);
        $made = $this->client()->extract_from_file('alice', '/collect/anna', $zip, 'replace');
        $this->assertSame('/collect/anna', $made['path']);
        $this->assertSame(2, $made['files']);
        $this->assertSame(hash_file('sha256', $zip), $made['sha256']);
        $home = self::$server->home('alice');
        $this->assertSame('new', file_get_contents("$home/collect/anna/a.txt"));
        $this->assertSame('b', file_get_contents("$home/collect/anna/sub/b.txt"));
        $this->assertFileDoesNotExist("$home/collect/anna/old.txt");
        $this->assertSame(['anna'], $this->names('collect'), 'no staging or old folder is left beside it');
        // An absent target is simply created.
        $fresh = $this->client()->extract_from_file('alice', '/collect/ben', $zip, 'replace');
        $this->assertSame('/collect/ben', $fresh['path']);
        $this->assertSame('new', file_get_contents("$home/collect/ben/a.txt"));
    }

    public function test_extract_replace_refuses_a_file_or_a_symlink(): void {
        $this->put('collect/anna', 'a file, not a folder');
        $home = self::$server->home('alice');
        symlink(self::$server->home('bob') . '/private', "$home/collect/bobs");
        $zip = $this->zip(['a.txt' => 'new']);
        $this->refused('conflict', fn() => $this->client()->extract_from_file('alice', '/collect/anna', $zip, 'replace'));
        $this->refused('conflict', fn() => $this->client()->extract_from_file('alice', '/collect/bobs', $zip, 'replace'));
        $this->assertSame('a file, not a folder', file_get_contents("$home/collect/anna"));
        $this->assertTrue(is_link("$home/collect/bobs"));
        $this->assertSame(lablink_server::BOB_SECRET, file_get_contents(self::$server->home('bob') . '/private/secret.txt'));
        $this->assertSame(['secret.txt'], array_values(array_diff(scandir(self::$server->home('bob') . '/private'), ['.', '..'])));
        $this->assertSame(['anna', 'bobs'], $this->names('collect'));
    }

    public function test_an_unknown_on_conflict_is_refused_before_sending(): void {
        $transport = new recording_transport(new curl_transport());
        $this->refused('unsupported', fn() => $this->client(['transport' => $transport])
            ->extract_from_file('alice', '/copy', $this->zip(['a' => 'b']), 'merge'));
        $this->assertSame([], $transport->sent);
    }

    public function test_put_file_writes_and_replaces_a_file(): void {
        mkdir(self::$server->home('alice') . '/collect');
        $first = $this->client()->put_file('alice', '/collect/lablink-manifest.json', '{"v":1}');
        $this->assertSame(['path' => '/collect/lablink-manifest.json', 'bytes' => 7,
            'sha256' => hash('sha256', '{"v":1}')], $first);
        $file = self::$server->home('alice') . '/collect/lablink-manifest.json';
        $this->assertSame('{"v":1}', file_get_contents($file));
        $text = str_repeat("é", 40000);
        $second = $this->client()->put_file('alice', 'collect/lablink-manifest.json', $text);
        $this->assertSame(strlen($text), $second['bytes']);
        $this->assertSame($text, file_get_contents($file));
        $this->assertSame(['lablink-manifest.json'], $this->names('collect'), 'no temporary file is left');
        $empty = $this->client()->put_file('alice', '/collect/empty', '');
        $this->assertSame(0, $empty['bytes']);
        $this->assertSame('', file_get_contents(self::$server->home('alice') . '/collect/empty'));
    }

    public function test_put_file_refusals(): void {
        $home = self::$server->home('alice');
        $this->put('folder/inner.txt', 'inner');
        symlink(self::$server->home('bob') . '/private/secret.txt', "$home/link.txt");
        $client = $this->client();
        $this->refused('not_found', fn() => $client->put_file('alice', '/no such folder/m.json', '{}'));
        $this->refused('not_a_file', fn() => $client->put_file('alice', '/folder', '{}'));
        $this->refused('forbidden', fn() => $client->put_file('alice', '/link.txt', 'overwritten?'));
        $this->refused('payload_too_large',
            fn() => $client->put_file('alice', '/big.bin', str_repeat('x', lablink_server::MAX_FILE + 1)));
        $this->assertSame(lablink_server::BOB_SECRET, file_get_contents(self::$server->home('bob') . '/private/secret.txt'));
        $this->assertSame('inner', file_get_contents("$home/folder/inner.txt"));
        $this->assertSame(['folder', 'link.txt'], $this->names());
        $this->assertSame(['inner.txt'], $this->names('folder'));

        $transport = new recording_transport(new curl_transport());
        $recorded = $this->client(['transport' => $transport]);
        $this->refused('invalid_path', fn() => $recorded->put_file('alice', '/', '{}'));
        $this->refused('invalid_path', fn() => $recorded->put_file('alice', '../bob/private/secret.txt', 'x'));
        $this->refused('invalid_home', fn() => $recorded->put_file('', '/m.json', 'x'));
        $this->assertSame([], $transport->sent);
        $this->refused('bad_path', fn() => $this->client(['rawpaths' => true])
            ->put_file('alice', '../bob/private/secret.txt', 'x'));
        $this->assertSame(lablink_server::BOB_SECRET, file_get_contents(self::$server->home('bob') . '/private/secret.txt'));
    }

    public function test_put_file_tokens_are_bound_to_method_path_home_and_write_scope(): void {
        $home = self::$server->home('alice');
        $cases = [
            ['unauthorized', fn($m, $p, $h, $s) => ['GET', $p, $h, $s]],
            ['unauthorized', fn($m, $p, $h, $s) => [$m, str_replace('/file', '/extract', $p), $h, $s]],
            ['forbidden', fn($m, $p, $h, $s) => [$m, $p, $h, 'read']],
        ];
        foreach ($cases as [$code, $tamper]) {
            $this->refused($code, fn() => $this->tampered($tamper)->put_file('alice', '/m.json', '{}'));
        }
        $this->assertFileDoesNotExist("$home/m.json");
        $bobs = $this->tampered(fn($m, $p, $h, $s) => [$m, $p, 'alice', $s]);
        $this->refused('forbidden', fn() => $bobs->put_file('bob', '/private/secret.txt', 'x'));
        $this->assertSame(lablink_server::BOB_SECRET, file_get_contents(self::$server->home('bob') . '/private/secret.txt'));
    }

    public function test_get_file_reads_a_small_file(): void {
        $bytes = random_bytes(5000);
        $this->put('collect/lablink-manifest.json', $bytes);
        $this->assertSame($bytes, $this->client()->get_file('alice', '/collect/lablink-manifest.json', 5000));
        $this->put('empty', '');
        $this->assertSame('', $this->client()->get_file('alice', 'empty', 1));
        // Written by put_file, read back by get_file.
        mkdir(self::$server->home('alice') . '/round');
        $this->client()->put_file('alice', '/round/trip.json', '{"ü": 1}');
        $this->assertSame('{"ü": 1}', $this->client()->get_file('alice', '/round/trip.json', 100));
    }

    public function test_get_file_refusals(): void {
        $home = self::$server->home('alice');
        $this->put('folder/inner.txt', 'inner');
        $this->put('big.json', str_repeat('x', 3000));
        symlink(self::$server->home('bob') . '/private/secret.txt', "$home/link.txt");
        $client = $this->client();
        $this->refused('too_large', fn() => $client->get_file('alice', '/big.json', 2999));
        $this->assertSame(3000, strlen($client->get_file('alice', '/big.json', 3000)));
        $this->refused('not_a_file', fn() => $client->get_file('alice', '/folder', 100));
        $this->refused('not_found', fn() => $client->get_file('alice', '/missing.json', 100));
        $e = $this->refused('forbidden', fn() => $client->get_file('alice', '/link.txt', 100));
        $this->assertStringNotContainsString(lablink_server::BOB_SECRET, $e->getMessage());
        $this->refused('bad_path', fn() => $this->client(['rawpaths' => true])
            ->get_file('alice', '../bob/private/secret.txt', 100));
        $bobs = $this->tampered(fn($m, $p, $h, $s) => [$m, $p, 'alice', $s]);
        $this->refused('forbidden', fn() => $bobs->get_file('bob', '/private/secret.txt', 100));
        $this->refused('unauthorized',
            fn() => $this->tampered(fn($m, $p, $h, $s) => ['PUT', $p, $h, $s])->get_file('alice', '/big.json', 5000));

        $transport = new recording_transport(new curl_transport());
        $recorded = $this->client(['transport' => $transport]);
        $this->refused('bad_argument', fn() => $recorded->get_file('alice', '/big.json', 0));
        $this->refused('invalid_path', fn() => $recorded->get_file('alice', '/', 100));
        $this->refused('invalid_path', fn() => $recorded->get_file('alice', '/../bob/private/secret.txt', 100));
        $this->assertSame([], $transport->sent);
    }

    public function test_create_folder_with_parents_refuses_a_file_on_the_way(): void {
        $this->put('course', 'a file');
        $this->refused('not_a_folder', fn() => $this->client()->create_folder('alice', '/course/collect', true));
        $this->assertSame('a file', file_get_contents(self::$server->home('alice') . '/course'));
    }
}
