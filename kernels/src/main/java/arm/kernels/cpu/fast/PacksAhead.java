package arm.kernels.cpu.fast;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Weight packs made ahead by a second thread. A plain training step changes every weight once, in
 * its SGD step, so each convolution's packs (its channels-last or Winograd forward pack, its input
 * gradient's phase packs, the flipped weights) are made anew in the next step's forward and
 * backward, on the thread that runs the pass, while the pair's partner waits for the backward's
 * weight gradients. With this, the partner makes them at the start of the step ({@link #prepare}),
 * in the order the pass asked for them in the step before, and the pass ({@link #serve}) takes each
 * one ready, waits for the one being made, or makes one the partner has not reached.
 *
 * <p>One <em>epoch</em> per step: {@link #begin} names the weight arrays (the roots) that keep
 * their values until the next {@code begin} (the caller's promise: the SGD step comes after the
 * step's last pack). A pack is made once per epoch, by whichever thread claims it first, from the
 * root (or from a pack of the root: the flipped weights packed again) as it is in that epoch, so it
 * is the same bits a fresh call of the packer would give. Packs of arrays that are not roots, and
 * calls outside {@link #serve}, go through {@link WeightPacks} as before.
 */
public final class PacksAhead {
    /** {@code -Darm.packs.ahead=false}: no packs ahead (the pass makes its own; same bits). */
    public static final boolean ON = !"false".equals(System.getProperty("arm.packs.ahead"));

    /** The packs ahead the calling thread is served from, or null. */
    private static final ThreadLocal<PacksAhead> SERVED = new ThreadLocal<>();

    /** One pack: the array it is made from (by identity), what it is, its size. */
    private record Source(float[] w, WeightPacks.Key key, int size) {}

    /** One pack's storage; {@code made} is the epoch its data belongs to. */
    private static final class Entry {
        final AtomicBoolean busy = new AtomicBoolean();
        float[] data;
        volatile int made = -1;
        int recorded = -1; // the serving thread's epoch in which it was last recorded
        int index; // its place in that epoch's record
    }

    /**
     * A pack the pass asked for: from a root ({@code root}) or from the pack of an earlier request
     * ({@code from}).
     */
    private record Request(
            float[] root, int from, WeightPacks.Key key, int size, WeightPacks.Packer packer) {}

    private final Map<Source, Entry> entries = new ConcurrentHashMap<>();
    private volatile int epoch;

    /**
     * This epoch's roots: written by the serving thread before the epoch starts, then only read.
     */
    private Map<float[], Boolean> roots = new IdentityHashMap<>();

    private volatile List<Request> last = List.of();
    private List<Request> recording = new ArrayList<>();

    /** The serving thread's packs of this epoch, by identity: their request's index. */
    private final Map<float[], Integer> madeFrom = new IdentityHashMap<>();

    /**
     * Starts an epoch: {@code ws} keep their values until the next call; every pack of the last
     * epoch is stale. Called by the serving thread, before it hands {@link #prepare} to the other.
     */
    public void begin(List<float[]> ws) {
        Map<float[], Boolean> r = new IdentityHashMap<>();
        for (float[] w : ws) r.put(w, Boolean.TRUE);
        roots = r;
        if (!recording.isEmpty()) last = recording;
        recording = new ArrayList<>();
        madeFrom.clear();
        epoch++;
    }

    /**
     * On the other thread: makes the packs the pass asked for in the last epoch, in that order,
     * skipping those taken already; stops early if the epoch ends.
     */
    public void prepare() {
        int ep = epoch;
        List<Request> reqs = last;
        float[][] made = new float[reqs.size()][];
        for (int i = 0; i < reqs.size() && epoch == ep; i++) {
            Request r = reqs.get(i);
            // a root of the last epoch that is no root now (another model's arrays) is not read
            float[] src =
                    r.root != null ? (roots.containsKey(r.root) ? r.root : null) : made[r.from];
            if (src == null) continue;
            Entry e = entries.computeIfAbsent(new Source(src, r.key, r.size), s -> new Entry());
            made[i] = take(e, src, r.size, r.packer, ep);
        }
    }

    /** Runs {@code body} with the calling thread's packs of roots taken from here. */
    public void serve(Runnable body) {
        PacksAhead was = SERVED.get();
        SERVED.set(this);
        try {
            body.run();
        } finally {
            SERVED.set(was);
        }
    }

    /**
     * The pack for {@link WeightPacks#of} on a served thread, or null when w is neither a root nor
     * a pack of one made in this epoch (the caller then packs as usual).
     */
    static float[] served(float[] w, int size, WeightPacks.Packer packer, int kind, int[] dims) {
        PacksAhead a = SERVED.get();
        return a == null ? null : a.serve(w, size, packer, kind, dims);
    }

    private float[] serve(float[] w, int size, WeightPacks.Packer packer, int kind, int[] dims) {
        Integer from = null;
        if (!roots.containsKey(w) && (from = madeFrom.get(w)) == null) return null;
        WeightPacks.Key key = new WeightPacks.Key(kind, dims);
        Entry e = entries.computeIfAbsent(new Source(w, key, size), s -> new Entry());
        int ep = epoch;
        if (e.recorded != ep) {
            e.recorded = ep;
            e.index = recording.size();
            recording.add(
                    new Request(
                            from == null ? w : null, from == null ? -1 : from, key, size, packer));
        }
        float[] d = take(e, w, size, packer, ep);
        madeFrom.put(d, e.index);
        return d;
    }

    /**
     * e's pack of epoch ep: ready, or made here once claimed, or waited for while another makes it.
     */
    private static float[] take(Entry e, float[] src, int size, WeightPacks.Packer packer, int ep) {
        while (e.made != ep) {
            if (!e.busy.compareAndSet(false, true)) {
                Thread.onSpinWait();
                continue;
            }
            try {
                if (e.made != ep) {
                    if (e.data == null || e.data.length != size) e.data = new float[size];
                    packer.pack(src, e.data);
                    e.made = ep;
                }
            } finally {
                e.busy.set(false);
            }
        }
        return e.data;
    }
}
