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

namespace assignfeedback_lablink\privacy;

use assignfeedback_lablink\local\feedback_area;
use assignfeedback_lablink\local\run;
use core_privacy\local\metadata\collection;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\writer;
use mod_assign\privacy\assign_plugin_request_data;

/**
 * Privacy provider tests. Feedback is stored here as the return task stores it and runs are
 * recorded as the pages record them (the file server's part is covered by locallib_test), so
 * these tests need no file server.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignfeedback_lablink\privacy\provider
 */
final class provider_test extends \mod_assign\tests\provider_testcase {

    /**
     * Returns feedback to a student as the return task does.
     *
     * @param \assign $assign
     * @param \stdClass $user
     * @return \stdClass the grade
     */
    private function store_feedback(\assign $assign, \stdClass $user): \stdClass {
        $path = make_request_directory() . '/feedback.zip';
        $zip = new \ZipArchive();
        $zip->open($path, \ZipArchive::CREATE);
        $zip->addFromString('notes.md', 'for ' . $user->id);
        $zip->close();
        (new feedback_area($assign))->store((int)$user->id, -1, $path, 'feedback.zip', '/grading/' . $user->id . '/feedback');
        return $assign->get_user_grade($user->id, false);
    }

    /**
     * A course with a teacher, an assignment with the plugin on, two students with feedback, and
     * a finished collect started by the teacher.
     *
     * @return array [assign, teacher, student1, grade1, student2, grade2, run]
     */
    private function setup_data(): array {
        global $DB;
        $this->resetAfterTest();
        $course = $this->getDataGenerator()->create_course();
        $teacher = $this->getDataGenerator()->create_and_enrol($course, 'editingteacher');
        $user1 = $this->getDataGenerator()->create_and_enrol($course, 'student');
        $user2 = $this->getDataGenerator()->create_and_enrol($course, 'student');
        $this->setUser($teacher);
        $assign = $this->create_instance(['course' => $course, 'assignfeedback_lablink_enabled' => 1]);
        $grade1 = $this->store_feedback($assign, $user1);
        $grade2 = $this->store_feedback($assign, $user2);
        $runid = $DB->insert_record(run::TABLE, (object)[
            'assignment' => $assign->get_instance()->id, 'kind' => run::COLLECT, 'userid' => $teacher->id,
            'root' => '/grading', 'options' => json_encode(['layout' => 'folders', 'userids' => [$user1->id, $user2->id]]),
            'status' => run::DONE, 'taskid' => 0,
            'results' => json_encode([['userid' => $user1->id, 'status' => 'collected', 'folder' => 'a'],
                ['userid' => $user2->id, 'status' => 'collected', 'folder' => 'b']]),
            'timecreated' => time(), 'timestarted' => time(), 'timefinished' => time(),
        ]);
        return [$assign, $teacher, $user1, $grade1, $user2, $grade2, run::get($runid)];
    }

    public function test_metadata_names_the_tables_files_and_file_server(): void {
        $collection = provider::get_metadata(new collection('assignfeedback_lablink'));
        $names = array_map(fn($item) => $item->get_name(), $collection->get_collection());
        $this->assertContains('assignfeedback_lablink', $names);
        $this->assertContains('assignfeedback_lablink_run', $names);
        $this->assertContains('core_files', $names);
        $this->assertContains('lablink_fileserver', $names);
    }

    public function test_a_students_export_gives_the_zip_and_the_row(): void {
        [$assign, , , $grade1] = $this->setup_data();
        $context = $assign->get_context();
        $writer = writer::with_context($context);
        $this->assertFalse($writer->has_any_data());
        provider::export_feedback_user_data(new assign_plugin_request_data($context, $assign, $grade1, ['Attempt 1']));
        $path = ['Attempt 1', get_string('privacy:path', 'assignfeedback_lablink')];
        $this->assertSame(['feedback.zip'], array_keys($writer->get_files($path)));
        $data = $writer->get_data($path);
        $this->assertSame('/grading/' . $grade1->userid . '/feedback', $data->path);
        $this->assertSame('notes.md', $data->files[0]['name']);
    }

    public function test_the_teachers_runs_are_found_exported_and_deleted(): void {
        global $DB;
        [$assign, $teacher, $user1] = $this->setup_data();
        $context = $assign->get_context();
        $this->assertSame([(int)$context->id], array_map('intval', provider::get_contexts_for_userid($teacher->id)->get_contextids()));
        $this->assertSame([], provider::get_contexts_for_userid($user1->id)->get_contextids());
        $userlist = new \core_privacy\local\request\userlist($context, 'assignfeedback_lablink');
        provider::get_users_in_context($userlist);
        $this->assertSame([(int)$teacher->id], array_map('intval', $userlist->get_userids()));

        provider::export_user_data(new approved_contextlist($teacher, 'assignfeedback_lablink', [$context->id]));
        $data = writer::with_context($context)->get_data([get_string('privacy:runspath', 'assignfeedback_lablink')]);
        $this->assertCount(1, $data->runs);
        $this->assertSame('/grading', $data->runs[0]['root']);
        $this->assertSame(['collected' => 2], $data->runs[0]['results']);

        provider::delete_data_for_users(new approved_userlist($context, 'assignfeedback_lablink', [(int)$user1->id]));
        $this->assertSame(1, $DB->count_records(run::TABLE));
        provider::delete_data_for_user(new approved_contextlist($teacher, 'assignfeedback_lablink', [$context->id]));
        $this->assertSame(0, $DB->count_records(run::TABLE));
    }

    public function test_deleting_a_students_grade_removes_their_feedback_and_their_place_in_runs(): void {
        global $DB;
        [$assign, , $user1, $grade1, $user2, $grade2, $run] = $this->setup_data();
        provider::delete_feedback_for_grade(new assign_plugin_request_data($assign->get_context(), $assign, $grade1, [],
            $user1));
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        $this->assertTrue($plugin->is_empty($grade1));
        $this->assertFalse($plugin->is_empty($grade2));
        $this->assertFalse($DB->record_exists('assignfeedback_lablink', ['grade' => $grade1->id]));
        $run = run::get((int)$run->id);
        $this->assertSame([(int)$user2->id], array_map('intval', array_column(run::results($run), 'userid')));
        $this->assertSame([(int)$user2->id], run::options($run)['userids']);
    }

    public function test_deleting_several_grades_and_the_whole_context(): void {
        global $DB;
        [$assign, , $user1, $grade1, , $grade2] = $this->setup_data();
        $deletedata = new assign_plugin_request_data($assign->get_context(), $assign);
        $deletedata->set_userids([$user1->id]);
        $deletedata->populate_submissions_and_grades();
        provider::delete_feedback_for_grades($deletedata);
        $plugin = $assign->get_feedback_plugin_by_type('lablink');
        $this->assertTrue($plugin->is_empty($grade1));
        $this->assertFalse($plugin->is_empty($grade2));
        $this->assertSame(1, $DB->count_records('assignfeedback_lablink'));

        provider::delete_feedback_for_context(new assign_plugin_request_data($assign->get_context(), $assign));
        provider::delete_data_for_all_users_in_context($assign->get_context());
        $this->assertTrue($plugin->is_empty($grade2));
        $this->assertSame(0, $DB->count_records('assignfeedback_lablink'));
        $this->assertSame(0, $DB->count_records(run::TABLE));
    }
}
