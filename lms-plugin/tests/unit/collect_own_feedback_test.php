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

/**
 * A student's own top-level `feedback/` folder: found in the zip's central directory at collect
 * time, marked in the manifest, and the student refused by the return (never their own files
 * sent back as the teacher's feedback).
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignfeedback_lablink\local\collect\collector
 * @covers     \assignfeedback_lablink\local\collect\returner
 */
final class collect_own_feedback_test extends \PHPUnit\Framework\TestCase {
    /** @var string a folder for this test's zips */
    private string $tmp;

    protected function setUp(): void {
        $this->tmp = sys_get_temp_dir() . '/lablink-own-feedback-' . bin2hex(random_bytes(4));
        mkdir($this->tmp, 0700);
    }

    protected function tearDown(): void {
        foreach (glob("{$this->tmp}/*") as $file) {
            unlink($file);
        }
        rmdir($this->tmp);
    }

    /**
     * A zip with these entry names (written raw, so backslashes and `..` stay as given).
     *
     * @param string[] $names entry names ('/' at the end: a folder)
     * @return string its path
     */
    private function zip(array $names): string {
        $file = tempnam($this->tmp, 'zip-');
        $zip = new \ZipArchive();
        $this->assertTrue($zip->open($file, \ZipArchive::CREATE | \ZipArchive::OVERWRITE));
        foreach ($names as $name) {
            substr($name, -1) === '/' ? $zip->addEmptyDir($name) : $zip->addFromString($name, 'x');
        }
        $zip->close();
        return $file;
    }

    /**
     * Zips and whether they hold a top-level feedback folder.
     *
     * @return array<string,array{0: string[], 1: bool}> name => [entry names, has one]
     */
    public static function zips(): array {
        return [
            'a file in feedback/' => [['lab.ipynb', 'feedback/notes.txt'], true],
            'an empty feedback/ folder' => [['lab.ipynb', 'feedback/'], true],
            'deep in feedback/' => [['feedback/marked/a/b.html'], true],
            'through ./' => [['./feedback/x'], true],
            'through ..' => [['results/../feedback/x'], true],
            'a Windows name' => [['feedback\\x.txt'], true],
            'a double slash' => [['//feedback//x'], true],
            'no feedback' => [['lab.ipynb', 'results/', 'data/in.csv'], false],
            'feedback deeper down' => [['week1/feedback/x.txt'], false],
            'another case' => [['Feedback/x.txt'], false],
            'a longer name' => [['feedbacks/x.txt', 'feedback.txt'], false],
            'a file named feedback' => [['feedback'], false],
        ];
    }

    /**
     * @dataProvider zips
     * @param string[] $names entry names
     * @param bool $has whether a top-level feedback folder is there
     */
    public function test_reads_the_central_directory(array $names, bool $has): void {
        $this->assertSame($has, collector::has_own_feedback_folder($this->zip($names)));
    }

    public function test_a_file_that_is_no_zip_says_no(): void {
        $file = "{$this->tmp}/not-a-zip";
        file_put_contents($file, 'feedback/notes.txt');
        $this->assertFalse(collector::has_own_feedback_folder($file));
        $this->assertFalse(collector::has_own_feedback_folder("{$this->tmp}/absent.zip"));
    }

    /**
     * An item.
     *
     * @param int $userid the user
     * @param string $zip its zip
     * @return item the item
     */
    private static function item(int $userid, string $zip): item {
        return new item($userid, $userid * 10, 0, 1790000000, $zip, sha1_file($zip), "Student $userid", "s$userid");
    }

    public function test_the_collect_marks_the_entry_pending_and_collected(): void {
        $fake = new fake_fileserver();
        $items = [self::item(1, $this->zip(['lab.ipynb', 'feedback/mine.txt'])), self::item(2, $this->zip(['lab.ipynb']))];
        $o = new options('/collect', 'folders', 'fullname', '', false, 7, 70, 3, 'Lab');
        (new collector($fake, 'teacher'))->run($items, $o, fn() => null);
        $manifests = array_values(array_filter($fake->calls, fn($c) => $c[0] === 'put_file'));
        $first = json_decode($fake->files['/collect/lablink-manifest.json'], true);
        $this->assertTrue($first['entries'][0]['has_own_feedback_folder']);
        $this->assertArrayNotHasKey('has_own_feedback_folder', $first['entries'][1]);
        $this->assertCount(3, $manifests, 'all pending, then one per student');
        $m = manifest::parse($fake->files['/collect/lablink-manifest.json']);
        $this->assertSame([manifest::COLLECTED, true], [$m->find(1)['state'], $m->find(1)['has_own_feedback_folder']]);

        // In the nbgrader layout feedback is outside the submission: nothing to mark.
        $nb = new fake_fileserver();
        (new collector($nb, 'teacher'))->run($items, new options('/c', 'nbgrader', 'fullname', 'ps1', false, 7, 70, 3,
            'Lab'), fn() => null);
        $this->assertStringNotContainsString('has_own_feedback_folder', $nb->files['/c/lablink-manifest-ps1.json']);
    }

    public function test_the_return_refuses_a_marked_student_without_asking_the_file_server(): void {
        $fake = new fake_fileserver();
        $entry = ['folder' => 'Student 1', 'userid' => 1, 'submissionid' => 10, 'attempt' => 0, 'timesubmitted' => 0,
            'contenthash' => 'h', 'sha256' => '', 'state' => 'collected', 'has_own_feedback_folder' => true];
        $stored = [];
        $results = (new returner($fake, 'teacher', $this->tmp))->run([$entry],
            new options('/collect', 'folders', 'fullname', '', false, 7, 70, 3, 'Lab'),
            function (int $userid) use (&$stored) {
                $stored[] = $userid;
            }, fn() => null);
        $this->assertSame(['failed', 'own_feedback_folder', 'Student 1'],
            [$results[0]->status, $results[0]->errorcode, $results[0]->folder]);
        $this->assertStringContainsString('move the student\'s folder aside', $results[0]->message);
        $this->assertStringContainsString('Student 1/feedback', $results[0]->message);
        $this->assertSame([], $stored);
        $this->assertSame([], $fake->calls, 'the feedback folder is not even listed');

        // Unmarked (or marked false), the same entry is looked at as usual: here no feedback folder.
        unset($entry['has_own_feedback_folder']);
        $results = (new returner($fake, 'teacher', $this->tmp))->run([$entry, ['has_own_feedback_folder' => false]
            + $entry], new options('/collect', 'folders', 'fullname', '', false, 7, 70, 3, 'Lab'), fn() => null,
            fn() => null);
        $this->assertSame(['no_feedback', 'no_feedback'], array_map(fn(result $r) => $r->status, $results));
    }
}
