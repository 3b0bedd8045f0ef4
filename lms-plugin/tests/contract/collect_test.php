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

use assignfeedback_lablink\local\collect\collector;
use assignfeedback_lablink\local\collect\item;
use assignfeedback_lablink\local\collect\manifest;
use assignfeedback_lablink\local\collect\options;
use assignfeedback_lablink\local\collect\result;
use assignfeedback_lablink\local\collect\returner;
use assignsubmission_lablink\local\fileserver\client_legacy;
use assignsubmission_lablink\local\fileserver\client_v2;
use assignsubmission_lablink\local\fileserver\curl_transport;
use assignsubmission_lablink\local\fileserver\fileserver_exception;
use assignsubmission_lablink\local\fileserver\legacy_signer;
use assignsubmission_lablink\local\fileserver\token_signer;

/**
 * The collect engine against a real `lablink files`: a class collected into a real home and the
 * manifest checked against the disk, re-collects, a run killed midway, the nbgrader layout
 * graded by real `nbgrader autograde`, and feedback returned through the manifest.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignfeedback_lablink\local\collect\collector
 * @covers     \assignfeedback_lablink\local\collect\returner
 * @covers     \assignfeedback_lablink\local\collect\manifest
 */
final class collect_test extends \PHPUnit\Framework\TestCase {
    use with_lablink_server;

    /** The Moodle submission time of the first attempts. */
    private const SUBMITTED = 1790852400;

    /** @var string a folder for this test's zips and copies */
    private string $tmp;

    /** @var recording_transport what the client sent */
    private recording_transport $transport;

    protected function setUp(): void {
        $home = self::$server->home('teacher');
        lablink_server::remove($home);
        mkdir($home, 0700);
        $this->tmp = lablink_server::tempdir('lablink-collect-');
        $this->transport = new recording_transport(new curl_transport());
    }

    protected function tearDown(): void {
        lablink_server::remove($this->tmp);
    }

    /**
     * The teacher's v2 client (recording what it sends).
     *
     * @return client_v2 the client
     */
    private function client(): client_v2 {
        return new client_v2(self::$server->url(),
            new token_signer(lablink_server::KID, lablink_server::SECRET, 'https://moodle.test'), $this->transport);
    }

    /**
     * Collect options.
     *
     * @param bool $overwrite replace changed folders
     * @param string $root the destination
     * @param string $layout the layout
     * @return options the options
     */
    private static function options(bool $overwrite = false, string $root = '/course/lab1 collect',
            string $layout = 'folders'): options {
        return new options($root, $layout, 'fullname', 'ps1', $overwrite, 7, 70, 3, 'Lab 1');
    }

    /**
     * A path on disk in the teacher's home.
     *
     * @param string $relative relative to the home
     * @return string the path
     */
    private static function disk(string $relative): string {
        return self::$server->home('teacher') . '/' . ltrim($relative, '/');
    }

    /**
     * A student's zip, as Moodle would store it.
     *
     * @param string $name its file name
     * @param array<string,string> $entries zip name => content ('/' at the end: a folder)
     * @return string its path
     */
    private function zip(string $name, array $entries): string {
        $file = "{$this->tmp}/$name.zip";
        $zip = new \ZipArchive();
        $this->assertTrue($zip->open($file, \ZipArchive::CREATE | \ZipArchive::OVERWRITE));
        foreach ($entries as $entry => $content) {
            substr($entry, -1) === '/' ? $zip->addEmptyDir(rtrim($entry, '/')) : $zip->addFromString($entry, $content);
        }
        $zip->close();
        return $file;
    }

    /**
     * The work of a student, as zip entries.
     *
     * @param int $userid the student
     * @param int $attempt the attempt
     * @return array<string,string> the entries
     */
    private static function work(int $userid, int $attempt = 0): array {
        $entries = ['lab1.ipynb' => json_encode(['cells' => [], 'by' => $userid, 'attempt' => $attempt]),
            'results/' => ''];
        if ($attempt === 0) {
            $entries['data/input.csv'] = "x\n$userid\n";
        }
        return $entries;
    }

    /**
     * An item with a zip of its work.
     *
     * @param int $userid the student
     * @param string $fullname the name
     * @param int $attempt the attempt
     * @param string $studentid the student id ('' for `s<userid>`)
     * @param array|null $entries the zip's entries (null for {@see work})
     * @return item the item
     */
    private function item(int $userid, string $fullname, int $attempt = 0, string $studentid = '',
            ?array $entries = null): item {
        $zip = $this->zip("u$userid-a$attempt", $entries ?? self::work($userid, $attempt));
        return new item($userid, $userid * 10 + $attempt, $attempt, self::SUBMITTED + $userid + 3600 * $attempt, $zip,
            sha1_file($zip), $fullname, $studentid !== '' ? $studentid : "s$userid");
    }

    /**
     * The class: 30 students with a submission (names that collide, slashes, a leading dot, a
     * long multibyte name) and two without.
     *
     * @return item[] the items, not in userid order
     */
    private function class_of_thirty(): array {
        $names = [1 => 'Anna Smith', 2 => 'Anna Smith', 3 => 'anna smith', 4 => 'AC/DC Fan', 5 => '.dotted',
            6 => str_repeat('Ünïcödé ', 40), 7 => "Zoë \t Ångström"];
        $items = [];
        for ($i = 30; $i >= 1; $i--) {
            $items[] = $this->item(100 + $i, $names[$i] ?? "Student $i");
        }
        $items[] = new item(200, 0, 0, 0, null, '', 'Nobody Yet', 's200');
        $items[] = new item(201, 0, 0, 0, null, '', 'Nor Me', 's201');
        return $items;
    }

    /**
     * Collects.
     *
     * @param item[] $items the items
     * @param options $o the options
     * @param array $progress filled with the progress calls
     * @return array<int,result> userid => result
     */
    private function collect(array $items, options $o, array &$progress = []): array {
        $results = (new collector($this->client(), 'teacher'))->run($items, $o,
            function (int $done, int $total, string $message) use (&$progress) {
                $progress[] = [$done, $total, $message];
            });
        $by = [];
        foreach ($results as $r) {
            $by[$r->userid] = $r;
        }
        return $by;
    }

    /**
     * The manifest on disk.
     *
     * @param options $o where
     * @return manifest the manifest
     */
    private static function manifest_on_disk(options $o): manifest {
        $name = manifest::filename($o);
        return manifest::parse(file_get_contents(self::disk($o->path($name))), $name);
    }

    /**
     * The names in a folder on disk, sorted.
     *
     * @param string $relative the folder relative to the home
     * @return string[] the names
     */
    private static function ls(string $relative): array {
        $names = array_values(array_diff(scandir(self::disk($relative)), ['.', '..']));
        sort($names);
        return $names;
    }

    /**
     * The statuses of results.
     *
     * @param array<int,result> $results the results
     * @return array<string,int> status => how many
     */
    private static function counts(array $results): array {
        $counts = array_count_values(array_map(fn(result $r) => $r->status, $results));
        ksort($counts);
        return $counts;
    }

    /**
     * The requests sent to a route since the last reset.
     *
     * @param string $route `extract`, `file` …
     * @param string $method the HTTP method
     * @return string[] their URLs
     */
    private function sent(string $route, string $method): array {
        $urls = [];
        foreach ($this->transport->sent as $request) {
            if ($request->method === $method && strpos($request->url, "/$route?") !== false) {
                $urls[] = rawurldecode($request->url);
            }
        }
        return $urls;
    }

    /**
     * Checks that the manifest says what is on disk: each collected entry's folder holds that
     * student's zip exactly (same files, same bytes), the hashes are the zip's.
     *
     * @param options $o the options
     * @param array<int,item> $items userid => the item collected
     */
    private function assert_manifest_matches_disk(options $o, array $items): void {
        $m = self::manifest_on_disk($o);
        foreach ($m->entries() as $e) {
            $this->assertSame(manifest::COLLECTED, $e['state'], "user {$e['userid']}");
            $item = $items[$e['userid']];
            $this->assertSame([$item->submissionid, $item->attempt, $item->timesubmitted, $item->contenthash],
                [$e['submissionid'], $e['attempt'], $e['timesubmitted'], $e['contenthash']]);
            $this->assertSame(hash_file('sha256', $item->zippath), $e['sha256']);
            $zip = new \ZipArchive();
            $this->assertTrue($zip->open($item->zippath));
            $want = [];
            for ($i = 0; $i < $zip->numFiles; $i++) {
                $name = $zip->getNameIndex($i);
                $want[rtrim($name, '/')] = substr($name, -1) === '/' ? 'folder' : $zip->getFromIndex($i);
                for ($parent = dirname($name); $parent !== '.'; $parent = dirname($parent)) {
                    $want[$parent] = 'folder';
                }
            }
            $zip->close();
            $dir = self::disk($o->path($e['folder']));
            $have = [];
            $walk = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($dir,
                \FilesystemIterator::SKIP_DOTS), \RecursiveIteratorIterator::SELF_FIRST);
            foreach ($walk as $path => $info) {
                $have[substr($path, strlen($dir) + 1)] = $info->isDir() ? 'folder' : file_get_contents($path);
            }
            if ($o->layout === options::LAYOUT_NBGRADER) {
                $this->assertArrayHasKey('timestamp.txt', $have);
                unset($have['timestamp.txt']);
            }
            ksort($want);
            ksort($have);
            $this->assertSame($want, $have, "folder {$e['folder']} holds exactly user {$e['userid']}'s zip");
        }
    }

    public function test_collects_thirty_students_into_a_real_home(): void {
        $items = $this->class_of_thirty();
        $o = self::options();
        $progress = [];
        $results = $this->collect($items, $o, $progress);
        $this->assertSame(['collected' => 30, 'no_submission' => 2], self::counts($results));
        $this->assertSame(array_merge(range(101, 130), [200, 201]), array_keys($results), 'results in userid order');
        $this->assertCount(33, $progress);
        $this->assertSame([0, 32, ''], $progress[0]);
        $this->assertSame([32, 32, 'Nor Me'], $progress[32]);

        $m = self::manifest_on_disk($o);
        $this->assertCount(30, $m->entries());
        $folders = array_column($m->entries(), 'folder', 'userid');
        $this->assertSame('Anna Smith', $folders[101]);
        $this->assertSame('Anna Smith-2', $folders[102]);
        $this->assertSame('anna smith-3', $folders[103]);
        $this->assertSame('AC_DC Fan', $folders[104]);
        $this->assertSame('dotted', $folders[105]);
        $this->assertLessThanOrEqual(255, strlen($folders[106]));
        $this->assertStringStartsWith('Ünïcödé Ünïcödé', $folders[106]);
        $this->assertSame('Zoë Ångström', $folders[107]);
        $this->assertSame('Student 30', $folders[130]);
        foreach ($results as $userid => $r) {
            $this->assertSame($folders[$userid] ?? '', $r->folder);
        }
        $byuser = [];
        foreach ($items as $item) {
            $byuser[$item->userid] = $item;
        }
        $this->assert_manifest_matches_disk($o, $byuser);
        $this->assertSame("x\n117\n", file_get_contents(self::disk('course/lab1 collect/Student 17/data/input.csv')));
        $expected = array_merge(array_values($folders), [manifest::FILENAME]);
        sort($expected);
        $this->assertSame($expected, self::ls('course/lab1 collect'), 'nothing else at the destination, no leftovers');
        $this->assertSame(['lab1 collect'], self::ls('course'));
        // One manifest write with everything pending, then one per student.
        $this->assertCount(31, $this->sent('file', 'PUT'));
        $this->assertCount(30, $this->sent('extract', 'POST'));
    }

    public function test_recollect_fetches_only_the_two_resubmissions(): void {
        $o = self::options();
        $items = $this->class_of_thirty();
        $this->collect($items, $o);
        $note = self::disk('course/lab1 collect/Student 10/grading notes.txt');
        file_put_contents($note, 'the teacher\'s own notes');
        $before = self::manifest_on_disk($o);
        $manifesttext = file_get_contents(self::disk('course/lab1 collect/' . manifest::FILENAME));
        $resubmitted = [103 => $this->item(103, 'anna smith', 1), 117 => $this->item(117, 'Student 17', 1)];
        $again = array_map(fn(item $i) => $resubmitted[$i->userid] ?? $i, $items);

        $this->transport->sent = [];
        $kept = $this->collect($again, $o);
        $this->assertSame(['changed_kept' => 2, 'no_submission' => 2, 'unchanged' => 28], self::counts($kept));
        $this->assertSame(['changed_kept', 'changed_kept'], [$kept[103]->status, $kept[117]->status]);
        $this->assertSame([], $this->sent('extract', 'POST'), 'nothing fetched');
        $this->assertSame([], $this->sent('file', 'PUT'), 'the manifest is not rewritten');
        $this->assertSame($manifesttext, file_get_contents(self::disk('course/lab1 collect/' . manifest::FILENAME)));
        $this->assertSame("x\n117\n", file_get_contents(self::disk('course/lab1 collect/Student 17/data/input.csv')),
            'the collected folder is untouched');

        $this->transport->sent = [];
        $over = $this->collect($again, self::options(true));
        $this->assertSame(['collected' => 2, 'no_submission' => 2, 'unchanged' => 28], self::counts($over));
        $extracts = $this->sent('extract', 'POST');
        $this->assertCount(2, $extracts, 'only the two resubmissions are fetched');
        $this->assertStringContainsString('path=course/lab1 collect/anna smith-3&on_conflict=replace', $extracts[0]);
        $this->assertStringContainsString('path=course/lab1 collect/Student 17&on_conflict=replace', $extracts[1]);
        $this->assertFileDoesNotExist(self::disk('course/lab1 collect/Student 17/data/input.csv'),
            'the old attempt is replaced whole, not merged');
        $this->assertSame(1, json_decode(file_get_contents(self::disk('course/lab1 collect/Student 17/lab1.ipynb')),
            true)['attempt']);
        $this->assertSame('the teacher\'s own notes', file_get_contents($note), 'other folders are untouched');
        $after = self::manifest_on_disk($o);
        foreach ($after->entries() as $e) {
            if (isset($resubmitted[$e['userid']])) {
                $this->assertSame([1, $resubmitted[$e['userid']]->contenthash, $before->find($e['userid'])['folder']],
                    [$e['attempt'], $e['contenthash'], $e['folder']]);
            } else {
                $this->assertSame($before->find($e['userid']), $e);
            }
        }
        unlink($note);
        $byuser = [];
        foreach ($again as $item) {
            $byuser[$item->userid] = $item;
        }
        $this->assert_manifest_matches_disk($o, $byuser);
        $this->assertCount(31, self::ls('course/lab1 collect'), '30 folders, the manifest, nothing duplicated');
    }

    public function test_a_run_killed_midway_finishes_without_duplicating_or_losing_a_folder(): void {
        $o = self::options();
        $items = [];
        foreach (range(1, 8) as $i) {
            $items[$i + 100] = $this->item($i + 100, "Student $i");
        }
        try {
            (new collector($this->client(), 'teacher'))->run($items, $o, function (int $done) {
                if ($done === 3) {
                    throw new \RuntimeException('the task was killed');
                }
            });
            $this->fail('not killed');
        } catch (\RuntimeException $e) {
            $this->assertSame('the task was killed', $e->getMessage());
        }
        $m = self::manifest_on_disk($o);
        $states = array_column($m->entries(), 'state', 'folder');
        $this->assertSame(['collected', 'collected', 'collected', 'pending', 'pending', 'pending', 'pending', 'pending'],
            array_values($states));
        foreach ($states as $folder => $state) {
            $this->assertSame($state === 'collected', is_dir(self::disk($o->path($folder))),
                'the manifest claims exactly the folders that are there');
        }
        // Two harder kills: Student 4's folder half written, Student 5's complete but not recorded.
        mkdir(self::disk($o->path('Student 4')));
        file_put_contents(self::disk($o->path('Student 4/lab1.ipynb')), '{"cells": [');
        file_put_contents(self::disk($o->path('Student 4/partial.tmp')), 'half');
        $zip = new \ZipArchive();
        $zip->open($items[105]->zippath);
        $zip->extractTo(self::disk($o->path('Student 5')));
        $zip->close();

        $this->transport->sent = [];
        $results = $this->collect($items, $o);
        $this->assertSame(['collected' => 5, 'unchanged' => 3], self::counts($results));
        $this->assertSame(['unchanged', 'unchanged', 'unchanged', 'collected'], [$results[101]->status,
            $results[102]->status, $results[103]->status, $results[104]->status]);
        $this->assertCount(5, $this->sent('extract', 'POST'));
        $this->assertSame(['Student 1', 'Student 2', 'Student 3', 'Student 4', 'Student 5', 'Student 6', 'Student 7',
            'Student 8', manifest::FILENAME], self::ls('course/lab1 collect'), 'no folder twice, none lost');
        $this->assertFileDoesNotExist(self::disk($o->path('Student 4/partial.tmp')));
        $this->assert_manifest_matches_disk($o, $items);
    }

    /**
     * The test venv (nbgrader): LABLINK_VENV, else the checkout's target/venv.
     *
     * @return string its folder
     */
    private static function venv(): string {
        $venv = getenv('LABLINK_VENV') ?: dirname(__DIR__, 3) . '/target/venv';
        if (!is_executable("$venv/bin/nbgrader")) {
            self::fail("the nbgrader test needs the test venv with nbgrader at $venv: set LABLINK_VENV, or run "
                . 'cargo xtask test, which makes target/venv from tests/grading/requirements.txt');
        }
        return $venv;
    }

    /**
     * Runs a command of the venv, failing the test with its output when it fails.
     *
     * @param string $venv the venv
     * @param string[] $command the command (argv, no shell)
     * @param string $cwd the working folder
     * @return string its standard output
     */
    private function venv_run(string $venv, array $command, string $cwd): string {
        $env = ['PATH' => "$venv/bin:" . getenv('PATH'), 'HOME' => $this->tmp, 'VIRTUAL_ENV' => $venv,
            'JUPYTER_RUNTIME_DIR' => "{$this->tmp}/runtime"];
        $process = proc_open($command, [1 => ['file', "{$this->tmp}/out", 'w'], 2 => ['file', "{$this->tmp}/err", 'w']],
            $pipes, $cwd, $env);
        $this->assertIsResource($process);
        $status = proc_close($process);
        $out = file_get_contents("{$this->tmp}/out");
        $this->assertSame(0, $status, implode(' ', $command) . " failed:\n$out\n" . file_get_contents("{$this->tmp}/err"));
        return $out;
    }

    public function test_nbgrader_layout_then_real_autograde_then_feedback(): void {
        $venv = self::venv();
        $helper = dirname(__DIR__) . '/support/nbgrader_course.py';
        $course = self::disk('courses/intro');
        mkdir(dirname($course), 0700);
        $this->venv_run($venv, ["$venv/bin/python", $helper, 'build', $course, 'ps1'], $this->tmp);
        // Someone else's submission already there (nbgrader's own exchange, say): never replaced.
        mkdir("$course/submitted/dee/ps1", 0700, true);
        file_put_contents("$course/submitted/dee/ps1/mine.txt", 'not from Moodle');
        $notebook = function (string $answer) use ($venv, $helper, $course): array {
            $out = "{$this->tmp}/problem1-$answer.ipynb";
            $this->venv_run($venv, ["$venv/bin/python", $helper, 'student', $course, 'ps1', $out, $answer], $this->tmp);
            return ['problem1.ipynb' => file_get_contents($out), 'scratch/' => ''];
        };
        $right = $notebook('right');
        $wrong = $notebook('wrong');
        $items = [
            $this->item(11, 'Ada Lovelace', 0, 'ada', $right),
            $this->item(12, 'Bo Diddley', 0, 'bo', $wrong),
            $this->item(13, "Eve O'Neil", 2, "eve.o'neil", $right),
            $this->item(14, 'Dee Dee', 0, 'dee', $right),
            $this->item(15, 'Slash', 0, 'a/b', $right),
            new item(16, 0, 0, 0, null, '', 'Cy Twombly', 'cy'),
        ];
        $o = new options('/courses/intro', 'nbgrader', 'fullname', 'ps1', false, 7, 70, 3, 'Lab 1');
        $results = $this->collect($items, $o);
        $this->assertSame([11 => 'collected', 12 => 'collected', 13 => 'collected', 14 => 'failed', 15 => 'failed',
            16 => 'no_submission'], array_map(fn(result $r) => $r->status, $results));
        $this->assertSame('conflict', $results[14]->errorcode);
        $this->assertSame('bad_student_id', $results[15]->errorcode);
        $this->assertSame(['mine.txt'], self::ls('courses/intro/submitted/dee/ps1'));
        $this->assertSame(['ada', 'bo', 'dee', "eve.o'neil"], self::ls('courses/intro/submitted'));
        $this->assertSame('submitted/eve.o\'neil/ps1', $results[13]->folder);
        $this->assertSame(gmdate('Y-m-d H:i:s', self::SUBMITTED + 13 + 7200) . '.000000 UTC',
            file_get_contents("$course/submitted/eve.o'neil/ps1/timestamp.txt"));
        $this->assertSame($right['problem1.ipynb'], file_get_contents("$course/submitted/ada/ps1/problem1.ipynb"));
        $m = self::manifest_on_disk($o);
        $this->assertSame(['submitted/ada/ps1', 'submitted/bo/ps1', "submitted/eve.o'neil/ps1"],
            array_column($m->entries(), 'folder'));
        $this->assertSame('nbgrader', json_decode(file_get_contents("$course/lablink-manifest-ps1.json"), true)['layout']);

        $this->assertSame(json_encode($m->entries()), json_encode(self::manifest_on_disk($o)->entries()));
        $this->assert_manifest_matches_disk($o, [11 => $items[0], 12 => $items[1], 13 => $items[2]]);
        // Dee's folder was someone else's: out of the way before grading.
        lablink_server::remove("$course/submitted/dee");

        $this->venv_run($venv, ["$venv/bin/nbgrader", 'autograde', 'ps1'], $course);
        $grades = json_decode($this->venv_run($venv, ["$venv/bin/python", $helper, 'grades', $course, 'ps1'],
            $this->tmp), true);
        $this->assertSame(['ada', 'bo', "eve.o'neil"], array_keys($grades), 'grades for exactly the collected ids');
        $this->assertSame([2.0, 0.0, 2.0], [$grades['ada']['score'], $grades['bo']['score'], $grades["eve.o'neil"]['score']]);
        $this->assertSame(2.0, $grades['ada']['max_score']);
        $this->assertSame(gmdate('Y-m-d H:i:s', self::SUBMITTED + 11), $grades['ada']['timestamp'],
            'nbgrader read the Moodle submission time from timestamp.txt');
        $this->assertSame(gmdate('Y-m-d H:i:s', self::SUBMITTED + 13 + 7200), $grades["eve.o'neil"]['timestamp']);

        // Feedback: nbgrader writes feedback/<id>/ps1/; Bo's is taken away again.
        $this->venv_run($venv, ["$venv/bin/nbgrader", 'generate_feedback', 'ps1'], $course);
        $this->assertFileExists("$course/feedback/ada/ps1/problem1.html");
        lablink_server::remove("$course/feedback/bo");
        $stored = [];
        $back = (new returner($this->client(), 'teacher', $this->tmp))->run($m->entries(), $o,
            function (int $userid, string $zipfile, string $zipname) use (&$stored) {
                $stored[$userid] = [$zipname, self::zip_names($zipfile), file_get_contents($zipfile)];
            }, fn() => null);
        $this->assertSame([[11, 'returned'], [12, 'no_feedback'], [13, 'returned']],
            array_map(fn(result $r) => [$r->userid, $r->status], $back));
        // Each result names the folder the feedback was read from, not the submission's.
        $this->assertSame('feedback/ada/ps1', $back[0]->folder);
        $this->assertSame(['feedback.zip', ['problem1.html', 'timestamp.txt']], array_slice($stored[11], 0, 2));
        // The feedback nbgrader wrote for Eve: her score, her submission time.
        $html = $this->zip_entry($stored[13][2], 'problem1.html');
        $this->assertSame(1, preg_match('~Score: 2\.0 / 2\.0~', $html), 'Eve\'s feedback shows her full score');
        $this->assertSame(gmdate('Y-m-d H:i:s', self::SUBMITTED + 13 + 7200),
            substr($this->zip_entry($stored[13][2], 'timestamp.txt'), 0, 19));
    }

    public function test_two_assignments_collected_into_one_course_folder_are_both_graded(): void {
        $venv = self::venv();
        $helper = dirname(__DIR__) . '/support/nbgrader_course.py';
        $course = self::disk('courses/intro');
        mkdir(dirname($course), 0700);
        foreach (['ps1', 'ps2'] as $nb) {
            $this->venv_run($venv, ["$venv/bin/python", $helper, 'build', $course, $nb], $this->tmp);
        }
        $notebook = function (string $nb, string $answer) use ($venv, $helper, $course): array {
            $out = "{$this->tmp}/$nb-$answer.ipynb";
            $this->venv_run($venv, ["$venv/bin/python", $helper, 'student', $course, $nb, $out, $answer], $this->tmp);
            return ['problem1.ipynb' => file_get_contents($out)];
        };
        // Two Moodle assignments (7 and 8), each the source of one nbgrader assignment.
        $ps1 = new options('/courses/intro', 'nbgrader', 'fullname', 'ps1', false, 7, 70, 3, 'Problem set 1');
        $ps2 = new options('/courses/intro', 'nbgrader', 'fullname', 'ps2', false, 8, 80, 3, 'Problem set 2');
        $first = [$this->item(11, 'Ada', 0, 'ada', $notebook('ps1', 'right')),
            $this->item(12, 'Bo', 0, 'bo', $notebook('ps1', 'wrong'))];
        $second = [$this->item(11, 'Ada', 1, 'ada', $notebook('ps2', 'wrong')),
            $this->item(12, 'Bo', 1, 'bo', $notebook('ps2', 'right'))];
        $this->assertSame([11 => 'collected', 12 => 'collected'],
            array_map(fn(result $r) => $r->status, $this->collect($first, $ps1)));
        $ps1manifest = file_get_contents("$course/lablink-manifest-ps1.json");
        $this->assertSame([11 => 'collected', 12 => 'collected'],
            array_map(fn(result $r) => $r->status, $this->collect($second, $ps2)), 'ps1\'s collect does not refuse ps2\'s');
        $this->assertSame($ps1manifest, file_get_contents("$course/lablink-manifest-ps1.json"), 'ps1 is left alone');
        $this->assertSame(['ps1', 'ps2'], self::ls('courses/intro/submitted/ada'));
        $this->assertSame(['submitted/ada/ps2', 'submitted/bo/ps2'], array_column(self::manifest_on_disk($ps2)->entries(),
            'folder'));
        $this->assert_manifest_matches_disk($ps1, [11 => $first[0], 12 => $first[1]]);
        $this->assert_manifest_matches_disk($ps2, [11 => $second[0], 12 => $second[1]]);
        $this->assertNotContains('lablink-manifest.json', self::ls('courses/intro'));

        // A re-collect of either fetches nothing; a third Moodle assignment for ps1 is refused.
        $this->transport->sent = [];
        $this->assertSame(['unchanged' => 2], self::counts($this->collect($first, $ps1)));
        $this->assertSame(['unchanged' => 2], self::counts($this->collect($second, $ps2)));
        $this->assertSame([], $this->sent('extract', 'POST'));
        try {
            $this->collect($first, new options('/courses/intro', 'nbgrader', 'fullname', 'ps1', false, 9, 90, 3, 'Copy'));
            $this->fail('a second Moodle assignment filled ps1');
        } catch (\assignfeedback_lablink\local\collect\collect_exception $e) {
            $this->assertSame('other_assignment', $e->errorcode);
            $this->assertStringContainsString('Problem set 1', $e->getMessage());
        }
        $this->assertSame($ps1manifest, file_get_contents("$course/lablink-manifest-ps1.json"));

        foreach (['ps1', 'ps2'] as $nb) {
            $this->venv_run($venv, ["$venv/bin/nbgrader", 'autograde', $nb], $course);
        }
        $grade = function (string $nb) use ($venv, $helper, $course): array {
            $grades = json_decode($this->venv_run($venv, ["$venv/bin/python", $helper, 'grades', $course, $nb],
                $this->tmp), true);
            return array_map(fn($g) => [$g['score'], $g['timestamp']], $grades);
        };
        $this->assertSame(['ada' => [2.0, gmdate('Y-m-d H:i:s', self::SUBMITTED + 11)],
            'bo' => [0.0, gmdate('Y-m-d H:i:s', self::SUBMITTED + 12)]], $grade('ps1'));
        $this->assertSame(['ada' => [0.0, gmdate('Y-m-d H:i:s', self::SUBMITTED + 11 + 3600)],
            'bo' => [2.0, gmdate('Y-m-d H:i:s', self::SUBMITTED + 12 + 3600)]], $grade('ps2'));
    }

    public function test_a_folder_deleted_by_the_teacher_is_collected_again(): void {
        $o = self::options();
        $items = [];
        foreach (range(1, 4) as $i) {
            $items[100 + $i] = $this->item(100 + $i, "Student $i");
        }
        $this->collect($items, $o);
        $before = self::manifest_on_disk($o);
        lablink_server::remove(self::disk($o->path('Student 2')));
        // Student 3's folder is gone too and the submission changed; without overwrite it comes anyway.
        lablink_server::remove(self::disk($o->path('Student 3')));
        $items[103] = $this->item(103, 'Student 3', 1);

        $this->transport->sent = [];
        $results = $this->collect($items, $o);
        $this->assertSame([101 => 'unchanged', 102 => 'collected', 103 => 'collected', 104 => 'unchanged'],
            array_map(fn(result $r) => $r->status, $results));
        $extracts = $this->sent('extract', 'POST');
        $this->assertCount(2, $extracts);
        $this->assertStringContainsString('path=course/lab1 collect/Student 2&on_conflict=fail', $extracts[0]);
        $this->assertStringContainsString('path=course/lab1 collect/Student 3&on_conflict=fail', $extracts[1]);
        $this->assertSame(['Student 1', 'Student 2', 'Student 3', 'Student 4', manifest::FILENAME],
            self::ls('course/lab1 collect'), 'the same names again, no -2');
        $after = self::manifest_on_disk($o);
        $this->assertSame($before->find(101), $after->find(101));
        $this->assertSame(1, $after->find(103)['attempt']);
        $this->assert_manifest_matches_disk($o, $items);
    }

    public function test_a_students_own_feedback_folder_is_never_returned(): void {
        $o = self::options(false, '/marking');
        $own = self::work(102) + ['feedback/answers.txt' => 'the student\'s own answers', 'feedback/' => ''];
        $items = [$this->item(101, 'Student 1'), $this->item(102, 'Student 2', 0, '', $own),
            $this->item(103, 'Student 3')];
        $this->assertSame(['collected' => 3], self::counts($this->collect($items, $o)));
        $data = json_decode(file_get_contents(self::disk('marking/' . manifest::FILENAME)), true);
        $this->assertSame([101 => false, 102 => true, 103 => false], array_combine(array_column($data['entries'], 'userid'),
            array_map(fn($e) => $e['has_own_feedback_folder'] ?? false, $data['entries'])));
        $this->assertArrayNotHasKey('has_own_feedback_folder', $data['entries'][0], 'written only when true');
        $this->assertSame('the student\'s own answers', file_get_contents(self::disk('marking/Student 2/feedback/answers.txt')),
            'the submission is collected whole all the same');
        foreach (['Student 1', 'Student 2', 'Student 3'] as $folder) {
            @mkdir(self::disk("marking/$folder/feedback"));
            file_put_contents(self::disk("marking/$folder/feedback/comments.txt"), "feedback for $folder");
        }
        $stored = [];
        $this->transport->sent = [];
        $results = (new returner($this->client(), 'teacher', $this->tmp))->run(self::manifest_on_disk($o)->entries(), $o,
            function (int $userid, string $zipfile) use (&$stored) {
                $stored[$userid] = file_get_contents($zipfile);
            }, fn() => null);
        $this->assertSame([[101, 'returned', ''], [102, 'failed', 'own_feedback_folder'], [103, 'returned', '']],
            array_map(fn(result $r) => [$r->userid, $r->status, $r->errorcode], $results));
        $this->assertStringContainsString('move the student\'s folder aside', $results[1]->message);
        $this->assertSame([101, 103], array_keys($stored));
        $this->assertSame('feedback for Student 3', $this->zip_entry($stored[103], 'comments.txt'));
        $archived = array_filter($this->sent('archive', 'GET'), fn($u) => strpos($u, 'Student 2') !== false);
        $this->assertSame([], $archived, 'Student 2\'s folder is not even zipped');

        // Resubmitted without it (and collected with overwrite), the mark goes.
        $items[1] = $this->item(102, 'Student 2', 1);
        $this->assertSame('collected', $this->collect($items, self::options(true, '/marking'))[102]->status);
        $this->assertArrayNotHasKey('has_own_feedback_folder', self::manifest_on_disk($o)->find(102));
    }

    public function test_return_feedback_through_the_manifest(): void {
        $o = self::options(false, '/marking');
        $items = [];
        foreach (range(1, 6) as $i) {
            $items[] = $this->item(100 + $i, "Student $i");
        }
        $this->collect($items, $o);
        $root = self::disk('marking');
        mkdir("$root/Student 1/feedback/marked", 0700, true);
        file_put_contents("$root/Student 1/feedback/comments.txt", 'Well done.');
        file_put_contents("$root/Student 1/feedback/marked/lab1.html", '<p>9/10</p>');
        // Student 2: no feedback folder; Student 3: an empty one.
        mkdir("$root/Student 3/feedback");
        // Student 4: the feedback folder is a link to another home's private files.
        symlink(self::$server->home('bob') . '/private', "$root/Student 4/feedback");
        mkdir("$root/Student 5/feedback");
        file_put_contents("$root/Student 5/feedback/notes.txt", 'see me');
        mkdir("$root/Student 6/feedback");
        file_put_contents("$root/Student 6/feedback/notes.txt", 'fine');
        // Folder names are not read: Student 6's folder renamed by hand would only be missed, and
        // a folder named like a student but not in the manifest is never returned to anyone.
        mkdir("$root/Student 7/feedback", 0700, true);
        file_put_contents("$root/Student 7/feedback/notes.txt", 'for nobody');
        $entries = self::manifest_on_disk($o)->entries();
        $entries[] = ['folder' => 'Student 9', 'userid' => 109, 'submissionid' => 1, 'attempt' => 0,
            'timesubmitted' => 0, 'contenthash' => 'h', 'sha256' => '', 'state' => 'pending'];
        $stored = [];
        $progress = [];
        $results = (new returner($this->client(), 'teacher', $this->tmp))->run($entries, $o,
            function (int $userid, string $zipfile, string $zipname) use (&$stored) {
                if ($userid === 105) {
                    throw new \RuntimeException('the file area is full');
                }
                $stored[$userid] = [$zipname, self::zip_names($zipfile), $zipfile, file_get_contents($zipfile)];
            }, function (int $done, int $total, string $message) use (&$progress) {
                $progress[] = [$done, $total, $message];
            });
        $this->assertSame([[101, 'returned', ''], [102, 'no_feedback', ''], [103, 'no_feedback', ''],
            [104, 'failed', 'forbidden'], [105, 'failed', 'failed'], [106, 'returned', ''], [109, 'failed', 'not_collected']],
            array_map(fn(result $r) => [$r->userid, $r->status, $r->errorcode], $results));
        $this->assertSame('the file area is full', $results[4]->message);
        $this->assertSame(['feedback.zip', ['comments.txt', 'marked/', 'marked/lab1.html']], array_slice($stored[101], 0, 2));
        $this->assertSame('<p>9/10</p>', $this->zip_entry($stored[101][3], 'marked/lab1.html'));
        $this->assertSame('fine', $this->zip_entry($stored[106][3], 'notes.txt'));
        $this->assertSame([101, 106], array_keys($stored), 'nothing of Bob\'s, nothing for a folder outside the manifest');
        foreach ($stored as $s) {
            $this->assertStringNotContainsString(lablink_server::BOB_SECRET, $s[3]);
            $this->assertFileDoesNotExist($s[2], 'the temporary zip is removed');
        }
        $left = array_filter(self::ls_abs($this->tmp), fn($n) => strpos($n, 'lablink-feedback-') === 0);
        $this->assertSame([], array_values($left), 'no temporary zip is left behind');
        $this->assertSame([0, 7, ''], $progress[0]);
        $this->assertSame([7, 7, 'Student 9'], $progress[7]);
    }

    public function test_collect_needs_v2_and_changes_nothing_over_legacy(): void {
        $legacy = new client_legacy(self::$server->url(),
            new legacy_signer(lablink_server::LEGACY_USER, lablink_server::LEGACY_SECRET), new curl_transport(),
            10, 60, 'UTC');
        try {
            (new collector($legacy, 'teacher'))->run([$this->item(101, 'Student 1')], self::options(), fn() => null);
            $this->fail('collected over legacy');
        } catch (fileserver_exception $e) {
            $this->assertSame('unsupported', $e->errorcode);
        }
        $this->assertSame([], self::ls(''));
    }

    /**
     * The entry names of a zip file.
     *
     * @param string $file the zip
     * @return string[] sorted names
     */
    private static function zip_names(string $file): array {
        $zip = new \ZipArchive();
        $zip->open($file);
        $names = [];
        for ($i = 0; $i < $zip->numFiles; $i++) {
            $names[] = $zip->getNameIndex($i);
        }
        $zip->close();
        sort($names);
        return $names;
    }

    /**
     * One entry of a zip held as a string.
     *
     * @param string $bytes the zip
     * @param string $name the entry
     * @return string its content
     */
    private function zip_entry(string $bytes, string $name): string {
        $file = tempnam($this->tmp, 'zip-');
        file_put_contents($file, $bytes);
        $zip = new \ZipArchive();
        $zip->open($file);
        $content = $zip->getFromName($name);
        $zip->close();
        unlink($file);
        $this->assertIsString($content, "the zip holds $name");
        return $content;
    }

    /**
     * The names in a local folder.
     *
     * @param string $dir the folder
     * @return string[] the names
     */
    private static function ls_abs(string $dir): array {
        return array_values(array_diff(scandir($dir), ['.', '..']));
    }
}
