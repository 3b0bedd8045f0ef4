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
 * A failed call to the file server, carrying the code a caller can act on.
 *
 * `errorcode` is the server's own code (`not_found`, `forbidden`, `unauthorized`, …, for the
 * legacy protocol `legacy_<n>`) or one made here: `unreachable`, `tls`, `timeout`, `too_large`,
 * `bad_reply`, `invalid_path`, `invalid_home`, `config`, `no_file`, `sink_failed`, `unsupported`
 * (the protocol in use cannot do it), `bad_argument` (a call this client cannot make).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class fileserver_exception extends \Exception {
    /** @var string the machine-readable code */
    public string $errorcode;

    /** @var int the HTTP status of the reply, 0 when there was none */
    public int $httpstatus;

    /**
     * Makes the exception.
     *
     * @param string $errorcode the machine-readable code
     * @param string $message what happened, safe to show to an administrator
     * @param int $httpstatus the HTTP status, 0 when there was no reply
     * @param \Throwable|null $previous the cause, if any
     */
    public function __construct(string $errorcode, string $message = '', int $httpstatus = 0,
            ?\Throwable $previous = null) {
        $this->errorcode = $errorcode;
        $this->httpstatus = $httpstatus;
        parent::__construct($message === '' ? $errorcode : $message, 0, $previous);
    }
}
