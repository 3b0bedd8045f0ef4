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

/**
 * One real `lablink files` for all the tests of a class: started before the first, stopped
 * after the last (its own process only).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
trait with_lablink_server {
    /** @var lablink_server|null the server of this class's tests */
    protected static ?lablink_server $server = null;

    public static function setUpBeforeClass(): void {
        self::$server = new lablink_server();
    }

    public static function tearDownAfterClass(): void {
        if (self::$server !== null) {
            self::$server->stop();
            self::$server = null;
        }
    }
}
