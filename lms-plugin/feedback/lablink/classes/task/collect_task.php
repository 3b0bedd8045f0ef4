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

namespace assignfeedback_lablink\task;

use assignfeedback_lablink\local\collect\collector;
use assignfeedback_lablink\local\collect\options;
use assignfeedback_lablink\local\run;
use assignfeedback_lablink\local\submission_items;
use assignsubmission_lablink\local\workspace;

/**
 * Collects the submissions of an assignment into a folder of the teacher's workspace: one folder
 * per student (or nbgrader's layout) and the manifest, through the collect engine.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class collect_task extends run_task {

    /**
     * Name shown to admins.
     *
     * @return string
     */
    public function get_name() {
        return get_string('taskcollect', 'assignfeedback_lablink');
    }

    /**
     * Builds the items from the assignment and hands them to the engine.
     *
     * @param \assign $assign
     * @param \stdClass $run
     * @param \stdClass $teacher
     * @param callable $progress
     * @return array[]
     */
    protected function work(\assign $assign, \stdClass $run, \stdClass $teacher, callable $progress): array {
        $o = run::options($run);
        $options = self::engine_options($assign, (string)$run->root, $o);
        $items = submission_items::for_collect($assign, array_map('intval', $o['userids'] ?? []),
            (int)($o['attempt'] ?? submission_items::LATEST));
        $courseid = (int)$assign->get_course()->id;
        $collector = new collector(workspace::client($courseid), workspace::home_for($teacher));
        return self::rows($collector->run($items, $options, $progress));
    }

    /**
     * The engine's options of a collect.
     *
     * @param \assign $assign
     * @param string $root
     * @param array $o the run's options
     * @param int $maxbytes the largest zip the file server may send (returns), 0 for no limit
     * @return options
     */
    public static function engine_options(\assign $assign, string $root, array $o, int $maxbytes = 0): options {
        $instance = $assign->get_instance();
        return new options($root, (string)($o['layout'] ?? options::LAYOUT_FOLDERS),
            (string)($o['naming'] ?? options::NAMING_FULLNAME), (string)($o['nbassignment'] ?? ''),
            !empty($o['overwrite']), (int)$instance->id, (int)$assign->get_course_module()->id,
            (int)$assign->get_course()->id, format_string($instance->name, true, ['context' => $assign->get_context()]),
            $maxbytes);
    }

    /**
     * Fires submissions_collected.
     *
     * @param \assign $assign
     * @param \stdClass $run
     * @param array[] $results
     */
    protected function done(\assign $assign, \stdClass $run, array $results): void {
        $counts = array_count_values(array_column($results, 'status'));
        \assignfeedback_lablink\event\submissions_collected::create([
            'context' => $assign->get_context(),
            'objectid' => $run->id,
            'userid' => $run->userid,
            'other' => ['root' => $run->root, 'counts' => $counts],
        ])->trigger();
    }
}
