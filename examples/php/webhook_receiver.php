<?php
// A webhook receiver for sala, runnable with PHP's built-in server:
//   SALA_WEBHOOK_SECRET=whsec_... SALA_WEBHOOK_LOG=events.jsonl php -S 127.0.0.1:8090 webhook_receiver.php
// Verifies every POST (Standard Webhooks), answers 204 and appends the event
// to the log once per webhook-id (sala retries with the same id); anything
// not genuine gets 401 and is not logged.

declare(strict_types=1);

require __DIR__ . '/StandardWebhooks.php';

$secret = getenv('SALA_WEBHOOK_SECRET') ?: '';
$log = getenv('SALA_WEBHOOK_LOG') ?: 'webhook-events.jsonl';
if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    http_response_code(405);
    exit;
}
$headers = array_change_key_case(getallheaders(), CASE_LOWER);
$body = (string) file_get_contents('php://input');
$why = sala_webhook_problem($secret, $headers, $body);
if ($why !== '') {
    http_response_code(401);
    header('Content-Type: text/plain');
    echo $why, "\n";
    exit;
}
$event = json_decode($body, true);
$id = $headers['webhook-id'];
$seen = is_file($log) ? file($log, FILE_IGNORE_NEW_LINES) : [];
foreach ($seen as $line) {
    if ((json_decode($line, true)['webhook_id'] ?? null) === $id) {
        http_response_code(204);  // a retry of one already handled
        exit;
    }
}
file_put_contents($log, json_encode(['webhook_id' => $id, 'type' => $event['type'] ?? null,
                                      'data' => $event['data'] ?? null], JSON_UNESCAPED_SLASHES) . "\n",
                  FILE_APPEND | LOCK_EX);
http_response_code(204);
