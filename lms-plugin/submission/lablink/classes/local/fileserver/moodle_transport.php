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

namespace assignsubmission_lablink\local\fileserver;

/**
 * Transport through Moodle's own curl wrapper (`\curl`, lib/filelib.php), so that the site's
 * *cURL blocked hosts*, *cURL allowed ports* and proxy settings apply to every call. Only
 * loaded inside Moodle. The request and the reply are handled exactly as by
 * {@see curl_transport}: the same options and the same streaming callbacks, passed through the
 * wrapper (which applies its own security check and proxy before sending).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class moodle_transport implements transport {
    /**
     * Sends the request through `\curl`.
     *
     * @param request $request what to send
     * @return response the reply
     * @throws fileserver_exception `blocked` when the site's curl security refuses the URL, else
     *     as {@see curl_transport}
     */
    public function send(request $request): response {
        global $CFG;
        require_once($CFG->libdir . '/filelib.php');
        $receiver = new body_receiver($request);
        [$options, $infile] = curl_transport::options_for($request, $receiver);
        if ($infile !== null) {
            // The wrapper's put() opens the file and sets the length itself.
            fclose($infile);
            unset($options[CURLOPT_UPLOAD], $options[CURLOPT_INFILE], $options[CURLOPT_INFILESIZE]);
        }
        $fields = $options[CURLOPT_POSTFIELDS] ?? '';
        unset($options[CURLOPT_POSTFIELDS], $options[CURLOPT_HTTPGET]);
        $curl = new \curl();
        // The wrapper keeps its own header list and ignores CURLOPT_HTTPHEADER given as an option.
        $curl->setHeader($request->headers);
        unset($options[CURLOPT_HTTPHEADER]);
        $named = self::named($options);
        if ($request->bodyfile !== null) {
            $curl->put($request->url, ['file' => $request->bodyfile], $named);
        } else if ($request->method === 'GET') {
            $curl->get($request->url, [], $named);
        } else {
            $curl->post($request->url, $fields, $named);
        }
        $errno = (int) $curl->get_errno();
        if ($errno !== 0) {
            throw $receiver->failure($errno, (string) $curl->error);
        }
        if (!empty($curl->error)) {
            // No curl error but an error text: the wrapper refused the URL before sending.
            throw new fileserver_exception('blocked',
                "Moodle's cURL security settings refuse this address: {$curl->error}");
        }
        return $receiver->response();
    }

    /**
     * The wrapper takes options by constant name (`'CURLOPT_TIMEOUT' => 10`).
     *
     * @param array<int,mixed> $options curl option => value
     * @return array<string,mixed> option name => value
     */
    private static function named(array $options): array {
        static $names = null;
        if ($names === null) {
            $names = [];
            foreach (get_defined_constants(true)['curl'] as $name => $value) {
                if (strpos($name, 'CURLOPT_') === 0 && !isset($names[$value])) {
                    $names[$value] = $name;
                }
            }
        }
        $named = [];
        foreach ($options as $option => $value) {
            $named[$names[$option]] = $value;
        }
        return $named;
    }
}
