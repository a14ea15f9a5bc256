package arm.kernels.cuda;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Device copies of host int arrays, keyed by content, the least recently used dropped beyond {@code
 * capacity}: the same labels, indices or counts passed again (every layer, every refinement step)
 * cost no upload and no host wait. A copy is never written on the device, so content equality is
 * all that matters. Dropping a copy hands it back to the allocator; work already queued on the one
 * stream still reads it before any later reuse. Pure bookkeeping over an upload and a free
 * function, so it is tested without a GPU.
 *
 * @param <P> the device pointer type
 */
final class DeviceInts<P> {
    interface Upload<P> {
        /** A device copy of host, as ints or (asFloat) as floats. */
        P upload(int[] host, boolean asFloat);
    }

    interface Free<P> {
        void free(P pointer, int length);
    }

    private record Key(int[] values, boolean asFloat) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.asFloat == asFloat && Arrays.equals(k.values, values);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(values) + (asFloat ? 1 : 0);
        }
    }

    private final int capacity;
    private final Upload<P> upload;
    private final Free<P> free;
    private final LinkedHashMap<Key, P> copies = new LinkedHashMap<>(16, 0.75f, true);
    private long uploads, hits;

    DeviceInts(int capacity, Upload<P> upload, Free<P> free) {
        this.capacity = capacity;
        this.upload = upload;
        this.free = free;
    }

    /**
     * The device copy of {@code host} (as floats when asFloat), uploading only if it is not held.
     */
    synchronized P get(int[] host, boolean asFloat) {
        Key k = new Key(host, asFloat);
        P p = copies.get(k);
        if (p != null) {
            hits++;
            return p;
        }
        uploads++;
        p = upload.upload(host, asFloat);
        copies.put(new Key(host.clone(), asFloat), p); // the caller may change its array later
        for (Iterator<Map.Entry<Key, P>> it = copies.entrySet().iterator();
                copies.size() > capacity; ) {
            Map.Entry<Key, P> eldest = it.next();
            free.free(eldest.getValue(), eldest.getKey().values.length);
            it.remove();
        }
        return p;
    }

    synchronized long uploads() {
        return uploads;
    }

    synchronized long hits() {
        return hits;
    }

    synchronized int size() {
        return copies.size();
    }
}
