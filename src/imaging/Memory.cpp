#include "smp/imaging/Memory.h"

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace smp::imaging {

void keepImageBuffersForReuse()
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD) // glibc's mallopt()
    // glibc's own thresholds adapt (up to the size of the last large block freed, with twice
    // that kept free at the top of the heap), which still gave most of an analysis's maps back
    // and faulted them in again: 370 ms for the benchmark's 12 MP photo against 190 with these.
    // Setting them turns the adaptation off.
    mallopt(M_MMAP_THRESHOLD, static_cast<int>(kLargeBufferBytes));
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(kKeptFreeBytes));
#endif
}

} // namespace smp::imaging
