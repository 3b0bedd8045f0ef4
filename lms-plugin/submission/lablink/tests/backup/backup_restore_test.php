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

namespace assignsubmission_lablink\backup;

use assignsubmission_lablink\local\source_snapshot;
use mod_assign_test_generator;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->dirroot . '/mod/assign/tests/generator.php');
require_once($CFG->dirroot . '/backup/util/includes/backup_includes.php');
require_once($CFG->dirroot . '/backup/util/includes/restore_includes.php');

/**
 * A course backed up and restored with user data keeps the settings, the source snapshot, the
 * submissions' zips and rows, and the copy records. The data is stored as the plugin stores it
 * (fetching from a file server is covered by locallib_test), so no file server is needed.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \backup_assignsubmission_lablink_subplugin
 * @covers     \restore_assignsubmission_lablink_subplugin
 */
final class backup_restore_test extends \advanced_testcase {

    use mod_assign_test_generator;

    /**
     * Stores a zip holding one file in an area.
     *
     * @param \context $context
     * @param string $area
     * @param int $itemid
     * @param string $name
     */
    private function store_zip(\context $context, string $area, int $itemid, string $name): void {
        $path = make_request_directory() . '/' . $name;
        $zip = new \ZipArchive();
        $zip->open($path, \ZipArchive::CREATE);
        $zip->addFromString('inside.txt', $name);
        $zip->close();
        get_file_storage()->create_file_from_pathname(['contextid' => $context->id,
            'component' => 'assignsubmission_lablink', 'filearea' => $area, 'itemid' => $itemid, 'filepath' => '/',
            'filename' => $name], $path);
    }

    public function test_backup_and_restore_keep_everything(): void {
        global $DB, $USER;
        $this->resetAfterTest();
        $this->setAdminUser();
        $course = $this->getDataGenerator()->create_course();
        $student = $this->getDataGenerator()->create_and_enrol($course, 'student');
        $assign = $this->create_instance($course, ['assignsubmission_lablink_enabled' => 1,
            'assignsubmission_lablink_maxbytes' => 5242880]);
        $plugin = $assign->get_submission_plugin_by_type('lablink');
        $plugin->set_config('sourcepath', '/course/lab1');
        $plugin->set_config('sourceversion', 3);
        $plugin->set_config('sourcecount', 1);
        $this->store_zip($assign->get_context(), 'source', 0, 'lab1.zip');

        $submission = $assign->get_user_submission($student->id, true);
        $this->store_zip($assign->get_context(), 'submissions', $submission->id, 'work.zip');
        $DB->insert_record('assignsubmission_lablink', (object)['assignment' => $assign->get_instance()->id,
            'submission' => $submission->id, 'path' => '/work', 'home' => $student->username, 'bytes' => 100,
            'numfiles' => 1, 'filelist' => '[]', 'skipped' => 0,
            'timesubmitted' => 1000]);
        $DB->insert_record('assignsubmission_lablink_copy', (object)['assignment' => $assign->get_instance()->id,
            'userid' => $student->id, 'version' => 2, 'path' => '/lab1', 'timecopied' => 900]);

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
        $newplugin = $newassign->get_submission_plugin_by_type('lablink');
        $this->assertTrue((bool)$newplugin->is_enabled());
        $this->assertEquals(5242880, $newplugin->get_config('maxbytes'));

        $snapshot = new source_snapshot($newassign);
        $this->assertSame('/course/lab1', $snapshot->path());
        $this->assertSame(3, $snapshot->info()->version);
        $this->assertSame('lab1.zip', $snapshot->file()->get_filename());

        $newsubmission = $DB->get_record('assign_submission', ['assignment' => $newinstance->id, 'userid' => $student->id],
            '*', MUST_EXIST);
        $this->assertSame(['/work.zip'], array_keys($newplugin->get_files($newsubmission, $student)));
        $row = $DB->get_record('assignsubmission_lablink', ['submission' => $newsubmission->id], '*', MUST_EXIST);
        $this->assertEquals($newinstance->id, $row->assignment);
        $this->assertSame('/work', $row->path);
        $copy = $snapshot->last_copy($student->id);
        $this->assertNotNull($copy);
        $this->assertEquals(2, $copy->version);
        $this->assertSame('/lab1', $copy->path);
    }
}
