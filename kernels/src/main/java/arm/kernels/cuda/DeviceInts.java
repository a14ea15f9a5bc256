package arm.kernels.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Device copies of host int arrays, keyed by content, the least recently used dropped beyond {@code
 * capacity}: the same labels, indices or counts passed again (every layer, every refinement step)
 * cost no upload and no host wait. A copy is never written on the device, so content equality is
 * all that matters. Dropping a copy hands it back to the allocator; work already queued on the one
 * stream still reads it before any later reuse. Pure bookkeeping over an upload and a free
 * function, so it is tested without a GPU.
 *
 * <p>A captured graph bakes in the pointers of the copies its steps read, and its replays do not
 * ask this cache again: the copies fetched while a graph is recorded ({@link #record}) are held for
 * the graph's life ({@link #hold}, {@link #release}) and never dropped meanwhile, however many
 * other contents pass (a graph replayed across iterations outlives many label arrays).
 *
 * <p>A fixed input ({@link #write}) is keyed by the host array's identity instead: one device
 * buffer whose contents are rewritten, so a graph reused across iterations reads new counts or a
 * new class mask at the same address.
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

    interface Write<P> {
        /** Copies host (as ints or, asFloat, as floats) into the device buffer at pointer. */
        void write(int[] host, boolean asFloat, P pointer);
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
    private Set<Key> recording;
    private final Map<Key, Integer> held = new HashMap<>();

    private final Write<P> write;

    /**
     * Fixed inputs ({@link #write}): per host array (by identity), its device buffers as ints ([0])
     * and as floats ([1]), made at first use, rewritten in place.
     */
    private final IdentityHashMap<int[], Object[]> slots = new IdentityHashMap<>();

    DeviceInts(int capacity, Upload<P> upload, Free<P> free) {
        this(
                capacity,
                upload,
                free,
                (h, f, p) -> {
                    throw new UnsupportedOperationException("no writes");
                });
    }

    DeviceInts(int capacity, Upload<P> upload, Free<P> free, Write<P> write) {
        this.capacity = capacity;
        this.upload = upload;
        this.free = free;
        this.write = write;
    }

    /**
     * Makes host a fixed input, or writes its current contents: every later {@link #get} of this
     * very array returns the same device buffer (one per form), whatever its contents, so a graph
     * that baked the pointer in reads what was written last. The length must not change.
     */
    @SuppressWarnings("unchecked")
    synchronized void write(int[] host) {
        Object[] s = slots.get(host);
        if (s == null) {
            slots.put(host, new Object[2]); // buffers made at first use, from the contents then
            return;
        }
        for (int f = 0; f < 2; f++) if (s[f] != null) write.write(host, f == 1, (P) s[f]);
    }

    /** Frees a fixed input's buffers (no graph may read them any more). */
    @SuppressWarnings("unchecked")
    synchronized void release(int[] host) {
        Object[] s = slots.remove(host);
        if (s != null) for (Object p : s) if (p != null) free.free((P) p, host.length);
    }

    /**
     * The device copy of {@code host} (as floats when asFloat), uploading only if it is not held.
     */
    @SuppressWarnings("unchecked")
    synchronized P get(int[] host, boolean asFloat) {
        Object[] s = slots.get(host);
        if (s != null) {
            int f = asFloat ? 1 : 0;
            if (s[f] == null) {
                uploads++;
                s[f] = upload.upload(host, asFloat);
            } else hits++;
            return (P) s[f];
        }
        Key k = new Key(host, asFloat);
        P p = copies.get(k);
        if (p != null) {
            hits++;
            if (recording != null) recording.add(new Key(host.clone(), asFloat));
            return p;
        }
        uploads++;
        p = upload.upload(host, asFloat);
        Key own = new Key(host.clone(), asFloat); // the caller may change its array later
        copies.put(own, p);
        if (recording != null) recording.add(own);
        for (Iterator<Map.Entry<Key, P>> it = copies.entrySet().iterator();
                copies.size() > capacity && it.hasNext(); ) {
            Map.Entry<Key, P> eldest = it.next();
            if (held.containsKey(eldest.getKey()) || eldest.getKey().equals(own)) continue;
            free.free(eldest.getValue(), eldest.getKey().values.length);
            it.remove();
        }
        return p;
    }

    /** Starts noting the contents fetched (a graph is being recorded). */
    synchronized void record() {
        recording = new HashSet<>();
    }

    /** Stops noting and returns the contents fetched since {@link #record} (null if none began). */
    synchronized List<Object> recorded() {
        Set<Key> r = recording;
        recording = null;
        return r == null ? List.of() : new ArrayList<>(r);
    }

    /** Keeps these contents (from {@link #recorded}) until as many {@link #release}s. */
    synchronized void hold(List<Object> keys) {
        for (Object k : keys) held.merge((Key) k, 1, Integer::sum);
    }

    /** Ends one {@link #hold} of these contents; beyond capacity, unheld ones are dropped. */
    synchronized void release(List<Object> keys) {
        for (Object k : keys) held.computeIfPresent((Key) k, (x, n) -> n == 1 ? null : n - 1);
        for (Iterator<Map.Entry<Key, P>> it = copies.entrySet().iterator();
                copies.size() > capacity && it.hasNext(); ) {
            Map.Entry<Key, P> eldest = it.next();
            if (held.containsKey(eldest.getKey())) continue;
            free.free(eldest.getValue(), eldest.getKey().values.length);
            it.remove();
        }
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
