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
 * What became of one student in a collect or a return.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class result {
    /** Collect: the submission was extracted into its folder. */
    public const COLLECTED = 'collected';
    /** Collect: the folder already holds this submission; nothing was fetched. */
    public const UNCHANGED = 'unchanged';
    /** Collect: the submission changed, but overwriting was not allowed: its folder was left alone. */
    public const CHANGED_KEPT = 'changed_kept';
    /** Collect: nothing to collect. */
    public const NO_SUBMISSION = 'no_submission';
    /** Return: the feedback folder was zipped and stored. */
    public const RETURNED = 'returned';
    /** Return: no feedback folder (or an empty one) for this student. */
    public const NO_FEEDBACK = 'no_feedback';
    /** Either: it went wrong; see the error code and message. */
    public const FAILED = 'failed';

    /** @var int Moodle user id */
    public int $userid;

    /** @var string one of the constants */
    public string $status;

    /** @var string the student's folder relative to the destination ('' when none) */
    public string $folder;

    /** @var string for `failed`: the file server's (or the engine's) error code */
    public string $errorcode;

    /** @var string for `failed`: what happened */
    public string $message;

    /**
     * Makes a result.
     *
     * @param int $userid Moodle user id
     * @param string $status one of the constants
     * @param string $folder the folder relative to the destination
     * @param string $errorcode the error code, '' unless failed
     * @param string $message the error message, '' unless failed
     */
    public function __construct(int $userid, string $status, string $folder = '', string $errorcode = '',
            string $message = '') {
        $this->userid = $userid;
        $this->status = $status;
        $this->folder = $folder;
        $this->errorcode = $errorcode;
        $this->message = $message;
    }

    /**
     * A failure from an exception that carries an error code.
     *
     * @param int $userid Moodle user id
     * @param string $folder the folder relative to the destination
     * @param \Throwable $e the exception
     * @return result the result
     */
    public static function failed(int $userid, string $folder, \Throwable $e): result {
        $code = property_exists($e, 'errorcode') && is_string($e->errorcode) ? $e->errorcode : 'failed';
        return new result($userid, self::FAILED, $folder, $code, $e->getMessage());
    }

    /**
     * The result as plain data (to keep with the task, or show).
     *
     * @return array{userid: int, status: string, folder: string, errorcode: string, message: string}
     */
    public function to_array(): array {
        return ['userid' => $this->userid, 'status' => $this->status, 'folder' => $this->folder,
            'errorcode' => $this->errorcode, 'message' => $this->message];
    }
}
