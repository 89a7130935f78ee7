#pragma once

#include "hugepages.h"

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
        m_slots.clear();
        m_slots.shrink_to_fit();
        m_slots.reserve(capacity);
        adviseHugePages(m_slots.data(), capacity * sizeof(Slot)); // before the first write
        m_slots.resize(capacity);
        if (!m_parts.empty())
            m_parts.assign(capacity, 0);
        m_mask = capacity - 1;
        m_size = 0;
    }

    void insert(uint64_t hash, Entry entry)
    {
        if (m_slots.empty() || (m_size + 1) * 2 > m_slots.size())
            grow();
        const uint32_t tag = tagOf(hash);
        size_t i = tag & m_mask;
        while (m_slots[i].item >= 0)
            i = (i + 1) & m_mask;
        m_slots[i] = {tag, entry.item};
        if (entry.part != 0 && m_parts.empty())
            m_parts.assign(m_slots.size(), 0); // most indexes never need parts
        if (!m_parts.empty())
            m_parts[i] = entry.part;
        ++m_size;
    }

    // Calls visit(entry) for each entry stored under hash until visit returns true; returns
    // that entry, or an empty one. Entries come in insertion order unless the index grew
    // past what reserve() prepared for. Rarely, an entry of another hash is visited too
    // (only 32 bits of it are kept): visit compares the keys themselves.
    template <typename Visit> Entry find(uint64_t hash, Visit &&visit) const
    {
        if (m_slots.empty())
            return {};
        const uint32_t tag = tagOf(hash);
        for (size_t i = tag & m_mask; m_slots[i].item >= 0; i = (i + 1) & m_mask) {
            if (m_slots[i].tag != tag)
                continue;
            const Entry entry{m_slots[i].item, m_parts.empty() ? 0 : m_parts[i]};
            if (visit(entry))
                return entry;
        }
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
    // 8 bytes a slot: a 500k-user scan's indexes are touched once each, and on a VM every
    // fresh page costs more than the work done in it (issue 15).
    struct Slot
    {
        uint32_t tag = 0;
        int32_t item = -1; // -1 = empty
    };

    static uint32_t tagOf(uint64_t hash) { return uint32_t(hash ^ (hash >> 32)); }

    void grow()
    {
        std::vector<Slot> old;
        std::vector<int32_t> oldParts;
        old.swap(m_slots);
        oldParts.swap(m_parts);
        reserve(std::max<size_t>(16, m_size * 2));
        if (!oldParts.empty())
            m_parts.assign(m_slots.size(), 0);
        for (size_t i = 0; i < old.size(); ++i)
            if (old[i].item >= 0)
                insertTagged(old[i].tag, {old[i].item, oldParts.empty() ? 0 : oldParts[i]});
    }

    void insertTagged(uint32_t tag, Entry entry)
    {
        size_t i = tag & m_mask;
        while (m_slots[i].item >= 0)
            i = (i + 1) & m_mask;
        m_slots[i] = {tag, entry.item};
        if (!m_parts.empty())
            m_parts[i] = entry.part;
        ++m_size;
    }

    std::vector<Slot> m_slots;
    std::vector<int32_t> m_parts; // beside m_slots, once any entry has a part
    size_t m_mask = 0;
    size_t m_size = 0;
};
