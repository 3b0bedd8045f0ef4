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

namespace lablink_tests;

use assignsubmission_lablink\local\fileserver\client_legacy;
use assignsubmission_lablink\local\fileserver\fileserver_exception;
use assignsubmission_lablink\local\fileserver\legacy_signer;
use assignsubmission_lablink\local\fileserver\token_signer;

/**
 * The two signers, checked by decoding what they make, and the legacy reply parsing.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \assignsubmission_lablink\local\fileserver\token_signer
 * @covers     \assignsubmission_lablink\local\fileserver\legacy_signer
 * @covers     \assignsubmission_lablink\local\fileserver\client_legacy
 */
final class signers_test extends \PHPUnit\Framework\TestCase {
    /**
     * Base64url decoding.
     *
     * @param string $text encoded
     * @return string bytes
     */
    private static function b64url_decode(string $text): string {
        return base64_decode(strtr($text, '-_', '+/') . str_repeat('=', (4 - strlen($text) % 4) % 4), true);
    }

    public function test_token_claims_and_signature(): void {
        $signer = new token_signer('k1', 's3cret', 'https://moodle.test', 60, fn() => 1700000000);
        $token = $signer->sign('get', '/v2/homes/alice/entries', 'alice', 'read');
        [$head, $body, $signature] = explode('.', $token);
        $this->assertSame(['typ' => 'JWT', 'alg' => 'HS256', 'kid' => 'k1'], json_decode(self::b64url_decode($head), true));
        $claims = json_decode(self::b64url_decode($body), true);
        $this->assertSame(['iss', 'sub', 'scope', 'htm', 'htu', 'iat', 'exp', 'jti'], array_keys($claims));
        $this->assertSame('https://moodle.test', $claims['iss']);
        $this->assertSame('alice', $claims['sub']);
        $this->assertSame('read', $claims['scope']);
        $this->assertSame('GET', $claims['htm']);
        $this->assertSame('/v2/homes/alice/entries', $claims['htu']);
        $this->assertSame(1700000000, $claims['iat']);
        $this->assertSame(1700000060, $claims['exp']);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $claims['jti']);
        $expected = hash_hmac('sha256', "$head.$body", 's3cret', true);
        $this->assertSame($expected, self::b64url_decode($signature));
        $this->assertNotSame($expected, hash_hmac('sha256', "$head.$body", 'other', true));
    }

    public function test_every_token_has_a_fresh_id_and_a_bounded_life(): void {
        $signer = new token_signer('k1', 's', 'iss', 3600);
        $a = $signer->claims('POST', '/v2/homes/a/extract', 'a', 'read write');
        $b = $signer->claims('POST', '/v2/homes/a/extract', 'a', 'read write');
        $this->assertNotSame($a['jti'], $b['jti']);
        $this->assertSame(token_signer::MAX_TTL, $a['exp'] - $a['iat']);
        $this->assertEqualsWithDelta(time(), $a['iat'], 2);
    }

    public function test_token_signer_needs_a_key(): void {
        try {
            new token_signer('', 's', 'iss');
            $this->fail('accepted an empty key id');
        } catch (fileserver_exception $e) {
            $this->assertSame('config', $e->errorcode);
        }
    }

    public function test_legacy_signature(): void {
        // base64(md5("{}")), the known vector of the protocol's documentation.
        $this->assertSame('mZFLkyvTelC5g8XnyQrpOw==', legacy_signer::md5_payload('{}'));
        $signer = new legacy_signer('moodle', 'secret');
        $p = $signer->params('{"user":{"id":"a"}}', 1600000000);
        $this->assertSame(['user', 'timestamp', 'payload', 'md5_payload', 'key'], array_keys($p));
        $this->assertSame('moodle', $p['user']);
        $this->assertSame('1600000000', $p['timestamp']);
        $this->assertSame(base64_encode(md5('{"user":{"id":"a"}}', true)), $p['md5_payload']);
        $mac = hash_hmac('sha256', 'moodle' . '1600000000' . $p['md5_payload'], 'secret', true);
        $this->assertSame(base64_encode($mac), $p['key']);
        $this->assertTrue(legacy_signer::payload_matches('{}', 'mZFLkyvTelC5g8XnyQrpOw=='));
        $this->assertFalse(legacy_signer::payload_matches('{ }', 'mZFLkyvTelC5g8XnyQrpOw=='));
    }

    /**
     * extractpath forms: the original server's and lablink's.
     *
     * @return array<string,array{0:string,1:string}>
     */
    public static function extractpaths(): array {
        return [
            'original, renamed' => ['/test2/.///dir1/course2_assignment2-V2', '/dir1/course2_assignment2-V2'],
            'lablink, start point kept' => ['/alice/./dir/copy-V3', '/dir/copy-V3'],
            'tidy form' => ['/alice/dir/copy', '/dir/copy'],
            'home with a dot' => ['/a.b./x/./y', '/y'],
        ];
    }

    /**
     * @dataProvider extractpaths
     * @param string $extractpath as the server wrote it
     * @param string $expected the folder made
     */
    public function test_extractpath_forms(string $extractpath, string $expected): void {
        $this->assertSame($expected, client_legacy::landed($extractpath));
    }

    public function test_extractpath_out_of_the_home_is_refused(): void {
        try {
            client_legacy::landed('/alice/./../bob');
            $this->fail('accepted a path out of the home');
        } catch (fileserver_exception $e) {
            $this->assertSame('invalid_path', $e->errorcode);
        }
    }

    public function test_legacy_codes_map_to_v2_codes(): void {
        $this->assertSame('unauthorized', client_legacy::error(104, 'Error : checking hmac')->errorcode);
        $this->assertSame('unauthorized', client_legacy::error(102, 'ttl')->errorcode);
        $this->assertSame('unauthorized', client_legacy::error(401, 'auth')->errorcode);
        $this->assertSame('not_found', client_legacy::error(404, "Directory doesn't exist")->errorcode);
        $this->assertSame('not_found', client_legacy::error(500, 'Error: user home does not exist')->errorcode);
        $this->assertSame('failed', client_legacy::error(500, 'Error: something')->errorcode);
    }
}
