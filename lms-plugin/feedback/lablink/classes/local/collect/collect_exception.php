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

namespace assignfeedback_lablink\local\collect;

/**
 * A collect or return that cannot start: a manifest that cannot be read, one of another
 * assignment or layout, options or items that do not make sense. Nothing has been changed
 * when it is thrown. File server failures are {@see \assignsubmission_lablink\local\fileserver\fileserver_exception}.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class collect_exception extends \Exception {
    /** @var string the machine-readable code: `bad_manifest`, `other_assignment`, `bad_option`, `bad_items` */
    public string $errorcode;

    /**
     * Makes the exception.
     *
     * @param string $errorcode the machine-readable code
     * @param string $message what is wrong, safe to show to a teacher
     * @param \Throwable|null $previous the cause, if any
     */
    public function __construct(string $errorcode, string $message, ?\Throwable $previous = null) {
        $this->errorcode = $errorcode;
        parent::__construct($message, 0, $previous);
    }
}
