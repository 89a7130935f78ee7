#pragma once

#include <cstddef>

// Asks the kernel to back a large, not yet touched buffer with 2 MiB pages where it can
// (Linux transparent huge pages, "madvise" mode). The first write to each fresh 4 KiB page
// is a fault: on a VM like ours ~12 us each, 0.75 s for 250 MiB, more than the diff that
// fills it; a 2 MiB page takes one fault for 512. A hint only: where the kernel says no,
// or elsewhere than Linux, nothing changes.
void adviseHugePages(void *data, std::size_t bytes);
