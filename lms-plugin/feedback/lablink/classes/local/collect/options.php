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

use assignsubmission_lablink\local\fileserver\fileserver_exception;
use assignsubmission_lablink\local\fileserver\workspace_path;

/**
 * What the teacher chose for a collect or a return, checked once here.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class options {
    /** One folder per student at the destination. */
    public const LAYOUT_FOLDERS = 'folders';
    /** nbgrader's `submitted/<student>/<assignment>/` under the destination (the course folder). */
    public const LAYOUT_NBGRADER = 'nbgrader';
    /** Folders named after the student's full name. */
    public const NAMING_FULLNAME = 'fullname';
    /** Folders named after the student's id. */
    public const NAMING_STUDENTID = 'studentid';
    /** Longest nbgrader assignment name: `lablink-manifest-<name>.json` stays within 255 bytes. */
    public const MAX_NBASSIGNMENT_BYTES = 233;

    /** @var string the destination folder in the teacher's home, normalised (`/a/b`, `/` for the home) */
    public string $root;

    /** @var string `folders` or `nbgrader` */
    public string $layout;

    /** @var string `fullname` or `studentid` (the folders layout) */
    public string $naming;

    /** @var string the nbgrader assignment name ('' in the folders layout) */
    public string $nbassignment;

    /** @var bool replace collected folders whose submission changed */
    public bool $overwrite;

    /** @var int Moodle assignment id */
    public int $assignmentid;

    /** @var int course module id */
    public int $cmid;

    /** @var int course id */
    public int $courseid;

    /** @var string the assignment's name */
    public string $name;

    /** @var int most bytes of one feedback zip, 0 for no limit (return) */
    public int $maxbytes;

    /**
     * Checks and keeps the options.
     *
     * @param string $root the destination folder
     * @param string $layout `folders` or `nbgrader`
     * @param string $naming `fullname` or `studentid`
     * @param string $nbassignment the nbgrader assignment name (needed for the nbgrader layout)
     * @param bool $overwrite replace collected folders whose submission changed
     * @param int $assignmentid Moodle assignment id
     * @param int $cmid course module id
     * @param int $courseid course id
     * @param string $name the assignment's name
     * @param int $maxbytes most bytes of one feedback zip, 0 for no limit
     * @throws collect_exception `bad_option`
     */
    public function __construct(string $root, string $layout, string $naming, string $nbassignment, bool $overwrite,
            int $assignmentid, int $cmid, int $courseid, string $name, int $maxbytes = 0) {
        try {
            $this->root = workspace_path::normalise($root);
        } catch (fileserver_exception $e) {
            throw new collect_exception('bad_option', 'the destination folder is not a valid path: ' . $e->getMessage(), $e);
        }
        if (!in_array($layout, [self::LAYOUT_FOLDERS, self::LAYOUT_NBGRADER], true)) {
            throw new collect_exception('bad_option', 'the layout must be folders or nbgrader');
        }
        if (!in_array($naming, [self::NAMING_FULLNAME, self::NAMING_STUDENTID], true)) {
            throw new collect_exception('bad_option', 'folders are named by fullname or studentid');
        }
        // The name is also part of the manifest's file name, which must fit in 255 bytes too.
        if ($layout === self::LAYOUT_NBGRADER && (!folder_namer::is_safe($nbassignment)
                || strlen($nbassignment) > self::MAX_NBASSIGNMENT_BYTES)) {
            throw new collect_exception('bad_option', 'the nbgrader assignment name must be a single safe folder name '
                . 'of at most ' . self::MAX_NBASSIGNMENT_BYTES . ' bytes');
        }
        if ($assignmentid <= 0 || $maxbytes < 0) {
            throw new collect_exception('bad_option', 'the assignment id or the size limit is not valid');
        }
        $this->layout = $layout;
        $this->naming = $naming;
        $this->nbassignment = $layout === self::LAYOUT_NBGRADER ? $nbassignment : '';
        $this->overwrite = $overwrite;
        $this->assignmentid = $assignmentid;
        $this->cmid = $cmid;
        $this->courseid = $courseid;
        $this->name = $name;
        $this->maxbytes = $maxbytes;
    }

    /**
     * A path under the destination, as the client takes it.
     *
     * @param string $relative relative to the destination, '' for the destination itself
     * @return string `/root/relative`
     */
    public function path(string $relative): string {
        if ($relative === '') {
            return $this->root;
        }
        return ($this->root === '/' ? '' : $this->root) . '/' . $relative;
    }
}
