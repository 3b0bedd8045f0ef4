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

use assignfeedback_lablink\local\collect\collect_exception;
use assignfeedback_lablink\local\collect\result;
use assignfeedback_lablink\local\run;
use assignsubmission_lablink\local\fileserver\fileserver_exception;
use assignsubmission_lablink\local\workspace;
use core\output\stored_progress_bar;

/**
 * What a collect and a return share: find the run, work in the teacher's home with the
 * assignment's rights re-checked, report progress on the run's stored progress bar, and keep
 * the per-student results (or why the whole run stopped) in the run's row.
 *
 * A run killed mid-way is picked up again by cron as the same task: the run is simply worked
 * again (the engine resumes from the manifest), with the same progress bar.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
abstract class run_task extends \core\task\adhoc_task {

    use \core\task\stored_progress_task_trait;

    /**
     * Does the run's work.
     *
     * @param \assign $assign
     * @param \stdClass $run the run's row
     * @param \stdClass $teacher who started it
     * @param callable $progress function(int $done, int $total, string $message)
     * @return array[] one result per student (userid, status, folder, errorcode, message)
     */
    abstract protected function work(\assign $assign, \stdClass $run, \stdClass $teacher, callable $progress): array;

    /**
     * Tells that the run is done (its event), with the results at hand.
     *
     * @param \assign $assign
     * @param \stdClass $run
     * @param array[] $results
     */
    abstract protected function done(\assign $assign, \stdClass $run, array $results): void;

    /**
     * Runs it. A failure of the whole run is recorded and shown, not thrown: retrying it blindly
     * would leave the teacher watching a bar that never moves.
     */
    public function execute() {
        global $CFG, $DB;
        require_once($CFG->dirroot . '/mod/assign/locallib.php');

        $runid = (int)($this->get_custom_data()->runid ?? 0);
        $run = run::get($runid);
        if (!$run || $run->status === run::DONE || $run->status === run::FAILED) {
            mtrace("lablink run $runid: nothing to do");
            return;
        }
        $this->open_progress($run);
        run::mark_running($runid);
        try {
            $cm = get_coursemodule_from_instance('assign', $run->assignment, 0, false, MUST_EXIST);
            $context = \context_module::instance($cm->id);
            $assign = new \assign($context, $cm, null);
            $teacher = $DB->get_record('user', ['id' => $run->userid, 'deleted' => 0], '*', MUST_EXIST);
            // The teacher may have lost the right since they pressed the button.
            require_capability('mod/assign:grade', $context, $teacher);

            $results = $this->work($assign, $run, $teacher, function(int $done, int $total, string $message) {
                $this->progress->update_full($total > 0 ? min(99.9, 100 * $done / $total) : 0,
                    get_string('progress', 'assignfeedback_lablink', ['done' => $done, 'total' => $total]));
            });
            run::finish($runid, $results);
            $this->progress->update_full(100, self::summary($run->kind, $results));
            $this->done($assign, run::get($runid), $results);
        } catch (\Throwable $e) {
            $reason = self::describe($e);
            run::fail($runid, $reason);
            $this->progress->error($reason);
            mtrace("lablink run $runid failed: " . $e->getMessage());
        }
    }

    /**
     * Opens the bar the page created when it queued the run (so the page keeps polling the same
     * record), or starts one the trait's way when there is none (it was cleaned up meanwhile).
     *
     * @param \stdClass $run
     */
    private function open_progress(\stdClass $run): void {
        $this->progress = stored_progress_bar::get_by_idnumber(run::progress_idnumber($run));
        if ($this->progress === null) {
            $this->start_stored_progress();
        }
        // Progress goes to the record the page polls; nothing is echoed into the task's log.
        $this->progress->auto_update(false);
    }

    /**
     * One line for the bar when done: how many students ended in each state.
     *
     * @param string $kind
     * @param array[] $results
     * @return string
     */
    public static function summary(string $kind, array $results): string {
        $counts = array_count_values(array_column($results, 'status'));
        $parts = [];
        foreach ($counts as $status => $count) {
            $parts[] = get_string('status_' . $status, 'assignfeedback_lablink') . ': ' . $count;
        }
        return get_string($kind === run::COLLECT ? 'collectdone' : 'returndone', 'assignfeedback_lablink',
            implode(', ', $parts));
    }

    /**
     * A failure in the teacher's words.
     *
     * @param \Throwable $e
     * @return string
     */
    public static function describe(\Throwable $e): string {
        if ($e instanceof fileserver_exception) {
            return workspace::describe($e);
        }
        if ($e instanceof collect_exception) {
            $code = 'engine_' . $e->errorcode;
            if (get_string_manager()->string_exists($code, 'assignfeedback_lablink')) {
                return get_string($code, 'assignfeedback_lablink');
            }
            return get_string('engine_other', 'assignfeedback_lablink', s($e->getMessage()));
        }
        if ($e instanceof \moodle_exception) {
            return $e->getMessage();
        }
        return get_string('runerror', 'assignfeedback_lablink', s($e->getMessage()));
    }

    /**
     * Results as they are kept in the run's row.
     *
     * @param result[] $results
     * @return array[]
     */
    protected static function rows(array $results): array {
        return array_map(fn(result $r) => $r->to_array(), array_values($results));
    }
}
