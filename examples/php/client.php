<?php
// Command-line use of SalaClient, for scripts and the tests:
//   SALA_URL=http://127.0.0.1:8080 SALA_TOKEN=sala_... php client.php submit request.json
//   php client.php submit - < request.json      (the body on standard input)
//   php client.php get 42 | queue | cancel 42
// Prints the JSON answer; on a refusal prints the problem on stderr and exits 2.

declare(strict_types=1);

require __DIR__ . '/SalaClient.php';

$url = getenv('SALA_URL') ?: 'http://127.0.0.1:8080';
$token = getenv('SALA_TOKEN') ?: '';
if ($token === '') {
    fwrite(STDERR, "SALA_TOKEN is not set (a token from `sala token create`)\n");
    exit(64);
}
$client = new SalaClient($url, $token);
$command = $argv[1] ?? '';
try {
    switch ($command) {
        case 'submit':
            $file = $argv[2] ?? '-';
            $text = file_get_contents($file === '-' ? 'php://stdin' : $file);
            $body = json_decode((string) $text, true, 512, JSON_THROW_ON_ERROR);
            $out = $client->submit($body, $argv[3] ?? null);
            break;
        case 'get':
            $out = $client->get((int) ($argv[2] ?? 0));
            break;
        case 'queue':
            $out = $client->queue();
            break;
        case 'cancel':
            $out = $client->cancel((int) ($argv[2] ?? 0));
            break;
        default:
            fwrite(STDERR, "usage: php client.php submit FILE|- [IDEMPOTENCY-KEY] | get ID | queue | cancel ID\n");
            exit(64);
    }
} catch (SalaProblem $p) {
    fwrite(STDERR, json_encode($p->problem, JSON_UNESCAPED_SLASHES) . "\n");
    exit(2);
} catch (JsonException $e) {
    fwrite(STDERR, "not JSON: {$e->getMessage()}\n");
    exit(65);
}
echo json_encode($out, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
