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

namespace assignfeedback_lablink\local;

use assignsubmission_lablink\local\zip_contents;

/**
 * The returned feedback of an assignment: one zip per grade in the plugin's `feedback` file
 * area, and its row (where it came from, its size and file list).
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class feedback_area {

    /** The file area of the returned zips (item = grade id). */
    public const FILEAREA = 'feedback';

    /** The per-grade table. */
    public const TABLE = 'assignfeedback_lablink';

    /** @var \assign */
    private $assign;

    /**
     * For one assignment.
     *
     * @param \assign $assign
     */
    public function __construct(\assign $assign) {
        $this->assign = $assign;
    }

    /**
     * Stores a student's feedback zip as the only file of their grade's area (replacing an earlier
     * return), and its row.
     *
     * @param int $userid the student
     * @param int $attempt the attempt the feedback is for (counted from 0), -1 for the latest
     * @param string $zipfile the zip on disk (read, not moved)
     * @param string $zipname the name to store it under
     * @param string $path the feedback folder it was made from, in the teacher's workspace
     * @return \stdClass the row
     * @throws \moodle_exception badzip when the file is not a zip
     */
    public function store(int $userid, int $attempt, string $zipfile, string $zipname, string $path): \stdClass {
        global $DB;
        $contents = zip_contents::read($zipfile);
        $grade = $this->assign->get_user_grade($userid, true, $attempt);
        $context = $this->assign->get_context();
        $fs = get_file_storage();
        $fs->delete_area_files($context->id, 'assignfeedback_lablink', self::FILEAREA, $grade->id);
        $name = clean_filename($zipname);
        $fs->create_file_from_pathname([
            'contextid' => $context->id,
            'component' => 'assignfeedback_lablink',
            'filearea' => self::FILEAREA,
            'itemid' => $grade->id,
            'filepath' => '/',
            'filename' => $name === '' ? 'feedback.zip' : $name,
        ], $zipfile);

        $record = (object)[
            'assignment' => $this->assign->get_instance()->id,
            'grade' => $grade->id,
            'path' => $path,
            'bytes' => (int)filesize($zipfile),
            'numfiles' => $contents['count'],
            'filelist' => json_encode($contents['files']),
            'timereturned' => time(),
        ];
        if ($row = $this->row((int)$grade->id)) {
            $record->id = $row->id;
            $DB->update_record(self::TABLE, $record);
        } else {
            $record->id = $DB->insert_record(self::TABLE, $record);
        }
        // Students are told by mod_assign's usual feedback notification.
        $this->assign->notify_grade_modified($grade);
        return $record;
    }

    /**
     * The row of a grade.
     *
     * @param int $gradeid
     * @return \stdClass|null
     */
    public function row(int $gradeid): ?\stdClass {
        global $DB;
        return $DB->get_record(self::TABLE, ['grade' => $gradeid]) ?: null;
    }

    /**
     * The stored zip of a grade.
     *
     * @param int $gradeid
     * @return \stored_file|null
     */
    public function file(int $gradeid): ?\stored_file {
        $files = get_file_storage()->get_area_files($this->assign->get_context()->id, 'assignfeedback_lablink',
            self::FILEAREA, $gradeid, 'id', false);
        return $files ? reset($files) : null;
    }

    /**
     * Removes a grade's feedback.
     *
     * @param int $gradeid
     */
    public function remove(int $gradeid): void {
        global $DB;
        get_file_storage()->delete_area_files($this->assign->get_context()->id, 'assignfeedback_lablink',
            self::FILEAREA, $gradeid);
        $DB->delete_records(self::TABLE, ['grade' => $gradeid]);
    }
}
