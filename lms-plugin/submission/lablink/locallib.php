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
 * The lablink workspace submission plugin: students submit a folder of their JupyterHub
 * workspace, streamed as a zip from the file server into the submission's file area.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use assignsubmission_lablink\local\archive_fetch;
use assignsubmission_lablink\local\fileserver\fileserver_exception;
use assignsubmission_lablink\local\plugin_page;
use assignsubmission_lablink\local\source_snapshot;
use assignsubmission_lablink\local\workspace;
use core_external\external_value;

/**
 * Submission plugin class: settings (source folder, size cap), the submission form's folder
 * picker, storing the folder's zip, and showing it.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class assign_submission_lablink extends assign_submission_plugin {

    /** File area holding each submission's zip (item = submission id). */
    const FILEAREA = 'submissions';

    /** Files listed in the summary before it links to the full list. */
    const MAXSUMMARYFILES = 5;

    /** Default size cap when neither the assignment nor the site sets one: 100 MiB. */
    const DEFAULTMAXBYTES = 104857600;

    /**
     * The plugin's name, as teachers and students see it.
     *
     * @return string
     */
    public function get_name() {
        return get_string('workspacefolder', 'assignsubmission_lablink');
    }

    /**
     * The size caps a teacher can choose (the zip is streamed, so PHP's upload limits do not apply).
     *
     * @return array bytes => label; 0 is the site default
     */
    public static function size_choices(): array {
        $default = (int)get_config('assignsubmission_lablink', 'maxbytes') ?: self::DEFAULTMAXBYTES;
        $choices = [0 => get_string('sitedefaultsize', 'assignsubmission_lablink', display_size($default))];
        foreach ([1, 5, 10, 20, 50, 100, 200, 500, 1024, 2048, 5120, 10240] as $mib) {
            $choices[$mib * 1048576] = display_size($mib * 1048576);
        }
        return $choices;
    }

    /**
     * The largest zip accepted for this assignment.
     *
     * @return int bytes
     */
    public function max_bytes(): int {
        $own = (int)$this->get_config('maxbytes');
        return $own ?: ((int)get_config('assignsubmission_lablink', 'maxbytes') ?: self::DEFAULTMAXBYTES);
    }

    /**
     * Settings in the assignment form: the source folder (picked once, then fixed) and the size cap.
     *
     * @param MoodleQuickForm $mform
     * @return void
     */
    public function get_settings(MoodleQuickForm $mform) {
        global $COURSE, $OUTPUT;
        $enabled = 'assignsubmission_lablink_enabled';

        $name = 'assignsubmission_lablink_maxbytes';
        $mform->addElement('select', $name, get_string('maxbytes', 'assignsubmission_lablink'), self::size_choices());
        $mform->addHelpButton($name, 'maxbytes', 'assignsubmission_lablink');
        $mform->setDefault($name, $this->assignment->has_instance() ? (int)$this->get_config('maxbytes') : 0);
        $mform->hideIf($name, $enabled, 'notchecked');

        $path = $this->assignment->has_instance() ? (string)$this->get_config('sourcepath') : '';
        if ($path !== '') {
            // Fixed once chosen: students copied from it. A newer snapshot is taken from the
            // assignment page ("Update source snapshot"), with a confirmation.
            $snapshot = new source_snapshot($this->assignment);
            $html = $OUTPUT->render_from_template('assignsubmission_lablink/source_info',
                $this->source_info_context($snapshot, true));
            $mform->addElement('static', 'assignsubmission_lablink_sourceinfo',
                get_string('sourcefolder', 'assignsubmission_lablink'), $html);
            $mform->hideIf('assignsubmission_lablink_sourceinfo', $enabled, 'notchecked');
            return;
        }

        $name = 'assignsubmission_lablink_sourcepath';
        $mform->addElement('text', $name, get_string('sourcefolder', 'assignsubmission_lablink'), ['size' => 60]);
        $mform->setType($name, PARAM_RAW_TRIMMED);
        $mform->addHelpButton($name, 'sourcefolder', 'assignsubmission_lablink');
        $mform->addRule($name, get_string('invalidpath', 'assignsubmission_lablink'), 'callback',
            workspace::class . '::is_valid_path', 'server');
        $mform->hideIf($name, $enabled, 'notchecked');

        $context = $this->assignment->has_instance() ? $this->assignment->get_context()
            : context_course::instance($COURSE->id);
        $mform->addElement('static', 'assignsubmission_lablink_sourcepicker', '',
            plugin_page::picker('folder', $name, $context, '', 0));
        $mform->hideIf('assignsubmission_lablink_sourcepicker', $enabled, 'notchecked');
    }

    /**
     * Saves the settings; a newly chosen source folder is snapshotted now, from the teacher's home.
     *
     * A snapshot the file server refuses does not lose the assignment: the path is kept, the
     * reason is shown to the teacher, and "Update source snapshot" tries again.
     *
     * @param stdClass $data
     * @return bool
     */
    public function save_settings(stdClass $data) {
        global $USER;

        $this->set_config('maxbytes', (int)($data->assignsubmission_lablink_maxbytes ?? 0));

        $snapshot = new source_snapshot($this->assignment);
        $raw = workspace::form_path($data->assignsubmission_lablink_sourcepath ?? '');
        if ($snapshot->path() !== '' || $raw === '') {
            return true;
        }
        try {
            $path = workspace::normalise($raw);
        } catch (fileserver_exception $e) {
            $this->set_error(get_string('invalidpath', 'assignsubmission_lablink'));
            return false;
        }
        $snapshot->set_path($path);
        try {
            $snapshot->take($USER);
            \core\notification::success(get_string('snapshottaken', 'assignsubmission_lablink', s($path)));
        } catch (fileserver_exception $e) {
            \core\notification::error(get_string('snapshotfailed', 'assignsubmission_lablink', workspace::describe($e)));
        } catch (moodle_exception $e) {
            $this->set_config('sourceerror', 'homeunknown');
            \core\notification::error(get_string('snapshotfailed', 'assignsubmission_lablink', $e->getMessage()));
        }
        return true;
    }

    /**
     * The submission form: a folder field the picker fills (it can also be typed).
     *
     * @param mixed $submission stdClass|null
     * @param MoodleQuickForm $mform
     * @param stdClass $data
     * @param int $userid whose submission this is (a teacher may be submitting on their behalf)
     * @return bool
     */
    public function get_form_elements_for_user($submission, MoodleQuickForm $mform, stdClass $data, $userid) {
        $row = $submission ? $this->get_row($submission->id) : null;
        $previous = $row ? (string)$row->path : '';

        $name = 'lablink_path';
        $mform->addElement('text', $name, get_string('submitfolder', 'assignsubmission_lablink'), ['size' => 60]);
        $mform->setType($name, PARAM_RAW_TRIMMED);
        $mform->addHelpButton($name, 'submitfolder', 'assignsubmission_lablink');
        $mform->addRule($name, get_string('invalidpath', 'assignsubmission_lablink'), 'callback',
            workspace::class . '::is_valid_path', 'server');
        $mform->setDefault($name, $previous);

        $picker = plugin_page::picker('folder', $name, $this->assignment->get_context(), $previous, (int)$userid);
        $note = html_writer::div(get_string('submitnote', 'assignsubmission_lablink', display_size($this->max_bytes())),
            'form-text text-muted');
        $mform->addElement('static', 'lablink_picker', '', $picker . $note);
        return true;
    }

    /**
     * Streams the chosen folder's zip from the file server into the submission.
     *
     * The home is the submitting student's (also when a teacher submits on their behalf), worked
     * out on the server; the size cap is enforced while the zip arrives.
     *
     * @param stdClass $submission
     * @param stdClass $data
     * @return bool
     */
    public function save(stdClass $submission, stdClass $data) {
        global $DB, $USER;

        $raw = workspace::form_path($data->lablink_path ?? '');
        if ($raw === '') {
            // Nothing chosen this time (another plugin's field was edited): keep what is stored.
            return true;
        }
        try {
            $path = workspace::normalise($raw);
        } catch (fileserver_exception $e) {
            $this->set_error(get_string('invalidpath', 'assignsubmission_lablink'));
            return false;
        }
        $user = $this->acting_user($submission, $data);
        try {
            $home = workspace::home_for($user);
        } catch (moodle_exception $e) {
            $this->set_error($e->getMessage());
            return false;
        }

        $maxbytes = $this->max_bytes();
        $context = $this->assignment->get_context();
        try {
            $fetched = archive_fetch::into_area((int)$this->assignment->get_course()->id, $home, $path, $maxbytes, [
                'contextid' => $context->id,
                'component' => 'assignsubmission_lablink',
                'filearea' => self::FILEAREA,
                'itemid' => $submission->id,
                'filepath' => '/',
                'filename' => archive_fetch::zip_name($path),
                'userid' => $user->id,
            ]);
        } catch (fileserver_exception $e) {
            if ($e->errorcode === 'too_large' || $e->errorcode === 'payload_too_large') {
                $this->set_error(get_string('toolarge', 'assignsubmission_lablink', display_size($maxbytes)));
            } else {
                $this->set_error(get_string('submitfailed', 'assignsubmission_lablink', workspace::describe($e)));
            }
            return false;
        }

        $record = (object)[
            'assignment' => $this->assignment->get_instance()->id,
            'submission' => $submission->id,
            'path' => $path,
            'home' => $home,
            'bytes' => $fetched['bytes'],
            'numfiles' => $fetched['contents']['count'],
            'filelist' => json_encode($fetched['contents']['files']),
            'skipped' => count($fetched['skipped']),
            'timesubmitted' => time(),
        ];
        if ($row = $this->get_row($submission->id)) {
            $record->id = $row->id;
            $DB->update_record('assignsubmission_lablink', $record);
        } else {
            $record->id = $DB->insert_record('assignsubmission_lablink', $record);
        }
        if ($record->skipped) {
            \core\notification::info(get_string('skippedlinks', 'assignsubmission_lablink', $record->skipped));
        }

        // Plagiarism plugins listen to this one.
        $file = $fetched['file'];
        $params = [
            'context' => $context,
            'courseid' => $this->assignment->get_course()->id,
            'objectid' => $submission->id,
            'other' => ['content' => '', 'pathnamehashes' => [$file->get_pathnamehash()]],
        ];
        if (!empty($submission->userid) && $submission->userid != $USER->id) {
            $params['relateduserid'] = $submission->userid;
        }
        if ($this->assignment->is_blind_marking()) {
            $params['anonymous'] = 1;
        }
        \assignsubmission_lablink\event\assessable_uploaded::create($params)->trigger();

        $event = [
            'context' => $context,
            'objectid' => $submission->id,
            'other' => ['bytes' => $record->bytes, 'numfiles' => $record->numfiles],
        ];
        if (!empty($submission->userid)) {
            $event['relateduserid'] = $submission->userid;
        }
        \assignsubmission_lablink\event\workspace_submitted::create($event)->trigger();
        return true;
    }

    /**
     * Whose home a submission is read from: the student's own submission is theirs, also when a
     * teacher submits on their behalf (mod_assign checked that right before calling save()); a
     * group submission is read from whoever submits for the group.
     *
     * @param stdClass $submission
     * @param stdClass $data
     * @return stdClass user record
     */
    private function acting_user(stdClass $submission, stdClass $data): stdClass {
        global $DB, $USER;
        $userid = !empty($submission->userid) ? (int)$submission->userid : (int)($data->userid ?? 0);
        if (!$userid || $userid == $USER->id) {
            return $USER;
        }
        return $DB->get_record('user', ['id' => $userid, 'deleted' => 0], '*', MUST_EXIST);
    }

    /**
     * The plugin's row for a submission.
     *
     * @param int $submissionid
     * @return stdClass|false
     */
    private function get_row($submissionid) {
        global $DB;
        return $DB->get_record('assignsubmission_lablink', ['submission' => $submissionid]);
    }

    /**
     * The stored zip of a submission.
     *
     * @param int $submissionid
     * @return stored_file|null
     */
    private function get_zip($submissionid): ?stored_file {
        $files = get_file_storage()->get_area_files($this->assignment->get_context()->id, 'assignsubmission_lablink',
            self::FILEAREA, $submissionid, 'id', false);
        return $files ? reset($files) : null;
    }

    /**
     * Removes the zip of a submission.
     *
     * @param stdClass $submission
     * @return bool
     */
    public function remove(stdClass $submission) {
        global $DB;
        get_file_storage()->delete_area_files($this->assignment->get_context()->id, 'assignsubmission_lablink',
            self::FILEAREA, $submission->id);
        $DB->delete_records('assignsubmission_lablink', ['submission' => $submission->id]);
        return true;
    }

    /**
     * The submission's zip, for "Download all submissions" and offline grading.
     *
     * @param stdClass $submission
     * @param stdClass $user
     * @return array filename => stored_file
     */
    public function get_files(stdClass $submission, stdClass $user) {
        $file = $this->get_zip($submission->id);
        if (!$file) {
            return [];
        }
        if (isset($submission->exportfullpath) && $submission->exportfullpath == false) {
            return [$file->get_filename() => $file];
        }
        return [$file->get_filepath() . $file->get_filename() => $file];
    }

    /**
     * The template context describing a stored submission.
     *
     * @param stdClass $submission
     * @param int $limit files listed, 0 for all kept
     * @return array|null null when nothing is stored
     */
    private function summary_context(stdClass $submission, int $limit): ?array {
        $row = $this->get_row($submission->id);
        $file = $this->get_zip($submission->id);
        if (!$row || !$file) {
            return null;
        }
        $files = json_decode((string)$row->filelist, true) ?: [];
        $listed = $limit ? array_slice($files, 0, $limit) : $files;
        $url = moodle_url::make_pluginfile_url($file->get_contextid(), 'assignsubmission_lablink', self::FILEAREA,
            $file->get_itemid(), $file->get_filepath(), $file->get_filename(), true);
        return [
            'path' => $row->path,
            'zipname' => $file->get_filename(),
            'zipurl' => $url->out(false),
            'size' => display_size((int)$row->bytes),
            'numfiles' => (int)$row->numfiles,
            'files' => array_map(fn($f) => ['name' => (string)$f['name'], 'size' => display_size((int)$f['size'])],
                $listed),
            'more' => max(0, (int)$row->numfiles - count($listed)),
            'skipped' => (int)$row->skipped,
        ];
    }

    /**
     * The submission status table and grading table cell: the zip, its size and first files.
     *
     * @param stdClass $submission
     * @param bool $showviewlink set to true when the full list is longer than the summary
     * @return string
     */
    public function view_summary(stdClass $submission, & $showviewlink) {
        global $OUTPUT;
        $context = $this->summary_context($submission, self::MAXSUMMARYFILES);
        if (!$context) {
            return '';
        }
        $showviewlink = $context['more'] > 0;
        return $OUTPUT->render_from_template('assignsubmission_lablink/summary', $context);
    }

    /**
     * The full list of the submitted files.
     *
     * @param stdClass $submission
     * @return string
     */
    public function view(stdClass $submission) {
        global $OUTPUT;
        $context = $this->summary_context($submission, 0);
        return $context ? $OUTPUT->render_from_template('assignsubmission_lablink/filelist', $context) : '';
    }

    /**
     * The assignment is being deleted: remove the plugin's rows (mod_assign removes the files
     * with the context).
     *
     * @return bool
     */
    public function delete_instance() {
        global $DB;
        $assignid = $this->assignment->get_instance()->id;
        $DB->delete_records('assignsubmission_lablink', ['assignment' => $assignid]);
        $DB->delete_records('assignsubmission_lablink_copy', ['assignment' => $assignid]);
        return true;
    }

    /**
     * True when no zip is stored for the submission.
     *
     * @param stdClass $submission
     * @return bool
     */
    public function is_empty(stdClass $submission) {
        return $this->get_zip($submission->id) === null;
    }

    /**
     * True when the form being saved chose no folder.
     *
     * @param stdClass $data
     * @return bool
     */
    public function submission_is_empty(stdClass $data) {
        return workspace::form_path($data->lablink_path ?? '') === '';
    }

    /**
     * File areas holding submission data.
     *
     * @return array
     */
    public function get_file_areas() {
        return [self::FILEAREA => $this->get_name()];
    }

    /**
     * File areas of the plugin's settings (the source snapshot), for backup and restore.
     *
     * @return array
     */
    public function get_config_file_areas() {
        return [source_snapshot::FILEAREA];
    }

    /**
     * A new attempt based on the previous one carries its zip and row over.
     *
     * @param stdClass $sourcesubmission
     * @param stdClass $destsubmission
     * @return bool
     */
    public function copy_submission(stdClass $sourcesubmission, stdClass $destsubmission) {
        global $DB;
        $fs = get_file_storage();
        $files = $fs->get_area_files($this->assignment->get_context()->id, 'assignsubmission_lablink', self::FILEAREA,
            $sourcesubmission->id, 'id', false);
        foreach ($files as $file) {
            $fs->create_file_from_storedfile(['itemid' => $destsubmission->id], $file);
        }
        if ($row = $this->get_row($sourcesubmission->id)) {
            unset($row->id);
            $row->submission = $destsubmission->id;
            $DB->insert_record('assignsubmission_lablink', $row);
        }
        return true;
    }

    /**
     * Parameters of mod_assign_save_submission for this plugin.
     *
     * @return array
     */
    public function get_external_parameters() {
        return [
            'lablink_path' => new external_value(PARAM_RAW,
                'The folder of the submitting user\'s workspace to submit, e.g. /lab1', VALUE_OPTIONAL),
        ];
    }

    /**
     * Settings shown to web service clients (not the file list).
     *
     * @return array
     */
    public function get_config_for_external() {
        return [
            'maxbytes' => $this->max_bytes(),
            'sourcepath' => (string)$this->get_config('sourcepath'),
            'sourceversion' => (int)$this->get_config('sourceversion'),
        ];
    }

    /**
     * The source section on the assignment page: "Get a copy" for students (and whether a newer
     * snapshot exists than the one they copied), the snapshot and "Update source snapshot" for
     * teachers.
     *
     * @return string
     */
    public function view_header() {
        global $OUTPUT, $USER;
        if ((string)$this->get_config('sourcepath') === '') {
            return '';
        }
        $context = $this->assignment->get_context();
        $canmanage = has_capability('moodle/course:manageactivities', $context);
        $cansubmit = has_capability('mod/assign:submit', $context, null, false);
        if (!$canmanage && !$cansubmit) {
            return '';
        }
        $snapshot = new source_snapshot($this->assignment);
        $data = $this->source_info_context($snapshot, $canmanage);
        $info = $snapshot->info();
        if ($cansubmit && $info->version > 0) {
            $data['copyurl'] = $this->page_url('getcopy')->out(false);
            if ($copy = $snapshot->last_copy((int)$USER->id)) {
                $data['copied'] = [
                    'path' => $copy->path,
                    'time' => userdate($copy->timecopied),
                    'outdated' => (int)$copy->version < $info->version,
                ];
            }
        }
        return $OUTPUT->render_from_template('assignsubmission_lablink/source_section', $data);
    }

    /**
     * Template context describing the source snapshot.
     *
     * @param source_snapshot $snapshot
     * @param bool $canmanage whether to offer "Update source snapshot" and show errors
     * @return array
     */
    private function source_info_context(source_snapshot $snapshot, bool $canmanage): array {
        $info = $snapshot->info();
        $file = $snapshot->file();
        $data = [
            'path' => $info->path,
            'hassnapshot' => $info->version > 0 && $file !== null,
            'version' => $info->version,
            'time' => $info->time ? userdate($info->time) : '',
            'size' => display_size($info->bytes),
            'numfiles' => $info->count,
            'canmanage' => $canmanage,
        ];
        if ($file) {
            $data['zipurl'] = moodle_url::make_pluginfile_url($file->get_contextid(), 'assignsubmission_lablink',
                source_snapshot::FILEAREA, 0, $file->get_filepath(), $file->get_filename(), true)->out(false);
        }
        if ($canmanage && $this->assignment->has_instance()) {
            $data['updateurl'] = $this->page_url('updatesource')->out(false);
            if ($info->error !== '') {
                $data['error'] = workspace::describe_code($info->error);
            }
        }
        return $data;
    }

    /**
     * URL of one of the plugin's pages inside the assignment.
     *
     * @param string $action getcopy|updatesource
     * @param array $params more parameters
     * @return moodle_url
     */
    private function page_url(string $action, array $params = []): moodle_url {
        return plugin_page::url($this->assignment, 'assignsubmission', $action, $params);
    }

    /**
     * The plugin's pages: "Get a copy" and "Update source snapshot".
     *
     * @param string $action
     * @return string
     */
    public function view_page($action) {
        if ($action === 'getcopy') {
            return $this->view_get_copy();
        }
        if ($action === 'updatesource') {
            return $this->view_update_source();
        }
        throw new moodle_exception('invalidformdata');
    }

    /**
     * "Get a copy": the student picks a destination folder; the snapshot is extracted there under
     * a free name, which is shown.
     *
     * @return string
     */
    private function view_get_copy(): string {
        global $OUTPUT, $USER;
        $context = $this->assignment->get_context();
        require_capability('mod/assign:submit', $context);
        $snapshot = new source_snapshot($this->assignment);
        $backurl = new moodle_url('/mod/assign/view.php', ['id' => $this->assignment->get_course_module()->id]);

        if (optional_param('copy', 0, PARAM_BOOL)) {
            require_sesskey();
            $raw = required_param('lablink_destination', PARAM_RAW_TRIMMED);
            try {
                $landed = $snapshot->copy_to($USER, workspace::normalise($raw === '' ? '/' : $raw));
            } catch (fileserver_exception $e) {
                redirect($this->page_url('getcopy'), get_string('copyfailed', 'assignsubmission_lablink',
                    workspace::describe($e)), null, \core\output\notification::NOTIFY_ERROR);
            } catch (moodle_exception $e) {
                redirect($this->page_url('getcopy'), $e->getMessage(), null, \core\output\notification::NOTIFY_ERROR);
            }
            redirect($backurl, get_string('copydone', 'assignsubmission_lablink', s($landed)), null,
                \core\output\notification::NOTIFY_SUCCESS);
        }

        $info = $snapshot->info();
        $o = plugin_page::header($this->assignment, get_string('getcopy', 'assignsubmission_lablink'));
        $o .= $OUTPUT->render_from_template('assignsubmission_lablink/copy_page', [
            'action' => $this->page_url('getcopy')->out(false),
            'sesskey' => sesskey(),
            'field' => 'lablink_destination',
            'picker' => plugin_page::picker('destination', 'lablink_destination', $context, '', 0),
            'hassnapshot' => $info->version > 0,
            'numfiles' => $info->count,
            'size' => display_size($info->bytes),
            'cancelurl' => $backurl->out(false),
        ]);
        return $o . $OUTPUT->footer();
    }

    /**
     * "Update source snapshot": a confirmation, then a new snapshot from the teacher's home.
     *
     * @return string
     */
    private function view_update_source(): string {
        global $OUTPUT, $USER;
        require_capability('moodle/course:manageactivities', $this->assignment->get_context());
        $snapshot = new source_snapshot($this->assignment);
        $backurl = new moodle_url('/mod/assign/view.php', ['id' => $this->assignment->get_course_module()->id]);
        if ($snapshot->path() === '') {
            throw new moodle_exception('nosource', 'assignsubmission_lablink', $backurl);
        }
        if (optional_param('confirm', 0, PARAM_BOOL)) {
            require_sesskey();
            try {
                $info = $snapshot->take($USER);
            } catch (fileserver_exception $e) {
                redirect($backurl, get_string('snapshotfailed', 'assignsubmission_lablink', workspace::describe($e)),
                    null, \core\output\notification::NOTIFY_ERROR);
            } catch (moodle_exception $e) {
                redirect($backurl, get_string('snapshotfailed', 'assignsubmission_lablink', $e->getMessage()),
                    null, \core\output\notification::NOTIFY_ERROR);
            }
            redirect($backurl, get_string('snapshotupdated', 'assignsubmission_lablink', $info->version), null,
                \core\output\notification::NOTIFY_SUCCESS);
        }
        $o = plugin_page::header($this->assignment, get_string('updatesource', 'assignsubmission_lablink'));
        $continue = new single_button($this->page_url('updatesource', ['confirm' => 1]),
            get_string('updatesource', 'assignsubmission_lablink'), 'post', single_button::BUTTON_PRIMARY);
        $o .= $OUTPUT->confirm(get_string('updatesourceconfirm', 'assignsubmission_lablink', s($snapshot->path())),
            $continue, $backurl);
        return $o . $OUTPUT->footer();
    }
}
