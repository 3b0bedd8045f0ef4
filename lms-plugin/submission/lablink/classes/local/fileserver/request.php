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
 * One HTTP request, as a {@see transport} sends it.
 *
 * A body is either a string ({@see $body}), a file streamed with its length
 * ({@see $bodyfile}) or a multipart form whose one file field is streamed from disk
 * ({@see $multipartfile}). A successful (2xx) response body goes to {@see $sink} when set,
 * counted against {@see $maxbytes} and hashed on the fly with {@see $hashalgo}; error bodies are
 * always kept as a string (bounded), so the server's error code can be read.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class request {
    /** @var string HTTP method */
    public string $method;

    /** @var string absolute URL, query included */
    public string $url;

    /** @var string[] header lines, `Name: value` */
    public array $headers = [];

    /** @var string|null body text */
    public ?string $body = null;

    /** @var string|null path of a file sent as the body, with its Content-Length */
    public ?string $bodyfile = null;

    /** @var array|null a multipart form: `['field' => name, 'path' => file, 'filename' => shown name]` */
    public ?array $multipartfile = null;

    /** @var resource|null stream a successful response body is written to instead of kept */
    public $sink = null;

    /** @var int most response body bytes accepted, 0 for no limit */
    public int $maxbytes = 0;

    /** @var int seconds to connect */
    public int $connecttimeout = 10;

    /** @var int seconds for the whole transfer, 0 for no limit */
    public int $timeout = 0;

    /** @var int seconds without a byte moving before the transfer is given up, 0 for no limit */
    public int $stalltimeout = 0;

    /**
     * Makes a request.
     *
     * @param string $method HTTP method
     * @param string $url absolute URL
     * @param string[] $headers header lines
     */
    public function __construct(string $method, string $url, array $headers = []) {
        $this->method = $method;
        $this->url = $url;
        $this->headers = $headers;
    }
}
