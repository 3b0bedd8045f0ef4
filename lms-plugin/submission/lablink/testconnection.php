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
 * "Test connection": checks the saved file server settings and says exactly what is wrong.
 * It only reads; nothing on the file server or in Moodle is changed.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use assignsubmission_lablink\local\fileserver\fileserver_exception;
use assignsubmission_lablink\local\workspace;

require(__DIR__ . '/../../../../config.php');
require_once($CFG->libdir . '/adminlib.php');

$username = optional_param('username', '', PARAM_USERNAME);
$courseid = optional_param('courseid', SITEID, PARAM_INT);
$run = optional_param('run', 0, PARAM_BOOL);

$context = context_system::instance();
$url = new moodle_url('/mod/assign/submission/lablink/testconnection.php');
$PAGE->set_url($url);
$PAGE->set_context($context);
require_login();
require_capability('moodle/site:config', $context);
$PAGE->set_pagelayout('admin');
$title = get_string('testconnection', 'assignsubmission_lablink');
$PAGE->set_title($title);
$PAGE->set_heading($title);
$PAGE->navbar->add(get_string('pluginname', 'assignsubmission_lablink'),
    new moodle_url('/admin/settings.php', ['section' => 'assignsubmission_lablink']));
$PAGE->navbar->add($title);

$data = [
    'action' => $url->out(false),
    'sesskey' => sesskey(),
    'username' => $username,
    'courseid' => $courseid,
];

if ($run) {
    require_sesskey();
    $result = ['checks' => []];
    try {
        $user = $USER;
        if ($username !== '') {
            $user = $DB->get_record('user', ['username' => $username, 'mnethostid' => $CFG->mnet_localhost_id,
                'deleted' => 0]);
            if (!$user) {
                throw new moodle_exception('testnouser', 'assignsubmission_lablink');
            }
        }
        $home = workspace::home_for($user);
        $result['home'] = get_string('testhome', 'assignsubmission_lablink', $home);
        $report = workspace::client($courseid)->check($home);
        $allgood = true;
        foreach ($report as $name => $value) {
            if (($name === 'errorcode' || $name === 'message') && $value === '') {
                continue;
            }
            $label = get_string_manager()->string_exists('check_' . $name, 'assignsubmission_lablink')
                ? get_string('check_' . $name, 'assignsubmission_lablink') : (string)$name;
            if (is_bool($value)) {
                // Plain http is allowed (e.g. on a private network): it is shown, not failed.
                $allgood = $allgood && ($value || $name === 'tls');
                $text = get_string($value ? 'testyes' : 'testno', 'assignsubmission_lablink');
            } else if (is_scalar($value) || $value === null) {
                $text = (string)$value;
            } else {
                $text = json_encode($value);
            }
            $result['checks'][] = ['name' => $label, 'value' => $text, 'bad' => $value === false && $name !== 'tls'];
        }
        $code = (string)($report['errorcode'] ?? '');
        if ($code !== '') {
            $allgood = false;
        }
        $result[$allgood ? 'ok' : 'problem'] = $allgood ? get_string('testok', 'assignsubmission_lablink')
            : get_string('testfailed', 'assignsubmission_lablink',
                $code !== '' ? workspace::describe_code($code) : (string)($report['message'] ?? ''));
    } catch (fileserver_exception $e) {
        $result['problem'] = get_string('testfailed', 'assignsubmission_lablink', workspace::describe($e));
    } catch (moodle_exception $e) {
        $result['problem'] = get_string('testfailed', 'assignsubmission_lablink', $e->getMessage());
    }
    $data['result'] = $result;
}

echo $OUTPUT->header();
echo $OUTPUT->render_from_template('assignsubmission_lablink/test_connection', $data);
echo $OUTPUT->footer();
