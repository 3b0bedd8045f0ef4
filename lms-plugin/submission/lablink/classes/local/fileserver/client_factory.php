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
 * Builds the client the settings ask for.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class client_factory {
    /**
     * The client of a course's file server.
     *
     * @param config $c the settings
     * @param int $courseid the course (fills `[courseid]` in the base URL)
     * @param transport $t sends the requests ({@see moodle_transport} inside Moodle)
     * @return client the client
     * @throws fileserver_exception `config` when a needed setting is missing
     */
    public static function create(config $c, int $courseid, transport $t): client {
        $url = $c->baseurl_for($courseid);
        if (!preg_match('~^https?://[^/]+~i', $url)) {
            throw new fileserver_exception('config', 'the file server URL must start with http:// or https://');
        }
        if ($c->protocol === 'v2') {
            return new client_v2($url, new token_signer($c->kid, $c->secret, $c->issuer), $t,
                $c->connecttimeout, $c->timeout);
        }
        if ($c->protocol === 'legacy') {
            return new client_legacy($url, new legacy_signer($c->legacykey, $c->legacysecret), $t,
                $c->connecttimeout, $c->timeout, $c->legacytimezone);
        }
        throw new fileserver_exception('config', 'the protocol must be v2 or legacy');
    }
}
