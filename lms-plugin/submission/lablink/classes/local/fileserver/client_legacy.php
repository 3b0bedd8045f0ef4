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
 * Client of the noto-legacy protocol (`/ls`, `/zfs`, `/uzu`), for sites whose file server
 * speaks only that: the original noto file server API, or lablink's in its legacy mode.
 *
 * Requests are signed by {@see legacy_signer}; every reply is HTTP 200 with an envelope
 * `{md5_payload, payload (JSON text), return: {code, status}}`. The original server's answer
 * shapes are accepted: `extractpath` with the `./` it was sent (`/home/.///dir/name-V2`),
 * `-V2`… renaming, `last-modification` in the server's local time (read in `$timezone`).
 *
 * Memory: `/zfs` carries the zip base64-encoded inside the JSON payload, itself a string inside
 * the envelope, so decoding holds the payload text (4/3 of the zip) and the decoded value (4/3
 * again) at once, then the zip: PHP needs about 2.7 times the zip. Measured by `cargo xtask
 * bench moodle` (PHP 8.2, incompressible zips): with `memory_limit` 128M the largest zip that
 * arrives is 46 MiB, with 256M 94 MiB; beyond, PHP stops with "Allowed memory size exhausted".
 * The reply is first streamed to a temporary file, capped at the size limit, so an oversized
 * one never enters memory. Uploads (`/uzu`) stream from disk as multipart and do not grow with
 * the zip. Use v2 for anything larger: it stays at a few MiB whatever the size.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class client_legacy implements client {
    /** Largest page handed out (the legacy listing is one reply; pages are cut here). */
    private const MAX_PAGE = 10000;

    /** Bytes of envelope allowed around the base64 of the zip (JSON, the origin path). */
    private const ENVELOPE_SLACK = 1 << 20;

    /** The smallest zip: an end-of-central-directory record and nothing else. */
    private const EMPTY_ZIP = "PK\x05\x06" . "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

    /** @var string base URL, no trailing slash */
    private string $baseurl;

    /** @var legacy_signer signs the requests */
    private legacy_signer $signer;

    /** @var transport sends the requests */
    private transport $transport;

    /** @var int seconds to connect */
    private int $connecttimeout;

    /** @var int seconds for a call; for a zip transfer, seconds without progress */
    private int $timeout;

    /** @var \DateTimeZone the zone the server writes `last-modification` in */
    private \DateTimeZone $timezone;

    /** @var string `auth_method` of the payload's user */
    private string $authmethod;

    /** @var \Closure|null clock returning Unix seconds (tests); null for time() */
    private ?\Closure $clock;

    /**
     * Makes a client.
     *
     * @param string $baseurl where the API is (the routes are `{base}/ls` …)
     * @param legacy_signer $signer signs the requests
     * @param transport $transport sends the requests
     * @param int $connecttimeout seconds to connect
     * @param int $timeout seconds for a call, and without progress for a transfer
     * @param string $timezone zone of the server's `last-modification` times ('' for PHP's)
     * @param string $authmethod `auth_method` sent with the user
     * @param \Closure|null $clock returns the current Unix time; null for time()
     */
    public function __construct(string $baseurl, legacy_signer $signer, transport $transport,
            int $connecttimeout = 10, int $timeout = 60, string $timezone = '', string $authmethod = 'lablink',
            ?\Closure $clock = null) {
        $this->baseurl = rtrim($baseurl, '/');
        $this->signer = $signer;
        $this->transport = $transport;
        $this->connecttimeout = $connecttimeout;
        $this->timeout = $timeout;
        try {
            $this->timezone = new \DateTimeZone($timezone !== '' ? $timezone : date_default_timezone_get());
        } catch (\Exception $e) {
            throw new fileserver_exception('config', 'the legacy server time zone is not known', 0, $e);
        }
        $this->authmethod = $authmethod;
        $this->clock = $clock;
    }

    public function list_entries(string $home, string $path, string $cursor = '', int $limit = 500): array {
        $relative = $this->path_param($path);
        $offset = 0;
        if ($cursor !== '') {
            if (!ctype_digit($cursor)) {
                throw new fileserver_exception('bad_request', 'the cursor is not one this client gave out');
            }
            $offset = (int) $cursor;
        }
        $limit = max(1, min(self::MAX_PAGE, $limit));
        $items = $this->payload($this->call('GET', 'ls', $home, ['path' => self::legacy_path($relative)]));
        if (!is_array($items)) {
            throw new fileserver_exception('bad_reply', 'the listing is not a list');
        }
        $entries = [];
        foreach ($items as $item) {
            if (!isset($item['name'], $item['type']) || !is_string($item['name'])) {
                throw new fileserver_exception('bad_reply', 'a listed entry lacks its name or type');
            }
            if ($item['name'] === '' || $item['name'][0] === '.') {
                continue;
            }
            $folder = $item['type'] === 'directory';
            $entries[] = ['name' => $item['name'], 'kind' => $folder ? 'folder' : 'file', 'size' => 0,
                'modified' => $folder ? 0 : $this->time($item['last-modification'] ?? '')];
        }
        usort($entries, fn($a, $b) => [$a['kind'] !== 'folder', $a['name']] <=> [$b['kind'] !== 'folder', $b['name']]);
        $page = array_slice($entries, $offset, $limit);
        $next = $offset + $limit < count($entries) ? (string) ($offset + $limit) : '';
        return ['path' => $relative, 'entries' => $page, 'total' => count($entries), 'next_cursor' => $next];
    }

    /**
     * The protocol has no call to make a folder: an empty zip is unpacked at the path, after
     * checking that nothing has that name (the server would otherwise pick `name-V2`). With
     * `$parents` the path is walked from the home down, each missing folder made that way.
     *
     * @param string $home the home
     * @param string $path the new folder
     * @param bool $parents make missing parents, accept an existing folder
     * @return array the v2 `FolderCreated` shape
     */
    public function create_folder(string $home, string $path, bool $parents = false): array {
        $relative = $this->path_param($path);
        if ($relative === '') {
            throw new fileserver_exception('invalid_path', 'the home folder itself already exists');
        }
        $names = explode('/', $relative);
        $walked = '';
        $created = false;
        foreach ($names as $i => $name) {
            $last = $i === count($names) - 1;
            $parent = $walked;
            $walked = $walked === '' ? $name : "$walked/$name";
            if (!$parents && !$last) {
                continue;
            }
            $kind = $this->kind_in($home, $parent, $name);
            if ($kind === 'directory' && $parents) {
                continue;
            }
            if ($kind !== null) {
                throw new fileserver_exception('conflict', 'something of that name is already there', 409);
            }
            $this->make_empty_folder($home, $walked);
            $created = true;
        }
        return ['path' => $relative, 'created' => $created];
    }

    /**
     * The legacy type (`directory`, `file`) of a name in a folder, null when it is not there.
     *
     * @param string $home the home
     * @param string $parent the folder, relative
     * @param string $name the name
     * @return string|null its type
     */
    private function kind_in(string $home, string $parent, string $name): ?string {
        $siblings = $this->payload($this->call('GET', 'ls', $home, ['path' => self::legacy_path($parent)]));
        foreach ((array) $siblings as $item) {
            if (($item['name'] ?? null) === $name) {
                return (string) ($item['type'] ?? 'file');
            }
        }
        return null;
    }

    /**
     * Makes one folder whose parent exists, by unpacking the empty zip there.
     *
     * @param string $home the home
     * @param string $relative the folder, checked and relative
     */
    private function make_empty_folder(string $home, string $relative): void {
        $zip = tempnam(sys_get_temp_dir(), 'lablink-empty-');
        try {
            file_put_contents($zip, self::EMPTY_ZIP);
            $made = $this->extract_from_file($home, '/' . $relative, $zip);
        } finally {
            @unlink($zip);
        }
        if ($made['path'] !== '/' . $relative) {
            // Taken between the listing and the upload: the server picked another name.
            throw new fileserver_exception('conflict', 'something of that name appeared meanwhile', 409);
        }
    }

    public function archive_to_file(string $home, string $path, string $destfile, int $maxbytes = 0): array {
        $relative = $this->path_param($path);
        $envelopefile = tempnam(sys_get_temp_dir(), 'lablink-zfs-');
        $sink = fopen($envelopefile, 'w+b');
        try {
            $cap = $maxbytes > 0 ? intdiv($maxbytes + 2, 3) * 4 + self::ENVELOPE_SLACK : 0;
            $response = $this->call('GET', 'zfs', $home, ['folder' => self::legacy_path($relative)],
                function (request $r) use ($sink, $cap) {
                    $r->sink = $sink;
                    $r->maxbytes = $cap;
                    $r->timeout = 0;
                    $r->stalltimeout = $this->timeout;
                });
            fclose($sink);
            $sink = null;
            $text = file_get_contents($envelopefile);
            @unlink($envelopefile);
            $reply = $this->payload($response, $text);
            if (!is_array($reply) || !isset($reply['blob']) || !is_string($reply['blob'])) {
                throw new fileserver_exception('bad_reply', 'the reply carries no zip');
            }
            if (($reply['method'] ?? 'base64') !== 'base64') {
                throw new fileserver_exception('bad_reply', 'the zip is not base64-encoded');
            }
            $zip = base64_decode($reply['blob'], true);
            unset($reply);
            if ($zip === false) {
                throw new fileserver_exception('bad_reply', 'the zip is not valid base64');
            }
            if ($maxbytes > 0 && strlen($zip) > $maxbytes) {
                throw new fileserver_exception('too_large', "the zip is larger than $maxbytes bytes");
            }
            if (@file_put_contents($destfile, $zip) !== strlen($zip)) {
                throw new fileserver_exception('sink_failed', 'the zip could not be written to disk');
            }
            return ['bytes' => strlen($zip), 'skipped' => [], 'skippedcount' => 0];
        } catch (\Throwable $e) {
            @unlink($destfile);
            throw $e;
        } finally {
            if ($sink !== null) {
                fclose($sink);
            }
            @unlink($envelopefile);
        }
    }

    public function extract_from_file(string $home, string $path, string $zipfile,
            string $onconflict = 'rename'): array {
        if ($onconflict !== 'rename') {
            throw new fileserver_exception('unsupported', 'the legacy protocol can only pick a free name beside a taken one');
        }
        $relative = $this->path_param($path);
        if ($relative === '') {
            throw new fileserver_exception('invalid_path', 'a zip is unpacked into a new folder, not the home itself');
        }
        if (!is_file($zipfile) || !is_readable($zipfile)) {
            throw new fileserver_exception('no_file', 'the zip to upload cannot be read');
        }
        $sent = self::legacy_path($relative);
        $reply = $this->payload($this->call('POST', 'uzu', $home, ['destination' => $sent],
            function (request $r) use ($zipfile) {
                $r->multipartfile = ['field' => 'file', 'path' => $zipfile, 'filename' => 'archive.zip'];
                $r->timeout = 0;
                $r->stalltimeout = $this->timeout;
            }));
        if (!is_array($reply) || !isset($reply['extractpath']) || !is_string($reply['extractpath'])) {
            throw new fileserver_exception('bad_reply', 'the reply names no folder');
        }
        // The protocol reports only where the zip landed.
        return ['path' => self::landed($reply['extractpath']), 'files' => 0, 'folders' => 0, 'bytes' => 0,
            'skipped' => [], 'sha256' => ''];
    }

    public function put_file(string $home, string $path, string $contents): array {
        throw new fileserver_exception('unsupported', 'needs the v2 protocol');
    }

    public function get_file(string $home, string $path, int $maxbytes): string {
        throw new fileserver_exception('unsupported', 'needs the v2 protocol');
    }

    public function check(string $home): array {
        $result = ['reachable' => false, 'tls' => stripos($this->baseurl, 'https://') === 0, 'keyaccepted' => false,
            'homeexists' => false, 'clockskew' => null, 'errorcode' => '', 'message' => ''];
        try {
            $request = $this->request('GET', $this->baseurl . '/');
            $hello = $this->transport->send($request);
            $result['reachable'] = true;
            $result['clockskew'] = client_v2::skew($hello);
            $body = (string) $hello->body;
            $this->envelope($hello, $body);
            $this->list_entries($home, '/', '', 1);
            $result['keyaccepted'] = true;
            $result['homeexists'] = true;
        } catch (fileserver_exception $e) {
            $result = client_v2::refused_check($result, $e);
        }
        return $result;
    }

    /**
     * The folder an `/uzu` made, from its `extractpath`: what follows the `./` the request
     * sent (`/home/.///dir/name-V2` → `/dir/name-V2`), else the path after the home folder.
     *
     * @param string $extractpath as the server wrote it
     * @return string `/a/b`
     */
    public static function landed(string $extractpath): string {
        $at = strpos($extractpath, '/./');
        if ($at !== false) {
            $after = substr($extractpath, $at + 3);
        } else if (strpos($extractpath, './') === 0) {
            $after = substr($extractpath, 2);
        } else {
            // `/home/dir/name`: drop the home folder.
            $parts = explode('/', ltrim($extractpath, '/'), 2);
            $after = $parts[1] ?? '';
        }
        $path = workspace_path::normalise($after);
        if ($path === '/') {
            throw new fileserver_exception('bad_reply', 'the reply names no folder');
        }
        return $path;
    }

    /**
     * The path as the protocol takes it: relative to the home, from `./` (an absolute path
     * would replace the home in the original server's path join).
     *
     * @param string $relative a checked relative path
     * @return string `./a/b`, `./` for the home
     */
    public static function legacy_path(string $relative): string {
        return './' . $relative;
    }

    /**
     * The path in its checked, relative form.
     *
     * @param string $path the path as given
     * @return string relative, '' for the home
     */
    protected function path_param(string $path): string {
        return workspace_path::relative($path);
    }

    /**
     * Sends one signed call.
     *
     * @param string $method HTTP method
     * @param string $route `ls`, `zfs` or `uzu`
     * @param string $home the home (the payload's user id)
     * @param array<string,string> $fields payload fields besides the user
     * @param \Closure|null $tune adjusts the request
     * @return response the reply
     */
    private function call(string $method, string $route, string $home, array $fields,
            ?\Closure $tune = null): response {
        if ($home === '') {
            throw new fileserver_exception('invalid_home', 'no home to act in');
        }
        $payload = json_encode(['user' => ['id' => $home, 'primary_email' => '', 'auth_method' => $this->authmethod]]
            + $fields, JSON_THROW_ON_ERROR);
        $now = $this->clock !== null ? (int) ($this->clock)() : time();
        $url = $this->baseurl . '/' . $route . '?' . http_build_query($this->signer->params($payload, $now), '', '&');
        $request = $this->request($method, $url);
        if ($tune !== null) {
            $tune($request);
        }
        $response = $this->transport->send($request);
        if ($response->status !== 200) {
            throw new fileserver_exception($response->status === 404 ? 'not_found' : 'bad_reply',
                "the server answered HTTP {$response->status}, not as a noto file server", $response->status);
        }
        return $response;
    }

    /**
     * A request with this client's timeouts.
     *
     * @param string $method HTTP method
     * @param string $url URL
     * @return request the request
     */
    private function request(string $method, string $url): request {
        $request = new request($method, $url, ['Accept: application/json']);
        $request->connecttimeout = $this->connecttimeout;
        $request->timeout = $this->timeout;
        return $request;
    }

    /**
     * The decoded payload of a successful reply.
     *
     * @param response $response the reply
     * @param string|null $text the envelope text when it was sunk to a file; emptied here, so
     *     that the envelope, its payload text and the decoded value are never all held at once
     * @return mixed the payload
     */
    private function payload(response $response, ?string &$text = null) {
        if ($text === null) {
            $text = (string) $response->body;
        }
        $payload = $this->envelope($response, $text);
        $value = json_decode($payload, true);
        $failed = $value === null && json_last_error() !== JSON_ERROR_NONE;
        unset($payload);
        if ($failed) {
            throw new fileserver_exception('bad_reply', 'the reply payload is not JSON');
        }
        return $value;
    }

    /**
     * Opens an envelope: checks its return code and the payload's MD5.
     *
     * @param response $response the reply
     * @param string $text the envelope text (emptied once decoded)
     * @return string the payload text
     */
    private function envelope(response $response, string &$text): string {
        $envelope = json_decode($text, true);
        $text = '';
        if (!is_array($envelope) || !isset($envelope['return']['code'])) {
            throw new fileserver_exception('bad_reply', 'the reply is not a noto envelope', $response->status);
        }
        $code = (int) $envelope['return']['code'];
        if ($code !== 0) {
            throw self::error($code, (string) ($envelope['return']['status'] ?? ''));
        }
        $payload = $envelope['payload'] ?? null;
        $md5 = (string) ($envelope['md5_payload'] ?? '');
        unset($envelope);
        if (!is_string($payload) || !legacy_signer::payload_matches($payload, $md5)) {
            throw new fileserver_exception('bad_reply', 'the reply payload does not match its MD5');
        }
        return $payload;
    }

    /**
     * The exception for a refusal: the legacy code mapped to the v2 code of the same meaning.
     *
     * @param int $code `return.code`
     * @param string $status `return.status`
     * @return fileserver_exception the exception
     */
    public static function error(int $code, string $status): fileserver_exception {
        $map = [100 => 'bad_request', 102 => 'unauthorized', 103 => 'bad_request', 104 => 'unauthorized',
            401 => 'unauthorized', 404 => 'not_found'];
        $errorcode = $map[$code] ?? 'failed';
        if ($code === 500 && stripos($status, 'home does not exist') !== false) {
            $errorcode = 'not_found';
        } else if ($code === 500 && stripos($status, 'leaves the home') !== false) {
            $errorcode = 'bad_path';
        }
        return new fileserver_exception($errorcode, "legacy code $code: $status");
    }

    /**
     * Unix seconds of a `last-modification` (`YYYY-MM-DD HH:MM:SS` in the server's zone).
     *
     * @param mixed $text the time text
     * @return int seconds, 0 when unreadable
     */
    private function time($text): int {
        $t = is_string($text) ? \DateTimeImmutable::createFromFormat('!Y-m-d H:i:s', $text, $this->timezone) : false;
        return $t === false ? 0 : $t->getTimestamp();
    }
}
