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
 * Bootstrap of the Moodle-free tests: autoloads the plugins' classes as Moodle would
 * (`assignsubmission_lablink\a\b` from `submission/lablink/classes/a/b.php`,
 * `assignfeedback_lablink\a\b` from `feedback/lablink/classes/a/b.php`) and the test support classes.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

error_reporting(E_ALL);
date_default_timezone_set('UTC');

spl_autoload_register(function (string $class): void {
    $prefixes = [
        'assignsubmission_lablink\\' => __DIR__ . '/../submission/lablink/classes/',
        'assignfeedback_lablink\\' => __DIR__ . '/../feedback/lablink/classes/',
        'lablink_tests\\' => __DIR__ . '/support/',
    ];
    foreach ($prefixes as $prefix => $dir) {
        if (strpos($class, $prefix) === 0) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
