package arm.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Owns device tensors made while it is open, and frees them when it closes. Scopes nest per thread;
 * {@link #keep} hands a tensor to the enclosing scope (or to nobody at top level) so results can
 * outlive the work that made them.
 *
 * <pre>
 * try (Scope s = Scope.open()) { ... loss ...; s.keep(result); }
 * </pre>
 *
 * Host tensors are left to the GC, except in a {@link #recycling} scope: there the CPU backend
 * takes its arrays from the thread's {@link HostPool} and this scope gives them back when it
 * closes, so whatever it made must be dead by then (kept, copied out, or never read again), the
 * same rule a device scope enforces by freeing.
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();
    private final Scope parent;
    private final List<Tensor> owned;
    private final boolean recycling;
    private boolean closed;

    /**
     * {@code -Darm.recycle=false} makes {@link #recycling} scopes plain ones (every host array
     * fresh from the JVM): the same results bit for bit, for comparison.
     */
    private static volatile boolean recycle =
            !"false".equals(System.getProperty("arm.recycle", "true"));

    private Scope(Scope parent, boolean recycling) {
        this.parent = parent;
        this.recycling = recycling;
        // a recycling scope is a training step: hundreds of tensors (an MNIST refinement step
        // ~170), so start where the list would otherwise grow to by ten copies
        this.owned = new ArrayList<>(recycling ? 256 : 10);
    }

    public static Scope open() {
        return open(false);
    }

    /**
     * A scope whose host tensors from {@link Backend#zeros} and {@link Backend#empty} are recycled
     * through {@link HostPool} when it closes (see the class comment for the rule that comes with
     * it).
     */
    public static Scope recycling() {
        return open(recycle);
    }

    /** Tests and measurements: whether {@link #recycling} scopes recycle (true by default). */
    public static void recycle(boolean on) {
        recycle = on;
    }

    private static Scope open(boolean recycling) {
        Scope s = new Scope(CURRENT.get(), recycling);
        CURRENT.set(s);
        return s;
    }

    /**
     * The array of a new host tensor of n elements, for the CPU backend: from the thread's pool
     * when the innermost scope recycles (then the caller must {@link #track} the tensor), else
     * fresh. {@code zero}: all zeros; otherwise the contents are unspecified.
     */
    public static float[] hostArray(int n, boolean zero) {
        Scope s = CURRENT.get();
        return s != null && s.recycling ? HostPool.take(n, zero) : new float[n];
    }

    /** Whether the innermost open scope on this thread recycles host arrays. */
    public static boolean recyclingNow() {
        Scope s = CURRENT.get();
        return s != null && s.recycling;
    }

    /**
     * What {@code make} returns, made with no scope open on this thread: its tensors belong to the
     * caller for good (a layer's persistent buffer made inside a step).
     */
    public static <T> T outside(Supplier<T> make) {
        Scope s = CURRENT.get();
        CURRENT.remove();
        try {
            return make.get();
        } finally {
            CURRENT.set(s);
        }
    }

    /** Called by device backends on every allocation. */
    public static void track(Tensor t) {
        Scope s = CURRENT.get();
        if (s != null) s.owned.add(t);
    }

    /**
     * t is dead from here on (a parameter's gradient that the next step replaces): in a recycling
     * scope its array goes back to the thread's pool when the scope closes, like the scope's own
     * temporaries. Only a host tensor that is its whole array and that no open scope on this thread
     * owns already is taken (an owned one goes back with its scope anyway); anywhere else nothing
     * happens and the GC takes it.
     */
    public static void release(Tensor t) {
        Scope s = CURRENT.get();
        if (s == null || !s.recycling || !(t.storage instanceof CpuStorage c)) return;
        if (t.offset != 0 || c.data.length != t.numel()) return;
        for (Scope o = s; o != null; o = o.parent)
            for (Tensor u : o.owned)
                if (u.storage instanceof CpuStorage uc && uc.data == c.data) return;
        s.owned.add(t);
    }

    /** Moves ownership of t to the enclosing scope (or releases it to the caller at top level). */
    public Tensor keep(Tensor t) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            if (owned.get(i).storage == t.storage) {
                owned.remove(i);
                if (parent != null) parent.owned.add(t);
                break;
            }
        }
        return t;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (recycling) {
            long floats = 0;
            for (Tensor t : owned) if (t.storage instanceof CpuStorage c) floats += c.data.length;
            HostPool.returning(floats);
        }
        for (int i = owned.size() - 1; i >= 0; i--) {
            Tensor t = owned.get(i);
            if (recycling && t.storage instanceof CpuStorage c) HostPool.give(c.data);
            else t.close();
        }
        owned.clear();
        CURRENT.set(parent);
    }
}
