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

/**
 * A real `lablink files` on a free loopback port, over a temporary homes folder with the homes
 * `alice` and `bob` (Bob's holds `private/secret.txt`), one v2 key and one legacy key. The
 * binary is the one named by LABLINK_BIN (built by `cargo build -p lablink`).
 *
 * @package    assignsubmission_lablink
 * @copyright  2026 lablink contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class lablink_server {
    /** v2 key id. */
    public const KID = 'moodle-test';
    /** v2 secret. */
    public const SECRET = 'a v2 secret of a decent length, for tests';
    /** Legacy API key id. */
    public const LEGACY_USER = 'moodle';
    /** Legacy secret. */
    public const LEGACY_SECRET = 'legacy shared secret for tests';
    /** Only Bob's home holds this text. */
    public const BOB_SECRET = 'BOB-PRIVATE-91c2e0';
    /** Largest upload the server takes (small, so the refusal is quick to reach). */
    public const MAX_UPLOAD = 4 << 20;
    /** Largest file one v2 `PUT file` writes. */
    public const MAX_FILE = 1 << 20;

    /** @var string the temporary folder */
    public string $dir;

    /** @var string the homes folder */
    public string $homes;

    /** @var int the port */
    public int $port;

    /** @var resource|null the process */
    private $process = null;

    /**
     * Starts the server and waits until it answers.
     *
     * @param string $extra more TOML lines for the `[files]` table
     */
    public function __construct(string $extra = '') {
        $bin = getenv('LABLINK_BIN');
        if ($bin === false || !is_executable($bin)) {
            throw new \RuntimeException('LABLINK_BIN must name a built lablink binary '
                . '(cargo build -p lablink; cargo xtask test sets it)');
        }
        $this->dir = self::tempdir('lablink-php-');
        $this->homes = $this->dir . '/homes';
        foreach (['alice', 'bob/private'] as $folder) {
            mkdir($this->homes . '/' . $folder, 0700, true);
        }
        file_put_contents($this->homes . '/bob/private/secret.txt', self::BOB_SECRET);
        $this->port = self::free_port();
        $config = $this->dir . '/files.toml';
        [$max, $maxfile, $kid, $secret, $luser, $lsecret] =
            [self::MAX_UPLOAD, self::MAX_FILE, self::KID, self::SECRET, self::LEGACY_USER, self::LEGACY_SECRET];
        file_put_contents($config, <<<TOML
[files]
homes = "{$this->homes}"
listen = "127.0.0.1:{$this->port}"
legacy_times = "utc"
$extra

[[files.v2_keys]]
kid = "$kid"
secret = "$secret"

[[files.legacy_keys]]
user = "$luser"
secret = "$lsecret"

[files.limits]
max_upload_bytes = $max
max_file_bytes = $maxfile

TOML);
        $log = $this->dir . '/server.log';
        $this->process = proc_open([$bin, 'files', '--config', $config],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes);
        if (!is_resource($this->process)) {
            throw new \RuntimeException('lablink files did not start');
        }
        $deadline = microtime(true) + 20;
        while (true) {
            $socket = @stream_socket_client("tcp://127.0.0.1:{$this->port}", $errno, $error, 0.2);
            if ($socket !== false) {
                fclose($socket);
                return;
            }
            if (!proc_get_status($this->process)['running'] || microtime(true) > $deadline) {
                $this->stop();
                throw new \RuntimeException('lablink files did not come up: ' . @file_get_contents($log));
            }
            usleep(50000);
        }
    }

    /**
     * The base URL.
     *
     * @return string `http://127.0.0.1:port`
     */
    public function url(): string {
        return "http://127.0.0.1:{$this->port}";
    }

    /**
     * The folder of a home.
     *
     * @param string $home the home
     * @return string its path
     */
    public function home(string $home): string {
        return $this->homes . '/' . $home;
    }

    /**
     * Stops the server (by its own process handle) and removes the temporary folder.
     */
    public function stop(): void {
        if ($this->process !== null) {
            proc_terminate($this->process);
            proc_close($this->process);
            $this->process = null;
        }
        self::remove($this->dir);
    }

    /**
     * A port nothing listens on (just freed by the OS).
     *
     * @return int the port
     */
    public static function free_port(): int {
        $server = stream_socket_server('tcp://127.0.0.1:0');
        $name = stream_socket_get_name($server, false);
        fclose($server);
        return (int) substr($name, strrpos($name, ':') + 1);
    }

    /**
     * A new temporary folder.
     *
     * @param string $prefix its name's start
     * @return string its path
     */
    public static function tempdir(string $prefix): string {
        $dir = sys_get_temp_dir() . '/' . $prefix . bin2hex(random_bytes(6));
        mkdir($dir, 0700);
        return $dir;
    }

    /**
     * Removes a folder and everything in it.
     *
     * @param string $dir the folder
     */
    public static function remove(string $dir): void {
        if (!is_dir($dir) || is_link($dir)) {
            @unlink($dir);
            return;
        }
        foreach (scandir($dir) as $name) {
            if ($name !== '.' && $name !== '..') {
                self::remove($dir . '/' . $name);
            }
        }
        @rmdir($dir);
    }
}
