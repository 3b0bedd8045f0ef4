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

namespace assignsubmission_lablink;

use assignsubmission_lablink\local\source_snapshot;
use assignsubmission_lablink\local\workspace;
use mod_assign_test_generator;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->dirroot . '/mod/assign/tests/generator.php');
require_once(__DIR__ . '/fixtures/files_server.php');

/**
 * The plugin against a real `lablink files` (started per test; skipped, saying why, when
 * LABLINK_BIN is not set): the source snapshot on save, Get a copy, submitting a folder, on
 * behalf, the size cap, refused paths, new attempts.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assign_submission_lablink
 * @covers     \assignsubmission_lablink\local\source_snapshot
 */
final class locallib_test extends \advanced_testcase {

    use mod_assign_test_generator;
    use \assignsubmission_lablink_with_files_server;

    /**
     * A course with a teacher (whose home holds course/lab1) and two students, and the server.
     *
     * @return array [course, teacher, student, other student]
     */
    private function setup_course(): array {
        [$course, $teacher, $student, $other] = $this->course_with_server();
        $this->server->put('teacher1', 'course/lab1/notebook.ipynb', '{"cells": [], "nbformat": 4}');
        $this->server->put('teacher1', 'course/lab1/data/input.csv', "a,b\n1,2\n");
        $this->server->put('teacher1', 'work/teacher-only.txt', 'the teacher\'s own work');
        $this->server->put('student1', 'work/answer.py', 'print(42)');
        $this->server->put('student2', 'private/secret.txt', 'student2 only');
        return [$course, $teacher, $student, $other];
    }

    /**
     * An assignment with the plugin on, made by the teacher.
     *
     * @param \stdClass $course
     * @param \stdClass $teacher
     * @param array $params more settings
     * @return \assign
     */
    private function make_assign(\stdClass $course, \stdClass $teacher, array $params = []): \assign {
        $this->setUser($teacher);
        return $this->create_instance($course, $params + [
            'assignsubmission_lablink_enabled' => 1,
            'assignsubmission_lablink_sourcepath' => '/course/lab1',
            'assignsubmission_lablink_maxbytes' => 0,
            'assignsubmission_onlinetext_enabled' => 0,
            'assignsubmission_file_enabled' => 0,
            'submissiondrafts' => 0,
        ]);
    }

    /**
     * Names inside a stored zip.
     *
     * @param \stored_file $file
     * @return string[]
     */
    private function zip_names(\stored_file $file): array {
        $path = $file->copy_content_to_temp();
        $zip = new \ZipArchive();
        $this->assertTrue($zip->open($path));
        $names = [];
        for ($i = 0; $i < $zip->numFiles; $i++) {
            $names[] = $zip->getNameIndex($i);
        }
        $zip->close();
        unlink($path);
        sort($names);
        return $names;
    }

    public function test_saving_the_settings_snapshots_the_source(): void {
        [$course, $teacher] = $this->setup_course();
        $sink = $this->redirectEvents();
        $assign = $this->make_assign($course, $teacher);
        $events = array_filter($sink->get_events(), fn($e) => $e instanceof event\source_set);
        $sink->close();

        $snapshot = new source_snapshot($assign);
        $info = $snapshot->info();
        $this->assertSame('/course/lab1', $info->path);
        $this->assertSame(1, $info->version);
        $this->assertSame(2, $info->count);
        $this->assertSame('', $info->error);
        $this->assertEqualsCanonicalizing(['data/input.csv', 'notebook.ipynb'], array_column($info->files, 'name'));
        $this->assertSame('lab1.zip', $snapshot->file()->get_filename());
        $this->assertContains('notebook.ipynb', $this->zip_names($snapshot->file()));
        $this->assertCount(1, $events);

        // The path is fixed once set: the settings form shows it read-only, no field to change it.
        $plugin = $assign->get_submission_plugin_by_type('lablink');
        $form = new \MoodleQuickForm('test', 'post', '');
        $plugin->get_settings($form);
        $this->assertFalse($form->elementExists('assignsubmission_lablink_sourcepath'));
        $this->assertTrue($form->elementExists('assignsubmission_lablink_sourceinfo'));
        $this->expectException(\coding_exception::class);
        $snapshot->set_path('/work');
    }

    public function test_a_missing_source_keeps_the_assignment_and_says_why(): void {
        [$course, $teacher] = $this->setup_course();
        $assign = $this->make_assign($course, $teacher, ['assignsubmission_lablink_sourcepath' => '/no/such/folder']);
        $info = (new source_snapshot($assign))->info();
        $this->assertSame('/no/such/folder', $info->path);
        $this->assertSame(0, $info->version);
        $this->assertSame('not_found', $info->error);
        $this->assertNull((new source_snapshot($assign))->file());
    }

    public function test_get_a_copy_never_overwrites_and_tells_of_newer_snapshots(): void {
        [$course, $teacher, $student] = $this->setup_course();
        $assign = $this->make_assign($course, $teacher);
        $this->setUser($student);
        $snapshot = new source_snapshot($assign);

        $this->assertFalse($assign->get_user_submission($student->id, false));
        $landed = $snapshot->copy_to($student, '/');
        $this->assertSame('/lab1', $landed);
        // A submission record (status new) now exists, through which privacy exports reach the copy.
        $this->assertSame(ASSIGN_SUBMISSION_STATUS_NEW, $assign->get_user_submission($student->id, false)->status);
        $this->assertFileExists($this->server->path('student1', 'lab1/notebook.ipynb'));
        $this->assertStringEqualsFile($this->server->path('student1', 'lab1/data/input.csv'), "a,b\n1,2\n");

        // The student works on the copy; a second copy lands beside it under a free name.
        file_put_contents($this->server->path('student1', 'lab1/notebook.ipynb'), 'my work');
        $second = $snapshot->copy_to($student, '/');
        $this->assertNotSame('/lab1', $second);
        $this->assertStringEqualsFile($this->server->path('student1', 'lab1/notebook.ipynb'), 'my work');
        $this->assertFileExists($this->server->path('student1', ltrim($second, '/') . '/notebook.ipynb'));
        $this->assertSame(1, (int)$snapshot->last_copy($student->id)->version);

        // The teacher updates the snapshot: the student is told a newer one exists.
        $this->server->put('teacher1', 'course/lab1/extra.md', '# more');
        $this->setUser($teacher);
        $this->assertSame(2, $snapshot->take($teacher)->version);
        $this->setUser($student);
        $plugin = $assign->get_submission_plugin_by_type('lablink');
        $this->assertStringContainsString(get_string('newersnapshot', 'assignsubmission_lablink'), $plugin->view_header());
    }

    public function test_submit_streams_the_folder_into_the_submission(): void {
        [$course, $teacher, $student] = $this->setup_course();
        $assign = $this->make_assign($course, $teacher);
        $plugin = $assign->get_submission_plugin_by_type('lablink');
        $this->setUser($student);

        $this->assertTrue($plugin->submission_is_empty((object)['lablink_path' => '']));
        $this->assertFalse($plugin->submission_is_empty((object)['lablink_path' => '/work']));

        $sink = $this->redirectEvents();
        $notices = [];
        $this->assertTrue($assign->save_submission((object)['lablink_path' => '/work'], $notices), implode(' ', $notices));
        $events = $sink->get_events();
        $sink->close();

        $submission = $assign->get_user_submission($student->id, false);
        $this->assertSame(ASSIGN_SUBMISSION_STATUS_SUBMITTED, $submission->status);
        $this->assertFalse($plugin->is_empty($submission));
        $files = $plugin->get_files($submission, $student);
        $this->assertSame(['/work.zip'], array_keys($files));
        $this->assertSame(['answer.py'], $this->zip_names(reset($files)));
        $showlink = false;
        $summary = $plugin->view_summary($submission, $showlink);
        $this->assertStringContainsString('answer.py', $summary);
        $this->assertStringContainsString('work.zip', $summary);
        $this->assertFalse($showlink);

        $kinds = array_map(fn($e) => get_class($e), $events);
        $this->assertContains(event\assessable_uploaded::class, $kinds);
        $this->assertContains(event\workspace_submitted::class, $kinds);

        // Removing the submission removes the zip.
        $plugin->remove($submission);
        $this->assertTrue($plugin->is_empty($submission));
    }

    public function test_submit_on_behalf_reads_the_students_home(): void {
        global $DB;
        [$course, $teacher, $student] = $this->setup_course();
        $assign = $this->make_assign($course, $teacher);
        // Editing teachers may not edit others' submissions by default (managers may): grant it here.
        $role = $DB->get_field('role', 'id', ['shortname' => 'editingteacher']);
        assign_capability('mod/assign:editothersubmission', CAP_ALLOW, $role, $assign->get_context()->id);
        $this->setUser($teacher);
        $notices = [];
        $this->assertTrue($assign->save_submission((object)['userid' => $student->id, 'lablink_path' => '/work'],
            $notices), implode(' ', $notices));
        $submission = $assign->get_user_submission($student->id, false);
        $files = $assign->get_submission_plugin_by_type('lablink')->get_files($submission, $student);
        $this->assertSame(['answer.py'], $this->zip_names(reset($files)));
        $this->assertSame('student1', $DB->get_field('assignsubmission_lablink', 'home', ['submission' => $submission->id]));
    }

    public function test_a_folder_over_the_size_cap_is_refused_and_loses_nothing(): void {
        [$course, $teacher, $student] = $this->setup_course();
        $assign = $this->make_assign($course, $teacher, ['assignsubmission_lablink_maxbytes' => 1048576]);
        $plugin = $assign->get_submission_plugin_by_type('lablink');
        $this->server->put('student1', 'big/blob.bin', random_bytes(3 * 1048576));
        $this->setUser($student);

        $notices = [];
        $this->assertTrue($assign->save_submission((object)['lablink_path' => '/work'], $notices));
        $notices = [];
        $this->assertFalse($assign->save_submission((object)['lablink_path' => '/big'], $notices));
        $this->assertContains(get_string('toolarge', 'assignsubmission_lablink', display_size(1048576)), $notices);

        $submission = $assign->get_user_submission($student->id, false);
        $files = $plugin->get_files($submission, $student);
        $this->assertSame(['/work.zip'], array_keys($files), 'the earlier submission is kept');
    }

    public function test_paths_leaving_the_home_are_refused(): void {
        [$course, $teacher, $student] = $this->setup_course();
        $assign = $this->make_assign($course, $teacher);
        $this->setUser($student);
        foreach (['../student2/private', '/../student2', "work\0"] as $path) {
            $this->assertFalse(workspace::is_valid_path($path), $path);
            $notices = [];
            $this->assertFalse($assign->save_submission((object)['lablink_path' => $path], $notices), $path);
            $this->assertContains(get_string('invalidpath', 'assignsubmission_lablink'), $notices);
        }
        $submission = $assign->get_user_submission($student->id, false);
        $this->assertTrue(!$submission || $assign->get_submission_plugin_by_type('lablink')->is_empty($submission));
    }

    public function test_a_new_attempt_carries_the_zip_over(): void {
        [$course, $teacher, $student] = $this->setup_course();
        $assign = $this->make_assign($course, $teacher, ['attemptreopenmethod' => ASSIGN_ATTEMPT_REOPEN_METHOD_MANUAL,
            'maxattempts' => 3]);
        $plugin = $assign->get_submission_plugin_by_type('lablink');
        $this->setUser($student);
        $notices = [];
        $this->assertTrue($assign->save_submission((object)['lablink_path' => '/work'], $notices));
        $first = $assign->get_user_submission($student->id, false);

        $teacher->ignoresesskey = true;
        $this->setUser($teacher);
        $this->assertTrue($assign->testable_process_add_attempt($student->id));
        $this->setUser($student);
        $assign->copy_previous_attempt($notices);
        $second = $assign->get_user_submission($student->id, false);
        $this->assertNotEquals($first->id, $second->id);
        $files = $plugin->get_files($second, $student);
        $this->assertCount(1, $files);
        $this->assertSame(['answer.py'], $this->zip_names(reset($files)));
    }
}
