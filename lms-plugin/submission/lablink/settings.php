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

/**
 * Site settings of the lablink workspace submission plugin.
 *
 * Keys read by the file server client's config::from_moodle(): baseurl, protocol, kid, secret,
 * legacykey, legacysecret, legacytimezone, issuer, usernamesource, prefix, naming, connecttimeout,
 * timeout, maxbytes.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$component = 'assignsubmission_lablink';

$settings->add(new admin_setting_configcheckbox("{$component}/default",
    new lang_string('default', $component), new lang_string('default_help', $component), 0));

$settings->add(new admin_setting_heading("{$component}/connection",
    new lang_string('settings:connection', $component), new lang_string('settings:connection_desc', $component)));

$settings->add(new admin_setting_configtext("{$component}/baseurl",
    new lang_string('baseurl', $component), new lang_string('baseurl_desc', $component), '', PARAM_RAW_TRIMMED, 60));

$settings->add(new admin_setting_configselect("{$component}/protocol",
    new lang_string('protocol', $component), new lang_string('protocol_desc', $component), 'v2', [
        'v2' => new lang_string('protocol_v2', $component),
        'legacy' => new lang_string('protocol_legacy', $component),
    ]));

$settings->add(new admin_setting_configtext("{$component}/kid",
    new lang_string('v2kid', $component), new lang_string('v2kid_desc', $component), '', PARAM_RAW_TRIMMED));
$settings->hide_if("{$component}/kid", "{$component}/protocol", 'neq', 'v2');

// Secrets: the stored value is never written back into the page (see admin_setting_secret).
$settings->add(new \assignsubmission_lablink\local\admin_setting_secret("{$component}/secret",
    new lang_string('v2secret', $component), new lang_string('v2secret_desc', $component), ''));
$settings->hide_if("{$component}/secret", "{$component}/protocol", 'neq', 'v2');

$settings->add(new admin_setting_configtext("{$component}/issuer",
    new lang_string('issuer', $component), new lang_string('issuer_desc', $component), '', PARAM_RAW_TRIMMED));
$settings->hide_if("{$component}/issuer", "{$component}/protocol", 'neq', 'v2');

$settings->add(new admin_setting_configtext("{$component}/legacykey",
    new lang_string('legacykey', $component), new lang_string('legacykey_desc', $component), '', PARAM_RAW_TRIMMED));
$settings->hide_if("{$component}/legacykey", "{$component}/protocol", 'neq', 'legacy');

$settings->add(new \assignsubmission_lablink\local\admin_setting_secret("{$component}/legacysecret",
    new lang_string('legacysecret', $component), new lang_string('legacysecret_desc', $component), ''));
$settings->hide_if("{$component}/legacysecret", "{$component}/protocol", 'neq', 'legacy');

$settings->add(new admin_setting_configtext("{$component}/legacytimezone",
    new lang_string('legacytimezone', $component), new lang_string('legacytimezone_desc', $component), '',
    PARAM_RAW_TRIMMED));
$settings->hide_if("{$component}/legacytimezone", "{$component}/protocol", 'neq', 'legacy');

$settings->add(new admin_setting_description("{$component}/legacymemorynote", '',
    html_writer::div(get_string('legacymemorynote', $component), 'alert alert-info')));
$settings->hide_if("{$component}/legacymemorynote", "{$component}/protocol", 'neq', 'legacy');

$settings->add(new admin_setting_configselect("{$component}/usernamesource",
    new lang_string('usernamesource', $component), new lang_string('usernamesource_desc', $component), 'username', [
        'username' => new lang_string('usernamesource_username', $component),
        'idnumber' => new lang_string('usernamesource_idnumber', $component),
        'email' => new lang_string('usernamesource_email', $component),
    ]));

$settings->add(new admin_setting_configtext("{$component}/prefix",
    new lang_string('usernameprefix', $component), new lang_string('usernameprefix_desc', $component), '',
    PARAM_RAW_TRIMMED));

$settings->add(new admin_setting_configselect("{$component}/naming",
    new lang_string('homenaming', $component), new lang_string('homenaming_desc', $component), 'plain', [
        'plain' => new lang_string('homenaming_plain', $component),
        'noto' => new lang_string('homenaming_noto', $component),
    ]));

$settings->add(new admin_setting_configtext("{$component}/connecttimeout",
    new lang_string('connecttimeout', $component), new lang_string('connecttimeout_desc', $component), 10, PARAM_INT));

$settings->add(new admin_setting_configtext("{$component}/timeout",
    new lang_string('timeout', $component), new lang_string('timeout_desc', $component), 60, PARAM_INT));

$sizes = [];
foreach ([1, 5, 10, 20, 50, 100, 200, 500, 1024, 2048, 5120, 10240] as $mib) {
    $sizes[$mib * 1048576] = display_size($mib * 1048576);
}
$settings->add(new admin_setting_configselect("{$component}/maxbytes",
    new lang_string('defaultmaxbytes', $component), new lang_string('defaultmaxbytes_desc', $component),
    104857600, $sizes));

$settings->add(new admin_setting_description("{$component}/testconnection",
    new lang_string('testconnection', $component),
    get_string('testconnection_desc', $component,
        (new moodle_url('/mod/assign/submission/lablink/testconnection.php'))->out())));
