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
use assignsubmission_lablink\local\fileserver\fileserver_exception;

/**
 * The client contract, run against a real `lablink files` over each protocol (one subclass
 * per protocol): list, archive to a file, extract from a file, create a folder, check, and each
 * refusal with its error code.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
abstract class contract_testcase extends \PHPUnit\Framework\TestCase {
    use with_lablink_server;

    /** @var string[] temporary files to remove after a test */
    private array $temps = [];

    /**
     * A client of the server.
     *
     * @param array $o overrides: `secret`, `clock` (\Closure), `url`, `rawpaths` (send paths
     *     unchecked, to see the server's own refusal), `transport`
     * @return client the client
     */
    abstract protected function client(array $o = []): client;

    /**
     * The name the server gives when `$name` is taken (`name-2` in v2, `name-V2` in legacy).
     *
     * @param string $name the name asked for
     * @return string the second name
     */
    abstract protected function renamed(string $name): string;

    protected function setUp(): void {
        $alice = self::$server->home('alice');
        lablink_server::remove($alice);
        mkdir($alice, 0700);
    }

    protected function tearDown(): void {
        foreach ($this->temps as $file) {
            @unlink($file);
        }
    }

    /**
     * A temporary file name (removed after the test).
     *
     * @return string the path
     */
    protected function temp(): string {
        $file = tempnam(sys_get_temp_dir(), 'lablink-test-');
        $this->temps[] = $file;
        return $file;
    }

    /**
     * Writes a file into Alice's home.
     *
     * @param string $path relative path
     * @param string $content the bytes
     * @param int $mtime modification time, 0 for now
     */
    protected function put(string $path, string $content, int $mtime = 0): void {
        $file = self::$server->home('alice') . '/' . $path;
        @mkdir(dirname($file), 0700, true);
        file_put_contents($file, $content);
        if ($mtime > 0) {
            touch($file, $mtime);
        }
    }

    /**
     * A zip of the given entries, in a temporary file.
     *
     * @param array<string,string> $entries name => content
     * @param bool $store store rather than deflate
     * @return string the zip's path
     */
    protected function zip(array $entries, bool $store = false): string {
        $file = $this->temp();
        $zip = new \ZipArchive();
        $this->assertTrue($zip->open($file, \ZipArchive::OVERWRITE));
        foreach ($entries as $name => $content) {
            $zip->addFromString($name, $content);
            if ($store) {
                $zip->setCompressionName($name, \ZipArchive::CM_STORE);
            }
        }
        $zip->close();
        return $file;
    }

    /**
     * Runs a call that must be refused.
     *
     * @param string $code the expected error code
     * @param callable $call the call
     * @return fileserver_exception the refusal
     */
    protected function refused(string $code, callable $call): fileserver_exception {
        try {
            $call();
        } catch (fileserver_exception $e) {
            $this->assertSame($code, $e->errorcode, "refused with {$e->errorcode}: {$e->getMessage()}");
            return $e;
        }
        $this->fail("not refused (expected $code)");
    }

    public function test_lists_a_folder_in_pages(): void {
        $this->put('notebooks/lab1.ipynb', '{"cells": []}');
        $this->put('data.csv', "a,b\n1,2\n", 1700000000);
        $this->put('.hidden', 'x');
        $page = $this->client()->list_entries('alice', '/');
        $this->assertSame(['path', 'entries', 'total', 'next_cursor'], array_keys($page));
        $this->assertSame('', $page['path']);
        $this->assertSame(2, $page['total']);
        $this->assertSame('', $page['next_cursor']);
        $this->assertSame([['notebooks', 'folder'], ['data.csv', 'file']],
            array_map(fn($e) => [$e['name'], $e['kind']], $page['entries']));
        $this->assertSame(1700000000, $page['entries'][1]['modified']);
        $this->assertSame(['name', 'kind', 'size', 'modified'], array_keys($page['entries'][0]));

        $first = $this->client()->list_entries('alice', '/', '', 1);
        $this->assertCount(1, $first['entries']);
        $this->assertNotSame('', $first['next_cursor']);
        $second = $this->client()->list_entries('alice', '/', $first['next_cursor'], 1);
        $this->assertSame('data.csv', $second['entries'][0]['name']);
        $this->assertSame('', $second['next_cursor']);

        $inner = $this->client()->list_entries('alice', '/notebooks/');
        $this->assertSame('notebooks', $inner['path']);
        $this->assertSame('lab1.ipynb', $inner['entries'][0]['name']);
    }

    public function test_archives_a_folder_into_a_file(): void {
        $random = random_bytes(300000);
        $this->put('work/lab1.ipynb', '{"cells": ["print(1)"]}');
        $this->put('work/data/blob.bin', $random);
        $dest = $this->temp();
        $result = $this->client()->archive_to_file('alice', '/work', $dest);
        $this->assertSame(filesize($dest), $result['bytes']);
        $this->assertSame([], $result['skipped']);
        $zip = new \ZipArchive();
        $this->assertTrue($zip->open($dest));
        $this->assertSame('{"cells": ["print(1)"]}', $zip->getFromName('lab1.ipynb'));
        $this->assertSame($random, $zip->getFromName('data/blob.bin'));
        $zip->close();
    }

    public function test_extracts_a_zip_into_a_new_folder_never_over_existing_work(): void {
        $zip = $this->zip(['a.txt' => 'first', 'sub/b.txt' => 'second']);
        $client = $this->client();
        mkdir(self::$server->home('alice') . '/course');
        $made = $client->extract_from_file('alice', '/course/copy', $zip);
        $this->assertSame(['path' => '/course/copy'], array_intersect_key($made, ['path' => 1]));
        $home = self::$server->home('alice');
        $this->assertSame('second', file_get_contents("$home/course/copy/sub/b.txt"));
        file_put_contents("$home/course/copy/a.txt", 'student work');
        $again = $client->extract_from_file('alice', 'course/copy', $zip);
        $this->assertSame('/course/' . $this->renamed('copy'), $again['path']);
        $this->assertSame('student work', file_get_contents("$home/course/copy/a.txt"));
        $this->assertSame('first', file_get_contents($home . $again['path'] . '/a.txt'));
    }

    public function test_creates_a_folder_once(): void {
        $made = $this->client()->create_folder('alice', '/new folder');
        $this->assertSame(['path' => 'new folder', 'created' => true], $made);
        $this->assertDirectoryExists(self::$server->home('alice') . '/new folder');
        $this->refused('conflict', fn() => $this->client()->create_folder('alice', '/new folder'));
        $this->assertSame(['new folder'], array_values(array_diff(scandir(self::$server->home('alice')), ['.', '..'])));
    }

    public function test_creates_missing_parents_and_accepts_an_existing_folder(): void {
        $home = self::$server->home('alice');
        $made = $this->client()->create_folder('alice', '/course/week 1/collect', true);
        $this->assertSame(['path' => 'course/week 1/collect', 'created' => true], $made);
        $this->assertDirectoryExists("$home/course/week 1/collect");
        file_put_contents("$home/course/week 1/collect/kept.txt", 'work');
        $again = $this->client()->create_folder('alice', 'course/week 1/collect', true);
        $this->assertSame(['path' => 'course/week 1/collect', 'created' => false], $again);
        $this->assertSame('work', file_get_contents("$home/course/week 1/collect/kept.txt"));
        $this->assertSame(['collect'], array_values(array_diff(scandir("$home/course/week 1"), ['.', '..'])));
        // Without parents, a missing parent is still refused.
        $this->refused('not_found', fn() => $this->client()->create_folder('alice', '/nothing/here'));
        $this->assertDirectoryDoesNotExist("$home/nothing");
    }

    public function test_extract_reports_what_it_wrote(): void {
        $zip = $this->zip(['a.txt' => 'first', 'sub/b.txt' => 'second']);
        $made = $this->client()->extract_from_file('alice', '/copy', $zip);
        $this->assertSame(['path', 'files', 'folders', 'bytes', 'skipped', 'sha256'], array_keys($made));
        $this->assertSame('/copy', $made['path']);
        $this->assertSame($this->expected_sha256($zip), $made['sha256']);
    }

    /**
     * The `sha256` an extract of this zip reports over this protocol.
     *
     * @param string $zip the zip's path
     * @return string the digest
     */
    abstract protected function expected_sha256(string $zip): string;

    public function test_wrong_key_is_refused(): void {
        $e = $this->refused('unauthorized',
            fn() => $this->client(['secret' => 'not the secret'])->list_entries('alice', '/'));
        $this->assertSame($this->refusal_status(), $e->httpstatus);
    }

    public function test_expired_request_is_refused(): void {
        $past = fn() => time() - 600;
        $this->refused('unauthorized', fn() => $this->client(['clock' => $past])->list_entries('alice', '/'));
    }

    public function test_dot_dot_is_refused_before_anything_is_sent(): void {
        $transport = new recording_transport(new \assignsubmission_lablink\local\fileserver\curl_transport());
        $client = $this->client(['transport' => $transport]);
        foreach (['../bob/private', '/../bob', 'a/../../bob'] as $path) {
            $this->refused('invalid_path', fn() => $client->list_entries('alice', $path));
            $this->refused('invalid_path', fn() => $client->archive_to_file('alice', $path, $this->temp()));
            $this->refused('invalid_path', fn() => $client->extract_from_file('alice', $path, $this->zip(['x' => 'y'])));
        }
        $this->assertSame([], $transport->sent);
    }

    public function test_the_server_also_refuses_dot_dot(): void {
        $dest = $this->temp();
        $this->refused($this->server_dotdot_code(),
            fn() => $this->client(['rawpaths' => true])->archive_to_file('alice', '../bob/private', $dest));
        $this->assertFileDoesNotExist($dest);
        $this->refused($this->server_dotdot_code(),
            fn() => $this->client(['rawpaths' => true])->list_entries('alice', '../bob'));
    }

    public function test_over_the_size_cap_the_transfer_stops(): void {
        $this->put('big/blob.bin', random_bytes(6 << 20));
        $dest = $this->temp();
        $started = microtime(true);
        $this->refused('too_large', fn() => $this->client()->archive_to_file('alice', '/big', $dest, 1 << 20));
        $this->assertFileDoesNotExist($dest, 'the partial download is removed');
        // Under the cap, the same folder comes through.
        $ok = $this->client()->archive_to_file('alice', '/big', $dest, 7 << 20);
        $this->assertGreaterThan(6 << 20, $ok['bytes']);
        $this->assertLessThan(30, microtime(true) - $started);
    }

    public function test_an_upload_over_the_server_limit_is_refused(): void {
        $zip = $this->zip(['big.bin' => random_bytes(lablink_server::MAX_UPLOAD + (1 << 20))], true);
        $this->refused($this->upload_limit_code(), fn() => $this->client()->extract_from_file('alice', '/big', $zip));
        $this->assertSame([], array_values(array_diff(scandir(self::$server->home('alice')), ['.', '..'])));
    }

    public function test_a_missing_home_is_not_found(): void {
        $this->refused('not_found', fn() => $this->client()->list_entries('carol', '/'));
    }

    public function test_a_missing_folder_is_not_found(): void {
        $this->refused('not_found', fn() => $this->client()->list_entries('alice', '/nothing here'));
    }

    public function test_a_cursor_not_given_out_is_refused(): void {
        $this->put('a.txt', 'a');
        $this->refused('bad_request', fn() => $this->client()->list_entries('alice', '/', 'not-a-cursor!'));
    }

    public function test_a_missing_zip_is_refused_before_sending(): void {
        $transport = new recording_transport(new \assignsubmission_lablink\local\fileserver\curl_transport());
        $this->refused('no_file', fn() => $this->client(['transport' => $transport])
            ->extract_from_file('alice', '/copy', sys_get_temp_dir() . '/no such zip ' . bin2hex(random_bytes(4))));
        $this->assertSame([], $transport->sent);
    }

    public function test_an_unwritable_destination_is_refused(): void {
        $this->put('work/a.txt', 'a');
        $dest = sys_get_temp_dir() . '/no such folder ' . bin2hex(random_bytes(4)) . '/out.zip';
        $this->refused('sink_failed', fn() => $this->client()->archive_to_file('alice', '/work', $dest));
    }

    public function test_server_down_is_unreachable(): void {
        $url = 'http://127.0.0.1:' . lablink_server::free_port();
        $this->refused('unreachable', fn() => $this->client(['url' => $url])->list_entries('alice', '/'));
        $this->refused('unreachable', fn() => $this->client(['url' => $url])->archive_to_file('alice', '/', $this->temp()));
    }

    public function test_check_says_what_is_wrong(): void {
        $ok = $this->client()->check('alice');
        $this->assertTrue($ok['reachable'] && $ok['keyaccepted'] && $ok['homeexists'], json_encode($ok));
        $this->assertSame('', $ok['errorcode']);
        $this->assertLessThanOrEqual(2, abs($ok['clockskew']));
        $this->assertFalse($ok['tls']);

        $nohome = $this->client()->check('carol');
        $this->assertTrue($nohome['reachable'] && $nohome['keyaccepted']);
        $this->assertFalse($nohome['homeexists']);
        $this->assertSame('not_found', $nohome['errorcode']);

        $badkey = $this->client(['secret' => 'wrong'])->check('alice');
        $this->assertTrue($badkey['reachable']);
        $this->assertFalse($badkey['keyaccepted']);
        $this->assertSame('unauthorized', $badkey['errorcode']);

        $down = $this->client(['url' => 'http://127.0.0.1:' . lablink_server::free_port()])->check('alice');
        $this->assertFalse($down['reachable']);
        $this->assertSame('unreachable', $down['errorcode']);
        $this->assertEmpty(array_diff(scandir(self::$server->home('alice')), ['.', '..']), 'check changes nothing');
    }

    /**
     * The HTTP status of an authentication refusal.
     *
     * @return int the status
     */
    abstract protected function refusal_status(): int;

    /**
     * The code of the server's own refusal of `..`.
     *
     * @return string the code
     */
    abstract protected function server_dotdot_code(): string;

    /**
     * The code of an upload over the server's limit.
     *
     * @return string the code
     */
    abstract protected function upload_limit_code(): string;
}
