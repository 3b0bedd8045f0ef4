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
 * Mints the v2 bearer tokens: HS256 JWTs with a `kid` header and the claims the file server
 * checks: `iss`, `sub` (the home), `scope` (`read` or `read write`), `htm` + `htu` (the method
 * and the API path, `/v2/homes/{home}/{route}`, the one request it is valid for), `iat`, `exp`
 * (at most 120 s later) and a fresh random `jti` (the server refuses a token used twice).
 *
 * Inside Moodle the bundled `\Firebase\JWT\JWT` signs; elsewhere an equivalent HS256 here.
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class token_signer {
    /** The longest lifetime the server accepts. */
    public const MAX_TTL = 120;

    /** @var string key id */
    private string $kid;

    /** @var string shared secret */
    private string $secret;

    /** @var string issuer claim */
    private string $issuer;

    /** @var int seconds a token lives */
    private int $ttl;

    /** @var \Closure|null clock returning Unix seconds (tests); null for time() */
    private ?\Closure $clock;

    /**
     * Makes a signer.
     *
     * @param string $kid key id, as configured on the file server
     * @param string $secret the key's secret
     * @param string $issuer issuer claim (the site's URL)
     * @param int $ttl seconds a token lives, 1 to 120
     * @param \Closure|null $clock returns the current Unix time; null for time()
     */
    public function __construct(string $kid, string $secret, string $issuer, int $ttl = 60,
            ?\Closure $clock = null) {
        if ($kid === '' || $secret === '') {
            throw new fileserver_exception('config', 'the v2 key id and secret must be set');
        }
        $this->kid = $kid;
        $this->secret = $secret;
        $this->issuer = $issuer;
        $this->ttl = max(1, min(self::MAX_TTL, $ttl));
        $this->clock = $clock;
    }

    /**
     * The claims of a token for one request.
     *
     * @param string $method HTTP method
     * @param string $apipath the request path, e.g. `/v2/homes/alice/entries` (no query)
     * @param string $home the home it acts for
     * @param string $scope `read` or `read write`
     * @return array<string,mixed> the claims
     */
    public function claims(string $method, string $apipath, string $home, string $scope): array {
        $now = $this->clock !== null ? (int) ($this->clock)() : time();
        return [
            'iss' => $this->issuer,
            'sub' => $home,
            'scope' => $scope,
            'htm' => strtoupper($method),
            'htu' => $apipath,
            'iat' => $now,
            'exp' => $now + $this->ttl,
            'jti' => bin2hex(random_bytes(16)),
        ];
    }

    /**
     * A signed token for one request.
     *
     * @param string $method HTTP method
     * @param string $apipath the request path, no query
     * @param string $home the home it acts for
     * @param string $scope `read` or `read write`
     * @return string the compact JWT
     */
    public function sign(string $method, string $apipath, string $home, string $scope): string {
        $claims = $this->claims($method, $apipath, $home, $scope);
        if (class_exists('\Firebase\JWT\JWT')) {
            try {
                return \Firebase\JWT\JWT::encode($claims, $this->secret, 'HS256', $this->kid);
            } catch (\Throwable $e) {
                // Newer releases refuse short HMAC keys; the server accepts any length: sign here.
                unset($e);
            }
        }
        return self::hs256($claims, $this->kid, $this->secret);
    }

    /**
     * HS256 signing as RFC 7519 describes it.
     *
     * @param array<string,mixed> $claims the claims
     * @param string $kid key id for the header
     * @param string $secret the secret
     * @return string the compact JWT
     */
    public static function hs256(array $claims, string $kid, string $secret): string {
        $flags = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR;
        $head = self::b64url(json_encode(['typ' => 'JWT', 'alg' => 'HS256', 'kid' => $kid], $flags));
        $body = self::b64url(json_encode($claims, $flags));
        $signature = self::b64url(hash_hmac('sha256', "$head.$body", $secret, true));
        return "$head.$body.$signature";
    }

    /**
     * Base64url without padding.
     *
     * @param string $bytes what to encode
     * @return string the encoding
     */
    public static function b64url(string $bytes): string {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }
}
