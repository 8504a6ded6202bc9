<?php
// Verifies a webhook from sala the Standard Webhooks way
// (https://www.standardwebhooks.com/): the signature is
// base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{raw body}")),
// sent as "v1,<base64>" (several may be listed, space-separated), and the
// timestamp must be recent so an old message cannot be replayed.

declare(strict_types=1);

/**
 * Returns '' when the webhook is genuine, else why not.
 *
 * @param string $secret  "whsec_" + base64 key, as sala showed it when the endpoint was registered
 * @param array  $headers lower-case header name => value
 */
function sala_webhook_problem(string $secret, array $headers, string $body, ?int $now = null,
                              int $toleranceSeconds = 300): string
{
    if (!str_starts_with($secret, 'whsec_')) {
        throw new InvalidArgumentException('secret: must start with "whsec_"');
    }
    $key = base64_decode(substr($secret, 6), true);
    if ($key === false || $key === '') {
        throw new InvalidArgumentException('secret: not base64');
    }
    $id = $headers['webhook-id'] ?? '';
    $timestamp = $headers['webhook-timestamp'] ?? '';
    $signatures = $headers['webhook-signature'] ?? '';
    if ($id === '' || $timestamp === '' || $signatures === '') {
        return 'missing webhook-id, webhook-timestamp or webhook-signature';
    }
    if (!preg_match('/^[0-9]{1,12}$/', $timestamp)) {
        return 'webhook-timestamp is not a number of seconds';
    }
    $now ??= time();
    if (abs($now - (int) $timestamp) > $toleranceSeconds) {
        return 'webhook-timestamp is outside the tolerance';
    }
    $expected = base64_encode(hash_hmac('sha256', "$id.$timestamp.$body", $key, true));
    foreach (explode(' ', $signatures) as $entry) {
        [$version, $signature] = array_pad(explode(',', $entry, 2), 2, '');
        if ($version === 'v1' && hash_equals($expected, $signature)) {
            return '';
        }
    }
    return 'no signature matches';
}
