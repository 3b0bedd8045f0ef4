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

/**
 * The lablink workspace feedback plugin: teachers collect every submission into their JupyterHub
 * workspace (one folder per student, or nbgrader's layout) and return feedback folders from
 * there; students see the returned feedback and can copy it into their own workspace.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use assignfeedback_lablink\local\collect\folder_namer;
use assignfeedback_lablink\local\collect\options;
use assignfeedback_lablink\local\feedback_area;
use assignfeedback_lablink\local\run;
use assignfeedback_lablink\local\submission_items;
use assignsubmission_lablink\local\fileserver\fileserver_exception;
use assignsubmission_lablink\local\plugin_page;
use assignsubmission_lablink\local\workspace;

/**
 * Feedback plugin class: settings (layout, folder naming, nbgrader name), the collect and return
 * pages of the grading page, their status, and the returned feedback for students.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class assign_feedback_lablink extends assign_feedback_plugin {

    /** Files of a feedback zip listed in the summary before it links to the full list. */
    const MAXSUMMARYFILES = 5;

    /** The layouts of a collect. */
    const LAYOUTS = ['folders', 'nbgrader'];

    /** How collected folders are named. */
    const NAMINGS = ['fullname', 'studentid'];

    /** The form field the picker writes the chosen folder into. */
    const ROOTFIELD = 'lablink_root';

    /** The form field of the student's destination. */
    const DESTFIELD = 'lablink_destination';

    /**
     * The plugin's name, as teachers and students see it.
     *
     * @return string
     */
    public function get_name() {
        return get_string('workspacefeedback', 'assignfeedback_lablink');
    }

    /**
     * The assignment's layout, else the site default.
     *
     * @return string folders|nbgrader
     */
    public function layout(): string {
        $layout = $this->assignment->has_instance() ? (string)$this->get_config('layout') : '';
        if (!in_array($layout, self::LAYOUTS, true)) {
            $layout = (string)get_config('assignfeedback_lablink', 'layout');
        }
        return in_array($layout, self::LAYOUTS, true) ? $layout : 'folders';
    }

    /**
     * The assignment's folder naming, else the site default.
     *
     * @return string fullname|studentid
     */
    public function naming(): string {
        $naming = $this->assignment->has_instance() ? (string)$this->get_config('naming') : '';
        if (!in_array($naming, self::NAMINGS, true)) {
            $naming = (string)get_config('assignfeedback_lablink', 'naming');
        }
        return in_array($naming, self::NAMINGS, true) ? $naming : 'fullname';
    }

    /**
     * The nbgrader assignment name: the one set, else the activity's ID number, else a slug of
     * its name.
     *
     * @return string
     */
    public function nbassignment(): string {
        $own = $this->assignment->has_instance() ? (string)$this->get_config('nbassignment') : '';
        return $own !== '' ? $own : $this->default_nbassignment();
    }

    /**
     * The nbgrader name used when none is set.
     *
     * @return string
     */
    public function default_nbassignment(): string {
        if ($this->assignment->has_instance()) {
            $idnumber = trim((string)$this->assignment->get_course_module()->idnumber);
            if ($idnumber !== '' && folder_namer::is_safe($idnumber)) {
                return $idnumber;
            }
            return self::slug((string)$this->assignment->get_instance()->name);
        }
        return 'assignment';
    }

    /**
     * A folder-safe slug of a name: ASCII letters, digits, `-` and `_`.
     *
     * @param string $name
     * @return string never empty
     */
    public static function slug(string $name): string {
        $ascii = core_text::specialtoascii(strip_tags($name));
        $slug = trim(preg_replace('/[^a-z0-9_]+/', '-', strtolower($ascii)), '-_');
        return $slug === '' ? 'assignment' : substr($slug, 0, 100);
    }

    /**
     * Settings in the assignment form: layout, folder naming, nbgrader assignment name.
     *
     * @param MoodleQuickForm $mform
     * @return void
     */
    public function get_settings(MoodleQuickForm $mform) {
        $enabled = 'assignfeedback_lablink_enabled';
        $component = 'assignfeedback_lablink';

        $name = 'assignfeedback_lablink_layout';
        $mform->addElement('select', $name, get_string('layout', $component), [
            'folders' => get_string('layout_folders', $component),
            'nbgrader' => get_string('layout_nbgrader', $component),
        ]);
        $mform->addHelpButton($name, 'layout', $component);
        $mform->setDefault($name, $this->layout());
        $mform->hideIf($name, $enabled, 'notchecked');

        $name = 'assignfeedback_lablink_naming';
        $mform->addElement('select', $name, get_string('naming', $component), [
            'fullname' => get_string('naming_fullname', $component),
            'studentid' => get_string('naming_studentid', $component),
        ]);
        $mform->addHelpButton($name, 'naming', $component);
        $mform->setDefault($name, $this->naming());
        $mform->hideIf($name, $enabled, 'notchecked');
        $mform->hideIf($name, 'assignfeedback_lablink_layout', 'eq', 'nbgrader');

        $name = 'assignfeedback_lablink_nbassignment';
        $mform->addElement('text', $name, get_string('nbassignment', $component), ['size' => 40]);
        $mform->setType($name, PARAM_RAW);
        $mform->addHelpButton($name, 'nbassignment', $component);
        $mform->setDefault($name, $this->assignment->has_instance() ? (string)$this->get_config('nbassignment') : '');
        $mform->addRule($name, get_string('badnbassignment', $component), 'callback',
            self::class . '::is_valid_nbassignment', 'server');
        $mform->hideIf($name, $enabled, 'notchecked');
        $mform->hideIf($name, 'assignfeedback_lablink_layout', 'neq', 'nbgrader');
    }

    /**
     * Whether an nbgrader assignment name can be used ('' counts: the default is then used).
     *
     * @param mixed $value
     * @return bool
     */
    public static function is_valid_nbassignment($value): bool {
        $value = is_scalar($value) ? trim((string)$value, " \t\r\n") : '';
        return $value === '' || (folder_namer::is_safe($value) && strlen($value) <= options::MAX_NBASSIGNMENT_BYTES);
    }

    /**
     * Saves the settings.
     *
     * @param stdClass $data
     * @return bool
     */
    public function save_settings(stdClass $data) {
        // Absent fields (an assignment made by a generator or a web service) take the defaults.
        $layout = (string)($data->assignfeedback_lablink_layout ?? $this->layout());
        $naming = (string)($data->assignfeedback_lablink_naming ?? $this->naming());
        $nbassignment = trim((string)($data->assignfeedback_lablink_nbassignment ?? ''), " \t\r\n");
        if (!in_array($layout, self::LAYOUTS, true) || !in_array($naming, self::NAMINGS, true)
                || !self::is_valid_nbassignment($nbassignment)) {
            $this->set_error(get_string('badsettings', 'assignfeedback_lablink'));
            return false;
        }
        $this->set_config('layout', $layout);
        $this->set_config('naming', $naming);
        $this->set_config('nbassignment', $nbassignment);
        return true;
    }

    /**
     * True when no feedback was returned for this grade.
     *
     * @param stdClass $grade
     * @return bool
     */
    public function is_empty(stdClass $grade) {
        return (new feedback_area($this->assignment))->file((int)$grade->id) === null;
    }

    /**
     * File areas holding feedback.
     *
     * @return array
     */
    public function get_file_areas() {
        return [feedback_area::FILEAREA => $this->get_name()];
    }

    /**
     * The returned zip of a grade.
     *
     * @param stdClass $grade
     * @param stdClass $user
     * @return array filename => stored_file
     */
    public function get_files(stdClass $grade, stdClass $user) {
        $file = (new feedback_area($this->assignment))->file((int)$grade->id);
        return $file ? [$file->get_filename() => $file] : [];
    }

    /**
     * The assignment is being deleted: remove the plugin's rows (the files go with the context).
     *
     * @return bool
     */
    public function delete_instance() {
        global $DB;
        $assignid = $this->assignment->get_instance()->id;
        $DB->delete_records(feedback_area::TABLE, ['assignment' => $assignid]);
        $DB->delete_records(run::TABLE, ['assignment' => $assignid]);
        return true;
    }

    /**
     * Template context of a grade's feedback.
     *
     * @param stdClass $grade
     * @param int $limit files listed, 0 for all kept
     * @return array|null null when nothing was returned
     */
    private function feedback_context(stdClass $grade, int $limit): ?array {
        global $USER;
        $area = new feedback_area($this->assignment);
        $file = $area->file((int)$grade->id);
        $row = $area->row((int)$grade->id);
        if (!$file || !$row) {
            return null;
        }
        $files = json_decode((string)$row->filelist, true) ?: [];
        $listed = $limit ? array_slice($files, 0, $limit) : $files;
        $data = [
            'zipname' => $file->get_filename(),
            'zipurl' => moodle_url::make_pluginfile_url($file->get_contextid(), 'assignfeedback_lablink',
                feedback_area::FILEAREA, $file->get_itemid(), $file->get_filepath(), $file->get_filename(), true)->out(false),
            'size' => display_size((int)$row->bytes),
            'numfiles' => (int)$row->numfiles,
            'files' => array_map(fn($f) => ['name' => (string)$f['name'], 'size' => display_size((int)$f['size'])], $listed),
            'more' => max(0, (int)$row->numfiles - count($listed)),
            'time' => userdate((int)$row->timereturned),
        ];
        if ((int)$grade->userid === (int)$USER->id
                && has_capability('mod/assign:submit', $this->assignment->get_context(), null, false)) {
            $data['copyurl'] = $this->page_url('getfeedback', ['gradeid' => $grade->id])->out(false);
        }
        return $data;
    }

    /**
     * The feedback status table and grading table cell: the zip and its first files.
     *
     * @param stdClass $grade
     * @param bool $showviewlink set to true when the full list is longer than the summary
     * @return string
     */
    public function view_summary(stdClass $grade, & $showviewlink) {
        global $OUTPUT;
        $data = $this->feedback_context($grade, self::MAXSUMMARYFILES);
        if (!$data) {
            return '';
        }
        $showviewlink = $data['more'] > 0;
        return $OUTPUT->render_from_template('assignfeedback_lablink/feedback_summary', $data);
    }

    /**
     * The full list of the returned files.
     *
     * @param stdClass $grade
     * @return string
     */
    public function view(stdClass $grade) {
        global $OUTPUT;
        $data = $this->feedback_context($grade, 0);
        return $data ? $OUTPUT->render_from_template('assignfeedback_lablink/feedback_summary', $data) : '';
    }

    /**
     * The grading page's actions menu: collect and return.
     *
     * @return array action => label
     */
    public function get_grading_actions() {
        return [
            'collect' => get_string('collectall', 'assignfeedback_lablink'),
            'return' => get_string('returnfeedback', 'assignfeedback_lablink'),
        ];
    }

    /**
     * A grading action's page. mod_assign 4.5 links its actions menu to view_page() (action
     * viewpluginpage); this answers the older entry point the same way.
     *
     * @param string $gradingaction collect|return
     * @return string
     */
    public function grading_action($gradingaction) {
        return array_key_exists($gradingaction, $this->get_grading_actions()) ? $this->view_page($gradingaction) : '';
    }

    /**
     * The grading table's bulk action for the selected students.
     *
     * @return array
     */
    public function get_grading_batch_operation_details() {
        global $OUTPUT;
        return [
            (object)[
                'key' => 'collect',
                'label' => get_string('batchcollect', 'assignfeedback_lablink'),
                'icon' => $OUTPUT->pix_icon('i/import', ''),
                'confirmationtitle' => get_string('batchcollect', 'assignfeedback_lablink'),
                'confirmationquestion' => get_string('batchcollectconfirm', 'assignfeedback_lablink'),
            ],
        ];
    }

    /**
     * The selected students' collect page (the grading table's bulk action).
     *
     * @param string $action
     * @param array $users selected user ids
     * @return string
     */
    public function grading_batch_operation($action, $users) {
        if ($action === 'collect') {
            return $this->view_run_form(run::COLLECT, array_map('intval', (array)$users));
        }
        return '';
    }

    /**
     * The plugin's pages.
     *
     * @param string $action collect|return|status|getfeedback
     * @return string
     */
    public function view_page($action) {
        if ($action === 'collect') {
            $selected = optional_param('selectedusers', '', PARAM_SEQUENCE);
            return $this->view_run_form(run::COLLECT, $selected === '' ? [] : array_map('intval', explode(',', $selected)));
        }
        if ($action === 'return') {
            return $this->view_run_form(run::RETURN, []);
        }
        if ($action === 'status') {
            return $this->view_status(required_param('run', PARAM_INT));
        }
        if ($action === 'getfeedback') {
            return $this->view_get_feedback(required_param('gradeid', PARAM_INT));
        }
        throw new moodle_exception('invalidformdata');
    }

    /**
     * The options of a run as sent by the browser, each checked; what is wrong is listed.
     *
     * @param string $kind
     * @param int[] $selected selected user ids (collect only)
     * @return array [array $values (as sent, for the form again), array $options (checked), string[] $errors]
     */
    public function read_run_form(string $kind, array $selected): array {
        $component = 'assignfeedback_lablink';
        $errors = [];
        $values = ['root' => workspace::form_path(optional_param(self::ROOTFIELD, '', PARAM_RAW))];
        $root = '';
        if ($values['root'] === '') {
            $errors[] = get_string('noroot', $component);
        } else if (!workspace::is_valid_path($values['root'])) {
            $errors[] = get_string('invalidpath', 'assignsubmission_lablink');
        } else {
            $root = workspace::normalise($values['root']);
        }
        $options = [];
        if ($kind === run::COLLECT) {
            $values['layout'] = optional_param('layout', $this->layout(), PARAM_ALPHA);
            $values['naming'] = optional_param('naming', $this->naming(), PARAM_ALPHA);
            $values['nbassignment'] = workspace::form_path(optional_param('nbassignment', $this->nbassignment(), PARAM_RAW));
            $values['overwrite'] = optional_param('overwrite', 0, PARAM_BOOL);
            $values['attempt'] = optional_param('attempt', submission_items::LATEST, PARAM_INT);
            if (!in_array($values['layout'], self::LAYOUTS, true) || !in_array($values['naming'], self::NAMINGS, true)) {
                $errors[] = get_string('badsettings', $component);
            }
            if ($values['layout'] === 'nbgrader' && !folder_namer::is_safe($values['nbassignment'])) {
                $errors[] = get_string('badnbassignment', $component);
            }
            if ($values['attempt'] !== submission_items::LATEST
                    && !in_array($values['attempt'], submission_items::attempt_numbers($this->assignment), true)) {
                $errors[] = get_string('badattempt', $component);
            }
            $userids = submission_items::participants_among($this->assignment, $selected);
            if ($selected && !$userids) {
                $errors[] = get_string('noparticipants', $component);
            }
            $options = [
                'layout' => $values['layout'],
                'naming' => $values['naming'],
                'nbassignment' => $values['layout'] === 'nbgrader' ? $values['nbassignment'] : '',
                'overwrite' => (bool)$values['overwrite'],
                'attempt' => (int)$values['attempt'],
                'userids' => $userids,
            ];
        }
        return [$values, ['root' => $root] + $options, $errors];
    }

    /**
     * The collect or return page: choose the folder (and a collect's options), then start.
     * Starting checks the sesskey and the grading right, re-checks every value, and queues the
     * run's task; the page then shows the run's progress.
     *
     * @param string $kind
     * @param int[] $selected the selected users of the bulk action, [] for everyone
     * @return string
     */
    private function view_run_form(string $kind, array $selected): string {
        global $OUTPUT, $USER;
        $context = $this->assignment->get_context();
        require_capability('mod/assign:grade', $context);
        $errors = [];
        $values = [];
        if (optional_param('start', 0, PARAM_BOOL)) {
            require_sesskey();
            [$values, $options, $errors] = $this->read_run_form($kind, $selected);
            $row = null;
            if (!$errors) {
                try {
                    $row = $this->start_run($kind, $USER, $options);
                } catch (moodle_exception $e) {
                    $errors[] = $e->getMessage();
                }
            }
            if ($row) {
                redirect($this->page_url('status', ['run' => $row->id]));
            }
        }
        $title = get_string($kind === run::COLLECT ? 'collectall' : 'returnfeedback', 'assignfeedback_lablink');
        $o = plugin_page::header($this->assignment, $title);
        $o .= $OUTPUT->render_from_template('assignfeedback_lablink/run_form',
            $this->run_form_context($kind, $selected, $values, $errors));
        return $o . $OUTPUT->footer();
    }

    /**
     * Starts a run with checked options (the page's POST, and tests).
     *
     * @param string $kind
     * @param stdClass $user the teacher
     * @param array $options from read_run_form(): root and the collect's options
     * @return stdClass the run's row
     * @throws moodle_exception runbusy
     */
    public function start_run(string $kind, stdClass $user, array $options): stdClass {
        $root = (string)$options['root'];
        unset($options['root']);
        return run::start($this->assignment, $kind, $user, $root, $options);
    }

    /**
     * Template context of the collect or return form.
     *
     * @param string $kind
     * @param int[] $selected
     * @param array $values what was sent, when the form is shown again
     * @param string[] $errors
     * @return array
     */
    private function run_form_context(string $kind, array $selected, array $values, array $errors): array {
        $component = 'assignfeedback_lablink';
        $assignid = (int)$this->assignment->get_instance()->id;
        $iscollect = $kind === run::COLLECT;
        $root = $values['root'] ?? '';
        if ($root === '' && !$errors) {
            $last = run::latest($assignid, run::COLLECT);
            $root = $last ? (string)$last->root : '';
        }
        $data = [
            'action' => $this->page_url($kind)->out(false),
            'sesskey' => sesskey(),
            'iscollect' => $iscollect,
            'field' => self::ROOTFIELD,
            'root' => $root,
            'picker' => plugin_page::picker('folder', self::ROOTFIELD, $this->assignment->get_context(), $root),
            'errors' => array_map(fn($e) => ['message' => $e], $errors),
            'cancelurl' => (new moodle_url('/mod/assign/view.php', ['id' => $this->assignment->get_course_module()->id,
                'action' => 'grading']))->out(false),
        ];
        if ($active = run::active($assignid)) {
            $data['activeurl'] = $this->page_url('status', ['run' => $active->id])->out(false);
        }
        if (!$iscollect) {
            return $data;
        }
        $layout = $values['layout'] ?? $this->layout();
        $naming = $values['naming'] ?? $this->naming();
        $attempt = (int)($values['attempt'] ?? submission_items::LATEST);
        $data['layouts'] = array_map(fn($l) => ['value' => $l, 'label' => get_string('layout_' . $l, $component),
            'selected' => $l === $layout], self::LAYOUTS);
        $data['namings'] = array_map(fn($n) => ['value' => $n, 'label' => get_string('naming_' . $n, $component),
            'selected' => $n === $naming], self::NAMINGS);
        $data['nbassignment'] = $values['nbassignment'] ?? $this->nbassignment();
        $data['overwrite'] = !empty($values['overwrite']);
        $attempts = [['value' => submission_items::LATEST, 'label' => get_string('attemptlatest', $component),
            'selected' => $attempt === submission_items::LATEST]];
        foreach (submission_items::attempt_numbers($this->assignment) as $number) {
            $attempts[] = ['value' => $number, 'label' => get_string('attemptnumber', $component, $number + 1),
                'selected' => $attempt === $number];
        }
        $data['attempts'] = $attempts;
        $data['hasattempts'] = count($attempts) > 2;
        if ($selected) {
            $data['selectedusers'] = implode(',', $selected);
            $data['selectedcount'] = count(submission_items::participants_among($this->assignment, $selected));
        }
        return $data;
    }

    /**
     * A run's page: its progress while it works, each student's result when done.
     *
     * @param int $runid
     * @return string
     */
    private function view_status(int $runid): string {
        global $DB, $OUTPUT, $PAGE;
        $context = $this->assignment->get_context();
        require_capability('mod/assign:grade', $context);
        $run = run::get($runid);
        if (!$run || (int)$run->assignment !== (int)$this->assignment->get_instance()->id) {
            throw new moodle_exception('invalidrecord', 'error', '', 'assignfeedback_lablink_run');
        }
        $component = 'assignfeedback_lablink';
        // The header first: the stored progress bar renders with the page's real $OUTPUT.
        $title = get_string($run->kind === run::COLLECT ? 'collectstatus' : 'returnstatus', $component);
        $o = plugin_page::header($this->assignment, $title);
        $starter = $DB->get_record('user', ['id' => $run->userid]);
        $data = [
            'iscollect' => $run->kind === run::COLLECT,
            'root' => $run->root,
            'starter' => $starter ? fullname($starter) : '',
            'timecreated' => userdate((int)$run->timecreated),
            'status' => get_string('run_' . $run->status, $component),
            'finished' => in_array($run->status, [run::DONE, run::FAILED], true),
            'failed' => $run->status === run::FAILED,
            'error' => (string)$run->error,
            'refreshurl' => $this->page_url('status', ['run' => $run->id])->out(false),
            'gradingurl' => (new moodle_url('/mod/assign/view.php', ['id' => $this->assignment->get_course_module()->id,
                'action' => 'grading']))->out(false),
        ];
        if (!$data['finished']) {
            $bar = \core\output\stored_progress_bar::get_by_idnumber(run::progress_idnumber($run));
            $data['progress'] = $bar ? $bar->get_content() : '';
            $data['barid'] = $bar ? $bar->get_id() : '';
            if ($bar) {
                // Shows the results as soon as the bar reaches its end.
                $PAGE->requires->js_call_amd('assignfeedback_lablink/run_status', 'init', [$bar->get_id()]);
            }
        } else if ($run->status === run::DONE) {
            $data['results'] = $this->results_context(run::results($run));
            $data['hasresults'] = !empty($data['results']);
            if ($run->kind === run::COLLECT) {
                $data['returnurl'] = $this->page_url('return')->out(false);
            }
        }
        $o .= $OUTPUT->render_from_template('assignfeedback_lablink/run_status', $data);
        return $o . $OUTPUT->footer();
    }

    /**
     * The per-student rows of a finished run, by student name.
     *
     * @param array[] $results
     * @return array[]
     */
    private function results_context(array $results): array {
        global $DB;
        $ids = array_map('intval', array_column($results, 'userid'));
        $users = $ids ? $DB->get_records_list('user', 'id', $ids) : [];
        $rows = [];
        foreach ($results as $result) {
            $userid = (int)$result['userid'];
            $status = (string)$result['status'];
            $reason = '';
            if ((string)($result['errorcode'] ?? '') !== '') {
                $code = (string)$result['errorcode'];
                $reason = get_string_manager()->string_exists('engine_' . $code, 'assignfeedback_lablink')
                    ? get_string('engine_' . $code, 'assignfeedback_lablink') : workspace::describe_code($code);
            }
            $rows[] = [
                'name' => isset($users[$userid]) ? $this->assignment->fullname($users[$userid])
                    : get_string('unknownuser', 'assignfeedback_lablink', $userid),
                'status' => get_string_manager()->string_exists('status_' . $status, 'assignfeedback_lablink')
                    ? get_string('status_' . $status, 'assignfeedback_lablink') : s($status),
                'statuskey' => $status,
                'failed' => $status === 'failed',
                'folder' => (string)($result['folder'] ?? ''),
                'reason' => $reason,
                'detail' => (string)($result['message'] ?? ''),
            ];
        }
        core_collator::asort_array_of_arrays_by_key($rows, 'name');
        return array_values($rows);
    }

    /**
     * "Get feedback into my workspace": the student picks a destination folder; the feedback zip
     * is unpacked there under a free name, which is shown.
     *
     * @param int $gradeid
     * @return string
     */
    private function view_get_feedback(int $gradeid): string {
        global $DB, $OUTPUT, $USER;
        $context = $this->assignment->get_context();
        require_capability('mod/assign:submit', $context);
        $grade = $DB->get_record('assign_grades', ['id' => $gradeid,
            'assignment' => $this->assignment->get_instance()->id]);
        if (!$grade || (int)$grade->userid !== (int)$USER->id || !$this->feedback_released((int)$USER->id)) {
            throw new moodle_exception('nofeedback', 'assignfeedback_lablink');
        }
        $area = new feedback_area($this->assignment);
        $file = $area->file($gradeid);
        if (!$file) {
            throw new moodle_exception('nofeedback', 'assignfeedback_lablink');
        }
        $backurl = new moodle_url('/mod/assign/view.php', ['id' => $this->assignment->get_course_module()->id]);
        $pageurl = $this->page_url('getfeedback', ['gradeid' => $gradeid]);

        if (optional_param('copy', 0, PARAM_BOOL)) {
            require_sesskey();
            $raw = workspace::form_path(required_param(self::DESTFIELD, PARAM_RAW));
            try {
                $landed = $this->copy_feedback($USER, $file, workspace::normalise($raw === '' ? '/' : $raw));
            } catch (fileserver_exception $e) {
                redirect($pageurl, get_string('copyfailed', 'assignfeedback_lablink', workspace::describe($e)), null,
                    \core\output\notification::NOTIFY_ERROR);
            } catch (moodle_exception $e) {
                redirect($pageurl, $e->getMessage(), null, \core\output\notification::NOTIFY_ERROR);
            }
            \assignfeedback_lablink\event\feedback_copied::create([
                'context' => $context,
                'objectid' => $gradeid,
                'other' => ['path' => $landed],
            ])->trigger();
            redirect($backurl, get_string('copydone', 'assignfeedback_lablink', s($landed)), null,
                \core\output\notification::NOTIFY_SUCCESS);
        }

        $row = $area->row($gradeid);
        $o = plugin_page::header($this->assignment, get_string('getfeedback', 'assignfeedback_lablink'));
        $o .= $OUTPUT->render_from_template('assignfeedback_lablink/getfeedback_page', [
            'action' => $pageurl->out(false),
            'sesskey' => sesskey(),
            'field' => self::DESTFIELD,
            'picker' => plugin_page::picker('destination', self::DESTFIELD, $this->assignment->get_context(), ''),
            'zipname' => $file->get_filename(),
            'numfiles' => $row ? (int)$row->numfiles : 0,
            'size' => display_size($file->get_filesize()),
            'cancelurl' => $backurl->out(false),
        ]);
        return $o . $OUTPUT->footer();
    }

    /**
     * Unpacks a feedback zip into a user's own home, beside what is there (never over it).
     *
     * @param stdClass $user the student (the home is always their own)
     * @param stored_file $file the feedback zip
     * @param string $destination a checked folder path
     * @return string the folder created, as `/a/b`
     * @throws fileserver_exception|moodle_exception
     */
    public function copy_feedback(stdClass $user, stored_file $file, string $destination): string {
        $home = workspace::home_for($user);
        $name = pathinfo($file->get_filename(), PATHINFO_FILENAME);
        $name = folder_namer::is_safe($name) ? $name : 'feedback';
        $target = ($destination === '/' ? '' : $destination) . '/' . $name;
        $zippath = get_file_storage()->get_file_system()->get_local_path_from_storedfile($file, true);
        $client = workspace::client((int)$this->assignment->get_course()->id);
        $result = $client->extract_from_file($home, $target, $zippath, 'rename');
        return (string)$result['path'];
    }

    /**
     * Whether a student's feedback may be shown yet (with marking workflow: once released).
     *
     * @param int $userid
     * @return bool
     */
    public function feedback_released(int $userid): bool {
        if (!$this->assignment->get_instance()->markingworkflow) {
            return true;
        }
        $flags = $this->assignment->get_user_flags($userid, false);
        return $flags && $flags->workflowstate === ASSIGN_MARKING_WORKFLOW_STATE_RELEASED;
    }

    /**
     * URL of one of the plugin's pages inside the assignment.
     *
     * @param string $action collect|return|status|getfeedback (letters only: mod_assign reads it as PARAM_ALPHA)
     * @param array $params more parameters
     * @return moodle_url
     */
    public function page_url(string $action, array $params = []): moodle_url {
        return plugin_page::url($this->assignment, 'assignfeedback', $action, $params);
    }
}
