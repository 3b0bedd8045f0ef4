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
 * Plain ext-curl transport: used outside Moodle (the tests, the bench) and wherever Moodle's
 * own wrapper is not wanted. Inside Moodle use {@see moodle_transport}, so that the site's
 * blocked hosts, allowed ports and proxy settings apply.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class curl_transport implements transport {
    /** @var int receive buffer: 512 KiB is the largest every libcurl since 7.53 accepts */
    const CHUNK_BYTES = 524288;

    /** @var array<int,mixed> extra curl options (e.g. CURLOPT_CAINFO) */
    private array $options;

    /**
     * Makes the transport.
     *
     * @param array<int,mixed> $options extra curl options applied to every request
     */
    public function __construct(array $options = []) {
        $this->options = $options;
    }

    /**
     * The curl options of a request, the body and timeouts included (shared with
     * {@see moodle_transport}, which passes them through Moodle's wrapper).
     *
     * @param request $request the request
     * @param body_receiver $receiver where the reply goes
     * @return array{0: array<int,mixed>, 1: resource|null} options, and a file to close afterwards
     */
    public static function options_for(request $request, body_receiver $receiver): array {
        $options = [
            CURLOPT_CUSTOMREQUEST => $request->method,
            CURLOPT_HTTPHEADER => $request->headers,
            CURLOPT_CONNECTTIMEOUT => $request->connecttimeout,
            CURLOPT_TIMEOUT => $request->timeout,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_SSL_VERIFYPEER => true,
            CURLOPT_SSL_VERIFYHOST => 2,
            // The zips are compressed already; plain bytes are counted as they come.
            CURLOPT_ENCODING => null,
            // Zips move in large chunks: each chunk is one call into PHP, and at curl's default
            // 16 KiB a 1 GiB submission costs 65,536 of them, at 512 KiB 2,048.
            CURLOPT_BUFFERSIZE => self::CHUNK_BYTES,
        ] + $receiver->curl_options();
        if ($request->stalltimeout > 0) {
            $options[CURLOPT_LOW_SPEED_LIMIT] = 1;
            $options[CURLOPT_LOW_SPEED_TIME] = $request->stalltimeout;
        }
        $infile = null;
        if ($request->bodyfile !== null) {
            $infile = fopen($request->bodyfile, 'rb');
            if ($infile === false) {
                throw new fileserver_exception('no_file', 'the file to upload cannot be read');
            }
            $options[CURLOPT_UPLOAD] = true;
            $options[CURLOPT_INFILE] = $infile;
            $options[CURLOPT_INFILESIZE] = filesize($request->bodyfile);
        } else if ($request->multipartfile !== null) {
            $part = $request->multipartfile;
            if (!is_readable($part['path'])) {
                throw new fileserver_exception('no_file', 'the file to upload cannot be read');
            }
            // A CURLFile is read from disk while sending, never loaded into PHP.
            $options[CURLOPT_POSTFIELDS] = [
                $part['field'] => new \CURLFile($part['path'], 'application/zip', $part['filename']),
            ];
        } else if ($request->body !== null) {
            $options[CURLOPT_POSTFIELDS] = $request->body;
        } else if ($request->method === 'GET') {
            $options[CURLOPT_HTTPGET] = true;
        }
        return [$options, $infile];
    }

    /**
     * Sends the request.
     *
     * @param request $request what to send
     * @return response the reply
     * @throws fileserver_exception when no complete reply arrived
     */
    public function send(request $request): response {
        $receiver = new body_receiver($request);
        [$options, $infile] = self::options_for($request, $receiver);
        $ch = curl_init($request->url);
        try {
            curl_setopt_array($ch, $this->options + $options);
            $ok = curl_exec($ch);
            if ($ok === false) {
                throw $receiver->failure(curl_errno($ch), curl_error($ch));
            }
            return $receiver->response();
        } finally {
            curl_close($ch);
            if ($infile !== null) {
                fclose($infile);
            }
        }
    }
}
