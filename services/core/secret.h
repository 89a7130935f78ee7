#pragma once

#include <QByteArray>
#include <QString>

#include <algorithm>

// Wipes a secret (password, client secret) held in an implicitly shared Qt string. Writing
// to a shared QString detaches it first, so `password.fill(0)` on a copy zeroes a fresh
// duplicate and leaves the real buffer as it was. Here the buffer is zeroed in place when
// this is its only holder, and only released when others still hold it (the last holder
// wipes it).
template <typename String> void wipeSecret(String &secret)
{
    if (secret.isDetached() && !secret.isEmpty())
        std::fill_n(secret.data(), secret.size(), typename String::value_type(0));
    secret.clear();
}
