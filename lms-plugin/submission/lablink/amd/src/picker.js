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
 * Boots the lablink folder picker (Rust/Wasm) in a mount point. Nothing else lives here: the
 * picker itself, its views and its calls to Moodle's AJAX endpoint are in the Wasm.
 *
 * The glue is a `wasm-bindgen --target no-modules` build (a classic script defining the global
 * `lablink_picker`), so no import() or import.meta is needed, which Moodle's AMD build rewrites.
 * The .wasm is fetched here as bytes, so any MIME type the web server gives it works.
 *
 * @module     assignsubmission_lablink/picker
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
define(['core/str', 'core/config'], function(Str, Config) {
    'use strict';

    var COMPONENT = 'assignsubmission_lablink';
    var GLOBAL = 'lablink_picker';

    /** The picker's label names (see its labels.rs); the string id is picker: + lower case. */
    var LABELS = ['root', 'up', 'refresh', 'list', 'filter', 'empty', 'noMatch', 'folder', 'file', 'link',
        'loading', 'loadingMore', 'retry', 'errorTitle', 'choose', 'chooseHere', 'chosen', 'newFolder',
        'newFolderName', 'create', 'cancel', 'folderCreated', 'notFoundFallback', 'offline', 'signedOut',
        'forbidden', 'notFound', 'refused', 'server'];

    /** One load of the glue and the Wasm per page, shared by every picker on it. */
    var ready = null;

    /**
     * The glue's global. It is a top-level `let` of a classic script: reachable by its name from
     * any script, but not a property of window.
     *
     * @return {Function|undefined}
     */
    function glueGlobal() {
        /* global lablink_picker */
        if (typeof lablink_picker === 'function') {
            return lablink_picker;
        }
        return typeof window[GLOBAL] === 'function' ? window[GLOBAL] : undefined;
    }

    /**
     * Loads the glue script and instantiates the Wasm from its bytes.
     *
     * @param {string} base URL of the folder holding lablink_picker.js and lablink_picker_bg.wasm
     * @return {Promise<Function>} the initialised glue (with .mount)
     */
    function load(base) {
        if (ready) {
            return ready;
        }
        ready = new Promise(function(resolve, reject) {
            if (typeof WebAssembly !== 'object') {
                reject(new Error('WebAssembly is not available'));
                return;
            }
            if (glueGlobal()) {
                resolve(glueGlobal());
                return;
            }
            var script = document.createElement('script');
            script.src = base + '/lablink_picker.js';
            script.async = true;
            script.onload = function() {
                if (glueGlobal()) {
                    resolve(glueGlobal());
                } else {
                    reject(new Error('lablink_picker.js did not define ' + GLOBAL));
                }
            };
            script.onerror = function() {
                reject(new Error('lablink_picker.js could not be loaded'));
            };
            document.head.appendChild(script);
        }).then(function(glue) {
            return fetch(base + '/lablink_picker_bg.wasm', {credentials: 'same-origin'}).then(function(response) {
                if (!response.ok) {
                    throw new Error('lablink_picker_bg.wasm: HTTP ' + response.status);
                }
                return response.arrayBuffer();
            }).then(function(bytes) {
                // Instantiating from bytes does not depend on the server sending application/wasm.
                return glue({module_or_path: bytes});
            }).then(function() {
                return glue;
            });
        });
        ready.catch(function() {
            // Let a later call try again (e.g. after a network hiccup).
            ready = null;
        });
        return ready;
    }

    /**
     * The picker's labels in the user's language.
     *
     * @return {Promise<Object>}
     */
    function labels() {
        var requests = LABELS.map(function(name) {
            return {key: 'picker:' + name.toLowerCase(), component: COMPONENT};
        });
        return Str.get_strings(requests).then(function(strings) {
            var result = {};
            LABELS.forEach(function(name, i) {
                result[name] = strings[i];
            });
            return result;
        });
    }

    /**
     * Puts a readable message where the picker would have been; the form field stays usable.
     *
     * @param {HTMLElement} element
     * @param {Error} error
     */
    function fail(element, error) {
        var reason = error && error.message ? error.message : String(error);
        Str.get_string('pickerfailed', COMPONENT, reason).then(function(text) {
            var message = document.createElement('div');
            message.className = 'alert alert-warning';
            message.setAttribute('role', 'status');
            message.textContent = text;
            element.textContent = '';
            element.appendChild(message);
            return text;
        }).catch(function() {
            element.textContent = reason;
        });
    }

    return {
        /**
         * Mounts a picker.
         *
         * @param {Object} options elementid, mode (folder|destination), field, initialPath, args ({contextid, userid?})
         */
        init: function(options) {
            var element = document.getElementById(options.elementid);
            if (!element) {
                return;
            }
            var base = Config.wwwroot + '/mod/assign/submission/lablink/picker';
            Promise.all([load(base), labels()]).then(function(results) {
                var glue = results[0];
                glue.mount(element, {
                    mode: options.mode,
                    initialPath: options.initialPath || '',
                    field: options.field,
                    labels: results[1],
                    transport: {
                        kind: 'moodle',
                        serviceUrl: Config.wwwroot + '/lib/ajax/service.php',
                        sesskey: Config.sesskey,
                        args: options.args
                    }
                });
                return glue;
            }).catch(function(error) {
                fail(element, error);
            });
        }
    };
});
