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

namespace assignsubmission_lablink\external;

use core_external\external_api;
use mod_assign_test_generator;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->dirroot . '/mod/assign/tests/generator.php');
require_once($CFG->dirroot . '/webservice/tests/helpers.php');
require_once(__DIR__ . '/../fixtures/files_server.php');

/**
 * The picker's external functions against a real `lablink files` (skipped, saying why, when
 * LABLINK_BIN is not set): the EntriesPage shape, folder creation, whose home is read, and the
 * file server's codes passed through as errorcode.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignsubmission_lablink\external\list_entries
 * @covers     \assignsubmission_lablink\external\create_folder
 * @covers     \assignsubmission_lablink\local\picker_access
 */
final class picker_functions_test extends \externallib_advanced_testcase {

    use mod_assign_test_generator;
    use \assignsubmission_lablink_with_files_server;

    /**
     * A course, an assignment, a teacher and two students with homes.
     *
     * @return array [assign, course, teacher, student, other]
     */
    private function setup_assign(): array {
        [$course, $teacher, $student, $other] = $this->course_with_server();
        $this->server->put('student1', 'lab/a.py', 'a');
        $this->server->put('student1', 'lab/b.py', 'bb');
        $this->server->put('student1', 'lab/c.py', 'ccc');
        $this->server->put('student2', 'private/secret.txt', 'student2 only');
        $this->server->home('teacher1');
        $this->setUser($teacher);
        $assign = $this->create_instance($course, ['assignsubmission_lablink_enabled' => 1]);
        return [$assign, $course, $teacher, $student, $other];
    }

    /**
     * Calls list_entries as the picker does and returns the cleaned answer.
     *
     * @param int $contextid
     * @param string $path
     * @param string $cursor
     * @param int $limit
     * @param int $userid
     * @return array
     */
    private function list(int $contextid, string $path, string $cursor = '', int $limit = 500, int $userid = 0): array {
        $result = list_entries::execute($contextid, $path, $cursor, $limit, $userid);
        return external_api::clean_returnvalue(list_entries::execute_returns(), $result);
    }

    public function test_lists_pages_of_the_students_own_home(): void {
        [$assign, , , $student] = $this->setup_assign();
        $this->setUser($student);
        $contextid = $assign->get_context()->id;

        $root = $this->list($contextid, '');
        $this->assertSame('', $root['path']);
        $this->assertSame(['lab'], array_column($root['entries'], 'name'));
        $this->assertSame('folder', $root['entries'][0]['kind']);
        $this->assertSame('', $root['next_cursor']);

        $first = $this->list($contextid, 'lab', '', 2);
        $this->assertSame('lab', $first['path']);
        $this->assertSame(3, $first['total']);
        $this->assertCount(2, $first['entries']);
        $this->assertNotSame('', $first['next_cursor']);
        $rest = $this->list($contextid, 'lab', $first['next_cursor'], 2);
        $this->assertSame(['c.py'], array_column($rest['entries'], 'name'));
        $this->assertSame(3, $rest['entries'][0]['size']);
        $this->assertSame('', $rest['next_cursor']);
    }

    public function test_creates_a_folder(): void {
        [$assign, , , $student] = $this->setup_assign();
        $this->setUser($student);
        $result = create_folder::execute($assign->get_context()->id, 'lab/new one');
        $result = external_api::clean_returnvalue(create_folder::execute_returns(), $result);
        $this->assertSame(['path' => 'lab/new one', 'created' => true], $result);
        $this->assertDirectoryExists($this->server->path('student1', 'lab/new one'));
    }

    public function test_file_server_codes_are_the_errorcode(): void {
        [$assign, , , $student] = $this->setup_assign();
        $this->setUser($student);
        $contextid = $assign->get_context()->id;
        foreach (['nothing/here' => 'not_found', '../student2' => 'bad_path', 'lab/a.py' => 'not_a_folder'] as $path => $code) {
            try {
                $this->list($contextid, $path);
                $this->fail("$path was listed");
            } catch (\moodle_exception $e) {
                $this->assertSame($code, $e->errorcode, $path);
            }
        }
        // A file server that is down reads as not_reachable, which the picker shows as offline.
        set_config('baseurl', 'http://127.0.0.1:' . \assignsubmission_lablink_files_server::free_port(),
            'assignsubmission_lablink');
        try {
            $this->list($contextid, '');
            $this->fail('listed with the server down');
        } catch (\moodle_exception $e) {
            $this->assertSame('not_reachable', $e->errorcode);
        }
    }

    public function test_another_students_home_stays_closed(): void {
        [$assign, , , $student, $other] = $this->setup_assign();
        $this->setUser($student);
        $this->expectException(\required_capability_exception::class);
        $this->list($assign->get_context()->id, 'private', '', 500, $other->id);
    }

    public function test_a_teacher_submitting_on_behalf_sees_the_students_home(): void {
        global $DB;
        [$assign, , $teacher, $student] = $this->setup_assign();
        // Editing teachers may not edit others' submissions by default (managers may): grant it here.
        $role = $DB->get_field('role', 'id', ['shortname' => 'editingteacher']);
        assign_capability('mod/assign:editothersubmission', CAP_ALLOW, $role, $assign->get_context()->id);
        $this->setUser($teacher);
        $page = $this->list($assign->get_context()->id, '', '', 500, $student->id);
        $this->assertSame(['lab'], array_column($page['entries'], 'name'));
        // Without a userid the teacher's own (empty) home is listed.
        $this->assertSame([], $this->list($assign->get_context()->id, '')['entries']);
    }

    public function test_users_without_a_role_in_the_assignment_are_refused(): void {
        [$assign] = $this->setup_assign();
        $this->setUser($this->getDataGenerator()->create_user(['username' => 'outsider']));
        $this->expectException(\require_login_exception::class);
        $this->list($assign->get_context()->id, '');
    }

    public function test_a_new_assignment_picks_in_the_course_context(): void {
        [, $course, $teacher, $student] = $this->setup_assign();
        $this->server->put('teacher1', 'course/lab1/x.txt', 'x');
        $context = \context_course::instance($course->id);
        $this->setUser($teacher);
        $this->assertSame(['course'], array_column($this->list($context->id, '')['entries'], 'name'));
        $this->setUser($student);
        $this->expectException(\required_capability_exception::class);
        $this->list($context->id, '');
    }
}
