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
 * The noto-legacy request authentication: five query parameters, `user` (the API key id),
 * `timestamp` (Unix seconds), `payload` (a JSON text), `md5_payload` = base64(MD5(payload))
 * and `key` = base64(HMAC-SHA256(secret, user . timestamp . md5_payload)). Replies carry the
 * same MD5 of their payload, checked by {@see self::payload_matches()}.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class legacy_signer {
    /** @var string API key id */
    private string $user;

    /** @var string shared secret */
    private string $secret;

    /**
     * Makes a signer.
     *
     * @param string $user the API key id
     * @param string $secret its secret
     */
    public function __construct(string $user, string $secret) {
        if ($user === '' || $secret === '') {
            throw new fileserver_exception('config', 'the legacy key and secret must be set');
        }
        $this->user = $user;
        $this->secret = $secret;
    }

    /**
     * base64(MD5(text)).
     *
     * @param string $text the payload text
     * @return string its digest as the protocol writes it
     */
    public static function md5_payload(string $text): string {
        return base64_encode(md5($text, true));
    }

    /**
     * The five query parameters for a payload.
     *
     * @param string $payload the payload JSON text
     * @param int $timestamp Unix seconds
     * @return array<string,string> parameter => value
     */
    public function params(string $payload, int $timestamp): array {
        $md5 = self::md5_payload($payload);
        $key = base64_encode(hash_hmac('sha256', $this->user . $timestamp . $md5, $this->secret, true));
        return [
            'user' => $this->user,
            'timestamp' => (string) $timestamp,
            'payload' => $payload,
            'md5_payload' => $md5,
            'key' => $key,
        ];
    }

    /**
     * Whether a reply's payload matches its digest.
     *
     * @param string $payload the reply's payload text
     * @param string $md5 the reply's md5_payload
     * @return bool true when they match
     */
    public static function payload_matches(string $payload, string $md5): bool {
        return hash_equals(self::md5_payload($payload), $md5);
    }
}
