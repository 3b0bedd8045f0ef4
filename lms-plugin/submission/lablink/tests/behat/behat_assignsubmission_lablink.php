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
 * Behat steps of the lablink workspace submission plugin.
 *
 * @package    assignsubmission_lablink
 * @category   test
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// NOTE: no MOODLE_INTERNAL test here, this file may be required by behat before including /config.php.

require_once(__DIR__ . '/../../../../../../lib/behat/behat_base.php');
require_once(__DIR__ . '/../fixtures/files_server.php');

use Behat\Gherkin\Node\TableNode;
use Moodle\BehatExtension\Exception\SkippedException;

/**
 * Steps that run a real `lablink files` for a scenario and look into its homes.
 *
 * @package    assignsubmission_lablink
 * @category   test
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class behat_assignsubmission_lablink extends behat_base {

    /** @var assignsubmission_lablink_files_server|null the scenario's file server */
    private static $server = null;

    /**
     * Starts a file server whose homes hold the given files (skips the scenario when LABLINK_BIN
     * is not set: there is no stand-in for the real server).
     *
     * @Given /^a lablink file server holds these files:$/
     * @param TableNode $table columns home, path, content
     */
    public function a_lablink_file_server_holds_these_files(TableNode $table) {
        $bin = getenv('LABLINK_BIN');
        if ($bin === false || $bin === '' || !is_executable($bin)) {
            throw new SkippedException('Needs a real file server: set LABLINK_BIN to a built lablink binary.');
        }
        self::$server = assignsubmission_lablink_files_server::start_with($bin);
        foreach ($table->getHash() as $row) {
            self::$server->put($row['home'], $row['path'], $row['content']);
        }
    }

    /**
     * Checks a file in a home of the scenario's file server.
     *
     * @Then /^the lablink home "(?P<home>[^"]*)" should hold "(?P<path>[^"]*)"$/
     * @param string $home
     * @param string $path
     */
    public function the_lablink_home_should_hold(string $home, string $path) {
        if (!self::$server || !file_exists(self::$server->path($home, $path))) {
            throw new \Behat\Mink\Exception\ExpectationException("$home has no $path", $this->getSession());
        }
    }

    /**
     * Writes a file into a home of the scenario's file server (as work done in JupyterHub would).
     *
     * @Given /^the lablink home "(?P<home>[^"]*)" gets "(?P<path>[^"]*)" containing "(?P<content>[^"]*)"$/
     * @param string $home
     * @param string $path
     * @param string $content
     */
    public function the_lablink_home_gets_containing(string $home, string $path, string $content) {
        if (!self::$server) {
            throw new \Behat\Mink\Exception\ExpectationException('no lablink file server was started', $this->getSession());
        }
        self::$server->put($home, $path, $content);
    }

    /**
     * Stops the scenario's file server.
     *
     * @AfterScenario
     */
    public function stop_lablink_file_server() {
        if (self::$server) {
            self::$server->stop();
            self::$server = null;
        }
    }
}
