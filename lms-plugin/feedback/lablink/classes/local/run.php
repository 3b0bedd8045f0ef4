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

namespace assignfeedback_lablink\local;

use core\output\stored_progress_bar;

/**
 * A collect or a return of one assignment: its row, its adhoc task and its stored progress bar.
 *
 * At most one run per assignment is queued or running at a time, for collects and returns alike
 * (both read and write the same manifest). The check and the insert happen under a lock, so two
 * teachers pressing the button together still get one run and one refusal.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class run {

    /** The runs table. */
    public const TABLE = 'assignfeedback_lablink_run';

    /** Collect submissions into a teacher's workspace. */
    public const COLLECT = 'collect';

    /** Return feedback from a teacher's workspace. */
    public const RETURN = 'return';

    /** Waiting for cron to pick the task. */
    public const QUEUED = 'queued';

    /** The task is working on it. */
    public const RUNNING = 'running';

    /** Finished; each student's result is in `results`. */
    public const DONE = 'done';

    /** Stopped as a whole; the reason is in `error`. */
    public const FAILED = 'failed';

    /** Seconds to wait for another request holding the assignment's lock. */
    private const LOCK_WAIT = 10;

    /**
     * Records a run and queues its task, unless another run of the assignment is not finished.
     *
     * @param \assign $assign
     * @param string $kind COLLECT or RETURN
     * @param \stdClass $user the teacher (the task runs as them, in their home)
     * @param string $root a checked path, from workspace::normalise()
     * @param array $options JSON-able options of the run
     * @return \stdClass the run's row
     * @throws \moodle_exception runbusy when another run is queued or running
     */
    public static function start(\assign $assign, string $kind, \stdClass $user, string $root, array $options): \stdClass {
        global $DB;
        if ($kind !== self::COLLECT && $kind !== self::RETURN) {
            throw new \coding_exception('a run is a collect or a return');
        }
        $assignid = (int)$assign->get_instance()->id;
        $factory = \core\lock\lock_config::get_lock_factory('assignfeedback_lablink');
        $lock = $factory->get_lock('run_assign_' . $assignid, self::LOCK_WAIT);
        if (!$lock) {
            throw new \moodle_exception('runbusy', 'assignfeedback_lablink');
        }
        try {
            if (self::active($assignid)) {
                throw new \moodle_exception('runbusy', 'assignfeedback_lablink');
            }
            // One transaction: cron sees the task only together with its run and its bar.
            $transaction = $DB->start_delegated_transaction();
            try {
                $row = self::queue($kind, $assignid, $user, $root, $options);
                $transaction->allow_commit();
            } catch (\Throwable $e) {
                $transaction->rollback($e);
            }
        } finally {
            $lock->release();
        }
        return $row;
    }

    /**
     * Inserts a run, queues its task and makes its progress bar.
     *
     * @param string $kind
     * @param int $assignid
     * @param \stdClass $user
     * @param string $root
     * @param array $options
     * @return \stdClass the run's row
     */
    private static function queue(string $kind, int $assignid, \stdClass $user, string $root, array $options): \stdClass {
        global $DB;
        $row = (object)[
            'assignment' => $assignid,
            'kind' => $kind,
            'userid' => (int)$user->id,
            'root' => $root,
            'options' => json_encode($options),
            'status' => self::QUEUED,
            'taskid' => 0,
            'results' => null,
            'error' => null,
            'timecreated' => time(),
            'timestarted' => 0,
            'timefinished' => 0,
        ];
        $row->id = $DB->insert_record(self::TABLE, $row);

        $class = self::task_class($kind);
        $task = new $class();
        $task->set_custom_data(['runid' => (int)$row->id]);
        $task->set_userid((int)$user->id);
        $task->set_component('assignfeedback_lablink');
        $row->taskid = (int)\core\task\manager::queue_adhoc_task($task);
        $DB->set_field(self::TABLE, 'taskid', $row->taskid, ['id' => $row->id]);

        // The page shows the bar at once; the task keeps updating this record (same id).
        $bar = new stored_progress_bar(self::progress_idnumber($row));
        $bar->auto_update(false);
        $bar->start();
        $bar->update_full(0, get_string('runqueued', 'assignfeedback_lablink'));
        return $row;
    }

    /**
     * The unfinished run of an assignment, if any. A run whose task no longer exists (removed by
     * an admin, or lost) is closed as failed here, so that it cannot block the assignment forever.
     *
     * @param int $assignid
     * @return \stdClass|null
     */
    public static function active(int $assignid): ?\stdClass {
        global $DB;
        [$insql, $params] = $DB->get_in_or_equal([self::QUEUED, self::RUNNING], SQL_PARAMS_NAMED);
        $params['assignment'] = $assignid;
        $rows = $DB->get_records_select(self::TABLE, "assignment = :assignment AND status $insql", $params, 'id DESC');
        foreach ($rows as $row) {
            if ($row->taskid && !$DB->record_exists('task_adhoc', ['id' => $row->taskid])) {
                self::fail((int)$row->id, get_string('runlost', 'assignfeedback_lablink'));
                continue;
            }
            return $row;
        }
        return null;
    }

    /**
     * The newest run of a kind in an assignment, optionally the newest into (or from) one folder.
     *
     * @param int $assignid
     * @param string $kind COLLECT or RETURN
     * @param string|null $root only runs of this folder; null for any
     * @return \stdClass|null
     */
    public static function latest(int $assignid, string $kind, ?string $root = null): ?\stdClass {
        global $DB;
        // The root is a text column, compared here rather than in SQL (portable across databases).
        $rows = $DB->get_records(self::TABLE, ['assignment' => $assignid, 'kind' => $kind], 'id DESC', '*',
            0, $root === null ? 1 : 0);
        foreach ($rows as $row) {
            if ($root === null || (string)$row->root === $root) {
                return $row;
            }
        }
        return null;
    }

    /**
     * One run.
     *
     * @param int $runid
     * @return \stdClass|null
     */
    public static function get(int $runid): ?\stdClass {
        global $DB;
        return $DB->get_record(self::TABLE, ['id' => $runid]) ?: null;
    }

    /**
     * The name of a run's stored progress bar: the one \core\task\stored_progress_task_trait
     * gives the task's bar.
     *
     * @param \stdClass $run
     * @return string
     */
    public static function progress_idnumber(\stdClass $run): string {
        return stored_progress_bar::convert_to_idnumber(self::task_class($run->kind) . '_' . (int)$run->taskid);
    }

    /**
     * The adhoc task class that carries out a kind of run.
     *
     * @param string $kind COLLECT or RETURN
     * @return string the class name
     */
    public static function task_class(string $kind): string {
        return $kind === self::COLLECT ? \assignfeedback_lablink\task\collect_task::class
            : \assignfeedback_lablink\task\return_task::class;
    }

    /**
     * The run's options.
     *
     * @param \stdClass $run
     * @return array
     */
    public static function options(\stdClass $run): array {
        return json_decode((string)$run->options, true) ?: [];
    }

    /**
     * The run's per-student results (empty until it is done).
     *
     * @param \stdClass $run
     * @return array[] each userid, status, folder, reason
     */
    public static function results(\stdClass $run): array {
        return json_decode((string)$run->results, true) ?: [];
    }

    /**
     * The task has started (also when it starts again after being killed).
     *
     * @param int $runid
     */
    public static function mark_running(int $runid): void {
        global $DB;
        $DB->update_record(self::TABLE, (object)['id' => $runid, 'status' => self::RUNNING, 'timestarted' => time()]);
    }

    /**
     * The run is done: keeps each student's result.
     *
     * @param int $runid
     * @param array[] $results each userid, status, folder, reason
     */
    public static function finish(int $runid, array $results): void {
        global $DB;
        $DB->update_record(self::TABLE, (object)['id' => $runid, 'status' => self::DONE,
            'results' => json_encode(array_values($results)), 'timefinished' => time()]);
    }

    /**
     * The run stopped as a whole.
     *
     * @param int $runid
     * @param string $reason shown to the teacher
     */
    public static function fail(int $runid, string $reason): void {
        global $DB;
        $DB->update_record(self::TABLE, (object)['id' => $runid, 'status' => self::FAILED, 'error' => $reason,
            'timefinished' => time()]);
    }
}
