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
 * Reloads a run's page once its stored progress bar reaches the end (or fails), so that the
 * per-student results show without the teacher pressing Refresh. Core's stored_progress module
 * does the polling; this only listens to the bar's update events.
 *
 * @module     assignfeedback_lablink/run_status
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
define([], function() {
    'use strict';

    return {
        /**
         * Watches one bar.
         *
         * @param {string} barid the bar's element id (its idnumber)
         */
        init: function(barid) {
            var element = document.getElementById(barid);
            if (!element) {
                return;
            }
            element.addEventListener('update', function(e) {
                var detail = e.detail || {};
                if (detail.error || detail.percent >= 100) {
                    // A moment for the task to write the results after its last update.
                    setTimeout(function() {
                        window.location.reload();
                    }, 1500);
                }
            });
        }
    };
});
