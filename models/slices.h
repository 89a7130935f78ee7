#pragma once

#include <algorithm>
#include <functional>
#include <thread>
#include <vector>

// Splits [0, n) into one slice per core (at most four) and runs work(slice, from, to) on
// each, side by side; small inputs stay on the caller's thread in one slice. For loops over
// hundreds of thousands of rows whose iterations touch only their own output.
namespace Slices {

inline int countFor(long long n)
{
    const unsigned cores = std::thread::hardware_concurrency();
    return n >= 20'000 && cores > 1 ? int(std::min(4u, cores)) : 1;
}

inline void forEach(long long n, const std::function<void(int slice, int from, int to)> &work)
{
    const int slices = countFor(n);
    const auto bound = [&](int slice) {
        return int(n * slice / slices);
    };
    std::vector<std::thread> threads;
    for (int slice = 1; slice < slices; ++slice)
        threads.emplace_back(work, slice, bound(slice), bound(slice + 1));
    work(0, 0, bound(1));
    for (std::thread &t : threads)
        t.join();
}

} // namespace Slices
