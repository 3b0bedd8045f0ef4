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
 * The plugin's file server settings as one value object: built from the admin settings by
 * {@see self::from_moodle()}, or directly (tests, scripts).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class config {
    /** @var string base URL; `[courseid]` is replaced by the course id */
    public string $baseurl = '';

    /** @var string `v2` or `legacy` */
    public string $protocol = 'v2';

    /** @var string v2 key id */
    public string $kid = '';

    /** @var string v2 key secret */
    public string $secret = '';

    /** @var string legacy API key id (the `user` parameter) */
    public string $legacykey = '';

    /** @var string legacy API secret */
    public string $legacysecret = '';

    /** @var string v2 token issuer (the site's URL) */
    public string $issuer = '';

    /** @var int seconds to connect */
    public int $connecttimeout = 10;

    /** @var int seconds for a call; for a zip transfer, seconds without progress */
    public int $timeout = 60;

    /** @var string user field the home is named by: username, idnumber or email */
    public string $usernamesource = 'username';

    /** @var string put before that field's value */
    public string $prefix = '';

    /** @var string `plain` or `noto` */
    public string $naming = 'plain';

    /** @var int default most bytes of a submission zip, 0 for no limit */
    public int $maxbytes = 0;

    /** @var string zone of legacy `last-modification` times, '' for the site's */
    public string $legacytimezone = '';

    /**
     * Reads the admin settings of the plugin (Moodle only).
     *
     * @return self the settings
     */
    public static function from_moodle(): self {
        global $CFG;
        $stored = get_config('assignsubmission_lablink');
        $c = new self();
        $c->baseurl = (string) ($stored->baseurl ?? '');
        $c->protocol = (string) ($stored->protocol ?? 'v2');
        $c->kid = (string) ($stored->kid ?? '');
        $c->secret = (string) ($stored->secret ?? '');
        $c->legacykey = (string) ($stored->legacykey ?? '');
        $c->legacysecret = (string) ($stored->legacysecret ?? '');
        $c->issuer = (string) ($stored->issuer ?? '') !== '' ? (string) $stored->issuer : (string) $CFG->wwwroot;
        $c->connecttimeout = (int) ($stored->connecttimeout ?? 10);
        $c->timeout = (int) ($stored->timeout ?? 60);
        $c->usernamesource = (string) ($stored->usernamesource ?? 'username');
        $c->prefix = (string) ($stored->prefix ?? '');
        $c->naming = (string) ($stored->naming ?? 'plain');
        $c->maxbytes = (int) ($stored->maxbytes ?? 0);
        $c->legacytimezone = (string) ($stored->legacytimezone ?? '');
        if ($c->legacytimezone === '' && class_exists('\core_date')) {
            $c->legacytimezone = \core_date::get_server_timezone();
        }
        return $c;
    }

    /**
     * The base URL for one course.
     *
     * @param int $courseid the course
     * @return string the URL, `[courseid]` replaced
     */
    public function baseurl_for(int $courseid): string {
        return str_replace('[courseid]', (string) $courseid, $this->baseurl);
    }
}
