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
 * Sends one HTTP request to the file server.
 *
 * Two implementations: {@see curl_transport} (plain ext-curl, outside Moodle and in the tests)
 * and {@see moodle_transport} (Moodle's own curl wrapper, so the site's blocked hosts, allowed
 * ports and proxy apply). Both stream: a request body from a file, a response body into a sink.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
interface transport {
    /**
     * Sends the request and returns the reply, whatever its status.
     *
     * @param request $request what to send
     * @return response the reply
     * @throws fileserver_exception `unreachable`, `tls`, `timeout`, `too_large` (more than
     *     `$request->maxbytes` arrived), `bad_reply` (the connection broke mid-reply)
     */
    public function send(request $request): response;
}
