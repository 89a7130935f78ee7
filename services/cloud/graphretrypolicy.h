#pragma once

// How GraphClient retries. 429/503/504 wait for Retry-After (fractional seconds are
// honoured) when the server sends one, else for an exponential backoff with jitter:
// base * 2^(attempt-1) * (1 ± jitter), capped at maxDelayMs. Dropped connections and
// timeouts are retried only for idempotent requests.
struct GraphRetryPolicy
{
    int maxAttempts = 6; // including the first
    int baseDelayMs = 1000;
    int maxDelayMs = 60000;
    double jitter = 0.2;           // ±20 %
    int requestTimeoutMs = 100000; // per attempt (Graph's own limit is 100 s)
    int maxRetryAfterMs = 300000;  // a Retry-After above this fails instead of waiting
};
