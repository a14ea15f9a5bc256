package arm.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Owns device tensors made while it is open, and frees them when it closes (host tensors are left
 * to the GC). Scopes nest per thread; {@link #keep} hands a tensor to the enclosing scope (or to
 * nobody at top level) so results can outlive the work that made them.
 *
 * <pre>
 * try (Scope s = Scope.open()) { ... loss ...; s.keep(result); }
 * </pre>
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();
    private final Scope parent;
    private final List<Tensor> owned = new ArrayList<>();
    private boolean closed;

    private Scope(Scope parent) {
        this.parent = parent;
    }

    public static Scope open() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** Called by device backends on every allocation. */
    public static void track(Tensor t) {
        Scope s = CURRENT.get();
        if (s != null) s.owned.add(t);
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
        for (int i = owned.size() - 1; i >= 0; i--) owned.get(i).close();
        owned.clear();
        CURRENT.set(parent);
    }
}
