#pragma once

// How the process's heap treats the large temporary buffers image work makes.

namespace smp::imaging {

// Keeps freed buffers of up to kLargeBufferBytes in the heap for the next allocation instead of
// handing each back to the kernel (glibc returns blocks of 128 KB and more at once, and every
// new one then comes back as fresh, zeroed pages). The analysis of a photo allocates some
// hundred maps of its 1024 px working copy (0.8-3 MB each); on the development machine the page
// faults for them were more than half of a 12 MP photo's analysis (docs/benchmarks.md).
// Process-wide; call once from main() before other threads start. Freed memory up to
// kKeptFreeBytes at the top of a heap stays with the process. No effect without glibc.
void keepImageBuffersForReuse();

inline constexpr long kLargeBufferBytes = 32L << 20;
inline constexpr long kKeptFreeBytes = 128L << 20;

} // namespace smp::imaging
