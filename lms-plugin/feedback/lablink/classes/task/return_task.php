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
use assignfeedback_lablink\local\collect\manifest;
use assignfeedback_lablink\local\collect\options;
use assignfeedback_lablink\local\collect\result;
use assignfeedback_lablink\local\collect\returner;
use assignfeedback_lablink\local\feedback_area;
use assignfeedback_lablink\local\run;
use assignsubmission_lablink\local\workspace;

/**
 * Returns feedback from a collect folder of the teacher's workspace: through its manifest (never
 * the folder names) each student's feedback folder is zipped by the file server into the
 * feedback area of that student's grade.
 *
 * The manifest is the teacher's file and could have been edited: an entry counts only when its
 * user is a participant and its submission is theirs in this assignment.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class return_task extends run_task {

    /** The cap when the site sets none: the submission plugin's default, 100 MiB. */
    const DEFAULTMAXBYTES = 104857600;

    /**
     * Name shown to admins.
     *
     * @return string
     */
    public function get_name() {
        return get_string('taskreturn', 'assignfeedback_lablink');
    }

    /**
     * The manifest of this assignment in a collect folder. Its name depends on the layout (one per
     * nbgrader assignment, so that several share a course folder): tried as the last collect into
     * this folder was made, then as the assignment's settings say, then as one folder per student.
     *
     * @param \assign $assign
     * @param \assignsubmission_lablink\local\fileserver\client $client
     * @param string $home the teacher's home
     * @param string $root the collect folder
     * @return array [manifest|null, options] the manifest and the engine's options matching it
     */
    private static function find_manifest(\assign $assign, $client, string $home, string $root): array {
        $choices = [];
        $collect = run::latest((int)$assign->get_instance()->id, run::COLLECT, $root);
        if ($collect !== null) {
            $choices[] = run::options($collect);
        }
        $choices[] = ['layout' => options::LAYOUT_NBGRADER,
            'nbassignment' => $assign->get_feedback_plugin_by_type('lablink')->nbassignment()];
        $choices[] = ['layout' => options::LAYOUT_FOLDERS];
        $options = null;
        foreach ($choices as $choice) {
            try {
                $options = collect_task::engine_options($assign, $root, [
                    'layout' => (string)($choice['layout'] ?? options::LAYOUT_FOLDERS),
                    'nbassignment' => (string)($choice['nbassignment'] ?? ''),
                ], self::max_bytes());
            } catch (collect_exception $e) {
                continue; // A name the settings hold but the engine refuses: not where a manifest is.
            }
            $manifest = manifest::load($client, $home, $options);
            if ($manifest !== null) {
                return [$manifest, $options];
            }
        }
        return [null, $options];
    }

    /**
     * Reads the manifest, keeps its trustworthy entries, and lets the engine hand over each zip.
     *
     * @param \assign $assign
     * @param \stdClass $run
     * @param \stdClass $teacher
     * @param callable $progress
     * @return array[]
     */
    protected function work(\assign $assign, \stdClass $run, \stdClass $teacher, callable $progress): array {
        $courseid = (int)$assign->get_course()->id;
        $client = workspace::client($courseid);
        $home = workspace::home_for($teacher);

        [$manifest, $options] = self::find_manifest($assign, $client, $home, (string)$run->root);
        if ($manifest === null) {
            throw new \moodle_exception('nomanifest', 'assignfeedback_lablink', '', s($run->root));
        }
        $manifest->check_matches($options);

        [$entries, $refused] = self::trusted_entries($assign, $manifest->entries());
        $byuser = array_column($entries, null, 'userid');
        $area = new feedback_area($assign);
        $store = function(int $userid, string $zipfile, string $zipname) use ($area, $byuser, $options) {
            $entry = $byuser[$userid] ?? null;
            if ($entry === null) {
                throw new \coding_exception('the engine returned feedback for a user not handed to it');
            }
            $area->store($userid, (int)$entry['attempt'], $zipfile, $zipname,
                $options->path(returner::feedback_folder($entry, $options->layout)));
        };
        $returner = new returner($client, $home, make_request_directory());
        $results = self::rows($returner->run($entries, $options, $store, $progress));

        // Participants the collect never saw are listed too, not silently left out.
        $seen = array_column($results, 'userid');
        foreach ($refused as $userid => $code) {
            $results[] = (new result($userid, result::FAILED, '', $code, ''))->to_array();
            $seen[] = $userid;
        }
        foreach (array_keys($assign->list_participants(0, true)) as $userid) {
            if (!in_array((int)$userid, array_map('intval', $seen), true)) {
                $results[] = (new result((int)$userid, 'not_collected'))->to_array();
            }
        }
        return $results;
    }

    /**
     * The largest feedback zip taken: the submission plugin's site size cap.
     *
     * @return int bytes
     */
    public static function max_bytes(): int {
        return (int)get_config('assignsubmission_lablink', 'maxbytes') ?: self::DEFAULTMAXBYTES;
    }

    /**
     * The entries whose user is a participant and whose submission is theirs here.
     *
     * @param \assign $assign
     * @param array[] $entries the manifest's entries
     * @return array [array[] trusted entries, array userid => errorcode of the refused]
     */
    public static function trusted_entries(\assign $assign, array $entries): array {
        global $DB;
        $participants = $assign->list_participants(0, true);
        $trusted = [];
        $refused = [];
        foreach ($entries as $entry) {
            $userid = (int)($entry['userid'] ?? 0);
            if (!isset($participants[$userid])) {
                continue;
            }
            $submission = $DB->get_record('assign_submission', ['id' => (int)($entry['submissionid'] ?? 0),
                'assignment' => $assign->get_instance()->id]);
            $owner = false;
            if ($submission) {
                if ($assign->get_instance()->teamsubmission) {
                    $group = $assign->get_submission_group($userid);
                    $owner = (int)$submission->groupid === ($group ? (int)$group->id : 0);
                } else {
                    $owner = (int)$submission->userid === $userid;
                }
            }
            if (!$owner || (int)$submission->attemptnumber !== (int)($entry['attempt'] ?? -1)) {
                $refused[$userid] = 'not_this_submission';
                continue;
            }
            $trusted[] = $entry;
        }
        return [$trusted, $refused];
    }

    /**
     * Fires feedback_returned.
     *
     * @param \assign $assign
     * @param \stdClass $run
     * @param array[] $results
     */
    protected function done(\assign $assign, \stdClass $run, array $results): void {
        $counts = array_count_values(array_column($results, 'status'));
        \assignfeedback_lablink\event\feedback_returned::create([
            'context' => $assign->get_context(),
            'objectid' => $run->id,
            'userid' => $run->userid,
            'other' => ['root' => $run->root, 'counts' => $counts],
        ])->trigger();
    }
}
