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
 * English strings of the lablink workspace feedback plugin.
 *
 * @package    assignfeedback_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['pluginname'] = 'Workspace feedback';
$string['enabled'] = 'Workspace feedback';
$string['enabled_help'] = 'If enabled, teachers can collect every submitted workspace folder into their own JupyterHub workspace (one folder per student, or nbgrader\'s layout) and return feedback folders from there; students see the returned feedback and can copy it into their workspace.';
$string['default'] = 'Enabled by default';
$string['default_help'] = 'If set, this feedback method will be enabled by default for all new assignments.';
$string['workspacefeedback'] = 'Workspace feedback';

// Site settings.
$string['defaultlayout'] = 'Default layout';
$string['defaultlayout_desc'] = 'How collected submissions are laid out in the teacher\'s workspace, for new assignments.';
$string['defaultnaming'] = 'Default folder names';
$string['defaultnaming_desc'] = 'What the folder of each student is named after, for new assignments (one folder per student layout).';
$string['connectionnote'] = 'The file server connection and the username source are those of the <a href="{$a}">workspace folder submissions</a> plugin.';

// Assignment settings.
$string['layout'] = 'Layout';
$string['layout_help'] = 'One folder per student: each submission in a folder named after the student, feedback in a feedback/ folder inside it. nbgrader: each submission at submitted/STUDENT_ID/ASSIGNMENT/ with the timestamp.txt nbgrader reads, feedback read from nbgrader\'s feedback/STUDENT_ID/ASSIGNMENT/, so that nbgrader autograde and generate_feedback run on the collect folder unchanged.';
$string['layout_folders'] = 'One folder per student';
$string['layout_nbgrader'] = 'nbgrader';
$string['naming'] = 'Folder names';
$string['naming_help'] = 'What each student\'s folder is named after. Names are made safe for a folder and unique (a -2, -3 … is added); a student keeps their folder on every later collect.';
$string['naming_fullname'] = 'Full name';
$string['naming_studentid'] = 'Student ID (as JupyterHub names them)';
$string['naming_note'] = 'With the nbgrader layout the folders are always the student IDs.';
$string['nbassignment'] = 'nbgrader assignment name';
$string['nbassignment_help'] = 'The name of the assignment in nbgrader (the folder under source/ and submitted/STUDENT_ID/). Leave empty to use the activity\'s ID number, or a short form of its name when it has none.';
$string['nbassignment_note'] = 'Used by the nbgrader layout only.';
$string['badnbassignment'] = 'The nbgrader assignment name must be a single folder name: no /, \\, leading dot, control characters or leading or trailing spaces.';
$string['badsettings'] = 'The layout or the folder naming is not one of the choices.';

// Collect and return pages.
$string['collectall'] = 'Collect submissions into my workspace';
$string['returnfeedback'] = 'Return feedback from my workspace';
$string['batchcollect'] = 'Collect into my workspace';
$string['batchcollectconfirm'] = 'Collect the submissions of the selected students into a folder of your workspace?';
$string['collectintro'] = 'Each student\'s latest submitted workspace folder is unpacked into a folder of your workspace, with a manifest (lablink-manifest.json, or lablink-manifest-ASSIGNMENT.json in the nbgrader layout) that records whose work each folder holds. Collecting again into the same folder only fetches what is new or changed.';
$string['collectselected'] = 'Only the selected students are collected (selected: {$a}).';
$string['returnintro'] = 'Choose the folder you collected into. Each student\'s feedback (the feedback folder inside their folder, or nbgrader\'s feedback/STUDENT_ID/ASSIGNMENT/) is found through the manifest, zipped and attached to their grade.';
$string['collectinto'] = 'Collect into';
$string['returnfrom'] = 'Collect folder';
$string['root_help'] = 'Filled in by the picker above; a folder of your own workspace, such as /grading/lab1.';
$string['attempt'] = 'Attempt';
$string['attemptlatest'] = 'Latest submitted attempt';
$string['attemptnumber'] = 'Attempt {$a}';
$string['overwrite'] = 'Replace folders whose submission changed';
$string['overwrite_note'] = 'Off: a folder collected before is never touched, and a newer submission is listed as changed. On: the folder is replaced by the new submission (whatever you changed in it is lost).';
$string['startcollect'] = 'Collect';
$string['startreturn'] = 'Return feedback';
$string['noroot'] = 'Choose a folder of your workspace.';
$string['badattempt'] = 'That attempt does not exist in this assignment.';
$string['noparticipants'] = 'None of the selected users takes part in this assignment.';
$string['runbusy'] = 'Another collect or return of this assignment is queued or running: wait for it to finish.';
$string['runactive'] = 'A collect or return of this assignment is queued or running.';
$string['viewrun'] = 'See its progress';

// Run status.
$string['collectstatus'] = 'Collect';
$string['returnstatus'] = 'Return of feedback';
$string['startedby'] = 'Started by';
$string['runstatus'] = 'Status';
$string['run_queued'] = 'Queued';
$string['run_running'] = 'Running';
$string['run_done'] = 'Done';
$string['run_failed'] = 'Failed';
$string['runqueued'] = 'Waiting for the task to start…';
$string['runwaiting'] = 'This runs in the background: you can leave this page and come back.';
$string['runfailed'] = 'It stopped: {$a}';
$string['runlost'] = 'Its background task no longer exists.';
$string['runerror'] = 'an unexpected error ({$a}).';
$string['progress'] = '{$a->done} of {$a->total} students';
$string['collectdone'] = 'Collect done. {$a}';
$string['returndone'] = 'Return done. {$a}';
$string['noresults'] = 'No student took part.';
$string['student'] = 'Student';
$string['result'] = 'Result';
$string['folder'] = 'Folder';
$string['reason'] = 'Reason';
$string['unknownuser'] = 'User {$a} (deleted)';
$string['backtograding'] = 'Back to the submissions';
$string['nomanifest'] = 'There is no lablink-manifest.json in {$a}: choose the folder you collected into.';
$string['status_collected'] = 'Collected';
$string['status_unchanged'] = 'Unchanged';
$string['status_changed_kept'] = 'Changed, kept as it was';
$string['status_no_submission'] = 'No submission';
$string['status_returned'] = 'Returned';
$string['status_no_feedback'] = 'No feedback';
$string['status_not_collected'] = 'Not in this collect';
$string['status_failed'] = 'Failed';
$string['engine_bad_items'] = 'the submissions handed to the collect are not valid.';
$string['engine_bad_manifest'] = 'the folder\'s lablink-manifest.json is not a valid manifest.';
$string['engine_bad_option'] = 'an option of the collect is not valid.';
$string['engine_bad_student_id'] = 'the student ID cannot name a folder, which nbgrader needs: use the one-folder-per-student layout or fix the ID.';
$string['engine_other_assignment'] = 'this folder holds the collect of another assignment or layout: choose another folder.';
$string['engine_not_this_submission'] = 'the manifest names a submission that is not this student\'s in this assignment.';
$string['engine_not_collected'] = 'the collect of this submission did not finish: collect again first.';
$string['engine_no_file'] = 'the stored submission cannot be read.';
$string['engine_duplicate_student_id'] = 'another student has the same student ID, so nbgrader cannot tell them apart.';
$string['engine_own_feedback_folder'] = 'the student\'s own submission holds a feedback folder at its top, so what is there cannot be told apart from your feedback: give this student feedback another way, or ask them to resubmit without it.';
$string['engine_other'] = 'the collect refused: {$a}';
$string['taskcollect'] = 'Collect workspace submissions';
$string['taskreturn'] = 'Return workspace feedback';

// Students.
$string['numfiles'] = '{$a} files';
$string['morefiles'] = 'and {$a} more files';
$string['returnedon'] = 'returned {$a}';
$string['getfeedback'] = 'Get feedback into my workspace';
$string['getfeedbackintro'] = 'The feedback ({$a->numfiles} files, {$a->size}) is unpacked into a new folder inside the folder you choose; nothing already there is changed.';
$string['destination'] = 'Copy into';
$string['destination_help'] = 'Filled in by the picker above; / is your home folder.';
$string['copyhere'] = 'Copy here';
$string['copydone'] = 'Your feedback is in {$a}.';
$string['copyfailed'] = 'The feedback could not be copied: {$a}';
$string['nofeedback'] = 'There is no feedback to copy.';

// Events.
$string['eventsubmissions_collected'] = 'Submissions collected into a workspace';
$string['eventfeedback_returned'] = 'Feedback returned from a workspace';
$string['eventfeedback_copied'] = 'Feedback copied into a workspace';

// Privacy.
$string['privacy:metadata:filepurpose'] = 'The zip of each student\'s returned feedback folder.';
$string['privacy:metadata:feedback'] = 'What each returned feedback holds.';
$string['privacy:metadata:feedback:assignment'] = 'The assignment.';
$string['privacy:metadata:feedback:grade'] = 'The grade the feedback belongs to.';
$string['privacy:metadata:feedback:path'] = 'The feedback folder in the teacher\'s workspace it was made from.';
$string['privacy:metadata:feedback:bytes'] = 'The size of the zip.';
$string['privacy:metadata:feedback:numfiles'] = 'The number of files in the zip.';
$string['privacy:metadata:feedback:filelist'] = 'The names and sizes of the files in the zip.';
$string['privacy:metadata:feedback:timereturned'] = 'When the feedback was returned.';
$string['privacy:metadata:run'] = 'The collects and returns a teacher started.';
$string['privacy:metadata:run:assignment'] = 'The assignment.';
$string['privacy:metadata:run:userid'] = 'The teacher who started it.';
$string['privacy:metadata:run:root'] = 'The folder of the teacher\'s workspace used.';
$string['privacy:metadata:run:options'] = 'The options chosen, including the selected students.';
$string['privacy:metadata:run:results'] = 'The result for each student (their user id, folder and outcome).';
$string['privacy:metadata:run:timecreated'] = 'When it was started.';
$string['privacy:metadata:fileserver'] = 'The lablink file server beside JupyterHub holds the users\' workspaces. Collecting writes the students\' submitted work, their names or student IDs (as folder names) and a manifest with their Moodle user ids into the teacher\'s workspace; copying feedback writes it into the student\'s workspace.';
$string['privacy:metadata:fileserver:home'] = 'The workspace home name derived from the user\'s account (username, ID number or email, as configured).';
$string['privacy:metadata:fileserver:submission'] = 'The contents of the student\'s submitted folder.';
$string['privacy:metadata:fileserver:foldername'] = 'The student\'s full name or student ID, as the name of their folder.';
$string['privacy:metadata:fileserver:userid'] = 'The student\'s Moodle user id and submission details, in the manifest.';
$string['privacy:metadata:fileserver:feedback'] = 'The contents of the feedback copied into the student\'s workspace.';
$string['privacy:path'] = 'Workspace feedback';
$string['privacy:runspath'] = 'Workspace collects and returns';
