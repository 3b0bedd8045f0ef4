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

namespace assignsubmission_lablink\local;

use assignsubmission_lablink\local\fileserver\fileserver_exception;

/**
 * The assignment's source: the teacher's folder, snapshotted into the assignment's 'source' file
 * area, and the copies students fetch of it.
 *
 * The snapshot's facts live in the plugin's settings (version, time, size, file list); each
 * update bumps the version, so a student whose last copy has an older version is told a newer
 * one exists.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class source_snapshot {

    /** File area of the snapshot (item 0 of the module context). */
    public const FILEAREA = 'source';

    /** @var \assign */
    private \assign $assign;

    /** @var \assign_plugin */
    private \assign_plugin $plugin;

    /**
     * @param \assign $assign an assignment with an instance
     */
    public function __construct(\assign $assign) {
        $this->assign = $assign;
        $this->plugin = $assign->get_plugin_by_type('assignsubmission', 'lablink');
    }

    /**
     * The chosen source folder (`/a/b`), '' when none was chosen.
     *
     * @return string
     */
    public function path(): string {
        return (string)$this->plugin->get_config('sourcepath');
    }

    /**
     * Sets the source folder once; it cannot change afterwards (students copied from it).
     *
     * @param string $path a checked path
     */
    public function set_path(string $path): void {
        if ($this->path() !== '') {
            throw new \coding_exception('The source folder of an assignment is fixed once set');
        }
        $this->plugin->set_config('sourcepath', $path);
    }

    /**
     * What is known of the snapshot.
     *
     * @return \stdClass path, version (0: none yet), time, bytes, count, files, error, userid
     */
    public function info(): \stdClass {
        $get = fn(string $name) => $this->plugin->get_config($name);
        $files = json_decode((string)$get('sourcefiles'), true);
        return (object)[
            'path' => $this->path(),
            'version' => (int)$get('sourceversion'),
            'time' => (int)$get('sourcetime'),
            'bytes' => (int)$get('sourcebytes'),
            'count' => (int)$get('sourcecount'),
            'files' => is_array($files) ? $files : [],
            'error' => (string)$get('sourceerror'),
            'userid' => (int)$get('sourceuserid'),
        ];
    }

    /**
     * The stored snapshot zip, if there is one.
     *
     * @return \stored_file|null
     */
    public function file(): ?\stored_file {
        $files = get_file_storage()->get_area_files($this->assign->get_context()->id, 'assignsubmission_lablink',
            self::FILEAREA, 0, 'id', false);
        return $files ? reset($files) : null;
    }

    /**
     * Takes (or replaces) the snapshot from `$user`'s home. On failure the previous snapshot stays
     * and the reason is kept, so the assignment page can say why and offer to try again.
     *
     * @param \stdClass $user the teacher acting (from the session)
     * @return \stdClass the new {@see info()}
     * @throws fileserver_exception when the file server refuses
     */
    public function take(\stdClass $user): \stdClass {
        $path = $this->path();
        if ($path === '') {
            throw new \coding_exception('No source folder chosen');
        }
        $home = workspace::home_for($user);
        try {
            $fetched = archive_fetch::into_area((int)$this->assign->get_course()->id, $home, $path, 0, [
                'contextid' => $this->assign->get_context()->id,
                'component' => 'assignsubmission_lablink',
                'filearea' => self::FILEAREA,
                'itemid' => 0,
                'filepath' => '/',
                'filename' => archive_fetch::zip_name($path),
                'userid' => $user->id,
            ]);
        } catch (fileserver_exception $e) {
            $this->plugin->set_config('sourceerror', $e->errorcode);
            throw $e;
        }
        $version = (int)$this->plugin->get_config('sourceversion') + 1;
        $this->plugin->set_config('sourceversion', $version);
        $this->plugin->set_config('sourcetime', time());
        $this->plugin->set_config('sourcebytes', $fetched['bytes']);
        $this->plugin->set_config('sourcecount', $fetched['contents']['count']);
        $this->plugin->set_config('sourcefiles', json_encode($fetched['contents']['files']));
        $this->plugin->set_config('sourceuserid', $user->id);
        $this->plugin->set_config('sourceerror', '');

        \assignsubmission_lablink\event\source_set::create([
            'context' => $this->assign->get_context(),
            'objectid' => $this->assign->get_instance()->id,
            'other' => ['version' => $version, 'bytes' => $fetched['bytes']],
        ])->trigger();
        return $this->info();
    }

    /**
     * Extracts the snapshot into `$user`'s home under `$destination`, in a folder of a free name
     * (the file server never writes over existing work).
     *
     * @param \stdClass $user the student acting (from the session)
     * @param string $destination a checked folder path the copy goes into
     * @return string the folder the copy landed in (`/a/b`)
     * @throws fileserver_exception when the file server refuses
     * @throws \moodle_exception when there is no snapshot yet
     */
    public function copy_to(\stdClass $user, string $destination): string {
        global $DB;
        $file = $this->file();
        $info = $this->info();
        if (!$file || $info->version === 0) {
            throw new \moodle_exception('nosnapshot', 'assignsubmission_lablink');
        }
        $home = workspace::home_for($user);
        $target = rtrim($destination, '/') . '/' . pathinfo($file->get_filename(), PATHINFO_FILENAME);
        $zip = get_file_storage()->get_file_system()->get_local_path_from_storedfile($file, true);
        $result = workspace::client((int)$this->assign->get_course()->id)->extract_from_file($home,
            workspace::normalise($target), $zip);
        $landed = '/' . trim((string)($result['path'] ?? $target), '/');

        // mod_assign's privacy provider reaches plugin data through the user's submission, so a
        // student who fetched a copy but never submitted gets one (status new), as core makes
        // when the edit page is first opened; otherwise the copy record would escape an export.
        $this->assign->get_user_submission($user->id, true);
        $assignid = $this->assign->get_instance()->id;
        $row = $DB->get_record('assignsubmission_lablink_copy', ['assignment' => $assignid, 'userid' => $user->id]);
        $record = (object)['assignment' => $assignid, 'userid' => $user->id, 'version' => $info->version,
            'path' => $landed, 'timecopied' => time()];
        if ($row) {
            $record->id = $row->id;
            $DB->update_record('assignsubmission_lablink_copy', $record);
        } else {
            $record->id = $DB->insert_record('assignsubmission_lablink_copy', $record);
        }

        \assignsubmission_lablink\event\copy_fetched::create([
            'context' => $this->assign->get_context(),
            'objectid' => $record->id,
            'other' => ['version' => $info->version],
        ])->trigger();
        return $landed;
    }

    /**
     * The last copy `$userid` fetched, if any.
     *
     * @param int $userid
     * @return \stdClass|null version, path, timecopied
     */
    public function last_copy(int $userid): ?\stdClass {
        global $DB;
        $row = $DB->get_record('assignsubmission_lablink_copy',
            ['assignment' => $this->assign->get_instance()->id, 'userid' => $userid]);
        return $row ?: null;
    }
}
