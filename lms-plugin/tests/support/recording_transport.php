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

use assignsubmission_lablink\local\fileserver\request;
use assignsubmission_lablink\local\fileserver\response;
use assignsubmission_lablink\local\fileserver\transport;

/**
 * Wraps a real transport and remembers what went through it, so a test can tell that a
 * refusal happened before any request was sent.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class recording_transport implements transport {
    /** @var transport the real transport */
    private transport $inner;

    /** @var request[] requests sent */
    public array $sent = [];

    /**
     * Wraps a transport.
     *
     * @param transport $inner the real one
     */
    public function __construct(transport $inner) {
        $this->inner = $inner;
    }

    /**
     * Records and sends.
     *
     * @param request $request the request
     * @return response the reply
     */
    public function send(request $request): response {
        $this->sent[] = $request;
        return $this->inner->send($request);
    }
}
