#pragma once

// How GraphClient retries. 429/503/504 wait for Retry-After (fractional seconds are
// honoured) when the server sends one, else for an exponential backoff with jitter:
// base * 2^(attempt-1) * (1 ± jitter), capped at maxDelayMs; the same for single
// requests and for the requests inside a $batch. Dropped connections and timeouts are
// sent again blindly only for reads. A write whose answer was lost (connection closed
// after sending, timeout, a 5xx after the retries) is settled by reading its target
// back: in place = done; not in place = sent again, at most maxSettleResends times;
// unreadable = outcome unknown (GraphResult::outcomeUnknown), never "failed".
struct GraphRetryPolicy
{
    int maxAttempts = 6; // including the first
    int baseDelayMs = 1000;
    int maxDelayMs = 60000;
    double jitter = 0.2;           // ±20 %
    int requestTimeoutMs = 100000; // per attempt (Graph's own limit is 100 s)
    int maxRetryAfterMs = 300000;  // a Retry-After above this fails instead of waiting
    int maxSettleResends = 2;      // a write read back as not done is sent again this often
};
