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
 * English strings of the lablink workspace submission plugin.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['pluginname'] = 'Workspace folder submissions';
$string['enabled'] = 'Workspace folder submissions';
$string['enabled_help'] = 'If enabled, students submit a folder of their JupyterHub workspace: its zip is copied from the file server into the submission.';
$string['default'] = 'Enabled by default';
$string['default_help'] = 'If set, this submission method will be enabled by default for all new assignments.';
$string['workspacefolder'] = 'Workspace folder';

// Assignment settings.
$string['sourcefolder'] = 'Source folder';
$string['sourcefolder_help'] = 'A folder of your own workspace that students can copy into theirs with "Get a copy". It is snapshotted when you save; the path is fixed from then on, and "Update source snapshot" on the assignment page takes a newer snapshot. Leave empty for none.';
$string['maxbytes'] = 'Maximum submission size';
$string['maxbytes_help'] = 'A folder whose zip is larger than this is refused while it is being copied.';
$string['sitedefaultsize'] = 'Site default ({$a})';
$string['invalidpath'] = 'This is not a valid folder path: give a folder inside the workspace, such as /lab1 (no "..").';
$string['snapshottaken'] = 'The source folder {$a} was snapshotted.';
$string['snapshotfailed'] = 'The source snapshot could not be taken: {$a}';
$string['snapshotupdated'] = 'The source snapshot was updated (version {$a}).';
$string['snapshotinfo'] = 'Snapshot version {$a->version} of {$a->time}: {$a->numfiles} files, {$a->size}.';
$string['nosnapshot'] = 'No snapshot has been taken yet.';
$string['nosource'] = 'This assignment has no source folder.';
$string['downloadsnapshot'] = 'Download the snapshot';
$string['updatesource'] = 'Update source snapshot';
$string['updatesourceconfirm'] = 'Take a new snapshot of {$a} from your workspace? Students who copied the current one will be told that a newer one exists; their copies are not changed.';

// Assignment page.
$string['sourceheading'] = 'Starting material';
$string['sourcestudentinfo'] = 'Your teacher provides a starting folder ({$a->numfiles} files, {$a->size}, from {$a->time}).';
$string['getcopy'] = 'Get a copy';
$string['getcopyintro'] = 'Choose the folder of your workspace the copy goes into ({$a->numfiles} files, {$a->size}). Nothing of yours is overwritten: if the name is taken, a free name is chosen and shown.';
$string['destination'] = 'Copy into';
$string['destination_help'] = 'Filled in by the picker above; / is your home folder.';
$string['copyhere'] = 'Copy here';
$string['copydone'] = 'Your copy is in {$a}.';
$string['copyfailed'] = 'The copy could not be made: {$a}';
$string['lastcopy'] = 'You copied the starting folder into {$a->path} on {$a->time}.';
$string['newersnapshot'] = 'Your teacher has updated the starting folder since you copied it. Get a copy again to see the new version (your current copy is kept).';

// Submission form and display.
$string['submitfolder'] = 'Folder to submit';
$string['submitfolder_help'] = 'Choose the folder of your workspace to submit with the picker, or type its path (such as /lab1). When you save, a fresh zip of that folder is taken.';
$string['submitnote'] = 'Saving copies the folder as it is now. Largest accepted: {$a}.';
$string['toolarge'] = 'This folder is larger than the {$a} this assignment accepts. Nothing was saved; remove large files (data sets, outputs) or choose a smaller folder.';
$string['submitfailed'] = 'The folder could not be submitted: {$a}';
$string['numfiles'] = '{$a} files';
$string['morefiles'] = 'and {$a} more files';
$string['submittedfrom'] = 'Submitted from {$a}';
$string['skippedlinks'] = '{$a} symbolic links were left out of the zip.';
$string['badzip'] = 'The file server sent something that is not a zip.';
$string['nohome'] = 'Your account has no {$a}, which this site uses to name workspace folders: ask the site administrator.';
$string['homeunknown'] = 'the teacher\'s account has no value in the field that names workspace folders.';
$string['pickerforothers'] = 'Only your own workspace can be browsed here.';

// Picker.
$string['pickerloading'] = 'Loading the folder picker…';
$string['pickerfailed'] = 'The folder picker could not start in this browser ({$a}). Type the folder path in the field instead.';
$string['picker:root'] = 'Home';
$string['picker:up'] = 'Up';
$string['picker:refresh'] = 'Refresh';
$string['picker:list'] = 'Folder contents';
$string['picker:filter'] = 'Filter by name';
$string['picker:empty'] = 'This folder is empty.';
$string['picker:nomatch'] = 'No name matches the filter.';
$string['picker:folder'] = 'Folder';
$string['picker:file'] = 'File';
$string['picker:link'] = 'Link (not followed)';
$string['picker:loading'] = 'Loading…';
$string['picker:loadingmore'] = 'Loaded {loaded} of {total}';
$string['picker:retry'] = 'Retry';
$string['picker:errortitle'] = 'The folder could not be shown';
$string['picker:choose'] = 'Choose “{path}”';
$string['picker:choosehere'] = 'Choose this folder';
$string['picker:chosen'] = 'Chosen: {path}';
$string['picker:newfolder'] = 'New folder';
$string['picker:newfoldername'] = 'Folder name';
$string['picker:create'] = 'Create';
$string['picker:cancel'] = 'Cancel';
$string['picker:foldercreated'] = 'Created “{path}”';
$string['picker:notfoundfallback'] = '“{path}” no longer exists; showing your home folder.';
$string['picker:offline'] = 'The file server can\'t be reached right now.';
$string['picker:signedout'] = 'Your session has expired: reload the page and sign in again.';
$string['picker:forbidden'] = 'You don\'t have access to this folder.';
$string['picker:notfound'] = 'This folder no longer exists.';
$string['picker:refused'] = 'The file server refused the request.';
$string['picker:server'] = 'The file server ran into a problem.';

// The file server's refusals, by code (also the error codes the picker receives).
$string['fserror'] = 'the file server refused the request ({$a}).';
$string['not_reachable'] = 'the file server cannot be reached right now; try again later.';
$string['bad_request'] = 'the file server did not understand the request.';
$string['bad_path'] = 'this is not a valid folder path.';
$string['unauthorized'] = 'the file server did not accept this site\'s key; ask the site administrator.';
$string['token_replayed'] = 'the request was refused as a replay; try again.';
$string['forbidden'] = 'access to this folder is not allowed.';
$string['not_found'] = 'the folder does not exist (or no longer exists).';
$string['not_a_folder'] = 'this is a file, not a folder.';
$string['conflict'] = 'something with this name already exists.';
$string['payload_too_large'] = 'the folder is too large.';
$string['too_large'] = 'the folder is too large.';
$string['bad_archive'] = 'the zip is not readable.';
$string['archive_limit'] = 'the zip is over the file server\'s limits.';
$string['busy'] = 'the file server is busy; try again in a minute.';
$string['internal'] = 'the file server ran into a problem.';
$string['blocked'] = 'this site\'s cURL security refuses the file server\'s address: see "cURL blocked hosts list" and "cURL allowed ports list" in the site\'s HTTP security settings.';
$string['bad_reply'] = 'the file server sent an answer that could not be read.';

// Admin settings.
$string['settings:connection'] = 'File server';
$string['settings:connection_desc'] = 'Where the workspaces are: the lablink file server beside JupyterHub. Moodle calls it from the server side only; the browser never sees a key.';
$string['baseurl'] = 'File server URL';
$string['baseurl_desc'] = 'The file server\'s address, such as https://hub.example.org/services/files. [courseid] is replaced by the course id, for sites with one hub per course. The site\'s "cURL blocked hosts" and "cURL allowed ports" apply.';
$string['protocol'] = 'Protocol';
$string['protocol_desc'] = 'v2 streams zips and binds each request to its method, path and home. The noto-legacy protocol works with existing noto file servers but carries zips as base64 inside JSON, so PHP memory grows with the zip: keep legacy for small folders only, and prefer v2.';
$string['protocol_v2'] = 'lablink v2 (recommended)';
$string['protocol_legacy'] = 'noto legacy';
$string['v2kid'] = 'v2 key id';
$string['v2kid_desc'] = 'The key id (kid) the file server knows this site\'s key by.';
$string['v2secret'] = 'v2 secret';
$string['v2secret_desc'] = 'The shared secret for v2 tokens (HS256). Stored on the server only.';
$string['secretsaved'] = 'A secret is saved: it is not shown. Leave the field empty to keep it, or type a new one to replace it.';
$string['legacykey'] = 'Legacy API key';
$string['legacykey_desc'] = 'The API user name of the noto protocol.';
$string['legacysecret'] = 'Legacy API secret';
$string['legacysecret_desc'] = 'The HMAC secret of the noto protocol, stored on the server only.';
$string['legacytimezone'] = 'Legacy server time zone';
$string['legacytimezone_desc'] = 'The time zone of the legacy server\'s modification times (such as Europe/Zurich); empty for this site\'s time zone.';
$string['issuer'] = 'Issuer';
$string['issuer_desc'] = 'Names this site in v2 tokens (iss); the file server may require a given value. Empty: the site URL.';
$string['usernamesource'] = 'Workspace owner field';
$string['usernamesource_desc'] = 'Which field of the Moodle account names the user\'s workspace home (it must match the hub\'s user names).';
$string['usernamesource_username'] = 'username';
$string['usernamesource_idnumber'] = 'ID number';
$string['usernamesource_email'] = 'email address';
$string['usernameprefix'] = 'Home name prefix';
$string['usernameprefix_desc'] = 'Put before the field\'s value, e.g. "moodle-".';
$string['homenaming'] = 'Home naming';
$string['homenaming_desc'] = 'Plain uses the value as it is; noto escapes ".", "_" and "@" as the noto hub does (-2e, -5f, -40).';
$string['homenaming_plain'] = 'plain';
$string['homenaming_noto'] = 'noto escaping';
$string['connecttimeout'] = 'Connect timeout';
$string['connecttimeout_desc'] = 'Seconds to wait for the file server to answer a connection.';
$string['timeout'] = 'Transfer timeout';
$string['timeout_desc'] = 'Seconds a call may take; for a zip transfer, seconds without any progress (a large zip that keeps moving is never cut off).';
$string['defaultmaxbytes'] = 'Default maximum submission size';
$string['defaultmaxbytes_desc'] = 'Used by assignments that keep the site default. Zips are streamed, so PHP\'s upload limits do not apply; Moodle\'s file storage must have room.';
$string['legacymemorynote'] = 'With the legacy protocol a zip travels base64-encoded inside JSON and is held in PHP memory while it is decoded: about three times its size. Submissions near PHP\'s memory_limit fail. Use v2 for anything large.';
$string['testconnection'] = 'Test connection';
$string['testconnection_desc'] = '<a href="{$a}">Test the connection to the file server</a> with the saved settings. It changes nothing.';

// Test connection page.
$string['testintro'] = 'Checks, with the saved settings, that the file server can be reached over TLS, accepts this site\'s key, agrees on the time, and has the chosen user\'s home. Nothing is changed.';
$string['testuser'] = 'Home of the user';
$string['testuser_help'] = 'A Moodle username whose home is looked for; empty for your own.';
$string['testcourse'] = 'Course id';
$string['testcourse_help'] = 'Replaces [courseid] in the file server URL.';
$string['testrun'] = 'Run the test';
$string['testhome'] = 'Home checked: {$a}';
$string['testok'] = 'Everything works: the file server is reachable, accepts the key, and the home exists.';
$string['testfailed'] = 'The test found a problem: {$a}';
$string['testcheck'] = '{$a->name}: {$a->result}';
$string['testyes'] = 'yes';
$string['testno'] = 'no';
$string['testnouser'] = 'No user with this username.';
$string['check_reachable'] = 'Reachable';
$string['check_tls'] = 'TLS (https)';
$string['check_keyaccepted'] = 'Key accepted';
$string['check_clockskew'] = 'Clock skew (seconds, file server minus Moodle)';
$string['check_homeexists'] = 'Home exists';
$string['check_errorcode'] = 'Error code';
$string['check_message'] = 'Details';
$string['unreachable'] = 'the file server cannot be reached (check the URL, the site\'s cURL blocked hosts and allowed ports, and that the server runs).';
$string['tls'] = 'the TLS connection failed (certificate or protocol): check the certificate of the file server.';
$string['timedout'] = 'the file server took too long to answer (see the timeouts in the settings).';
$string['invalid_path'] = 'this is not a valid folder path.';

// Events.
$string['eventsource_set'] = 'Source snapshot taken';
$string['eventcopy_fetched'] = 'Copy of the source fetched';
$string['eventworkspace_submitted'] = 'Workspace folder submitted';
$string['eventassessableuploaded'] = 'A workspace folder has been submitted.';

// Privacy.
$string['privacy:metadata:filepurpose'] = 'The zip of each submitted workspace folder, and the assignment\'s source snapshot.';
$string['privacy:metadata:submission'] = 'What each submission of a workspace folder holds.';
$string['privacy:metadata:submission:assignment'] = 'The assignment.';
$string['privacy:metadata:submission:submission'] = 'The submission.';
$string['privacy:metadata:submission:path'] = 'The folder of the workspace that was submitted.';
$string['privacy:metadata:submission:home'] = 'The name of the workspace home it was read from.';
$string['privacy:metadata:submission:bytes'] = 'The size of the zip.';
$string['privacy:metadata:submission:numfiles'] = 'The number of files in the zip.';
$string['privacy:metadata:submission:filelist'] = 'The names and sizes of the files in the zip.';
$string['privacy:metadata:submission:timesubmitted'] = 'When the folder was submitted.';
$string['privacy:metadata:copy'] = 'The last copy of the assignment\'s source a user fetched into their workspace.';
$string['privacy:metadata:copy:userid'] = 'The user who fetched the copy.';
$string['privacy:metadata:copy:version'] = 'The snapshot version copied.';
$string['privacy:metadata:copy:path'] = 'Where the copy was put in the user\'s workspace.';
$string['privacy:metadata:copy:timecopied'] = 'When the copy was made.';
$string['privacy:metadata:fileserver'] = 'The lablink file server beside JupyterHub holds the users\' workspaces. Moodle reads and writes them there for the user.';
$string['privacy:metadata:fileserver:home'] = 'The workspace home name derived from the user\'s account (username, ID number or email, as configured).';
$string['privacy:metadata:fileserver:foldercontents'] = 'The contents of the folders the user lists, submits, or copies the source into.';
$string['privacy:copypath'] = 'Copies of the starting folder';
