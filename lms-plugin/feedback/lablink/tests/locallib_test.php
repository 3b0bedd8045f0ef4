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

namespace assignfeedback_lablink;

use assignfeedback_lablink\local\feedback_area;
use assignfeedback_lablink\local\run;
use assignfeedback_lablink\local\submission_items;
use assignfeedback_lablink\task\return_task;
use mod_assign_test_generator;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->dirroot . '/mod/assign/tests/generator.php');
require_once($CFG->dirroot . '/mod/assign/submission/lablink/tests/fixtures/files_server.php');

/**
 * The feedback plugin in Moodle: its settings, the refusals of the collect and return pages
 * (capability, sesskey, bad values, a second run), the feedback area, and the collect and return
 * tasks against a real `lablink files` (those tests are skipped, saying why, without LABLINK_BIN).
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assign_feedback_lablink
 * @covers     \assignfeedback_lablink\local\run
 * @covers     \assignfeedback_lablink\local\feedback_area
 * @covers     \assignfeedback_lablink\local\submission_items
 * @covers     \assignfeedback_lablink\task\collect_task
 * @covers     \assignfeedback_lablink\task\return_task
 */
final class locallib_test extends \advanced_testcase {

    use mod_assign_test_generator;
    use \assignsubmission_lablink_with_files_server;

    /**
     * An assignment with both lablink plugins on, made by the teacher.
     *
     * @param \stdClass $course
     * @param \stdClass $teacher
     * @param array $params more settings
     * @return \assign
     */
    private function make_assign(\stdClass $course, \stdClass $teacher, array $params = []): \assign {
        $this->setUser($teacher);
        return $this->create_instance($course, $params + [
            'name' => 'Lab 1: Loops',
            'assignsubmission_lablink_enabled' => 1,
            'assignsubmission_lablink_sourcepath' => '',
            'assignsubmission_lablink_maxbytes' => 0,
            'assignsubmission_onlinetext_enabled' => 0,
            'assignsubmission_file_enabled' => 0,
            'assignfeedback_lablink_enabled' => 1,
            'assignfeedback_comments_enabled' => 0,
            'submissiondrafts' => 0,
        ]);
    }

    /**
     * A course with a teacher and two students, without a file server.
     *
     * @return array [course, teacher, student, other student]
     */
    private function course_without_server(): array {
        $this->resetAfterTest();
        $generator = $this->getDataGenerator();
        $course = $generator->create_course();
        return [$course, $generator->create_and_enrol($course, 'editingteacher', ['username' => 'teacher1']),
            $generator->create_and_enrol($course, 'student', ['username' => 'student1']),
            $generator->create_and_enrol($course, 'student', ['username' => 'student2'])];
    }

    /**
     * A zip on disk holding the given files.
     *
     * @param array $files name => content
     * @return string its path
     */
    private function make_zip(array $files): string {
        $path = make_request_directory() . '/feedback.zip';
        $zip = new \ZipArchive();
        $this->assertTrue($zip->open($path, \ZipArchive::CREATE));
        foreach ($files as $name => $content) {
            $zip->addFromString($name, $content);
        }
        $zip->close();
        return $path;
    }

    /**
     * Sets the request's POST fields (what the collect and return pages read).
     *
     * @param array $fields
     */
    private function post(array $fields): void {
        $_POST = $fields;
        $_GET = [];
    }

    /**
     * Runs a queued run's adhoc task, as cron would, and reads the run again.
     *
     * @param \stdClass $run the run as queued
     * @return \stdClass the run once its task ran
     */
    private function run_queued(\stdClass $run): \stdClass {
        ob_start();
        $this->runAdhocTasks(run::task_class($run->kind));
        ob_end_clean();
        return run::get((int)$run->id);
    }

    /**
     * Ends the test's POST fields.
     */
    protected function tearDown(): void {
        $_POST = [];
        $_GET = [];
        if ($this->server) {
            $this->server->stop();
            $this->server = null;
        }
        parent::tearDown();
    }

    public function test_settings_are_saved_and_the_nbgrader_name_has_a_default(): void {
        global $DB;
        [$course, $teacher] = $this->course_without_server();
        $assign = $this->make_assign($course, $teacher, ['assignfeedback_lablink_layout' => 'nbgrader',
            'assignfeedback_lablink_naming' => 'studentid', 'assignfeedback_lablink_nbassignment' => '']);
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        $this->assertTrue((bool)$plugin->is_enabled());
        $this->assertSame('nbgrader', $plugin->layout());
        $this->assertSame('studentid', $plugin->naming());
        // No name set, no ID number: a slug of the assignment's name.
        $this->assertSame('lab-1-loops', $plugin->nbassignment());

        $DB->set_field('course_modules', 'idnumber', 'ps01', ['id' => $assign->get_course_module()->id]);
        rebuild_course_cache($course->id, true);
        $cm = get_coursemodule_from_id('assign', $assign->get_course_module()->id);
        $reloaded = new \assign($assign->get_context(), $cm, $course);
        $this->assertSame('ps01', $reloaded->get_feedback_plugin_by_type('lablink')->nbassignment());

        $this->assertTrue($plugin->save_settings((object)['assignfeedback_lablink_layout' => 'folders',
            'assignfeedback_lablink_naming' => 'fullname', 'assignfeedback_lablink_nbassignment' => 'week1']));
        $this->assertSame('folders', $plugin->layout());
        $this->assertSame('week1', $plugin->nbassignment());

        // Bad values are refused and change nothing.
        foreach (['../up', '.hidden', 'a/b', "tab\tname", '..'] as $bad) {
            $this->assertFalse(\assign_feedback_lablink::is_valid_nbassignment($bad), $bad);
        }
        $this->assertTrue(\assign_feedback_lablink::is_valid_nbassignment(''));
        $this->assertFalse($plugin->save_settings((object)['assignfeedback_lablink_layout' => 'folders',
            'assignfeedback_lablink_naming' => 'fullname', 'assignfeedback_lablink_nbassignment' => '../up']));
        $this->assertFalse($plugin->save_settings((object)['assignfeedback_lablink_layout' => 'zip',
            'assignfeedback_lablink_naming' => 'fullname', 'assignfeedback_lablink_nbassignment' => '']));
        $this->assertSame('folders', $plugin->layout());
        $this->assertSame('week1', $plugin->nbassignment());
    }

    public function test_the_pages_refuse_without_the_grading_capability(): void {
        [$course, $teacher, $student] = $this->course_without_server();
        $assign = $this->make_assign($course, $teacher);
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        $this->setUser($student);
        $this->post(['start' => 1, 'sesskey' => sesskey(), 'lablink_root' => '/grading']);
        foreach (['collect', 'return'] as $action) {
            try {
                $plugin->view_page($action);
                $this->fail("$action was not refused");
            } catch (\required_capability_exception $e) {
                $this->assertSame('nopermissions', $e->errorcode);
            }
        }
        $this->assertNull(run::active((int)$assign->get_instance()->id));
    }

    public function test_the_collect_page_refuses_a_wrong_sesskey(): void {
        [$course, $teacher] = $this->course_without_server();
        $assign = $this->make_assign($course, $teacher);
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        $this->post(['start' => 1, 'sesskey' => 'not-the-session-key', 'lablink_root' => '/grading']);
        try {
            $plugin->view_page('collect');
            $this->fail('a wrong sesskey was accepted');
        } catch (\moodle_exception $e) {
            $this->assertSame('invalidsesskey', $e->errorcode);
        }
        $this->assertNull(run::active((int)$assign->get_instance()->id));
    }

    public function test_bad_values_are_refused_with_a_reason_and_start_nothing(): void {
        [$course, $teacher, $student] = $this->course_without_server();
        $assign = $this->make_assign($course, $teacher);
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        $cases = [
            [['lablink_root' => ''], get_string('noroot', 'assignfeedback_lablink')],
            [['lablink_root' => '../student1'], get_string('invalidpath', 'assignsubmission_lablink')],
            [['lablink_root' => '/g', 'layout' => 'nbgrader', 'nbassignment' => '../x'],
                get_string('badnbassignment', 'assignfeedback_lablink')],
            [['lablink_root' => '/g', 'layout' => 'tarball'], get_string('badsettings', 'assignfeedback_lablink')],
            [['lablink_root' => '/g', 'attempt' => 7], get_string('badattempt', 'assignfeedback_lablink')],
        ];
        foreach ($cases as [$fields, $message]) {
            $this->post($fields);
            [, , $errors] = $plugin->read_run_form(run::COLLECT, []);
            $this->assertContains($message, $errors, json_encode($fields));
        }
        // Moodle's request parameters never carry a NUL (fix_utf8 takes it out): what reaches the
        // file server is the path without it.
        $this->post(['lablink_root' => "/grading\0", 'layout' => 'nbgrader', 'nbassignment' => "lab1\0"]);
        [$values, $options, $errors] = $plugin->read_run_form(run::COLLECT, []);
        $this->assertSame([], $errors);
        $this->assertSame('/grading', $values['root']);
        $this->assertSame('lab1', $options['nbassignment']);

        // A selection of nobody taking part (the teacher) is refused; a student's is kept.
        $this->post(['lablink_root' => '/g']);
        [, , $errors] = $plugin->read_run_form(run::COLLECT, [(int)$teacher->id]);
        $this->assertContains(get_string('noparticipants', 'assignfeedback_lablink'), $errors);
        [, $options, $errors] = $plugin->read_run_form(run::COLLECT, [(int)$teacher->id, (int)$student->id]);
        $this->assertSame([], $errors);
        $this->assertSame([(int)$student->id], $options['userids']);
        $this->assertSame('/g', $options['root']);
        $this->assertSame(submission_items::LATEST, $options['attempt']);
        $this->assertNull(run::active((int)$assign->get_instance()->id));
    }

    public function test_a_second_run_is_refused_while_one_is_queued(): void {
        global $DB, $PAGE;
        [$course, $teacher] = $this->course_without_server();
        $assign = $this->make_assign($course, $teacher);
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        $assignid = (int)$assign->get_instance()->id;
        $PAGE->set_url($plugin->page_url('collect'));
        $PAGE->set_cm($assign->get_course_module(), $course);

        // The page queues the run and redirects to its status (a redirect is an exception here).
        $this->post(['start' => 1, 'sesskey' => sesskey(), 'lablink_root' => '/grading']);
        try {
            $plugin->view_page('collect');
            $this->fail('no redirect after starting');
        } catch (\moodle_exception $e) {
            $this->assertSame('redirecterrordetected', $e->errorcode);
        }
        $first = run::active($assignid);
        $this->assertNotNull($first);
        $this->assertSame(run::QUEUED, $first->status);
        $this->assertSame('/grading', $first->root);
        $this->assertTrue($DB->record_exists('task_adhoc', ['id' => $first->taskid]));
        // Its bar exists at once, for the status page to poll.
        $this->assertNotNull(\core\output\stored_progress_bar::get_by_idnumber(run::progress_idnumber($first)));

        // A second collect, and a return, are refused while it waits.
        try {
            $plugin->start_run(run::COLLECT, $teacher, ['root' => '/other']);
            $this->fail('a second collect was queued');
        } catch (\moodle_exception $e) {
            $this->assertSame('runbusy', $e->errorcode);
        }
        try {
            $plugin->start_run(run::RETURN, $teacher, ['root' => '/grading']);
            $this->fail('a return was queued during a collect');
        } catch (\moodle_exception $e) {
            $this->assertSame('runbusy', $e->errorcode);
        }
        $html = $plugin->view_page('collect');
        $this->assertStringContainsString(get_string('runbusy', 'assignfeedback_lablink'), $html);
        $this->assertSame(1, $DB->count_records(run::TABLE, ['assignment' => $assignid]));

        // A run whose task is gone no longer blocks the assignment.
        $DB->delete_records('task_adhoc', ['id' => $first->taskid]);
        $this->assertNull(run::active($assignid));
        $this->assertSame(run::FAILED, run::get((int)$first->id)->status);
        $this->assertNotNull($plugin->start_run(run::COLLECT, $teacher, ['root' => '/other']));
    }

    public function test_the_feedback_area_keeps_one_zip_per_grade(): void {
        [$course, $teacher, $student] = $this->course_without_server();
        $assign = $this->make_assign($course, $teacher);
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        $area = new feedback_area($assign);

        $row = $area->store((int)$student->id, -1, $this->make_zip(['notes.md' => 'good', 'plots/a.png' => 'png']),
            'feedback.zip', '/grading/Student/feedback');
        $grade = $assign->get_user_grade($student->id, false);
        $this->assertEquals($grade->id, $row->grade);
        $this->assertFalse($plugin->is_empty($grade));
        $this->assertSame(2, (int)$row->numfiles);
        $this->assertSame(['notes.md', 'plots/a.png'], \assignsubmission_lablink_files_server::zip_names($area->file((int)$grade->id)));
        $this->assertSame(['feedback.zip'], array_keys($plugin->get_files($grade, $student)));
        $this->setUser($student);
        $showlink = false;
        $summary = $plugin->view_summary($grade, $showlink);
        $this->assertStringContainsString('feedback.zip', $summary);
        $this->assertStringContainsString('notes.md', $summary);
        $this->assertStringContainsString(get_string('getfeedback', 'assignfeedback_lablink'), $summary);

        // A second return replaces the first.
        $area->store((int)$student->id, -1, $this->make_zip(['notes.md' => 'better']), 'feedback.zip', '/x');
        $this->assertSame(['notes.md'], \assignsubmission_lablink_files_server::zip_names($area->file((int)$grade->id)));
        $this->assertCount(1, get_file_storage()->get_area_files($assign->get_context()->id, 'assignfeedback_lablink',
            'feedback', $grade->id, 'id', false));

        // Not a zip: refused, the stored feedback kept.
        $bad = make_request_directory() . '/bad.zip';
        file_put_contents($bad, 'not a zip');
        try {
            $area->store((int)$student->id, -1, $bad, 'feedback.zip', '/x');
            $this->fail('a broken zip was stored');
        } catch (\moodle_exception $e) {
            $this->assertSame('badzip', $e->errorcode);
        }
        $this->assertSame(['notes.md'], \assignsubmission_lablink_files_server::zip_names($area->file((int)$grade->id)));
    }

    public function test_a_return_trusts_only_this_assignments_submissions(): void {
        [$course, $teacher, $student, $other] = $this->course_without_server();
        $assign = $this->make_assign($course, $teacher);
        $mine = $assign->get_user_submission($student->id, true);
        $theirs = $assign->get_user_submission($other->id, true);
        $entries = [
            ['userid' => (int)$student->id, 'submissionid' => (int)$mine->id, 'attempt' => 0, 'folder' => 'a'],
            // The other student's entry edited to point at the first student's submission.
            ['userid' => (int)$other->id, 'submissionid' => (int)$mine->id, 'attempt' => 0, 'folder' => 'b'],
            // Someone not taking part.
            ['userid' => (int)$teacher->id, 'submissionid' => (int)$theirs->id, 'attempt' => 0, 'folder' => 'c'],
        ];
        [$trusted, $refused] = return_task::trusted_entries($assign, $entries);
        $this->assertSame([(int)$student->id], array_column($trusted, 'userid'));
        $this->assertSame([(int)$other->id => 'not_this_submission'], $refused);
    }

    public function test_collect_then_return_against_the_file_server(): void {
        global $DB;
        [$course, $teacher, $student, $other] = $this->course_with_server();
        $this->server->put('student1', 'work/answer.py', 'print(1)');
        $this->server->put('student2', 'work/answer.py', 'print(2)');
        $this->server->home('teacher1');
        $assign = $this->make_assign($course, $teacher);
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        foreach ([$student, $other] as $user) {
            $this->setUser($user);
            $notices = [];
            $this->assertTrue($assign->save_submission((object)['lablink_path' => '/work'], $notices), implode(' ', $notices));
        }

        $this->setUser($teacher);
        $sink = $this->redirectEvents();
        $collect = $plugin->start_run(run::COLLECT, $teacher, ['root' => '/grading', 'layout' => 'folders',
            'naming' => 'studentid', 'nbassignment' => '', 'overwrite' => false, 'attempt' => submission_items::LATEST,
            'userids' => []]);
        $collect = $this->run_queued($collect);
        $this->assertSame(run::DONE, $collect->status, (string)$collect->error);
        $results = array_column(run::results($collect), null, 'userid');
        $this->assertSame('collected', $results[$student->id]['status']);
        $this->assertSame('collected', $results[$other->id]['status']);
        $folder = $results[$student->id]['folder'];
        $this->assertSame('student1', $folder);
        $this->assertStringEqualsFile($this->server->path('teacher1', "grading/$folder/answer.py"), 'print(1)');
        $manifest = json_decode(file_get_contents($this->server->path('teacher1', 'grading/lablink-manifest.json')), true);
        $this->assertSame('lablink-manifest', $manifest['format']);
        $this->assertEqualsCanonicalizing([(int)$student->id, (int)$other->id], array_column($manifest['entries'], 'userid'));
        $bar = \core\output\stored_progress_bar::get_by_idnumber(run::progress_idnumber($collect));
        $this->assertEquals(100, $bar->get_percent());

        // Collecting again changes nothing and fetches nothing.
        $again = $plugin->start_run(run::COLLECT, $teacher, ['root' => '/grading', 'layout' => 'folders',
            'naming' => 'studentid', 'nbassignment' => '', 'overwrite' => false, 'attempt' => submission_items::LATEST,
            'userids' => []]);
        $statuses = array_column(run::results($this->run_queued($again)), 'status');
        $this->assertSame(['unchanged', 'unchanged'], $statuses);

        // Feedback for one student only; the other is listed without feedback.
        $this->server->put('teacher1', "grading/$folder/feedback/notes.md", 'Well done');
        $return = $plugin->start_run(run::RETURN, $teacher, ['root' => '/grading']);
        $return = $this->run_queued($return);
        $this->assertSame(run::DONE, $return->status, (string)$return->error);
        $results = array_column(run::results($return), null, 'userid');
        $this->assertSame('returned', $results[$student->id]['status']);
        $this->assertSame('no_feedback', $results[$other->id]['status']);

        $grade = $assign->get_user_grade($student->id, false);
        $area = new feedback_area($assign);
        $this->assertSame(['notes.md'], \assignsubmission_lablink_files_server::zip_names($area->file((int)$grade->id)));
        $this->assertSame("/grading/$folder/feedback", $area->row((int)$grade->id)->path);
        $othergrade = $assign->get_user_grade($other->id, false);
        $this->assertTrue(!$othergrade || $plugin->is_empty($othergrade));

        $events = array_map(fn($e) => get_class($e), $sink->get_events());
        $sink->close();
        $this->assertContains(event\submissions_collected::class, $events);
        $this->assertContains(event\feedback_returned::class, $events);

        // The student copies it into their own workspace, never over what is there.
        $this->setUser($student);
        $landed = $plugin->copy_feedback($student, $area->file((int)$grade->id), '/');
        $this->assertSame('/feedback', $landed);
        $this->assertStringEqualsFile($this->server->path('student1', 'feedback/notes.md'), 'Well done');
        $second = $plugin->copy_feedback($student, $area->file((int)$grade->id), '/');
        $this->assertNotSame('/feedback', $second);
        $this->assertFileExists($this->server->path('student1', ltrim($second, '/') . '/notes.md'));
        $this->assertFalse($DB->record_exists('assignfeedback_lablink_run', ['status' => run::RUNNING]));
    }

    public function test_an_nbgrader_collect_lands_where_nbgrader_looks(): void {
        global $DB;
        [$course, $teacher, $student] = $this->course_with_server();
        $this->server->put('student1', 'work/ps1.ipynb', '{"cells": []}');
        // The teacher's nbgrader course folder.
        $this->server->put('teacher1', 'course/nbgrader_config.py', 'c = get_config()');
        $assign = $this->make_assign($course, $teacher, ['assignfeedback_lablink_layout' => 'nbgrader',
            'assignfeedback_lablink_nbassignment' => 'ps1']);
        $this->setUser($student);
        $notices = [];
        $this->assertTrue($assign->save_submission((object)['lablink_path' => '/work'], $notices), implode(' ', $notices));
        $submitted = (int)$DB->get_field('assign_submission', 'timemodified', ['assignment' => $assign->get_instance()->id,
            'userid' => $student->id]);

        $this->setUser($teacher);
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        $this->post(['lablink_root' => '/course']);
        [, $options, $errors] = $plugin->read_run_form(run::COLLECT, []);
        $this->assertSame([], $errors);
        $this->assertSame('nbgrader', $options['layout']);
        $this->assertSame('ps1', $options['nbassignment']);
        $collect = $plugin->start_run(run::COLLECT, $teacher, $options);
        $collect = $this->run_queued($collect);
        $this->assertSame(run::DONE, $collect->status, (string)$collect->error);
        $this->assertFileExists($this->server->path('teacher1', 'course/submitted/student1/ps1/ps1.ipynb'));
        $this->assertStringEqualsFile($this->server->path('teacher1', 'course/submitted/student1/ps1/timestamp.txt'),
            gmdate('Y-m-d H:i:s', $submitted) . '.000000 UTC');
        $this->assertFileExists($this->server->path('teacher1', 'course/lablink-manifest-ps1.json'));

        // nbgrader generate_feedback writes feedback/<student>/<assignment>/; the return finds it
        // through this assignment's manifest (named after ps1), with no layout to tell.
        $this->server->put('teacher1', 'course/feedback/student1/ps1/ps1.html', '<p>2 / 2</p>');
        $return = $plugin->start_run(run::RETURN, $teacher, ['root' => '/course']);
        $return = $this->run_queued($return);
        $this->assertSame(run::DONE, $return->status, (string)$return->error);
        $results = array_column(run::results($return), null, 'userid');
        $this->assertSame('returned', $results[$student->id]['status']);
        $grade = $assign->get_user_grade($student->id, false);
        $area = new \assignfeedback_lablink\local\feedback_area($assign);
        $this->assertSame(['ps1.html'],
            \assignsubmission_lablink_files_server::zip_names($area->file((int)$grade->id)));
    }

    public function test_a_return_from_a_folder_without_manifest_fails_with_the_reason(): void {
        [$course, $teacher] = $this->course_with_server();
        $this->server->put('teacher1', 'elsewhere/readme.txt', 'not a collect');
        $assign = $this->make_assign($course, $teacher);
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        $return = $plugin->start_run(run::RETURN, $teacher, ['root' => '/elsewhere']);
        $return = $this->run_queued($return);
        $this->assertSame(run::FAILED, $return->status);
        $this->assertSame(get_string('nomanifest', 'assignfeedback_lablink', '/elsewhere'), $return->error);
        $bar = \core\output\stored_progress_bar::get_by_idnumber(run::progress_idnumber($return));
        $this->assertTrue($bar->get_haserrored());
    }
}
