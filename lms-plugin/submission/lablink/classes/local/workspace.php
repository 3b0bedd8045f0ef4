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

namespace assignsubmission_lablink\local;

use assignsubmission_lablink\local\fileserver\client;
use assignsubmission_lablink\local\fileserver\client_factory;
use assignsubmission_lablink\local\fileserver\config;
use assignsubmission_lablink\local\fileserver\fileserver_exception;
use assignsubmission_lablink\local\fileserver\home_name;
use assignsubmission_lablink\local\fileserver\moodle_transport;
use assignsubmission_lablink\local\fileserver\workspace_path;

/**
 * The one place where Moodle meets the file server: which home a user acts in, the client for a
 * course, and the words for the file server's refusals.
 *
 * Whose home is read or written is always worked out here, from a user record the caller got
 * from the session or from a capability-checked "on behalf" user; never from browser input.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class workspace {

    /** Error codes that all mean "the file server cannot be reached"; the picker knows this one. */
    private const UNREACHABLE = ['unreachable', 'timeout', 'tls'];

    /** @var client|null a client set by tests (a real one, pointed at a test file server) */
    private static ?client $testclient = null;

    /**
     * The client for a course (the base URL may hold a [courseid] placeholder).
     *
     * @param int $courseid
     * @return client
     */
    public static function client(int $courseid): client {
        if (self::$testclient !== null) {
            return self::$testclient;
        }
        return client_factory::create(config::from_moodle(), $courseid, new moodle_transport());
    }

    /**
     * Lets a PHPUnit test use a client of its own; null puts the configured one back.
     *
     * @param client|null $client
     */
    public static function set_client_for_tests(?client $client): void {
        if (!defined('PHPUNIT_TEST') || !PHPUNIT_TEST) {
            throw new \coding_exception('set_client_for_tests() is for unit tests only');
        }
        self::$testclient = $client;
    }

    /**
     * The home name of a user, from the admin's username source, prefix and naming.
     *
     * @param \stdClass $user a user record (at least the field named by the username source)
     * @return string
     * @throws \moodle_exception when the user has no value in the chosen field
     */
    public static function home_for(\stdClass $user): string {
        [$config, $source, $user] = self::with_source($user);
        try {
            return home_name::for_user($user, $source, $config->prefix, $config->naming ?: 'plain');
        } catch (\Throwable $e) {
            throw new \moodle_exception('nohome', 'assignsubmission_lablink', '',
                get_string('usernamesource_' . $source, 'assignsubmission_lablink'));
        }
    }

    /**
     * The id a user's home is named after, before any escaping: the admin's username source
     * with its prefix, as JupyterHub (and nbgrader) know the user.
     *
     * @param \stdClass $user a user record
     * @return string '' when the user has no value in that field
     */
    public static function hub_id(\stdClass $user): string {
        [$config, $source, $user] = self::with_source($user);
        $value = trim((string)($user->$source ?? ''));
        return $value === '' ? '' : $config->prefix . $value;
    }

    /**
     * The site's file server settings, the username source, and a user record that holds it.
     *
     * @param \stdClass $user a user record, perhaps without the source's field
     * @return array [config, string $source, \stdClass $user]
     */
    private static function with_source(\stdClass $user): array {
        $config = config::from_moodle();
        $source = $config->usernamesource ?: 'username';
        if (!isset($user->$source)) {
            global $DB;
            $user = $DB->get_record('user', ['id' => $user->id], '*', MUST_EXIST);
        }
        return [$config, $source, $user];
    }

    /**
     * Checks a path from the browser, with the rules of the file server's own paths.
     *
     * @param string $path `/a/b`, `a/b`, `/` or '' (the home)
     * @return string the path as `/a/b` (`/` for the home)
     * @throws fileserver_exception invalid_path
     */
    public static function normalise(string $path): string {
        return workspace_path::normalise($path);
    }

    /**
     * Whether a path from a form is acceptable (empty counts: "nothing chosen" is checked apart).
     * Used as a form rule, so a bad path is a form error and not a lost save.
     *
     * @param mixed $path
     * @return bool
     */
    public static function is_valid_path($path): bool {
        $path = self::form_path($path);
        if ($path === '') {
            return true;
        }
        try {
            self::normalise($path);
            return true;
        } catch (fileserver_exception $e) {
            return false;
        }
    }

    /**
     * A path as a form field holds it, without surrounding whitespace ('' when nothing was chosen).
     * Only whitespace is trimmed: PHP's default trim also strips NUL, which would turn a path the
     * rules refuse into another, valid one.
     *
     * @param mixed $value the submitted field
     * @return string
     */
    public static function form_path($value): string {
        return is_scalar($value) ? trim((string)$value, " \t\r\n") : '';
    }

    /**
     * The path in the picker's form: relative, no leading slash, '' for the home.
     *
     * @param string $path
     * @return string
     */
    public static function for_picker(string $path): string {
        return trim($path, '/');
    }

    /**
     * A sentence for a refusal, in the user's language.
     *
     * @param fileserver_exception $e
     * @return string
     */
    public static function describe(fileserver_exception $e): string {
        return self::describe_code((string)$e->errorcode);
    }

    /**
     * A sentence for a refusal's code (as kept from an earlier failure), in the user's language.
     *
     * @param string $errorcode the file server's code, or a local one
     * @return string
     */
    public static function describe_code(string $errorcode): string {
        // Network troubles are told apart here (the picker gets them as one code).
        $exact = ['unreachable' => 'unreachable', 'tls' => 'tls', 'timeout' => 'timedout', 'invalid_path' => 'invalid_path'];
        $code = $exact[$errorcode] ?? self::string_code($errorcode);
        if (get_string_manager()->string_exists($code, 'assignsubmission_lablink')) {
            return get_string($code, 'assignsubmission_lablink');
        }
        return get_string('fserror', 'assignsubmission_lablink', s($errorcode));
    }

    /**
     * The error code to hand the picker: the file server's own v2 codes pass through; local ones
     * are told in the picker's terms (a refused path is bad_path, any network trouble is
     * not_reachable).
     *
     * @param string $code
     * @return string
     */
    public static function string_code(string $code): string {
        if (in_array($code, self::UNREACHABLE, true)) {
            return 'not_reachable';
        }
        if ($code === 'invalid_path') {
            return 'bad_path';
        }
        // Anything a newer server invents must still be a valid string identifier.
        return preg_match('/^[a-z][a-z0-9_]*$/', $code) ? $code : 'internal';
    }

    /**
     * The refusal as a Moodle exception whose errorcode is the file server's code, for the
     * external functions (the picker maps these codes to its messages).
     *
     * @param fileserver_exception $e
     * @return \moodle_exception
     */
    public static function to_moodle_exception(fileserver_exception $e): \moodle_exception {
        $code = self::string_code($e->errorcode);
        if (!get_string_manager()->string_exists($code, 'assignsubmission_lablink')) {
            $code = 'internal';
        }
        return new \moodle_exception($code, 'assignsubmission_lablink', '', null,
            'file server: ' . $e->errorcode . ' (HTTP ' . $e->httpstatus . ')');
    }
}
