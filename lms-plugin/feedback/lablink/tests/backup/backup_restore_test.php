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

namespace assignfeedback_lablink\backup;

use assignfeedback_lablink\local\feedback_area;
use mod_assign_test_generator;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->dirroot . '/mod/assign/tests/generator.php');
require_once($CFG->dirroot . '/backup/util/includes/backup_includes.php');
require_once($CFG->dirroot . '/backup/util/includes/restore_includes.php');

/**
 * A course backed up and restored with user data keeps the settings and each grade's returned
 * feedback (zip and row). The feedback is stored as the return task stores it, so no file server
 * is needed.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \backup_assignfeedback_lablink_subplugin
 * @covers     \restore_assignfeedback_lablink_subplugin
 */
final class backup_restore_test extends \advanced_testcase {

    use mod_assign_test_generator;

    public function test_backup_and_restore_keep_the_feedback(): void {
        global $DB, $USER;
        $this->resetAfterTest();
        $this->setAdminUser();
        $course = $this->getDataGenerator()->create_course();
        $student = $this->getDataGenerator()->create_and_enrol($course, 'student');
        $assign = $this->create_instance($course, ['assignfeedback_lablink_enabled' => 1,
            'assignfeedback_lablink_layout' => 'nbgrader', 'assignfeedback_lablink_naming' => 'studentid',
            'assignfeedback_lablink_nbassignment' => 'ps1']);
        $zippath = make_request_directory() . '/feedback.zip';
        $zip = new \ZipArchive();
        $zip->open($zippath, \ZipArchive::CREATE);
        $zip->addFromString('ps1.html', '<p>feedback</p>');
        $zip->close();
        (new feedback_area($assign))->store((int)$student->id, -1, $zippath, 'feedback.zip', '/course/feedback/s1/ps1');

        $bc = new \backup_controller(\backup::TYPE_1COURSE, $course->id, \backup::FORMAT_MOODLE,
            \backup::INTERACTIVE_NO, \backup::MODE_IMPORT, $USER->id);
        $bc->get_plan()->get_setting('users')->set_status(\backup_setting::NOT_LOCKED);
        $bc->get_plan()->get_setting('users')->set_value(true);
        $backupid = $bc->get_backupid();
        $bc->execute_plan();
        $bc->destroy();

        $newcourseid = \restore_dbops::create_new_course($course->fullname, $course->shortname . '_2', $course->category);
        $rc = new \restore_controller($backupid, $newcourseid, \backup::INTERACTIVE_NO, \backup::MODE_GENERAL, $USER->id,
            \backup::TARGET_NEW_COURSE);
        $rc->get_plan()->get_setting('users')->set_status(\backup_setting::NOT_LOCKED);
        $rc->get_plan()->get_setting('users')->set_value(true);
        $this->assertTrue($rc->execute_precheck());
        $rc->execute_plan();
        $rc->destroy();

        $newinstance = $DB->get_record('assign', ['course' => $newcourseid], '*', MUST_EXIST);
        $cm = get_coursemodule_from_instance('assign', $newinstance->id);
        $newassign = new \assign(\context_module::instance($cm->id), $cm, $newcourseid);
        $plugin = $newassign->get_feedback_plugin_by_type('lablink');
        $this->assertTrue((bool)$plugin->is_enabled());
        $this->assertSame('nbgrader', $plugin->layout());
        $this->assertSame('ps1', $plugin->nbassignment());

        $grade = $DB->get_record('assign_grades', ['assignment' => $newinstance->id, 'userid' => $student->id], '*',
            MUST_EXIST);
        $this->assertFalse($plugin->is_empty($grade));
        $this->assertSame(['feedback.zip'], array_keys($plugin->get_files($grade, $student)));
        $row = $DB->get_record('assignfeedback_lablink', ['grade' => $grade->id], '*', MUST_EXIST);
        $this->assertEquals($newinstance->id, $row->assignment);
        $this->assertSame('/course/feedback/s1/ps1', $row->path);
        $this->assertSame(1, (int)$row->numfiles);
    }
}
