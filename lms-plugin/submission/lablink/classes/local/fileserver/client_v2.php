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
 * Client of the file server's v2 API: JSON, a fresh bearer token per request bound to its
 * method, path and home, and zips streamed both ways (never held in PHP memory).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class client_v2 implements client {
    /** Largest page the server gives. */
    private const MAX_PAGE = 10000;

    /** What an extract may do with a taken target. */
    private const ON_CONFLICT = ['rename', 'fail', 'replace'];

    /** @var string base URL, no trailing slash */
    private string $baseurl;

    /** @var token_signer mints the tokens */
    private token_signer $signer;

    /** @var transport sends the requests */
    private transport $transport;

    /** @var int seconds to connect */
    private int $connecttimeout;

    /** @var int seconds for a JSON call; for a streamed transfer, seconds without progress */
    private int $timeout;

    /**
     * Makes a client.
     *
     * @param string $baseurl where the API is, e.g. `https://hub.example.org/files`
     * @param token_signer $signer mints the tokens
     * @param transport $transport sends the requests
     * @param int $connecttimeout seconds to connect
     * @param int $timeout seconds for a JSON call, and without progress for a transfer
     */
    public function __construct(string $baseurl, token_signer $signer, transport $transport,
            int $connecttimeout = 10, int $timeout = 60) {
        $this->baseurl = rtrim($baseurl, '/');
        $this->signer = $signer;
        $this->transport = $transport;
        $this->connecttimeout = $connecttimeout;
        $this->timeout = $timeout;
    }

    public function list_entries(string $home, string $path, string $cursor = '', int $limit = 500): array {
        $query = ['path' => $this->path_param($path), 'limit' => max(1, min(self::MAX_PAGE, $limit))];
        if ($cursor !== '') {
            $query['cursor'] = $cursor;
        }
        $page = $this->json($this->call('GET', $home, 'entries', $query, 'read'));
        if (!isset($page['path'], $page['entries'], $page['total']) || !is_array($page['entries'])) {
            throw new fileserver_exception('bad_reply', 'the listing lacks path, entries or total');
        }
        $entries = [];
        foreach ($page['entries'] as $e) {
            if (!isset($e['name'], $e['kind']) || !is_string($e['name'])) {
                throw new fileserver_exception('bad_reply', 'a listed entry lacks its name or kind');
            }
            $entries[] = ['name' => $e['name'], 'kind' => (string) $e['kind'], 'size' => (int) ($e['size'] ?? 0),
                'modified' => (int) ($e['modified'] ?? 0)];
        }
        return ['path' => (string) $page['path'], 'entries' => $entries, 'total' => (int) $page['total'],
            'next_cursor' => (string) ($page['next_cursor'] ?? '')];
    }

    public function create_folder(string $home, string $path, bool $parents = false): array {
        $relative = $this->path_param($path);
        if ($relative === '') {
            throw new fileserver_exception('invalid_path', 'the home folder itself already exists');
        }
        $query = ['path' => $relative];
        if ($parents) {
            $query['parents'] = 'true';
        }
        $reply = $this->json($this->call('POST', $home, 'folders', $query, 'read write',
            function (request $r) {
                $r->body = '';
            }));
        if (!isset($reply['path'])) {
            throw new fileserver_exception('bad_reply', 'the reply names no folder');
        }
        return ['path' => (string) $reply['path'], 'created' => (bool) ($reply['created'] ?? false)];
    }

    public function archive_to_file(string $home, string $path, string $destfile, int $maxbytes = 0): array {
        $query = ['path' => $this->path_param($path)];
        $sink = self::open_sink($destfile);
        try {
            $response = $this->call('GET', $home, 'archive', $query, 'read',
                function (request $r) use ($sink, $maxbytes) {
                    $r->sink = $sink;
                    $r->maxbytes = $maxbytes;
                    $r->timeout = 0;
                    $r->stalltimeout = $this->timeout;
                });
            if (!fflush($sink)) {
                throw new fileserver_exception('sink_failed', 'the zip could not be written to disk');
            }
        } catch (\Throwable $e) {
            fclose($sink);
            @unlink($destfile);
            throw $e;
        }
        fclose($sink);
        $skipped = [];
        $header = $response->header('lablink-skipped');
        if ($header !== '') {
            $names = json_decode(rawurldecode($header), true);
            $skipped = is_array($names) ? array_values(array_map('strval', $names)) : [];
        }
        return ['bytes' => $response->bytes, 'skipped' => $skipped,
            'skippedcount' => max(count($skipped), (int) $response->header('lablink-skipped-count'))];
    }

    public function extract_from_file(string $home, string $path, string $zipfile,
            string $onconflict = 'rename'): array {
        if (!in_array($onconflict, self::ON_CONFLICT, true)) {
            throw new fileserver_exception('unsupported', 'on_conflict must be rename, fail or replace');
        }
        $relative = $this->path_param($path);
        if (!is_file($zipfile) || !is_readable($zipfile)) {
            throw new fileserver_exception('no_file', 'the zip to upload cannot be read');
        }
        $reply = $this->json($this->call('POST', $home, 'extract', ['path' => $relative, 'on_conflict' => $onconflict],
            'read write', function (request $r) use ($zipfile) {
                $r->bodyfile = $zipfile;
                $r->headers[] = 'Content-Type: application/zip';
                $r->timeout = 0;
                $r->stalltimeout = $this->timeout;
            }));
        if (!isset($reply['path']) || !is_string($reply['path'])) {
            throw new fileserver_exception('bad_reply', 'the reply names no folder');
        }
        return ['path' => workspace_path::normalise($reply['path']), 'files' => (int) ($reply['files'] ?? 0),
            'folders' => (int) ($reply['folders'] ?? 0), 'bytes' => (int) ($reply['bytes'] ?? 0),
            'skipped' => array_values((array) ($reply['skipped'] ?? [])),
            'sha256' => self::sha256_of($reply)];
    }

    public function put_file(string $home, string $path, string $contents): array {
        $relative = $this->file_param($path);
        $reply = $this->json($this->call('PUT', $home, 'file', ['path' => $relative], 'read write',
            function (request $r) use ($contents) {
                $r->body = $contents;
                $r->headers[] = 'Content-Type: application/octet-stream';
            }));
        if (!isset($reply['path']) || !is_string($reply['path'])) {
            throw new fileserver_exception('bad_reply', 'the reply names no file');
        }
        $sha = self::sha256_of($reply);
        if ($sha !== '' && $sha !== hash('sha256', $contents)) {
            throw new fileserver_exception('bad_reply', 'the server reports other bytes written than were sent');
        }
        return ['path' => workspace_path::normalise($reply['path']), 'bytes' => (int) ($reply['bytes'] ?? 0),
            'sha256' => $sha];
    }

    public function get_file(string $home, string $path, int $maxbytes): string {
        if ($maxbytes < 1) {
            throw new fileserver_exception('bad_argument', 'a file is read into memory only up to a positive limit');
        }
        $relative = $this->file_param($path);
        $response = $this->call('GET', $home, 'file', ['path' => $relative], 'read',
            function (request $r) use ($maxbytes) {
                $r->maxbytes = $maxbytes;
            });
        return (string) $response->body;
    }

    public function check(string $home): array {
        $result = ['reachable' => false, 'tls' => false, 'keyaccepted' => false, 'homeexists' => false,
            'clockskew' => null, 'errorcode' => '', 'message' => ''];
        $result['tls'] = stripos($this->baseurl, 'https://') === 0;
        try {
            $request = $this->request('GET', $this->baseurl . '/v2/health', []);
            $health = $this->transport->send($request);
            $result['reachable'] = true;
            $result['clockskew'] = self::skew($health);
            $this->json($health);
            $this->list_entries($home, '/', '', 1);
            $result['keyaccepted'] = true;
            $result['homeexists'] = true;
        } catch (fileserver_exception $e) {
            $result = self::refused_check($result, $e);
        }
        return $result;
    }

    /**
     * The path as the API's `path` parameter takes it (checked first).
     *
     * @param string $path the path as given
     * @return string relative, '' for the home
     */
    protected function path_param(string $path): string {
        return workspace_path::relative($path);
    }

    /**
     * The path of a file as the API's `path` parameter takes it: checked, and never the home.
     *
     * @param string $path the path as given
     * @return string relative, never ''
     */
    private function file_param(string $path): string {
        $relative = $this->path_param($path);
        if ($relative === '') {
            throw new fileserver_exception('invalid_path', 'the home folder is not a file');
        }
        return $relative;
    }

    /**
     * The `sha256` of a reply: 64 lowercase hex digits, or '' from a server that sends none.
     *
     * @param array $reply the decoded reply
     * @return string the digest
     */
    private static function sha256_of(array $reply): string {
        $sha = $reply['sha256'] ?? '';
        if (!is_string($sha) || ($sha !== '' && preg_match('/^[0-9a-f]{64}$/', $sha) !== 1)) {
            throw new fileserver_exception('bad_reply', 'the reply carries a malformed sha256');
        }
        return $sha;
    }

    /**
     * The bearer token of one request.
     *
     * @param string $method HTTP method
     * @param string $apipath the request path, no query
     * @param string $home the home it acts for
     * @param string $scope `read` or `read write`
     * @return string the token
     */
    protected function token(string $method, string $apipath, string $home, string $scope): string {
        return $this->signer->sign($method, $apipath, $home, $scope);
    }

    /**
     * Sends one call on a route of a home and returns the reply if it is a success.
     *
     * @param string $method HTTP method
     * @param string $home the home
     * @param string $route `entries`, `archive`, `extract`, `folders` or `file`
     * @param array<string,mixed> $query query parameters
     * @param string $scope token scope
     * @param \Closure|null $tune adjusts the request (body, sink …)
     * @return response a 2xx reply
     * @throws fileserver_exception the server's error code, or a transport failure
     */
    private function call(string $method, string $home, string $route, array $query, string $scope,
            ?\Closure $tune = null): response {
        if ($home === '') {
            throw new fileserver_exception('invalid_home', 'no home to act in');
        }
        $apipath = '/v2/homes/' . rawurlencode($home) . '/' . $route;
        $url = $this->baseurl . $apipath . '?' . http_build_query($query, '', '&', PHP_QUERY_RFC3986);
        $request = $this->request($method, $url,
            ['Authorization: Bearer ' . $this->token($method, $apipath, $home, $scope), 'Accept: application/json']);
        if ($tune !== null) {
            $tune($request);
        }
        $response = $this->transport->send($request);
        if ($response->status < 200 || $response->status >= 300) {
            throw self::error($response);
        }
        return $response;
    }

    /**
     * A request with this client's timeouts.
     *
     * @param string $method HTTP method
     * @param string $url URL
     * @param string[] $headers header lines
     * @return request the request
     */
    private function request(string $method, string $url, array $headers): request {
        $request = new request($method, $url, $headers);
        $request->connecttimeout = $this->connecttimeout;
        $request->timeout = $this->timeout;
        return $request;
    }

    /**
     * The exception for an error reply: `{"error":{"code","message"}}`, or `bad_reply`.
     *
     * @param response $response the reply
     * @return fileserver_exception the exception
     */
    public static function error(response $response): fileserver_exception {
        $body = json_decode((string) $response->body, true);
        if (is_array($body) && isset($body['error']['code']) && is_string($body['error']['code'])) {
            return new fileserver_exception($body['error']['code'], (string) ($body['error']['message'] ?? ''),
                $response->status);
        }
        return new fileserver_exception('bad_reply',
            "the server answered HTTP {$response->status}, not as a lablink file server", $response->status);
    }

    /**
     * The JSON body of a success.
     *
     * @param response $response the reply
     * @return array the decoded body
     */
    private function json(response $response): array {
        $value = json_decode((string) $response->body, true);
        if (!is_array($value)) {
            throw new fileserver_exception('bad_reply', 'the reply is not JSON', $response->status);
        }
        return $value;
    }

    /**
     * Opens the file a download goes to.
     *
     * @param string $destfile its path
     * @return resource the stream
     */
    public static function open_sink(string $destfile) {
        $sink = @fopen($destfile, 'wb');
        if ($sink === false) {
            throw new fileserver_exception('sink_failed', 'the file to download into cannot be written');
        }
        return $sink;
    }

    /**
     * What a refusal tells a check() report: TLS failed, or the key was accepted but the home is
     * missing (a `not_found` after the server answered); the server's code and message.
     *
     * @param array $result the report so far
     * @param fileserver_exception $e the refusal
     * @return array the report
     */
    public static function refused_check(array $result, fileserver_exception $e): array {
        if ($e->errorcode === 'tls') {
            $result['tls'] = false;
        }
        if ($e->errorcode === 'not_found' && $result['reachable']) {
            $result['keyaccepted'] = true;
        }
        $result['errorcode'] = $e->errorcode;
        $result['message'] = $e->getMessage();
        return $result;
    }

    /**
     * The server's clock minus ours, from its Date header.
     *
     * @param response $response a reply
     * @return int|null seconds, null without a Date header
     */
    public static function skew(response $response): ?int {
        $date = $response->header('date');
        $then = $date !== '' ? strtotime($date) : false;
        return $then === false ? null : $then - time();
    }
}
