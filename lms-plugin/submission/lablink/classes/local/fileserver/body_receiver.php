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
 * The curl callbacks both transports share: status and headers, and a body either streamed to
 * the request's sink (counted, capped, hashed as it arrives) or kept as a string.
 *
 * A body over the request's `maxbytes` makes the write callback refuse the chunk, which stops
 * the transfer at once (curl reports a write error, turned into `too_large` here).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class body_receiver {
    /** Most bytes of an error reply kept: enough for any JSON error, never a stray zip. */
    private const ERROR_BODY_BYTES = 65536;

    /** @var request the request being answered */
    private request $request;

    /** @var int status of the last status line seen */
    private int $status = 0;

    /** @var array<string,string> headers of the final response */
    private array $headers = [];

    /** @var string body kept in memory (error replies, or no sink) */
    private string $buffer = '';

    /** @var int body bytes received */
    private int $bytes = 0;


    /** @var bool whether the transfer was stopped for going over `maxbytes` */
    private bool $overflow = false;

    /** @var bool whether writing to the sink failed */
    private bool $sinkfailed = false;

    /**
     * Starts receiving the reply to a request.
     *
     * @param request $request the request
     */
    public function __construct(request $request) {
        $this->request = $request;
    }

    /**
     * The curl options that route the reply through this receiver.
     *
     * @return array<int,mixed> curl option => value
     */
    public function curl_options(): array {
        return [
            CURLOPT_HEADERFUNCTION => [$this, 'header'],
            CURLOPT_WRITEFUNCTION => [$this, 'write'],
        ];
    }

    /**
     * CURLOPT_HEADERFUNCTION: one header line (a new status line starts a new header set, as
     * after `100 Continue`).
     *
     * @param mixed $ch the curl handle
     * @param string $line the header line, with its line end
     * @return int bytes handled
     */
    public function header($ch, string $line): int {
        $text = rtrim($line, "\r\n");
        if (preg_match('~^HTTP/\S+\s+(\d{3})~', $text, $m)) {
            $this->status = (int) $m[1];
            $this->headers = [];
        } else if (($colon = strpos($text, ':')) !== false) {
            $this->headers[strtolower(trim(substr($text, 0, $colon)))] = trim(substr($text, $colon + 1));
        }
        return strlen($line);
    }

    /**
     * CURLOPT_WRITEFUNCTION: one chunk of the body. Returning less than its length aborts.
     *
     * @param mixed $ch the curl handle
     * @param string $data the chunk
     * @return int bytes handled
     */
    public function write($ch, string $data): int {
        $length = strlen($data);
        $ok = $this->status >= 200 && $this->status < 300;
        $max = $this->request->maxbytes;
        if ($ok && $max > 0 && $this->bytes + $length > $max) {
            $this->overflow = true;
            return 0;
        }
        $this->bytes += $length;
        if ($ok && $this->request->sink !== null) {
            $written = 0;
            while ($written < $length) {
                $n = fwrite($this->request->sink, $written === 0 ? $data : substr($data, $written));
                if ($n === false || $n === 0) {
                    $this->sinkfailed = true;
                    return 0;
                }
                $written += $n;
            }
            return $length;
        }
        if (!$ok && strlen($this->buffer) >= self::ERROR_BODY_BYTES) {
            return $length;
        }
        $this->buffer .= $data;
        return $length;
    }

    /**
     * The reply, once the transfer ended without a transport error.
     *
     * @return response the reply
     */
    public function response(): response {
        $sunk = $this->request->sink !== null && $this->status >= 200 && $this->status < 300;
        return new response($this->status, $this->headers, $sunk ? null : $this->buffer, $this->bytes);
    }

    /**
     * The exception for a transfer curl could not complete.
     *
     * @param int $errno curl's error number
     * @param string $error curl's error text
     * @return fileserver_exception what the caller gets
     */
    public function failure(int $errno, string $error): fileserver_exception {
        if ($this->overflow) {
            return new fileserver_exception('too_large',
                "the reply was stopped after {$this->request->maxbytes} bytes, the most accepted", $this->status);
        }
        if ($this->sinkfailed) {
            return new fileserver_exception('sink_failed', 'the received data could not be written to disk',
                $this->status);
        }
        $tls = [35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91];
        if (in_array($errno, $tls, true)) {
            return new fileserver_exception('tls', "TLS failed: $error");
        }
        if ($errno === 28) {
            return new fileserver_exception('timeout', "the file server did not answer in time: $error",
                $this->status);
        }
        if ($errno === 18 || $errno === 52 || $errno === 56 || $errno === 92 || $errno === 16) {
            return new fileserver_exception('bad_reply', "the connection broke during the reply: $error",
                $this->status);
        }
        return new fileserver_exception('unreachable', "the file server cannot be reached: $error");
    }
}
