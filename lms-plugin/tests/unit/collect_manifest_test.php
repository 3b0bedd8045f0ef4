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
use assignfeedback_lablink\local\collect\item;
use assignfeedback_lablink\local\collect\manifest;
use assignfeedback_lablink\local\collect\options;

/**
 * manifest: what it writes, what it reads back, and every manifest it refuses.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignfeedback_lablink\local\collect\manifest
 */
final class collect_manifest_test extends \PHPUnit\Framework\TestCase {
    /**
     * Options of a collect.
     *
     * @param string $layout the layout
     * @param int $assignmentid the assignment
     * @return options the options
     */
    public static function options(string $layout = 'folders', int $assignmentid = 7): options {
        return new options('/course/collect', $layout, 'fullname', $layout === 'nbgrader' ? 'ps1' : '', false,
            $assignmentid, 70, 3, 'Lab 1 – «Ünïcode»');
    }

    /**
     * A manifest with two entries.
     *
     * @return manifest the manifest
     */
    private static function two(): manifest {
        $m = manifest::for_options(self::options());
        $m->set(new item(12, 120, 1, 1790000000, '/z', str_repeat('b', 40), 'Ben', 'ben'), 'Ben', manifest::PENDING);
        $m->set(new item(5, 50, 0, 1789000000, '/z', str_repeat('a', 40), 'Anna', 'anna'), 'Anna Smith',
            manifest::COLLECTED, str_repeat('c', 64));
        return $m;
    }

    public function test_serialises_the_agreed_format(): void {
        $m = self::two();
        $data = json_decode($m->serialise(), true);
        $this->assertSame(['format', 'version', 'assignment', 'layout', 'nbgrader_assignment', 'updated', 'entries'],
            array_keys($data));
        $this->assertSame('lablink-manifest', $data['format']);
        $this->assertSame(1, $data['version']);
        $this->assertSame(['id' => 7, 'cmid' => 70, 'courseid' => 3, 'name' => 'Lab 1 – «Ünïcode»'], $data['assignment']);
        $this->assertSame('folders', $data['layout']);
        $this->assertSame('', $data['nbgrader_assignment']);
        $this->assertSame([5, 12], array_column($data['entries'], 'userid'), 'entries in userid order');
        $this->assertSame(['folder' => 'Anna Smith', 'userid' => 5, 'submissionid' => 50, 'attempt' => 0,
            'timesubmitted' => 1789000000, 'submitted' => '2026-09-10T00:26:40Z', 'contenthash' => str_repeat('a', 40),
            'sha256' => str_repeat('c', 64), 'state' => 'collected'], $data['entries'][0]);
        $this->assertSame('pending', $data['entries'][1]['state']);
        $this->assertStringContainsString('Ünïcode', $m->serialise(), 'text stays readable, not \\u-escaped');
    }

    public function test_round_trips_and_finds_by_user(): void {
        $m = self::two();
        $m->save(new class extends null_client {
            public function put_file(string $home, string $path, string $contents): array {
                return ['path' => $path, 'bytes' => strlen($contents), 'sha256' => hash('sha256', $contents)];
            }
        }, 'teacher', self::options(), 1790001234);
        $this->assertSame(1790001234, $m->updated());
        $back = manifest::parse($m->serialise());
        $this->assertSame($m->serialise(), $back->serialise());
        $this->assertSame('2026-09-21T14:33:54Z', json_decode($back->serialise(), true)['updated']);
        $this->assertSame('Anna Smith', $back->find(5)['folder']);
        $this->assertSame(manifest::PENDING, $back->find(12)['state']);
        $this->assertNull($back->find(99));
        $back->remove(12);
        $this->assertSame([5], array_column($back->entries(), 'userid'));
        $back->check_matches(self::options());
    }

    public function test_an_nbgrader_manifest_keeps_its_assignment(): void {
        $m = manifest::for_options(self::options('nbgrader'));
        $m->set(new item(5, 50, 0, 0, '/z', 'h', 'Anna', 'anna'), 'submitted/anna/ps1', manifest::COLLECTED);
        $back = manifest::parse($m->serialise());
        $this->assertSame('nbgrader', $back->layout());
        $this->assertSame('ps1', json_decode($back->serialise(), true)['nbgrader_assignment']);
        $this->assertSame('submitted/anna/ps1', $back->find(5)['folder']);
    }

    /**
     * Manifests that must be refused, each with what the message must say.
     *
     * @return array<string,array{0: string, 1: string}> name => [json, part of the message]
     */
    public static function refused_manifests(): array {
        $good = json_decode(self::two()->serialise(), true);
        $with = function (callable $change) use ($good): string {
            $data = $good;
            $change($data);
            return json_encode($data);
        };
        return [
            'not JSON' => ['{"format": "lablink-manifest",', 'not JSON'],
            'empty' => ['', 'not JSON'],
            'a list' => ['[1, 2]', 'not a lablink manifest'],
            'another format' => [$with(fn(&$d) => $d['format'] = 'noto'), 'not a lablink manifest'],
            'another version' => [$with(fn(&$d) => $d['version'] = 2), 'version'],
            'no assignment id' => [$with(function (&$d) {
                unset($d['assignment']['id']);
            }), 'assignment'],
            'a string id' => [$with(fn(&$d) => $d['assignment']['id'] = '7'), 'assignment'],
            'another layout' => [$with(fn(&$d) => $d['layout'] = 'flat'), 'layout'],
            'nbgrader without a name' => [$with(fn(&$d) => $d['layout'] = 'nbgrader'), 'nbgrader assignment'],
            'entries not a list' => [$with(fn(&$d) => $d['entries'] = ['a' => $d['entries'][0]]), 'not a list'],
            'entry not an object' => [$with(fn(&$d) => $d['entries'][] = 'x'), 'not an object'],
            'userid a float' => [str_replace('"userid":5,', '"userid":5.0,', $with(fn(&$d) => null)), 'userid'],
            'userid a string' => [$with(fn(&$d) => $d['entries'][0]['userid'] = '5'), 'userid'],
            'userid zero' => [$with(fn(&$d) => $d['entries'][0]['userid'] = 0), 'userid'],
            'no attempt' => [$with(function (&$d) {
                unset($d['entries'][0]['attempt']);
            }), 'attempt'],
            'folder escaping' => [$with(fn(&$d) => $d['entries'][0]['folder'] = '../other'), 'folder'],
            'folder absolute' => [$with(fn(&$d) => $d['entries'][0]['folder'] = '/etc'), 'folder'],
            'folder with dot' => [$with(fn(&$d) => $d['entries'][0]['folder'] = 'a/./b'), 'folder'],
            'folder empty' => [$with(fn(&$d) => $d['entries'][0]['folder'] = ''), 'folder'],
            'folder with NUL' => [$with(fn(&$d) => $d['entries'][0]['folder'] = "a\0b"), 'folder'],
            'bad sha256' => [$with(fn(&$d) => $d['entries'][0]['sha256'] = 'XYZ'), 'sha256'],
            'unknown state' => [$with(fn(&$d) => $d['entries'][0]['state'] = 'done'), 'pending nor collected'],
            'user twice' => [$with(fn(&$d) => $d['entries'][1]['userid'] = 5), 'repeats user 5'],
            'folder twice' => [$with(fn(&$d) => $d['entries'][1]['folder'] = 'anna smith'), 'repeats a folder'],
            'own feedback not a bool' => [$with(fn(&$d) => $d['entries'][0]['has_own_feedback_folder'] = 'yes'),
                'has_own_feedback_folder that is not true or false'],
        ];
    }

    /**
     * @dataProvider refused_manifests
     * @param string $json the manifest text
     * @param string $says part of the message
     */
    public function test_refuses_a_bad_manifest(string $json, string $says): void {
        try {
            manifest::parse($json);
        } catch (collect_exception $e) {
            $this->assertSame('bad_manifest', $e->errorcode);
            $this->assertStringContainsString($says, $e->getMessage());
            $this->assertStringContainsString('lablink-manifest.json cannot be used', $e->getMessage());
            return;
        }
        $this->fail('accepted');
    }

    public function test_refuses_to_mix_assignments_or_layouts(): void {
        $m = self::two();
        foreach ([self::options('folders', 8), self::options('nbgrader')] as $other) {
            try {
                $m->check_matches($other);
                $this->fail('mixed');
            } catch (collect_exception $e) {
                $this->assertSame('other_assignment', $e->errorcode);
            }
        }
        $nb = manifest::for_options(self::options('nbgrader'));
        $ps2 = new options('/course', 'nbgrader', 'fullname', 'ps2', false, 7, 70, 3, 'Lab');
        $this->expectException(collect_exception::class);
        $nb->check_matches($ps2);
    }

    public function test_the_nbgrader_layout_has_one_manifest_per_nbgrader_assignment(): void {
        $this->assertSame('lablink-manifest.json', manifest::filename(self::options()));
        $this->assertSame('lablink-manifest-ps1.json', manifest::filename(self::options('nbgrader')));
        $ps2 = new options('/course', 'nbgrader', 'fullname', 'ps2', false, 8, 80, 3, 'Lab 2');
        $this->assertSame('lablink-manifest-ps2.json', manifest::filename($ps2));
        foreach (['lablink-manifest-ps1.json' => true, 'lablink-manifest-week 3.json' => true,
                'lablink-manifest.json' => false, 'lablink-manifest-.json' => false, 'lablink-manifest-ps1.txt' => false,
                'my-lablink-manifest-ps1.json' => false] as $name => $is) {
            $this->assertSame($is, manifest::is_nbgrader_filename($name), $name);
        }
        $asked = [];
        $client = new class($asked) extends null_client {
            /** @var array what was asked */
            public array $asked;
            public function __construct(array &$asked) {
                $this->asked = &$asked;
            }
            public function get_file(string $home, string $path, int $maxbytes): string {
                $this->asked[] = $path;
                return '{"format": "lablink-manifest"';
            }
        };
        try {
            manifest::load($client, 'teacher', $ps2);
            $this->fail('a broken manifest was read');
        } catch (collect_exception $e) {
            $this->assertStringContainsString('lablink-manifest-ps2.json cannot be used', $e->getMessage(),
                'the message names the file the teacher has to look at');
        }
        $this->assertSame(['/course/lablink-manifest-ps2.json'], $asked);
        $nb = manifest::for_options(self::options('nbgrader'));
        $this->assertSame('ps1', $nb->nbassignment());
        $this->assertSame('', self::two()->nbassignment());
    }

    public function test_another_moodle_assignment_for_the_same_nbgrader_assignment_is_refused(): void {
        $nb = manifest::for_options(self::options('nbgrader'));
        try {
            $nb->check_matches(self::options('nbgrader', 8));
            $this->fail('two Moodle assignments filled ps1');
        } catch (collect_exception $e) {
            $this->assertSame('other_assignment', $e->errorcode);
            $this->assertStringContainsString('nbgrader assignment "ps1"', $e->getMessage());
            $this->assertStringContainsString('Lab 1 – «Ünïcode»', $e->getMessage());
        }
    }

    public function test_an_nbgrader_assignment_name_too_long_for_the_manifest_name_is_refused(): void {
        $fits = str_repeat('a', options::MAX_NBASSIGNMENT_BYTES);
        $o = new options('/c', 'nbgrader', 'fullname', $fits, false, 7, 70, 3, 'Lab');
        $this->assertSame(255, strlen(manifest::filename($o)));
        $this->expectException(collect_exception::class);
        $this->expectExceptionMessage('at most 233 bytes');
        new options('/c', 'nbgrader', 'fullname', $fits . 'a', false, 7, 70, 3, 'Lab');
    }

    public function test_the_own_feedback_mark_is_written_only_when_true_and_read_back(): void {
        $m = self::two();
        $m->set(new item(9, 90, 0, 1789000000, '/z', 'h', 'Cy', 'cy'), 'Cy', manifest::COLLECTED, str_repeat('d', 64),
            true);
        $data = json_decode($m->serialise(), true);
        $this->assertSame([5 => false, 9 => true, 12 => false], array_combine(array_column($data['entries'], 'userid'),
            array_map(fn($e) => array_key_exists('has_own_feedback_folder', $e), $data['entries'])));
        $this->assertTrue($data['entries'][1]['has_own_feedback_folder']);
        $back = manifest::parse($m->serialise());
        $this->assertTrue($back->find(9)['has_own_feedback_folder']);
        $this->assertArrayNotHasKey('has_own_feedback_folder', $back->find(5));
        $this->assertSame($m->serialise(), $back->serialise());
        // An explicit false reads like none; a re-collect without the folder clears the mark.
        $text = str_replace('"state": "collected"', '"state": "collected", "has_own_feedback_folder": false',
            self::two()->serialise());
        $this->assertArrayNotHasKey('has_own_feedback_folder', manifest::parse($text)->find(5));
        $back->set(new item(9, 91, 1, 1789000001, '/z', 'h2', 'Cy', 'cy'), 'Cy', manifest::COLLECTED);
        $this->assertArrayNotHasKey('has_own_feedback_folder', $back->find(9));
    }

    public function test_load_reads_none_as_new_and_refuses_other_failures(): void {
        $missing = new class extends null_client {
            public function get_file(string $home, string $path, int $maxbytes): string {
                throw new \assignsubmission_lablink\local\fileserver\fileserver_exception('not_found', 'no');
            }
        };
        $this->assertNull(manifest::load($missing, 'teacher', self::options()));
        $text = self::two()->serialise();
        $present = new class($text) extends null_client {
            /** @var string the text */
            public string $text;
            /** @var array what was asked */
            public array $asked = [];
            public function __construct(string $text) {
                $this->text = $text;
            }
            public function get_file(string $home, string $path, int $maxbytes): string {
                $this->asked[] = [$home, $path, $maxbytes];
                return $this->text;
            }
        };
        $this->assertSame($text, manifest::load($present, 'teacher', self::options())->serialise());
        $this->assertSame([['teacher', '/course/collect/lablink-manifest.json', manifest::MAX_BYTES]], $present->asked);
        $down = new class extends null_client {
            public function get_file(string $home, string $path, int $maxbytes): string {
                throw new \assignsubmission_lablink\local\fileserver\fileserver_exception('unreachable', 'down');
            }
        };
        $this->expectException(\assignsubmission_lablink\local\fileserver\fileserver_exception::class);
        manifest::load($down, 'teacher', self::options());
    }
}
