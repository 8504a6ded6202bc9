<?php
// A small client for sala's HTTP API (`sala serve`), with PHP's curl extension.
// Errors come back as application/problem+json (RFC 9457): SalaProblem carries
// the status, the field and the rule the server named.

declare(strict_types=1);

final class SalaProblem extends RuntimeException
{
    public function __construct(
        public readonly int $status,
        public readonly array $problem,
    ) {
        $field = $problem['field'] ?? null;
        parent::__construct(sprintf(
            'HTTP %d %s%s: %s',
            $status,
            $problem['title'] ?? 'error',
            $field !== null ? " (field $field, rule " . ($problem['rule'] ?? '?') . ')' : '',
            $problem['detail'] ?? ''
        ));
    }
}

final class SalaClient
{
    public function __construct(
        private string $baseUrl,
        private string $token,
        private int $timeoutSeconds = 30,
    ) {
        $this->baseUrl = rtrim($baseUrl, '/');
    }

    /** Submits a request; a retry with the same $idempotencyKey never books twice. */
    public function submit(array $request, ?string $idempotencyKey = null): array
    {
        $headers = $idempotencyKey !== null ? ['Idempotency-Key: ' . $idempotencyKey] : [];
        return $this->call('POST', '/v1/requests', $request, $headers);
    }

    public function get(int $id): array
    {
        return $this->call('GET', "/v1/requests/$id");
    }

    /** The unassigned queue, oldest first (admin token). */
    public function queue(): array
    {
        return $this->call('GET', '/v1/queue');
    }

    public function cancel(int $id): array
    {
        return $this->call('POST', "/v1/requests/$id/cancel");
    }

    private function call(string $method, string $path, ?array $body = null, array $headers = []): array
    {
        $ch = curl_init($this->baseUrl . $path);
        $headers[] = 'Authorization: Bearer ' . $this->token;
        $headers[] = 'Accept: application/json, application/problem+json';
        $options = [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => $this->timeoutSeconds,
            CURLOPT_FOLLOWLOCATION => false,
        ];
        if ($body !== null) {
            $options[CURLOPT_POSTFIELDS] = json_encode($body, JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE);
            $headers[] = 'Content-Type: application/json';
        } elseif ($method === 'POST') {
            $options[CURLOPT_POSTFIELDS] = '';
        }
        $options[CURLOPT_HTTPHEADER] = $headers;
        curl_setopt_array($ch, $options);
        $raw = curl_exec($ch);
        if ($raw === false) {
            $error = curl_error($ch);
            curl_close($ch);
            throw new RuntimeException("sala at {$this->baseUrl}: $error");
        }
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        $decoded = $raw === '' ? [] : json_decode($raw, true, 512, JSON_THROW_ON_ERROR);
        if ($status >= 400) {
            throw new SalaProblem($status, is_array($decoded) ? $decoded : []);
        }
        return $decoded;
    }
}
