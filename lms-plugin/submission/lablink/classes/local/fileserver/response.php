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
 * The reply to a {@see request}.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class response {
    /** @var int HTTP status */
    public int $status;

    /** @var array<string,string> headers, names in lower case (the last of repeated ones) */
    public array $headers;

    /** @var string|null the body, unless it went to the request's sink */
    public ?string $body;

    /** @var int body bytes received */
    public int $bytes;

    /**
     * Makes a response.
     *
     * @param int $status HTTP status
     * @param array<string,string> $headers headers, names in lower case
     * @param string|null $body the body, null when sunk
     * @param int $bytes body bytes received
     */
    public function __construct(int $status, array $headers, ?string $body, int $bytes) {
        $this->status = $status;
        $this->headers = $headers;
        $this->body = $body;
        $this->bytes = $bytes;
    }

    /**
     * One header's value.
     *
     * @param string $name header name, any case
     * @return string the value, '' when absent
     */
    public function header(string $name): string {
        return $this->headers[strtolower($name)] ?? '';
    }
}
