#pragma once

// Shared by the fuzz targets: a failed round-trip check aborts with both sides printed,
// so libFuzzer saves the input as a crash.
#include <QByteArray>
#include <QDebug>
#include <QString>

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);   \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

#define FUZZ_CHECK_EQ(a, b)                                                                        \
    do {                                                                                           \
        if (!((a) == (b))) {                                                                       \
            qWarning() << "left:" << (a);                                                          \
            qWarning() << "right:" << (b);                                                         \
            std::fprintf(stderr, "FUZZ_CHECK_EQ failed at %s:%d: %s == %s\n", __FILE__, __LINE__,  \
                         #a, #b);                                                                  \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

inline QByteArray fuzzBytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}
