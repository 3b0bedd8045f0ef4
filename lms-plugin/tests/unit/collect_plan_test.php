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

namespace lablink_tests;

use assignfeedback_lablink\local\collect\collect_exception;
use assignfeedback_lablink\local\collect\collector;
use assignfeedback_lablink\local\collect\item;
use assignfeedback_lablink\local\collect\manifest;
use assignfeedback_lablink\local\collect\options;
use assignfeedback_lablink\local\collect\result;
use assignsubmission_lablink\local\fileserver\fileserver_exception;

/**
 * collector: the plan (new / changed / unchanged / pending / no submission) and, against a
 * recording stand-in for the file server, the order of writes that makes a run kill-safe.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignfeedback_lablink\local\collect\collector
 */
final class collect_plan_test extends \PHPUnit\Framework\TestCase {
    /**
     * An item.
     *
     * @param int $userid the user
     * @param string|null $hash the content hash, null for no submission
     * @param string $name the full name
     * @param string $id the student id
     * @return item the item
     */
    private static function item(int $userid, ?string $hash, string $name = '', string $id = ''): item {
        return new item($userid, $userid * 10, 0, 1790000000 + $userid, $hash === null ? null : __FILE__,
            (string) $hash, $name !== '' ? $name : "Student $userid", $id !== '' ? $id : "s$userid");
    }

    /**
     * Options.
     *
     * @param bool $overwrite replace changed folders
     * @param string $layout the layout
     * @return options the options
     */
    private static function options(bool $overwrite = false, string $layout = 'folders'): options {
        return new options('/collect', $layout, 'fullname', 'ps1', $overwrite, 7, 70, 3, 'Lab');
    }

    /**
     * Items keyed by user.
     *
     * @param item ...$items the items
     * @return array<int,item> userid => item
     */
    private static function keyed(item ...$items): array {
        $by = [];
        foreach ($items as $item) {
            $by[$item->userid] = $item;
        }
        return $by;
    }

    /**
     * A manifest of earlier runs: user 1 collected (hash a), 2 collected (hash b), 3 pending.
     *
     * @param string $layout the layout
     * @return manifest the manifest
     */
    private static function earlier(string $layout = 'folders'): manifest {
        $m = manifest::for_options(self::options(false, $layout));
        $nb = $layout === 'nbgrader';
        $m->set(self::item(1, 'a'), $nb ? 'submitted/s1/ps1' : 'Student 1', manifest::COLLECTED, str_repeat('1', 64));
        $m->set(self::item(2, 'b'), $nb ? 'submitted/s2/ps1' : 'Student 2', manifest::COLLECTED, str_repeat('2', 64));
        $m->set(self::item(3, 'c'), $nb ? 'submitted/s3/ps1' : 'Student 3', manifest::PENDING);
        return $m;
    }

    /**
     * The plan's actions.
     *
     * @param array $plan the plan
     * @return array<int,string> userid => action
     */
    private static function actions(array $plan): array {
        return array_map(fn($row) => $row['action'], $plan);
    }

    public function test_a_first_collect_plans_everyone_new_except_no_submission(): void {
        $plan = collector::plan(self::keyed(self::item(2, 'x', 'Anna'), self::item(1, 'y', 'Anna'), self::item(3, null)),
            null, self::options(), []);
        $this->assertSame([1 => 'new', 2 => 'new', 3 => 'no_submission'], self::actions($plan));
        $this->assertSame(['Anna', 'Anna-2', ''], array_column($plan, 'folder'));
        $this->assertSame(['fail', 'fail', null], array_column($plan, 'onconflict'), 'a new folder never replaces');
    }

    public function test_a_recollect_plans_unchanged_changed_pending_and_new(): void {
        $items = self::keyed(self::item(1, 'a'), self::item(2, 'B'), self::item(3, 'c'), self::item(4, 'd'),
            self::item(5, null));
        $kept = collector::plan($items, self::earlier(), self::options(false), ['Student 1', 'Student 2']);
        $this->assertSame([1 => 'unchanged', 2 => 'changed_kept', 3 => 'pending', 4 => 'new', 5 => 'no_submission'],
            self::actions($kept));
        $this->assertSame(['Student 1', 'Student 2', 'Student 3', 'Student 4', ''], array_column($kept, 'folder'));
        $this->assertSame([null, null, 'replace', 'fail', null], array_column($kept, 'onconflict'));

        $over = collector::plan($items, self::earlier(), self::options(true), ['Student 1', 'Student 2']);
        $this->assertSame([1 => 'unchanged', 2 => 'changed', 3 => 'pending', 4 => 'new', 5 => 'no_submission'],
            self::actions($over));
        $this->assertSame('replace', $over[2]['onconflict']);
    }

    public function test_a_pending_entry_is_fetched_again_even_with_the_same_content(): void {
        $plan = collector::plan(self::keyed(self::item(3, 'c')), self::earlier(), self::options(), []);
        $this->assertSame(['action' => 'pending', 'folder' => 'Student 3', 'onconflict' => 'replace', 'errorcode' => '',
            'message' => ''], $plan[3]);
    }

    public function test_a_student_without_submission_keeps_the_manifest_folder_in_the_result(): void {
        $plan = collector::plan(self::keyed(self::item(1, null)), self::earlier(), self::options(), []);
        $this->assertSame(['no_submission', 'Student 1'], [$plan[1]['action'], $plan[1]['folder']]);
    }

    public function test_nbgrader_plans_by_student_id_and_refuses_rather_than_renames(): void {
        $items = self::keyed(self::item(1, 'a', 'A', 's1'), self::item(4, 'd', 'D', 's4'), self::item(5, 'e', 'E', 's4'),
            self::item(6, 'f', 'F', 'a/b'), self::item(7, 'g', 'G', 's7'), self::item(8, 'h', 'H', 's2'));
        $plan = collector::plan($items, self::earlier('nbgrader'), self::options(false, 'nbgrader'),
            ['submitted/s1/ps1', 'submitted/s7/ps1']);
        $this->assertSame([1 => 'unchanged', 4 => 'new', 5 => 'failed', 6 => 'failed', 7 => 'failed', 8 => 'failed'],
            self::actions($plan));
        $this->assertSame('submitted/s4/ps1', $plan[4]['folder']);
        $this->assertSame('duplicate_student_id', $plan[5]['errorcode']);
        $this->assertSame('bad_student_id', $plan[6]['errorcode']);
        $this->assertSame('conflict', $plan[7]['errorcode'], 'a folder nbgrader or a person made is never replaced');
        $this->assertSame('duplicate_student_id', $plan[8]['errorcode'], 's2 is user 2\'s in the manifest');
    }

    public function test_a_run_writes_pending_before_any_extract_and_collected_after_each(): void {
        $fake = new fake_fileserver();
        $fake->files['/collect/lablink-manifest.json'] = self::earlier()->serialise();
        $fake->folders = ['/collect', '/collect/Student 1', '/collect/Student 2'];
        $items = [self::item(4, 'd'), self::item(1, 'a'), self::item(2, 'B'), self::item(3, 'c'), self::item(5, null)];
        $progress = [];
        $results = (new collector($fake, 'teacher', fn() => 1790000000))->run($items, self::options(true),
            function (int $done, int $total, string $message) use (&$progress) {
                $progress[] = [$done, $total, $message];
            });
        $this->assertSame([[1, 'unchanged'], [2, 'collected'], [3, 'collected'], [4, 'collected'], [5, 'no_submission']],
            array_map(fn(result $r) => [$r->userid, $r->status], $results));
        $this->assertSame([[0, 5, ''], [1, 5, 'Student 1'], [2, 5, 'Student 2'], [3, 5, 'Student 3'], [4, 5, 'Student 4'],
            [5, 5, 'Student 5']], $progress);
        // The calls after the reads: one manifest with all three pending, then each extract followed by its record.
        $writes = array_values(array_filter($fake->calls, fn($c) => $c[0] !== 'get_file' && $c[0] !== 'list_entries'));
        $this->assertSame(['create_folder', '/collect'], array_slice($writes[0], 0, 2));
        $this->assertSame(['put_file', ['Student 1' => 'collected', 'Student 2' => 'pending',
            'Student 3' => 'pending', 'Student 4' => 'pending']], [$writes[1][0], $writes[1][2]]);
        $this->assertSame(['extract_from_file', '/collect/Student 2', 'replace'], $writes[2]);
        $this->assertSame(['put_file', ['Student 1' => 'collected', 'Student 2' => 'collected',
            'Student 3' => 'pending', 'Student 4' => 'pending']], [$writes[3][0], $writes[3][2]]);
        $this->assertSame(['extract_from_file', '/collect/Student 3', 'replace'], $writes[4]);
        $this->assertSame(['extract_from_file', '/collect/Student 4', 'fail'], $writes[6]);
        $this->assertSame(['Student 1' => 'collected', 'Student 2' => 'collected', 'Student 3' => 'collected',
            'Student 4' => 'collected'], $writes[7][2]);
        $this->assertCount(8, $writes, 'the unchanged and the one without submission cost no call');
        $final = manifest::parse($fake->files['/collect/lablink-manifest.json']);
        $this->assertSame(str_repeat('1', 64), $final->find(1)['sha256'], 'the unchanged entry is kept as it was');
        $this->assertSame(hash_file('sha256', __FILE__), $final->find(4)['sha256']);
        $this->assertSame('B', $final->find(2)['contenthash']);
    }

    public function test_nothing_to_fetch_writes_nothing(): void {
        $fake = new fake_fileserver();
        $fake->files['/collect/lablink-manifest.json'] = self::earlier()->serialise();
        $fake->folders = ['/collect', '/collect/Student 1', '/collect/Student 2'];
        $before = $fake->files;
        $results = (new collector($fake, 'teacher'))->run([self::item(1, 'a'), self::item(2, 'B')], self::options(false),
            fn() => null);
        $this->assertSame(['unchanged', 'changed_kept'], array_map(fn(result $r) => $r->status, $results));
        $this->assertSame($before, $fake->files);
        $this->assertSame(['get_file', 'list_entries'], array_unique(array_column($fake->calls, 0)));
    }

    public function test_a_failed_extract_leaves_the_entry_pending_and_the_others_go_on(): void {
        $fake = new fake_fileserver();
        $fake->refuse['/collect/Student 1'] = new fileserver_exception('bad_archive', 'not a zip', 400);
        $results = (new collector($fake, 'teacher'))->run([self::item(1, 'a'), self::item(2, 'b')], self::options(),
            fn() => null);
        $this->assertSame([['failed', 'bad_archive', 'not a zip'], ['collected', '', '']],
            array_map(fn(result $r) => [$r->status, $r->errorcode, $r->message], $results));
        $m = manifest::parse($fake->files['/collect/lablink-manifest.json']);
        $this->assertSame([manifest::PENDING, manifest::COLLECTED], [$m->find(1)['state'], $m->find(2)['state']]);
    }

    public function test_a_new_folder_taken_meanwhile_is_dropped_from_the_manifest(): void {
        $fake = new fake_fileserver();
        $fake->refuse['/collect/Student 1'] = new fileserver_exception('conflict', 'already there', 409);
        $results = (new collector($fake, 'teacher'))->run([self::item(1, 'a')], self::options(), fn() => null);
        $this->assertSame(['failed', 'conflict'], [$results[0]->status, $results[0]->errorcode]);
        $m = manifest::parse($fake->files['/collect/lablink-manifest.json']);
        $this->assertNull($m->find(1), 'the folder that is there is not this collect\'s: never replaced later');
    }

    public function test_an_unreadable_zip_fails_before_anything_is_written(): void {
        $fake = new fake_fileserver();
        $gone = new item(1, 10, 0, 0, sys_get_temp_dir() . '/no such zip ' . bin2hex(random_bytes(4)), 'h', 'A', 's1');
        $results = (new collector($fake, 'teacher'))->run([$gone], self::options(), fn() => null);
        $this->assertSame(['failed', 'no_file'], [$results[0]->status, $results[0]->errorcode]);
        $this->assertSame([], $fake->files);
    }

    public function test_a_collected_entry_whose_folder_was_deleted_is_planned_new_into_the_same_folder(): void {
        $items = self::keyed(self::item(1, 'a'), self::item(2, 'B'));
        // Student 1's folder is gone; Student 2 changed and is gone too: with nothing to keep, fetched anyway.
        $plan = collector::plan($items, self::earlier(), self::options(false), ['Student 3', 'unrelated']);
        $this->assertSame([1 => ['new', 'Student 1', 'fail'], 2 => ['new', 'Student 2', 'fail']],
            array_map(fn($row) => [$row['action'], $row['folder'], $row['onconflict']], $plan));
        $this->assertSame([1 => 'unchanged', 2 => 'changed_kept'], self::actions(
            collector::plan($items, self::earlier(), self::options(false), ['Student 1', 'Student 2'])));

        $nb = collector::plan(self::keyed(self::item(1, 'a', 'A', 's1'), self::item(2, 'b', 'B', 'renamed')),
            self::earlier('nbgrader'), self::options(false, 'nbgrader'), []);
        $this->assertSame([1 => ['new', 'submitted/s1/ps1'], 2 => ['new', 'submitted/s2/ps1']],
            array_map(fn($row) => [$row['action'], $row['folder']], $nb), 'the manifest\'s folder, not a new id\'s');
    }

    public function test_a_deleted_folder_is_fetched_again_and_recorded(): void {
        $fake = new fake_fileserver();
        $fake->files['/collect/lablink-manifest.json'] = self::earlier()->serialise();
        $fake->folders = ['/collect', '/collect/Student 2'];
        $results = (new collector($fake, 'teacher', fn() => 1790000000))->run([self::item(1, 'a'), self::item(2, 'b')],
            self::options(), fn() => null);
        $this->assertSame([[1, 'collected', 'Student 1'], [2, 'unchanged', 'Student 2']],
            array_map(fn(result $r) => [$r->userid, $r->status, $r->folder], $results));
        $extracts = array_values(array_filter($fake->calls, fn($c) => $c[0] === 'extract_from_file'));
        $this->assertSame([['extract_from_file', '/collect/Student 1', 'fail']], $extracts);
        $m = manifest::parse($fake->files['/collect/lablink-manifest.json']);
        $this->assertSame([manifest::COLLECTED, hash_file('sha256', __FILE__)], [$m->find(1)['state'], $m->find(1)['sha256']]);
    }

    public function test_a_deleted_nbgrader_folder_is_fetched_again_and_its_timestamp_rewritten(): void {
        $fake = new fake_fileserver();
        $fake->files['/collect/lablink-manifest-ps1.json'] = self::earlier('nbgrader')->serialise();
        // s1's submission folder is gone (its student folder too), s2's is there.
        $fake->folders = ['/collect', '/collect/submitted', '/collect/submitted/s2', '/collect/submitted/s2/ps1'];
        $results = (new collector($fake, 'teacher'))->run([self::item(1, 'a'), self::item(2, 'b')],
            self::options(false, 'nbgrader'), fn() => null);
        $this->assertSame([[1, 'collected'], [2, 'unchanged']], array_map(fn(result $r) => [$r->userid, $r->status],
            $results));
        $this->assertSame([['extract_from_file', '/collect/submitted/s1/ps1', 'fail']],
            array_values(array_filter($fake->calls, fn($c) => $c[0] === 'extract_from_file')));
        $this->assertArrayHasKey('/collect/submitted/s1/ps1/timestamp.txt', $fake->files);
        $this->assertNotContains(['list_entries', '/collect/submitted/s1'], $fake->calls,
            'no listing below a folder that is not there');
    }

    public function test_two_nbgrader_assignments_share_a_course_folder(): void {
        $fake = new fake_fileserver();
        $ps1 = self::options(false, 'nbgrader');
        $ps2 = new options('/collect', 'nbgrader', 'fullname', 'ps2', false, 8, 80, 3, 'Lab 2');
        $items = [self::item(1, 'a'), self::item(2, 'b')];
        foreach ([$ps1, $ps2] as $o) {
            $results = (new collector($fake, 'teacher'))->run($items, $o, fn() => null);
            $this->assertSame(['collected', 'collected'], array_map(fn(result $r) => $r->status, $results));
        }
        $this->assertSame(['/collect/lablink-manifest-ps1.json', '/collect/lablink-manifest-ps2.json',
            '/collect/submitted/s1/ps1/timestamp.txt', '/collect/submitted/s1/ps2/timestamp.txt',
            '/collect/submitted/s2/ps1/timestamp.txt', '/collect/submitted/s2/ps2/timestamp.txt'],
            self::sorted(array_keys($fake->files)));
        $this->assertSame(['submitted/s1/ps2', 'submitted/s2/ps2'], array_column(
            manifest::parse($fake->files['/collect/lablink-manifest-ps2.json'])->entries(), 'folder'));
        // A re-collect of ps1 sees its own manifest only: nothing to fetch.
        $fake->calls = [];
        $again = (new collector($fake, 'teacher'))->run($items, $ps1, fn() => null);
        $this->assertSame(['unchanged', 'unchanged'], array_map(fn(result $r) => $r->status, $again));
        $this->assertSame([], array_filter($fake->calls, fn($c) => $c[0] === 'put_file' || $c[0] === 'extract_from_file'));

        // Another Moodle assignment for ps1 in the same course folder is refused, nothing written.
        $before = $fake->files;
        $fake->calls = [];
        try {
            (new collector($fake, 'teacher'))->run($items,
                new options('/collect', 'nbgrader', 'fullname', 'ps1', false, 9, 90, 3, 'Lab 1 again'), fn() => null);
            $this->fail('a second Moodle assignment filled ps1');
        } catch (collect_exception $e) {
            $this->assertSame('other_assignment', $e->errorcode);
        }
        $this->assertSame($before, $fake->files);
        $this->assertSame(['get_file'], array_values(array_unique(array_column($fake->calls, 0))));
    }

    public function test_a_destination_of_the_other_layout_is_refused(): void {
        $folders = new fake_fileserver();
        $folders->folders = ['/collect'];
        $folders->files['/collect/lablink-manifest.json'] = self::earlier()->serialise();
        $course = new fake_fileserver();
        $course->folders = ['/collect', '/collect/submitted'];
        $course->files['/collect/lablink-manifest-ps1.json'] = self::earlier('nbgrader')->serialise();
        foreach ([[$folders, 'nbgrader', 'folders layout'], [$course, 'folders', 'nbgrader course folder']]
                as [$fake, $layout, $says]) {
            $before = $fake->files;
            try {
                (new collector($fake, 'teacher'))->run([self::item(1, 'a')],
                    new options('/collect', $layout, 'fullname', 'ps2', false, 7, 70, 3, 'Lab'), fn() => null);
                $this->fail("a $layout collect mixed into a $says");
            } catch (collect_exception $e) {
                $this->assertSame('other_assignment', $e->errorcode);
                $this->assertStringContainsString($says, $e->getMessage());
            }
            $this->assertSame($before, $fake->files);
            $this->assertSame([], array_diff(array_column($fake->calls, 0), ['get_file', 'list_entries']));
        }
        // A student's folder that happens to carry such a name is a folder, not a manifest.
        $named = new fake_fileserver();
        $named->folders = ['/collect', '/collect/lablink-manifest-ps1.json'];
        $results = (new collector($named, 'teacher'))->run([self::item(1, 'a')], self::options(), fn() => null);
        $this->assertSame('collected', $results[0]->status);
    }

    /**
     * Strings, sorted.
     *
     * @param string[] $list the strings
     * @return string[] sorted
     */
    private static function sorted(array $list): array {
        sort($list);
        return $list;
    }

    public function test_refusals_that_stop_a_run_before_it_changes_anything(): void {
        $other = new fake_fileserver();
        $other->files['/collect/lablink-manifest.json'] = manifest::for_options(
            new options('/collect', 'folders', 'fullname', '', false, 8, 80, 3, 'Another lab'))->serialise();
        $broken = new fake_fileserver();
        $broken->files['/collect/lablink-manifest.json'] = '{"format": "lablink-manifest", "version": 1, "entr';
        foreach ([[$other, 'other_assignment'], [$broken, 'bad_manifest']] as [$fake, $code]) {
            $before = $fake->files;
            try {
                (new collector($fake, 'teacher'))->run([self::item(1, 'a')], self::options(), fn() => null);
                $this->fail("not refused: $code");
            } catch (collect_exception $e) {
                $this->assertSame($code, $e->errorcode);
            }
            $this->assertSame($before, $fake->files);
            $this->assertSame([], array_diff(array_column($fake->calls, 0), ['get_file']));
        }
        $this->expectException(collect_exception::class);
        (new collector(new fake_fileserver(), 'teacher'))->run([self::item(1, 'a'), self::item(1, 'b')], self::options(),
            fn() => null);
    }
}
