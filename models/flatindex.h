#pragma once

#include <QChar>
#include <QStringView>

#include <cstdint>
#include <vector>

// A read-mostly hash multi-index from a 64-bit key hash to small integer payloads, for the
// reconciler's lookups over hundreds of thousands of users. Unlike QHash<QString, int> it
// stores no key copies (no lower-cased strings are allocated) and compares the full hash
// before the caller compares strings, so a probe rarely touches string data at all.
// Open addressing with linear probing; entries are never removed.
class FlatIndex
{
public:
    struct Entry
    {
        int item = -1; // e.g. a user index; -1 = empty slot
        int part = 0;  // e.g. which of the user's addresses
    };

    void reserve(size_t count)
    {
        size_t capacity = 16;
        while (capacity < count * 2)
            capacity *= 2;
        m_slots.assign(capacity, Slot());
        m_mask = capacity - 1;
        m_size = 0;
    }

    void insert(uint64_t hash, Entry entry)
    {
        if (m_slots.empty() || (m_size + 1) * 2 > m_slots.size())
            grow();
        size_t i = size_t(hash) & m_mask;
        while (m_slots[i].entry.item >= 0)
            i = (i + 1) & m_mask;
        m_slots[i] = {hash, entry};
        ++m_size;
    }

    // Calls visit(entry) for each entry stored under hash until visit returns true; returns
    // that entry, or an empty one. Entries come in insertion order unless the index grew
    // past what reserve() prepared for.
    template <typename Visit> Entry find(uint64_t hash, Visit &&visit) const
    {
        if (m_slots.empty())
            return {};
        for (size_t i = size_t(hash) & m_mask; m_slots[i].entry.item >= 0; i = (i + 1) & m_mask)
            if (m_slots[i].hash == hash && visit(m_slots[i].entry))
                return m_slots[i].entry;
        return {};
    }

    // FNV-1a over UTF-16 units: exact, or case-folded as QString::compare(Qt::CaseInsensitive)
    // folds, so that equal-ignoring-case strings hash alike.
    static uint64_t hashOf(QStringView text)
    {
        uint64_t h = 14695981039346656037ull;
        for (QChar c : text)
            h = (h ^ c.unicode()) * 1099511628211ull;
        return h;
    }
    static uint64_t foldedHashOf(QStringView text)
    {
        uint64_t h = 14695981039346656037ull;
        for (QChar c : text) {
            char16_t u = c.unicode();
            if (u < 128) {
                if (u >= 'A' && u <= 'Z')
                    u = char16_t(u + 32);
            } else {
                u = QChar::toCaseFolded(u);
            }
            h = (h ^ u) * 1099511628211ull;
        }
        return h;
    }

private:
    struct Slot
    {
        uint64_t hash = 0;
        Entry entry;
    };

    void grow()
    {
        std::vector<Slot> old;
        old.swap(m_slots);
        reserve(std::max<size_t>(16, m_size * 2));
        for (const Slot &slot : old)
            if (slot.entry.item >= 0)
                insert(slot.hash, slot.entry);
    }

    std::vector<Slot> m_slots;
    size_t m_mask = 0;
    size_t m_size = 0;
};
