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

defined('MOODLE_INTERNAL') || die();

require_once($CFG->libdir . '/adminlib.php');

/**
 * A password setting whose saved value never goes back to the browser: the field is always shown
 * empty, and saving it empty keeps the stored secret.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 The lablink authors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class admin_setting_secret extends \admin_setting_configpasswordunmask {

    /**
     * The field, always empty; the description says whether a secret is saved.
     *
     * @param mixed $data the stored value (not shown)
     * @param string $query
     * @return string
     */
    public function output_html($data, $query = '') {
        $description = $this->description;
        if ((string)$data !== '') {
            $this->description .= ' ' . get_string('secretsaved', 'assignsubmission_lablink');
        }
        $html = parent::output_html('', $query);
        $this->description = $description;
        return $html;
    }

    /**
     * Saves a new secret; an empty field keeps the one stored.
     *
     * @param mixed $data
     * @return string '' on success, or an error
     */
    public function write_setting($data) {
        if ((string)$data === '' && (string)$this->get_setting() !== '') {
            return '';
        }
        return parent::write_setting($data);
    }
}
