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

namespace assignsubmission_lablink\privacy;

use core_privacy\local\metadata\collection;
use core_privacy\local\request\writer;
use mod_assign\privacy\assign_plugin_request_data;

/**
 * Privacy provider tests. The rows and zips are stored here as the plugin stores them after a
 * submission (fetching them from a file server is covered by locallib_test), so these tests need
 * no file server.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignsubmission_lablink\privacy\provider
 */
final class provider_test extends \mod_assign\tests\provider_testcase {

    /**
     * Stores a submission of `$user` as the plugin does: a zip in the area and a row.
     *
     * @param \assign $assign
     * @param \stdClass $user
     * @param string $name the zip's name
     * @return \stdClass the submission
     */
    private function store_submission(\assign $assign, \stdClass $user, string $name): \stdClass {
        global $DB;
        $submission = $assign->get_user_submission($user->id, true);
        $zippath = make_request_directory() . '/' . $name;
        $zip = new \ZipArchive();
        $zip->open($zippath, \ZipArchive::CREATE);
        $zip->addFromString('answer.py', 'print(' . $user->id . ')');
        $zip->close();
        get_file_storage()->create_file_from_pathname([
            'contextid' => $assign->get_context()->id, 'component' => 'assignsubmission_lablink',
            'filearea' => 'submissions', 'itemid' => $submission->id, 'filepath' => '/', 'filename' => $name,
        ], $zippath);
        $DB->insert_record('assignsubmission_lablink', (object)[
            'assignment' => $assign->get_instance()->id, 'submission' => $submission->id, 'path' => '/work',
            'home' => $user->username, 'bytes' => filesize($zippath),
            'numfiles' => 1, 'filelist' => json_encode([['name' => 'answer.py', 'size' => 9]]), 'skipped' => 0,
            'timesubmitted' => time(),
        ]);
        $DB->insert_record('assignsubmission_lablink_copy', (object)[
            'assignment' => $assign->get_instance()->id, 'userid' => $user->id, 'version' => 1, 'path' => '/lab1',
            'timecopied' => time(),
        ]);
        return $submission;
    }

    /**
     * A course, an assignment with the plugin on, and two students with submissions.
     *
     * @return array [assign, student1, submission1, student2, submission2]
     */
    private function setup_data(): array {
        $this->resetAfterTest();
        $course = $this->getDataGenerator()->create_course();
        $user1 = $this->getDataGenerator()->create_and_enrol($course, 'student');
        $user2 = $this->getDataGenerator()->create_and_enrol($course, 'student');
        $assign = $this->create_instance(['course' => $course, 'assignsubmission_lablink_enabled' => 1]);
        return [$assign, $user1, $this->store_submission($assign, $user1, 'one.zip'),
            $user2, $this->store_submission($assign, $user2, 'two.zip')];
    }

    public function test_metadata_names_the_file_server(): void {
        $collection = provider::get_metadata(new collection('assignsubmission_lablink'));
        $names = array_map(fn($item) => $item->get_name(), $collection->get_collection());
        $this->assertContains('assignsubmission_lablink', $names);
        $this->assertContains('assignsubmission_lablink_copy', $names);
        $this->assertContains('core_files', $names);
        $this->assertContains('lablink_fileserver', $names);
    }

    public function test_export_gives_the_zip_the_row_and_the_copy(): void {
        [$assign, $user1, $submission1] = $this->setup_data();
        $context = $assign->get_context();
        $writer = writer::with_context($context);
        $this->assertFalse($writer->has_any_data());

        provider::export_submission_user_data(new assign_plugin_request_data($context, $assign, $submission1, ['Attempt 1']));
        $this->assertSame(['one.zip'], array_keys($writer->get_files(['Attempt 1'])));
        $data = $writer->get_data(['Attempt 1']);
        $this->assertSame('/work', $data->path);
        $this->assertSame($user1->username, $data->home);
        $copy = $writer->get_data(['Attempt 1', get_string('privacy:copypath', 'assignsubmission_lablink')]);
        $this->assertSame('/lab1', $copy->path);
    }

    public function test_contexts_and_users_include_those_with_only_a_copy(): void {
        global $DB;
        [$assign, $user1] = $this->setup_data();
        $DB->delete_records('assignsubmission_lablink');
        $contextlist = new \core_privacy\local\request\contextlist();
        provider::get_context_for_userid_within_submission($user1->id, $contextlist);
        $this->assertSame([(int)$assign->get_context()->id], array_map('intval', $contextlist->get_contextids()));

        $userlist = new \core_privacy\local\request\userlist($assign->get_context(), 'assignsubmission_lablink');
        provider::get_userids_from_context($userlist);
        $this->assertCount(2, $userlist->get_userids());
    }

    public function test_delete_for_context_removes_everything(): void {
        global $DB;
        [$assign, , $submission1, , $submission2] = $this->setup_data();
        provider::delete_submission_for_context(new assign_plugin_request_data($assign->get_context(), $assign));
        $plugin = $assign->get_submission_plugin_by_type('lablink');
        $this->assertTrue($plugin->is_empty($submission1));
        $this->assertTrue($plugin->is_empty($submission2));
        $this->assertSame(0, $DB->count_records('assignsubmission_lablink'));
        $this->assertSame(0, $DB->count_records('assignsubmission_lablink_copy'));
    }

    public function test_delete_for_one_user_keeps_the_others(): void {
        global $DB;
        [$assign, $user1, $submission1, $user2, $submission2] = $this->setup_data();
        provider::delete_submission_for_userid(new assign_plugin_request_data($assign->get_context(), $assign,
            $submission1, [], $user1));
        $plugin = $assign->get_submission_plugin_by_type('lablink');
        $this->assertTrue($plugin->is_empty($submission1));
        $this->assertFalse($plugin->is_empty($submission2));
        $this->assertFalse($DB->record_exists('assignsubmission_lablink_copy', ['userid' => $user1->id]));
        $this->assertTrue($DB->record_exists('assignsubmission_lablink_copy', ['userid' => $user2->id]));
    }

    public function test_delete_submissions_of_several_users(): void {
        global $DB;
        [$assign, $user1, $submission1, $user2, $submission2] = $this->setup_data();
        $deletedata = new assign_plugin_request_data($assign->get_context(), $assign);
        $deletedata->set_userids([$user1->id]);
        $deletedata->populate_submissions_and_grades();
        provider::delete_submissions($deletedata);
        $plugin = $assign->get_submission_plugin_by_type('lablink');
        $this->assertTrue($plugin->is_empty($submission1));
        $this->assertFalse($plugin->is_empty($submission2));
        $this->assertSame(1, $DB->count_records('assignsubmission_lablink'));
        $this->assertSame(1, $DB->count_records('assignsubmission_lablink_copy'));
    }
}
